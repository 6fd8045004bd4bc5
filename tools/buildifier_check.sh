#!/usr/bin/env bash
# Checks that every Starlark file of the repository is formatted as
# buildifier formats it and has no lint warning (--lint=warn). Prints each
# finding; exits 0 when there is none, 1 when there is any, 2 when buildifier
# is missing (tools/setup.sh installs it from npm).
#
# buildifier -r alone skips third_party/*.BUILD (attached to repositories
# by rules/repositories.bzl) and templates such as WORKSPACE.template, so the
# files are listed here by name.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

if ! command -v buildifier >/dev/null; then
  echo "buildifier_check: buildifier not found; run tools/setup.sh" >&2
  exit 2
fi

mapfile -t build_files < <(find . \( -name .git -o -name 'bazel-*' \) -prune -o -type f \
  \( -name BUILD -o -name BUILD.bazel -o -name '*.BUILD' -o -name '*.bzl' \
     -o -name MODULE.bazel -o -name WORKSPACE -o -name WORKSPACE.bazel -o -name WORKSPACE.bzlmod \) -print | sort)
mapfile -t workspace_templates < <(find . \( -name .git -o -name 'bazel-*' \) -prune -o -type f \
  -name 'WORKSPACE.template' -print | sort)

status=0
buildifier --mode=check --lint=warn "${build_files[@]}" || status=1
if ((${#workspace_templates[@]})); then
  buildifier --mode=check --lint=warn --type=workspace "${workspace_templates[@]}" || status=1
fi
if ((status == 0)); then
  echo "buildifier_check: $((${#build_files[@]} + ${#workspace_templates[@]})) files clean"
else
  echo "buildifier_check: findings above; 'buildifier --lint=fix FILE' fixes most" >&2
fi
exit "$status"
