#!/usr/bin/env bash
# The sparse-push benchmark: what a push FROM a shallow oci_pull downloads.
#
#   bench/shallow_push.sh [--size MB]
#
# In a workspace of its own, a base image of a ~MB layer (the tar of /usr
# the other benchmarks use) is pushed to docker-registry on 127.0.0.1 as
# bench/base, pulled back with a shallow oci_pull, and an image FROM it with
# a one-file app layer is pushed with oci_push:
#   1. to bench/base, which has the base layer: nothing is downloaded;
#   2. to a second, empty registry: the base layer is downloaded once, at
#      run time, from the first;
#   3. for comparison, what a push read before sparse layouts: the full
#      layout, whose build downloads the base layer through its fetch action.
# Prints each step's wall time and the bytes GET from the base's registry
# (its access log), and fails unless step 1 downloaded nothing and step 2
# the base layer once. A benchmark, not a test: CI does not run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/common.sh"
size=$(bench_size 200 "$@")
input=$(bench_input "$size")

ws=$(mktemp -d)
pids=()
trap 'cd /; [[ ${#pids[@]} -eq 0 ]] || kill "${pids[@]}"; (cd "$ws" && bazel shutdown >/dev/null 2>&1); rm -rf "$ws"' EXIT
cd "$ws"
sed "s|@IMAGEWRITER@|$root|" "$root/tests/downstream/WORKSPACE.template" > WORKSPACE
grep disk_cache "$root/.bazelrc" > .bazelrc || true
ln "$input" base.tar 2>/dev/null || cp "$input" base.tar
echo one > app.txt

# registry NAME: starts a docker-registry with its access log in NAME.log;
# prints its host:port.
registry() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$ws/$1" "$port" >"$1.yml"
  docker-registry serve "$1.yml" >"$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
  echo "127.0.0.1:$port"
}
source_registry=$(registry source)
empty_registry=$(registry empty)

cat > BUILD.bazel <<EOF
load("@imagewriter//rules:defs.bzl", "oci_image", "oci_layer", "oci_push")

oci_layer(name = "base_layer", tar = "base.tar")

oci_image(name = "base", tars = [":base_layer"])

oci_push(name = "base_push", image = ":base", repository = "$source_registry/bench/base", remote_tags = ["latest"])
EOF
bazel run //:base_push -- --insecure >/dev/null 2>&1
cat >> WORKSPACE <<EOF

load("@imagewriter//rules:pull.bzl", "oci_pull")

oci_pull(name = "pulled", digest = "$(cat bazel-bin/base.digest)", registry = "$source_registry", repository = "bench/base")
EOF
cat >> BUILD.bazel <<EOF

oci_layer(name = "app_layer", srcs = ["app.txt"], directory = "/app")

oci_image(name = "app", base = "@pulled", tars = [":app_layer"])

oci_push(name = "app_push", image = ":app", repository = "$source_registry/bench/base", remote_tags = ["app"])
EOF
layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' bazel-bin/base.manifest.json)
layer_size=$(stat -c %s "bazel-bin/base/blobs/sha256/${layer#sha256:}")

# downloaded SINCE: bytes of the base layer GET from the source registry
# since line SINCE of its log (the response size follows the status).
downloaded() {
  { tail -n +"$(($1 + 1))" source.log | grep "\"GET /v2/bench/base/blobs/$layer " || true; } \
    | awk '{ for (i = 1; i < NF; i++) if ($i ~ /^[0-9][0-9][0-9]$/ && $(i - 1) ~ /HTTP/) s += $(i + 1) } END { print s + 0 }'
}

# step NAME CMD...: times CMD, prints its bytes downloaded; sets $last_bytes.
step() {
  local mark t
  mark=$(wc -l <source.log)
  t=$(seconds "${@:2}")
  last_bytes=$(downloaded "$mark")
  printf '%-52s %8.2fs %12d bytes downloaded\n' "$1" "$t" "$last_bytes"
}

echo "base layer: $layer_size bytes (a $(($(stat -c %s "$input") >> 20)) MiB tar), $(nproc) cores, $(skopeo --version)"
step "bazel build :app_push (the sparse layout)" bazel build //:app_push
step "push to the base's repository" bazel-bin/app_push.sh --insecure
[[ $last_bytes -eq 0 ]] || { echo "expected no download, got $last_bytes bytes" >&2; exit 1; }
step "push to an empty registry" bazel-bin/app_push.sh --repository "$empty_registry/bench/app" --insecure
[[ $last_bytes -eq $layer_size ]] || { echo "expected $layer_size bytes, got $last_bytes" >&2; exit 1; }
step "before: bazel build :app --output_groups=layout" bazel build //:app --output_groups=layout
