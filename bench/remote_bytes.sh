#!/usr/bin/env bash
# Bytes through a remote cache for an image with one large layer, counted
# from nginx's access log (the cache of tests/remote/servers.sh):
#   - bytes uploaded (PUT bodies) by the first build;
#   - bytes downloaded (GET bodies) by `bazel build :image` in a fresh output
#     base under --remote_download_toplevel and --remote_download_minimal;
#   - the same after changing only `env`;
#   - CAS entries by size: a layer's bytes must be stored once.
# With --grpc, the cache is Bazel's RemoteWorker (gRPC, as BuildBuddy,
# BuildBarn and EngFlow speak it) instead, and what it received is read from
# its process's I/O counters (/proc/PID/io rchar: socket and disk reads),
# an upper bound on the bytes uploaded; downloads are not counted.
#
#   bench/remote_bytes.sh [--size-mb N] [--grpc]   (default: a 1 GB layer, nginx)
#
# Not run by CI (it moves gigabytes); results go in docs/remote.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size_mb=1000
grpc=false
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) size_mb=$2; shift 2 ;;
    --grpc) grpc=true; shift ;;
    *) echo "usage: $0 [--size-mb N] [--grpc]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d /var/tmp/iw-bytes.XXXXXX)
# shellcheck source=tests/remote/servers.sh
source "$root/tests/remote/servers.sh"
bases=()
cleanup() {
  local b
  for b in "${bases[@]}"; do (cd "$work/ws" && bazel --output_base="$b" shutdown >/dev/null 2>&1) || true; done
  remote_stop_all
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/ws"
cd "$work/ws"
cat >WORKSPACE <<EOF
local_repository(name = "imagewriter", path = "$root")

load("@imagewriter//rules:repositories.bzl", "imagewriter_dependencies", "imagewriter_register_toolchains")

imagewriter_dependencies()

imagewriter_register_toolchains()
EOF
write_build() {
  cat >BUILD.bazel <<EOF
load("@imagewriter//rules:defs.bzl", "oci_image", "oci_layer", "oci_load")

oci_layer(
    name = "big_layer",
    srcs = ["big.bin"],
    directory = "/data",
)

oci_image(
    name = "image",
    env = {"MODE": "$1"},
    tars = [":big_layer"],
)

oci_load(
    name = "load",
    image = ":image",
    repo_tags = ["bench/big:latest"],
)
EOF
}
write_build first
# Half random, half text: compresses to about 0.55 of its size.
head -c $((size_mb * 500000)) /dev/urandom >big.bin
yes "imagewriter remote bytes benchmark line" | head -c $((size_mb * 500000)) >>big.bin || true  # yes ends on SIGPIPE

mark=0
if $grpc; then
  remote_start_worker "$work/worker"
  cache_url=$REMOTE_EXECUTOR
else
  remote_start_cache "$work/cache"
  cache_url=$REMOTE_CACHE_URL
fi
# Bytes of GET (field 4) and PUT (field 6) bodies since the last call; for
# gRPC, the worker's rchar since the last call, and 0.
traffic() {
  if $grpc; then
    local rchar
    rchar=$(awk '$1 == "rchar:" {print $2}' "/proc/$(cat "$REMOTE_WORKER_DIR/worker.pid")/io")
    echo "$((rchar - mark)) 0"
    mark=$rchar
    return
  fi
  local lines
  lines=$(wc -l <"$REMOTE_CACHE_LOG")
  tail -n +"$((mark + 1))" "$REMOTE_CACHE_LOG" | head -n "$((lines - mark))" \
    | awk '$1 == "GET" && $3 == 200 {g += $4} $1 == "PUT" {p += $6} END {printf "%d %d\n", p, g}'
  mark=$lines
}
build() {  # build OUTPUT_BASE FLAGS... ; prints "uploaded downloaded"
  local base=$1
  shift
  bases+=("$base")
  traffic >/dev/null
  bazel --output_base="$base" build --remote_cache="$cache_url" "$@" >"$work/log" 2>&1 \
    || { cat "$work/log"; exit 1; }
  traffic
}
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
row() {  # row LABEL "uploaded downloaded"
  local up down
  read -r up down <<<"$2"
  printf '| %s | %s | %s |\n' "$1" "$(mb "$up")" "$(mb "$down")"
}

if $grpc; then
  echo "| build of //:image (layer input $(mb "$(stat -c %s big.bin)")), gRPC | worker read (rchar) | - |"
else
  echo "| build of //:image (layer input $(mb "$(stat -c %s big.bin)")), HTTP | uploaded | downloaded |"
fi
echo "| --- | ---: | ---: |"
row "first build, local execution" "$(build "$work/ob1" //:image)"
row "fresh output base, --remote_download_toplevel" "$(build "$work/ob2" --remote_download_toplevel //:image)"
row "fresh output base, --remote_download_minimal" "$(build "$work/ob3" --remote_download_minimal //:image)"
write_build changed
row "env changed: first output base, all outputs" "$(build "$work/ob1" //:image)"
row "env changed: --remote_download_toplevel" "$(build "$work/ob2" --remote_download_toplevel //:image)"
row "env changed: --remote_download_minimal" "$(build "$work/ob3" --remote_download_minimal //:image)"
row ":load --output_groups=+tarball (docker archive), minimal" \
  "$(build "$work/ob3" --remote_download_minimal --output_groups=+tarball //:load)"

echo
echo "CAS entries of 10 MB and more (size, key):"
find "${REMOTE_CACHE_ROOT:-$work/worker/cas}" -type f -size +10M -printf '%s %f\n' | sort -n
