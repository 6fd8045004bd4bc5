#!/usr/bin/env bash
# oci_diff_test: `imagewriter diff` of the golden image and the one built.
set -uo pipefail
%{runfiles_prelude}
tool="$runfiles/%{tool}"
golden="$runfiles/%{golden}"
image="$runfiles/%{image}"
require "$tool" "$golden" "$image"
"$tool" diff "$golden" "$image"
status=$?
if ((status == 1)); then
  echo "oci_diff_test: the image differs from the golden %{golden} (above: golden -> built)." >&2
  echo "If the change is intended, replace the golden with bazel-bin/%{image_short_path}." >&2
fi
exit $status
