"""Paths of files as a `bazel run` script sees them."""

def runfiles_path(ctx, file):
    """The file's path relative to the runfiles root.

    Args:
      ctx: context of the rule whose runfiles hold the file.
      file: a File in those runfiles.

    Returns:
      The path as a string, e.g. "imagewriter/examples/hello/image".
    """
    path = file.short_path
    if path.startswith("../"):
        return path[3:]  # A file of an external repository.
    return ctx.workspace_name + "/" + path

# Shell that sets $runfiles to the script's runfiles root, and defines
# `require FILE...`. Bazel 4.2.3 does not fetch the runfiles of a `bazel
# run` target under --remote_download_minimal (it does under _toplevel):
# the links are there, their targets are not. oci_load and oci_push read a
# local copy instead (OciRunfiles, ship.bzl); for any other script, or a
# runfiles tree made outside `bazel run`, say what is missing and what to
# use, rather than fail inside podman or skopeo.
RUNFILES_PRELUDE = """
if [[ -n "${RUNFILES_DIR:-}" ]]; then
  runfiles="$RUNFILES_DIR"
elif [[ -d "$0.runfiles" ]]; then
  runfiles="$0.runfiles"
else
  echo "$(basename "$0"): cannot find the runfiles directory" >&2
  exit 1
fi
require() {
  local f
  for f in "$@"; do
    if [[ ! -e "$f" ]]; then
      echo "$(basename "$0"): $f was not downloaded: Bazel 4 does not fetch the runfiles of" \\
        "'bazel run' under --remote_download_minimal; run it with --remote_download_toplevel" \\
        "(in .bazelrc: run --remote_download_toplevel) or --remote_download_outputs=all." >&2
      exit 1
    fi
  done
}
"""
