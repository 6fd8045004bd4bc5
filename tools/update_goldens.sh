#!/usr/bin/env bash
# Regenerates testdata/golden/ from the current build. Review the diff by
# hand against the OCI image-spec before committing, and say why in the
# commit message.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build //tests:golden_test
cd bazel-bin/tests/golden_test.runfiles/imagewriter
BUILD_WORKSPACE_DIRECTORY="$OLDPWD" IW_UPDATE_GOLDENS=1 TEST_TMPDIR="$(mktemp -d)" \
  PYTHONPATH=. python3 tests/golden_test.py
