#!/usr/bin/env bash
# The load benchmark: `bazel run :load` into podman after a one-file change
# to an image with a ~1 GB base layer of random bytes (so gzip cannot shrink
# it), in a workspace of its own (imagewriter through local_repository) and
# a podman store of its own (overlay, the default driver, in a temporary
# root).
#
#   bench/load.sh [--size MB]
#
# Times, after changing the one file of the top layer each time:
#   - the incremental loader: `bazel build :load` (the top layer, the image),
#     then the load alone (skopeo into containers-storage);
#   - the full-archive baseline, oci_load(incremental = False): `bazel build`
#     of the archive, then `podman load -i` of it;
#   - for scale, the first load of the image into the empty store.
# Checks that the incremental reload added exactly one layer to the store,
# that podman's image has the image's diffIDs, and that its top layer holds
# the new file. A benchmark, not a test: CI does not run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/common.sh"
size=$(bench_size 1000 "$@")

ws=$(mktemp -d /var/tmp/iw-load.XXXXXX)
store=$(mktemp -d /tmp/iwlb.XXXXXX)  # podman limits --runroot to 50 characters.
podman=(podman --root "$store/root" --runroot "$store/run" --storage-driver overlay)
cleanup() {
  cd /
  "${podman[@]}" rmi -af >/dev/null 2>&1 || :
  rm -rf "$store"
  (cd "$ws" && bazel shutdown >/dev/null 2>&1) || :
  rm -rf "$ws"
}
trap cleanup EXIT
export IMAGEWRITER_CONTAINER_CLI="${podman[*]}"
cd "$ws"
sed "s|@IMAGEWRITER@|$root|" "$root/tests/downstream/WORKSPACE.template" > WORKSPACE
head -c "$((size << 20))" /dev/urandom > base.bin
echo 1 > version.txt
printf 'x' > small.txt
cat > BUILD.bazel <<'EOF'
load("@imagewriter//rules:defs.bzl", "oci_image", "oci_layer", "oci_load")

oci_layer(name = "base_layer", srcs = ["base.bin"], directory = "/data")

oci_layer(name = "app_layer", files = {"/app/version": "version.txt"})

oci_image(name = "image", tars = [":base_layer", ":app_layer"])

oci_load(name = "load", image = ":image", repo_tags = ["bench/load:latest"])

oci_load(name = "load_archive", image = ":image", incremental = False, repo_tags = ["bench/load:latest"])

# Built first, with the shared disk cache, so that no timed build compiles the tool.
oci_image(name = "warm", tars = [":warm_layer"])

oci_layer(name = "warm_layer", srcs = ["small.txt"])
EOF
# The 1 GB layers and archives stay out of the shared disk cache.
bazel build --disk_cache="$HOME/.cache/imagewriter/bazel-disk-cache" //:warm >/dev/null 2>&1
bazel build //:image >/dev/null 2>&1
change() { echo "$1" > version.txt; }
layers() { find "$store/root/overlay" -mindepth 1 -maxdepth 1 -type d ! -name l | wc -l; }

bench_failures="$ws/failures"
: > "$bench_failures"
bazel build //:load >/dev/null 2>&1
t_first=$(seconds bazel-bin/load.sh)
before=$(layers)

change 2
t_build=$(seconds bazel build //:load)
t_load=$(seconds bazel-bin/load.sh)
after=$(layers)

change 3
t_build_archive=$(seconds bazel build //:load_archive)
t_load_archive=$(seconds bazel-bin/load_archive.sh)

# Checks, on the incremental load of version 4.
change 4
bazel build //:load >/dev/null 2>&1
bazel-bin/load.sh >/dev/null 2>&1
want=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"]))' bazel-bin/image.config.json)
got=$("${podman[@]}" image inspect bench/load:latest \
  | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)[0]["RootFS"]["Layers"]))')
mnt=$("${podman[@]}" image mount bench/load:latest)
version=$(cat "$mnt/app/version")
"${podman[@]}" image unmount bench/load:latest >/dev/null
blob=$(du -m "bazel-bin/image/blobs/sha256/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"].split(":")[1])' bazel-bin/image.manifest.json)" | cut -f1)

ratio() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
echo "base layer: $size MiB of random bytes ($blob MiB gzip blob), $(nproc) cores, podman $(podman --version | cut -d' ' -f3) overlay"
echo "first load into an empty store (skopeo, containers-storage):  ${t_first}s"
echo "after a one-file change, incremental (default):"
echo "  bazel build :load                 ${t_build}s"
echo "  load (skopeo into the store)      ${t_load}s   (store layers: $before -> $after)"
echo "after a one-file change, full archive (incremental = False):"
echo "  bazel build :load_archive         ${t_build_archive}s"
echo "  podman load -i <archive>          ${t_load_archive}s"
echo "load: incremental / archive:        $(ratio "$t_load" "$t_load_archive")"
echo "build + load: incremental / archive: $(ratio "($t_build + $t_load)" "($t_build_archive + $t_load_archive)")"
ok=true
[[ ! -s $bench_failures ]] || { echo "FAIL: commands failed:" >&2; cat "$bench_failures" >&2; ok=false; }
[[ $((after - before)) -eq 1 ]] || { echo "FAIL: the reload added $((after - before)) layers, not 1" >&2; ok=false; }
[[ "$got" == "$want" ]] || { echo "FAIL: podman's layers $got, the image's $want" >&2; ok=false; }
[[ "$version" == 4 ]] || { echo "FAIL: /app/version is '$version', not 4" >&2; ok=false; }
$ok
