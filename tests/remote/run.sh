#!/usr/bin/env bash
# imagewriter on a real remote cache and real remote execution, on 127.0.0.1:
#   1. nginx (WebDAV) as an HTTP remote cache: the examples are built in one
#      copy of the workspace, then in another copy at another path with a
#      fresh output base. The second build must execute nothing: every
#      action is a remote cache hit, and every digest equals the first's.
#   2. --remote_download_minimal: `bazel build` of an image downloads no
#      layer blob (nginx's access log says what was fetched). Bazel 4 does
#      not fetch runfiles for `bazel run` under it: :load says so and names
#      the flag; with --remote_download_toplevel it works, from the image's
#      layout and from an oci_load(incremental = False)'s archive. :push
#      reads the image target's layout, which Bazel 4 fetches for `bazel
#      run` only with the default --remote_download_outputs=all.
#   3. Bazel's RemoteWorker, sandboxed and without network, as the remote
#      executor: every action runs there ("remote" in the process summary,
#      nothing local but Bazel's internal actions) and every digest equals
#      the local build's.
# Prints "PASS: name" / "FAIL: name" per check and a final count line.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /var/tmp/iw-remote.XXXXXX)  # Not /tmp: the worker's sandbox mounts a tmpfs there.
# shellcheck source=tests/remote/servers.sh
source "$root/tests/remote/servers.sh"
passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

copies=()
registry_pid=""
cleanup() {
  local c
  for c in "${copies[@]}"; do
    (cd "$work/$c" 2>/dev/null && bazel --output_base="$work/ob-$c" shutdown >/dev/null 2>&1)
  done
  [[ -n $registry_pid ]] && kill "$registry_pid" 2>/dev/null
  remote_stop_all
  cd / && rm -rf "$work"
}
trap cleanup EXIT

# A copy of the workspace (tracked and untracked, not ignored files) at
# $work/NAME, built with its own output base and no disk cache, so that
# every hit below comes from the remote service.
copy_workspace() {
  local name=$1
  mkdir -p "$work/$name"
  (cd "$root" && git ls-files -z -co --exclude-standard | xargs -0 tar -cf - --no-recursion) \
    | tar -xf - -C "$work/$name"
  copies+=("$name")
}
in_copy() {
  local name=$1
  shift
  (cd "$work/$name" && bazel --output_base="$work/ob-$name" "$@")
}
BUILD_FLAGS=(--disk_cache= --output_groups=+tarball)
TARGETS=(//examples/... //tests/remote/... //tests/base/...)

# "path digest" for every image, index and layer of a copy's build.
digests() {
  (cd "$work/$1/bazel-bin" && find examples tests -name '*.runfiles' -prune -o \( -name '*.digest' -o -name '*.descriptor.json' \) -print | sort \
    | while read -r f; do printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-64)"; done)
}

# Passes when copy $1's digests equal the first build's; $2 says how it was built.
same_digests() {
  digests "$1" >"$work/digests.$1"
  if [[ -s "$work/digests.$1" ]] && cmp -s "$work/digests.first" "$work/digests.$1"; then
    pass "every digest $2 equals the first build's ($(wc -l <"$work/digests.$1") files)"
  else
    diff "$work/digests.first" "$work/digests.$1" | head
    fail "digests $2 differ from the first build's"
  fi
}

# Spawns of an execution log (Bazel 4 writes a stream of JSON objects):
# prints "mnemonic runner remoteCacheHit" per spawn.
spawns() {
  python3 - "$1" <<'PY'
import json, sys
text, dec, i = open(sys.argv[1]).read(), json.JSONDecoder(), 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    spawn, i = dec.raw_decode(text, i)
    print(spawn.get("mnemonic", "?"), spawn.get("runner", "?").replace(" ", "-"),
          str(spawn.get("remoteCacheHit", False)).lower())
PY
}

# --- 1. Remote cache from another path ------------------------------------
remote_start_cache "$work/cache" || { fail "start nginx as a remote cache"; exit 1; }
log="$work/build.log"
copy_workspace first
if in_copy first build "${BUILD_FLAGS[@]}" --remote_cache="$REMOTE_CACHE_URL" "${TARGETS[@]}" >"$log" 2>&1; then
  pass "build the examples with nginx as the remote cache"
else
  tail -30 "$log"
  fail "build the examples with nginx as the remote cache"
fi
digests first >"$work/digests.first"

copy_workspace second
if in_copy second build "${BUILD_FLAGS[@]}" --remote_cache="$REMOTE_CACHE_URL" \
    --execution_log_json_file="$work/exec.second.json" "${TARGETS[@]}" >"$log" 2>&1; then
  spawns "$work/exec.second.json" >"$work/spawns.second"
  total=$(wc -l <"$work/spawns.second")
  misses=$(awk '$3 != "true"' "$work/spawns.second")
  ours=$(grep -c '^Oci' "$work/spawns.second")
  if [[ $total -gt 0 && -z $misses && $ours -gt 0 ]]; then
    pass "from another path and output base, all $total actions ($ours imagewriter actions) are remote cache hits"
  else
    echo "$misses" | sort | uniq -c
    grep 'processes:' "$log"
    fail "from another path, actions ran instead of hitting the remote cache"
  fi
else
  tail -30 "$log"
  fail "build the examples again from another path"
fi
same_digests second "from the other path"

# --- 2. --remote_download_minimal -------------------------------------------
# The layer blobs of //examples/hello:image are CAS entries under their own
# digest (both are the SHA-256 of the blob's bytes), so a GET of
# /cas/<hex> for one of them is a layer download.
layer_hexes=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join(l["digest"].split(":")[1] for l in m["layers"]))' "$work/first/bazel-bin/examples/hello/image.manifest.json")
copy_workspace minimal
before=$(wc -l <"$REMOTE_CACHE_LOG")
if in_copy minimal build --disk_cache= --remote_cache="$REMOTE_CACHE_URL" --remote_download_minimal \
    //examples/hello:image >"$log" 2>&1; then
  tail -n +"$((before + 1))" "$REMOTE_CACHE_LOG" >"$work/minimal.log"
  got=$(awk '$1 == "GET" && $3 == 200 {n++; b += $4} END {printf "%d GETs, %d bytes", n, b}' "$work/minimal.log")
  layer_gets=""
  for hex in $layer_hexes; do
    grep -q "^GET /cas/$hex " "$work/minimal.log" && layer_gets+=" $hex"
  done
  if [[ -n $layer_hexes && -z $layer_gets ]]; then
    pass "--remote_download_minimal: bazel build of an image downloads no layer blob ($got)"
  else
    fail "--remote_download_minimal downloaded layer blobs:$layer_gets ($got)"
  fi
else
  tail -30 "$log"
  fail "build an image with --remote_download_minimal"
fi

# bazel run: under minimal, a clear message; under toplevel, :load (from
# the image's layout, a runfile), an oci_load(incremental = False) (from
# its own archive) and :push work.
if ! in_copy minimal run --disk_cache= --remote_cache="$REMOTE_CACHE_URL" --remote_download_minimal \
      //examples/hello:load >"$log" 2>&1 \
    && grep -q "load.sh: .* was not downloaded: .*--remote_download_outputs=all" "$log"; then
  pass "--remote_download_minimal: bazel run :load names the missing runfile and the flag to use"
else
  tail -30 "$log"
  fail "--remote_download_minimal: bazel run :load names the missing runfile and the flag to use"
fi
pod=$(mktemp -d /tmp/iwrm.XXXXXX)  # podman limits --runroot to 50 characters.
if (export IMAGEWRITER_CONTAINER_CLI="podman --root $pod/root --runroot $pod/run --storage-driver vfs"
    in_copy minimal run --disk_cache= --remote_cache="$REMOTE_CACHE_URL" --remote_download_toplevel \
      //examples/hello:load) >"$log" 2>&1 && grep -q "Loaded image: docker.io/imagewriter/hello:latest" "$log"; then
  pass "--remote_download_toplevel: bazel run :load loads the image into podman through containers-storage"
else
  tail -30 "$log"
  fail "--remote_download_toplevel: bazel run :load loads the image into podman through containers-storage"
fi
if (export IMAGEWRITER_CONTAINER_CLI="podman --root $pod/root --runroot $pod/run --storage-driver vfs"
    in_copy minimal run --disk_cache= --remote_cache="$REMOTE_CACHE_URL" --remote_download_toplevel \
      //tests/remote:load_archive) >"$log" 2>&1 && grep -q "Loaded image: docker.io/iw/remote:latest" "$log"; then
  pass "--remote_download_toplevel: bazel run of an oci_load(incremental = False) loads its archive into podman"
else
  tail -30 "$log"
  fail "--remote_download_toplevel: bazel run of an oci_load(incremental = False) loads its archive into podman"
fi
rm -rf "$pod"
registry="127.0.0.1:$(remote_free_port)"
mkdir -p "$work/registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
  "$work/registry" "$registry" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -sf "http://$registry/v2/" >/dev/null && break; sleep 0.1; done
if in_copy minimal run --disk_cache= --remote_cache="$REMOTE_CACHE_URL" \
    //examples/hello:push -- --repository "$registry/iw/hello" --insecure >"$log" 2>&1 \
    && want=$(cat "$work/first/bazel-bin/examples/hello/image.digest") \
    && [[ $(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$registry/iw/hello:latest" 2>>"$log") == "$want" ]]; then
  pass "remote cache: bazel run :push pushes the same digest"
else
  tail -30 "$log"
  fail "remote cache: bazel run :push pushes the same digest"
fi
remote_stop_cache

# --- 3. Remote execution on Bazel's RemoteWorker ----------------------------
remote_start_worker "$work/worker" --sandboxing --sandboxing_block_network \
  || { fail "start Bazel's RemoteWorker"; exit 1; }
copy_workspace remote
if in_copy remote build "${BUILD_FLAGS[@]}" --remote_executor="$REMOTE_EXECUTOR" \
    --spawn_strategy=remote --genrule_strategy=remote \
    --execution_log_json_file="$work/exec.remote.json" "${TARGETS[@]}" >"$log" 2>&1; then
  summary=$(grep -o 'INFO: [0-9]* processes: .*' "$log" | tail -1)
  spawns "$work/exec.remote.json" >"$work/spawns.remote"
  not_remote=$(awk '$2 != "remote"' "$work/spawns.remote")
  ours=$(grep -c '^Oci' "$work/spawns.remote")
  # Only Bazel's internal actions (symlinks, file writes) may stay local;
  # they are not spawns and do not appear in the execution log.
  if [[ -z $not_remote && $ours -gt 0 ]] && ! grep -qE 'local|sandbox|worker' <<<"${summary#*processes: }"; then
    pass "remote execution: every action ran on the worker ($ours imagewriter actions; $summary)"
  else
    echo "$not_remote" | sort | uniq -c
    fail "remote execution: some actions did not run remotely ($summary)"
  fi
else
  tail -30 "$log"
  fail "build the examples with remote execution"
fi
same_digests remote "built remotely"

echo "remote: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
