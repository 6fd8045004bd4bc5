#!/usr/bin/env bash
# The push benchmark: what a re-push after a one-file change moves.
#
#   bench/push.sh [--size MB]
#
# In a workspace of its own (imagewriter through local_repository), an image
# of a ~MB base layer (a tar of /usr, as bench/compare.sh uses) and a
# one-file app layer, pushed with oci_push to docker-registry on 127.0.0.1:
#   1. the first push (every blob is uploaded);
#   2. a re-push after changing the one file (a new app layer and config);
#   3. the same again with no change (nothing to upload).
# Prints each push's wall time, blob uploads and bytes uploaded, counted from
# the registry's access log and the layouts' blob sizes, and checks that the
# re-push uploaded exactly the changed layer and the config. A benchmark,
# not a test: CI does not run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/common.sh"
size=$(bench_size 200 "$@")
input=$(bench_input "$size")

ws=$(mktemp -d)
registry_pid=""
trap 'cd /; [[ -z $registry_pid ]] || kill "$registry_pid"; (cd "$ws" && bazel shutdown >/dev/null 2>&1); rm -rf "$ws"' EXIT
cd "$ws"
sed "s|@IMAGEWRITER@|$root|" "$root/tests/downstream/WORKSPACE.template" > WORKSPACE
# The repository's disk cache, so that the tool is not compiled again.
grep disk_cache "$root/.bazelrc" > .bazelrc || true
ln "$input" base.tar 2>/dev/null || cp "$input" base.tar
echo one > app.txt
cat > BUILD.bazel <<'EOF'
load("@imagewriter//rules:defs.bzl", "oci_image", "oci_layer", "oci_push")

oci_layer(name = "base_layer", tar = "base.tar")

oci_layer(name = "app_layer", srcs = ["app.txt"], directory = "/app")

oci_image(name = "image", tars = [":base_layer", ":app_layer"])

oci_push(name = "push", image = ":image", repository = "127.0.0.1:5000/bench/app", remote_tags = ["latest"])
EOF

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > registry.yml <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $ws/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve registry.yml >registry.log 2>&1 &
registry_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

# push NAME: builds, then times one push; prints a result line.
push() {
  bazel build //:push >/dev/null 2>&1
  local before after t uploads bytes
  before=$(wc -l < registry.log)
  t=$(seconds bazel-bin/push.sh --repository "127.0.0.1:$port/bench/app" --insecure)
  after=$(wc -l < registry.log)
  # Each finished upload is a PUT .../blobs/uploads/...?digest=sha256%3A<hex>.
  mapfile -t digests < <(sed -n "$((before + 1)),${after}p" registry.log \
    | grep -oE '"PUT /v2/[^ ]*/blobs/uploads/[^ ]*digest=sha256%3A[0-9a-f]{64}' | grep -oE '[0-9a-f]{64}$')
  uploads=${#digests[@]}
  bytes=0
  for d in "${digests[@]}"; do bytes=$((bytes + $(stat -c %s "bazel-bin/image/blobs/sha256/$d"))); done
  printf '%-34s %8.2fs %3d uploads %12d bytes\n' "$1" "$t" "$uploads" "$bytes"
  last_uploads=$uploads
}

echo "base layer input: $(($(stat -c %s "$input") >> 20)) MiB tar, $(nproc) cores, $(skopeo --version)"
push "first push"
echo two > app.txt
push "re-push after a one-file change"
[[ $last_uploads -eq 2 ]] || { echo "expected 2 uploads (app layer, config), got $last_uploads" >&2; exit 1; }
push "re-push, nothing changed"
[[ $last_uploads -eq 0 ]] || { echo "expected no upload, got $last_uploads" >&2; exit 1; }
