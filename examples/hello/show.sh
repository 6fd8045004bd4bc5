#!/usr/bin/env bash
# Prints the example image's digest and where its OCI layout is.
set -euo pipefail
layout=$1
digest=$(cat "$2")
echo "image digest: ${digest}"
echo "OCI layout:   bazel-bin/${layout}"
echo "inspect it:   skopeo inspect oci:bazel-bin/${layout}"
