#!/usr/bin/env bash
# The incremental-build benchmark: an image with one ~1 GB layer, built by
# Bazel in a workspace of its own (imagewriter through local_repository).
#
#   bench/incremental.sh [--size MB]
#
# Times `bazel build` of the image from a warm server and a built tool, with
# the layer not yet built (the full build), then again after changing only
# the image's env (the incremental build), and checks from the execution log
# that the second build ran the image action and no layer action. Prints
# both times and their ratio. A benchmark, not a test: CI does not run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/common.sh"
size=$(bench_size 1000 "$@")
input=$(bench_input "$size")

ws=$(mktemp -d)
trap 'cd /; (cd "$ws" && bazel shutdown >/dev/null 2>&1); rm -rf "$ws"' EXIT
cd "$ws"
sed "s|@IMAGEWRITER@|$root|" "$root/tests/downstream/WORKSPACE.template" > WORKSPACE
# No .bazelrc: a consumer needs no flag, and a disk cache hit would hide
# the layer action the full build must run.
ln "$input" big.tar 2>/dev/null || cp "$input" big.tar
printf 'x' > small.txt
tar -cf small.tar small.txt
cat > BUILD.bazel <<'EOF'
load("@imagewriter//rules:defs.bzl", "oci_image", "oci_layer")

oci_layer(name = "big_layer", tar = "big.tar")

oci_image(name = "image", env = {"MODE": "one"}, tars = [":big_layer"])

# Built first so that the timed builds do not include compiling the tool.
oci_image(name = "warm", tars = ["small.tar"])
EOF

bazel build //:warm >/dev/null 2>&1
t_full=$(seconds bazel build //:image)
sed -i 's/"MODE": "one"/"MODE": "two"/' BUILD.bazel
t_incremental=$(seconds bazel build //:image --execution_log_json_file="$ws/exec.json")
layer_runs=$(grep -c '"mnemonic": "OciLayer"' "$ws/exec.json" || true)
image_runs=$(grep -c '"mnemonic": "OciImage"' "$ws/exec.json" || true)

echo "input: $input ($(($(stat -c %s "$input") >> 20)) MiB), $(nproc) cores"
echo "full build (layer + image):   ${t_full}s"
echo "after changing only env:      ${t_incremental}s (layer actions run: $layer_runs, image actions run: $image_runs)"
printf 'incremental / full: %.3f\n' "$(echo "$t_incremental / $t_full" | bc -l)"
[[ $layer_runs -eq 0 && $image_runs -eq 1 ]]
