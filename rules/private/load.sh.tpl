#!/usr/bin/env bash
# Loads an image tarball built by oci_load into a container engine.
# The engine is $IMAGEWRITER_CONTAINER_CLI if set (e.g. "podman --root /x"),
# else podman, else docker. Extra arguments go to `<engine> load`.
set -euo pipefail
%{runfiles_prelude}
tarball="$runfiles/%{tarball}"
require "$tarball"
if [[ -n "${IMAGEWRITER_CONTAINER_CLI:-}" ]]; then
  read -r -a engine <<< "$IMAGEWRITER_CONTAINER_CLI"
elif command -v podman >/dev/null 2>&1; then
  engine=(podman)
elif command -v docker >/dev/null 2>&1; then
  engine=(docker)
else
  echo "oci_load: neither podman nor docker is on PATH; install one or set IMAGEWRITER_CONTAINER_CLI" >&2
  exit 1
fi
exec "${engine[@]}" load -i "$tarball" "$@"
