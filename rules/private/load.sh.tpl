#!/usr/bin/env bash
# Loads an image built by the rules into podman or docker.
#
#   bazel run //pkg:load -- [--archive] [extra flags]
#
# The engine is $IMAGEWRITER_CONTAINER_CLI if set (e.g. "podman --root /x"),
# else podman, else docker.
# - podman, with skopeo on PATH: `skopeo copy` from the image's OCI layout
#   into podman's containers-storage. The store skips every layer it already
#   has, so a reload after a one-file change reads and stores that layer
#   alone (docs/performance.md). Extra flags go to `skopeo copy`.
# - docker, or --archive, or no repo_tags (the store needs a name):
#   `<engine> load` of a docker archive, written now from the layout, or the
#   one Bazel built with oci_load(incremental = False). Extra flags go to
#   `<engine> load`.
set -euo pipefail
%{runfiles_prelude}
tool="$runfiles/%{tool}"
# The OciRunfiles action's local copy of the files below, when Bazel built
# it: under --remote_download_minimal the runfiles links point at nothing.
if [[ -d "$runfiles/%{local}" ]]; then
  runfiles="$runfiles/%{local}"
  tool="$runfiles/%{local_tool}"
fi
source="$runfiles/%{source}"
names="$runfiles/%{names}"
require "$source" "$names"
# A layout another target built may be an empty directory under
# --remote_download_toplevel: its files are what must be there.
[[ ! -d $source ]] || require "$source/index.json" "$source/oci-layout"
mapfile -t tags < "$names"
archive=false
extra=()
for arg in "$@"; do
  if [[ $arg == --archive ]]; then archive=true; else extra+=("$arg"); fi
done
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
skopeo=${IMAGEWRITER_SKOPEO:-skopeo}

# The containers-storage store of a podman given its own (--root, --runroot,
# --storage-driver), as skopeo's "[driver@root+runroot]"; empty for the
# default store, which plain podman and skopeo find in the same
# storage.conf, driver options included. Read from the flags, as
# `podman info` takes a second.
storage_spec() {
  local root="" run="" driver="" i=1
  while [[ $i -lt ${#engine[@]} ]]; do
    case "${engine[i]}" in
      --root) root=${engine[i + 1]:-}; i=$((i + 1)) ;;
      --root=*) root=${engine[i]#*=} ;;
      --runroot) run=${engine[i + 1]:-}; i=$((i + 1)) ;;
      --runroot=*) run=${engine[i]#*=} ;;
      --storage-driver) driver=${engine[i + 1]:-}; i=$((i + 1)) ;;
      --storage-driver=*) driver=${engine[i]#*=} ;;
    esac
    i=$((i + 1))
  done
  if [[ -n $driver && -z $root ]]; then  # Another driver on the default root.
    "${engine[@]}" info --format '[{{.Store.GraphDriverName}}@{{.Store.GraphRoot}}+{{.Store.RunRoot}}]'
  elif [[ -n $root ]]; then
    echo "[${driver:+$driver@}$root${run:++$run}]"
  fi
}

# containers-storage skips the layers it has: only new ones are read.
load_into_storage() {
  local store tag
  store=$(storage_spec)
  for tag in "${tags[@]}"; do
    "$skopeo" copy %{platform_flags} "${extra[@]}" "oci:$source" "containers-storage:$store$tag"
    echo "Loaded image: $tag"
  done
}

load_archive() {
  local tarball="$source"
  if [[ %{incremental} == true ]]; then
    require "$tool"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tarball="$tmp/image.tar"
    # The flags of the OciArchive action: the same bytes as <name>.tar.
    "$tool" archive --layout "$source" --output "$tarball" %{archive_flags}
  fi
  "${engine[@]}" load -i "$tarball" "${extra[@]}"
}

if [[ %{incremental} == true && $archive == false && ${#tags[@]} -gt 0 \
      && $(basename "${engine[0]}") == podman ]]; then
  if command -v "$skopeo" >/dev/null 2>&1; then
    load_into_storage
    exit 0
  fi
  echo "oci_load: $skopeo is not on PATH: loading the whole image from an archive" >&2
fi
load_archive
