#!/usr/bin/env bash
# Regenerates testdata/golden/ from the current build. Review the diff by
# hand against the OCI image-spec before committing, and say why in the
# commit message.
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$(pwd)
bazel build //tests:golden_test //tests:examples_test
for test in golden_test examples_test; do
  (cd "bazel-bin/tests/$test.runfiles/imagewriter" &&
   BUILD_WORKSPACE_DIRECTORY="$workspace" IW_UPDATE_GOLDENS=1 TEST_TMPDIR="$(mktemp -d)" \
     PYTHONPATH=. python3 "tests/$test.py")
done
