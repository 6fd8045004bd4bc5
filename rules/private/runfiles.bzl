"""Paths of files as a `bazel run` script sees them."""

def runfiles_path(ctx, file):
    """The file's path relative to the runfiles root."""
    path = file.short_path
    if path.startswith("../"):
        return path[3:]  # A file of an external repository.
    return ctx.workspace_name + "/" + path

# Shell that sets $runfiles to the script's runfiles root.
RUNFILES_PRELUDE = """
if [[ -n "${RUNFILES_DIR:-}" ]]; then
  runfiles="$RUNFILES_DIR"
elif [[ -d "$0.runfiles" ]]; then
  runfiles="$0.runfiles"
else
  echo "$(basename "$0"): cannot find the runfiles directory" >&2
  exit 1
fi
"""
