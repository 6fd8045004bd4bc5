#!/usr/bin/env bash
# imagewriter on a real remote cache and real remote execution, on 127.0.0.1:
#   1. nginx (WebDAV) as an HTTP remote cache: the examples are built in one
#      copy of the workspace, then in another copy at another path with a
#      fresh output base. The second build must execute nothing but the
#      OciRunfiles copies: every other action is a remote cache hit, each kind of imagewriter action
#      (layer, image, index, layout, archive) is among them, and every
#      digest, OCI layout and archive has the first build's bytes.
#   2. --remote_download_minimal: `bazel build` of an image downloads no
#      layer blob (nginx's access log says what was fetched), and `bazel
#      run` works: :push from the image's layout, :load from it into
#      podman, and an oci_load(incremental = False) from its archive, each
#      from an output tree that has none of them yet (their OciRunfiles
#      action copies them locally). The same under
#      --remote_download_toplevel, and :push with the default
#      --remote_download_outputs=all.
#   3. Bazel's RemoteWorker, sandboxed and without network, as the remote
#      executor: every action runs there ("remote" in the process summary,
#      nothing local but Bazel's internal actions and the OciRunfiles
#      copies of oci_load and oci_push, which must be local), each kind of
#      imagewriter action is among them, and every digest, layout and
#      archive has the local build's bytes.
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

# "path sha256" for the outputs that must be the same bytes wherever they
# were built: every digest and descriptor file, every file of every OCI
# layout directory (index.json, oci-layout, blobs/...) and every tarball
# (oci_load archives, uncompressed layer blobs). Runfiles trees are links
# to these, and the OciRunfiles copies (*.runfiles_copy) hard links: both
# are skipped.
digests() {
  (cd "$work/$1/bazel-bin" && {
    find -L examples tests \( -name '*.runfiles' -o -name '*.runfiles_copy' \) -prune -o -type f \
      \( -name '*.digest' -o -name '*.descriptor.json' -o -name '*.tar' \) -print
    find -L examples tests \( -name '*.runfiles' -o -name '*.runfiles_copy' \) -prune -o -type f -name oci-layout -print \
      | while read -r marker; do find -L "${marker%/oci-layout}" -type f; done
  } | LC_ALL=C sort -u | while read -r f; do printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-64)"; done)
}

# What a digests listing covers, e.g. "120 digest files, 9 layouts (60
# files), 4 archives". An archive is a tarball that is no layer blob (a
# layer has a descriptor beside it).
coverage() {
  local layouts archives
  layouts=$(grep -c '/oci-layout ' "$1")
  archives=$(awk '$1 ~ /\.tar$/ {print $1}' "$1" | while read -r f; do
    [[ -e $work/first/bazel-bin/${f%.tar}.descriptor.json ]] || echo "$f"; done | wc -l)
  printf '%d digest files, %d layouts (%d files), %d archives' \
    "$(grep -cE '\.(digest|descriptor\.json) ' "$1")" "$layouts" \
    "$(grep -cE '^[^ ]*/(oci-layout|index\.json|blobs/[^ ]*) ' "$1")" "$archives"
}

# Passes when copy $1's digests, layouts and archives equal the first
# build's; $2 says how it was built. Fails also when the first build has
# no layout or no archive, which would make the comparison hollow.
same_digests() {
  local what
  digests "$1" >"$work/digests.$1"
  what=$(coverage "$work/digests.first")
  if [[ -s "$work/digests.$1" ]] && cmp -s "$work/digests.first" "$work/digests.$1" \
      && [[ $what != *" 0 layouts"* && $what != *" 0 archives" ]]; then
    pass "every digest, layout and archive $2 equals the first build's ($what)"
  else
    diff "$work/digests.first" "$work/digests.$1" | head
    fail "digests, layouts or archives $2 differ from the first build's ($what)"
  fi
}

# The kinds of imagewriter action that the cache and remote-execution
# checks are about. Each must occur among a build's spawns, or "every
# action hit the cache" / "ran remotely" would hold of none.
KINDS=(OciLayer OciImage OciIndex OciLayout OciArchive)
# Passes when every mnemonic in KINDS occurs in spawn list $1; $2 names the build.
all_kinds() {
  local kind n counts="" missing=""
  for kind in "${KINDS[@]}"; do
    n=$(awk -v k="$kind" '$1 == k' "$1" | wc -l)
    counts+=" $kind=$n"
    ((n > 0)) || missing+=" $kind"
  done
  if [[ -z $missing ]]; then
    pass "$2: every kind of imagewriter action occurred ($counts )"
  else
    fail "$2: no$missing action among the spawns ($counts )"
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
  # The OciRunfiles copies are never cached (rules/private/ship.bzl): each
  # must have run here, every other action must be a hit.
  copies_run=$(awk '$1 == "OciRunfiles" && $3 != "true"' "$work/spawns.second" | wc -l)
  total=$(awk '$1 != "OciRunfiles"' "$work/spawns.second" | wc -l)
  misses=$(awk '$3 != "true" && $1 != "OciRunfiles" || $1 == "OciRunfiles" && $3 == "true"' "$work/spawns.second")
  ours=$(awk '$1 ~ /^Oci/ && $1 != "OciRunfiles"' "$work/spawns.second" | wc -l)
  if [[ $total -gt 0 && -z $misses && $ours -gt 0 && $copies_run -gt 0 ]]; then
    what="from another path and output base, all $total actions ($ours imagewriter actions) are remote cache hits"
    pass "$what; the $copies_run OciRunfiles copies ran here"
  else
    echo "$misses" | sort | uniq -c
    grep 'processes:' "$log"
    fail "from another path, actions ran instead of hitting the remote cache"
  fi
  all_kinds "$work/spawns.second" "remote cache hits from another path"
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

# bazel run. Bazel 4.2.3 downloads no runfile of the run target under
# minimal; the OciRunfiles action of oci_load and oci_push copies what the
# script reads into its own output (rules/private/ship.bzl). Each target
# runs in an output tree that holds none of the image's files yet
# (`bazel clean` in between; the remote cache still has everything):
# :push (the layout), :load (the same layout, into podman through
# containers-storage) and an oci_load(incremental = False) (its archive),
# first under minimal, then under toplevel. Then :push again with the
# default download mode.
registry="127.0.0.1:$(remote_free_port)"
mkdir -p "$work/registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
  "$work/registry" "$registry" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -sf "http://$registry/v2/" >/dev/null && break; sleep 0.1; done
want=$(cat "$work/first/bazel-bin/examples/hello/image.digest")

# Passes when `bazel run //examples/hello:push` in the minimal copy, with
# the flags $2..., pushes the first build's digest to repository iw/$1.
run_push() {
  local repo=$1 what
  shift
  what="bazel run :push${*:+ under $*} pushes the same digest"
  if in_copy minimal run --disk_cache= --remote_cache="$REMOTE_CACHE_URL" "$@" \
      //examples/hello:push -- --repository "$registry/iw/$repo" --insecure >"$log" 2>&1 \
      && [[ $(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$registry/iw/$repo:latest" 2>>"$log") == "$want" ]]; then
    pass "remote cache: $what"
  else
    tail -30 "$log"
    fail "remote cache: $what"
  fi
}

# Passes when `bazel run` of oci_load target $2 in the minimal copy, with
# download mode $1, loads image $3 into a podman of its own.
run_load() {
  local mode=$1 target=$2 image=$3 what pod
  what="$mode: bazel run $target loads $image into podman"
  pod=$(mktemp -d /tmp/iwrm.XXXXXX)  # podman limits --runroot to 50 characters.
  if (export IMAGEWRITER_CONTAINER_CLI="podman --root $pod/root --runroot $pod/run --storage-driver vfs"
      in_copy minimal run --disk_cache= --remote_cache="$REMOTE_CACHE_URL" "$mode" "$target" \
        && podman --root "$pod/root" --runroot "$pod/run" --storage-driver vfs image exists "$image") >"$log" 2>&1 \
      && grep -q "Loaded image: $image" "$log"; then
    pass "$what"
  else
    tail -30 "$log"
    fail "$what"
  fi
  rm -rf "$pod"
}

for mode in --remote_download_minimal --remote_download_toplevel; do
  in_copy minimal clean >/dev/null 2>&1
  run_push "hello${mode#--remote_download}" "$mode"
  in_copy minimal clean >/dev/null 2>&1
  run_load "$mode" //examples/hello:load docker.io/imagewriter/hello:latest
  run_load "$mode" //tests/remote:load_archive docker.io/iw/remote:latest
done
run_push hello
remote_stop_cache

# --- 3. Remote execution on Bazel's RemoteWorker ----------------------------
remote_start_worker "$work/worker" --sandboxing --sandboxing_block_network \
  || { fail "start Bazel's RemoteWorker"; exit 1; }
copy_workspace remote
if in_copy remote build "${BUILD_FLAGS[@]}" --remote_executor="$REMOTE_EXECUTOR" \
    --spawn_strategy=remote --genrule_strategy=remote --strategy=OciRunfiles=processwrapper-sandbox \
    --execution_log_json_file="$work/exec.remote.json" "${TARGETS[@]}" >"$log" 2>&1; then
  summary=$(grep -o 'INFO: [0-9]* processes: .*' "$log" | tail -1)
  spawns "$work/exec.remote.json" >"$work/spawns.remote"
  # Only Bazel's internal actions (symlinks, file writes; not spawns, so
  # not in the execution log) and the OciRunfiles copies, which must run
  # here (rules/private/ship.bzl), may stay local: the summary's one local
  # count is theirs.
  not_remote=$(awk '$1 != "OciRunfiles" && $2 != "remote" || $1 == "OciRunfiles" && $2 == "remote"' \
    "$work/spawns.remote")
  copies_run=$(awk '$1 == "OciRunfiles"' "$work/spawns.remote" | wc -l)
  ours=$(awk '$1 ~ /^Oci/ && $1 != "OciRunfiles"' "$work/spawns.remote" | wc -l)
  local_counts=$(grep -oE '[0-9]+ (local|[a-z-]*sandbox|worker)' <<<"${summary#*processes: }")
  if [[ -z $not_remote && $ours -gt 0 && $copies_run -gt 0 && $local_counts == "$copies_run processwrapper-sandbox" ]]; then
    what="remote execution: every action but the $copies_run OciRunfiles copies ran on the worker"
    pass "$what ($ours imagewriter actions; $summary)"
  else
    echo "$not_remote" | sort | uniq -c
    fail "remote execution: some actions did not run remotely ($summary)"
  fi
  all_kinds "$work/spawns.remote" "remote execution"
else
  tail -30 "$log"
  fail "build the examples with remote execution"
fi
same_digests remote "built remotely"

echo "remote: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
