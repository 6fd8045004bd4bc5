#!/usr/bin/env bash
# Integration checks that need a Bazel of their own, run by .ci/run after
# `bazel test //...`:
#   - a workspace holding nothing but the README's Quick Start, taken from
#     the README itself, builds with no flag and no .bazelrc; its image runs
#     under runc and loads into podman;
#   - the Quick Start again with the repository named iw_renamed: the same
#     image;
#   - a separate workspace uses the rules through local_repository and the
#     repositories.bzl macros, and builds an image and an index, and an
#     index built per platform from one image target (no flag);
#   - changing only `env` re-runs the image action and no layer action;
#   - user mistakes seen only at execution fail with a message naming them;
#   - oci_pull from a loopback registry: a shallow base moves only metadata
#     until a layout, load or push needs its layers (the registry access log
#     shows it); a push FROM it downloads only the layers its destination
#     lacks (none into the base's repository, each once into an empty
#     registry); eager pulls; FROM pulled images; a lock file pins a tag
#     (bazel run @<name>//:pin writes it) across a moved tag and bazel sync.
# Prints "PASS: name" / "FAIL: name" per check and a final count line.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
shutdown_all() {
  cd / || return
  local w
  for w in "$work/ws" "$work/quickstart" "$work/renamed"; do
    (cd "$w" 2>/dev/null && bazel shutdown >/dev/null 2>&1)
  done
}
trap 'shutdown_all; rm -rf "$work"' EXIT

# The consumer workspaces below (Quick Start, renamed, downstream) have no
# .bazelrc and get no flag but this one: a disk cache that outlives the run,
# so that CI does not compile the tool from scratch three times. A hit is
# keyed by the action's whole command line and inputs, so it stands for
# exactly the compile a fresh workspace would run.
consumer_cache=${IW_CONSUMER_DISK_CACHE:-$HOME/.cache/imagewriter/consumer-disk-cache}
bazel() {
  local cmd=$1
  shift
  case "$cmd" in
    build | run | test)
      if [[ $PWD != "$root" ]]; then
        command bazel "$cmd" --disk_cache="$consumer_cache" "$@"
        return
      fi
      ;;
  esac
  command bazel "$cmd" "$@"
}
passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# runc runs a bundle; prints the program's output. $1: an OCI layout dir,
# whose index.json names its image "latest" (oci_image's ref_name), as
# umoci needs.
run_in_runc() {
  local layout=$1 name=$2 bundle="$work/bundle-$2"
  umoci unpack --image "$layout:latest" "$bundle" >/dev/null \
    && python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["process"]["terminal"]=False; json.dump(c,open(p,"w"))' "$bundle/config.json" \
    && (cd "$bundle" && timeout 60 runc --root "$work/runc" run "iw-$name-$$")
}

# The Quick Start, exactly as the README gives it: its WORKSPACE and
# BUILD.bazel blocks, with only the path filled in. No .bazelrc, no flag.
qs="$work/quickstart"
mkdir -p "$qs" "$work/qsstage/app"
python3 - "$root/README.md" "$qs" "$root" <<'PY'
import re, sys
readme, out, root = sys.argv[1:]
text = open(readme).read().split("## Quick start", 1)[1]
blocks = re.findall(r"```python\n(.*?)```", text, re.S)
files = {b.splitlines()[0].lstrip("# ").strip(): b for b in blocks[:2]}
assert set(files) == {"WORKSPACE", "BUILD.bazel"}, sorted(files)
open(out + "/WORKSPACE", "w").write(files["WORKSPACE"].replace("/path/to/imagewriter", root))
open(out + "/BUILD.bazel", "w").write(files["BUILD.bazel"])
PY
log="$work/build.log"
if (cd "$root" && bazel build //examples/hello:hello) >"$log" 2>&1; then
  cp "$root/bazel-bin/examples/hello/hello" "$work/qsstage/app/hello"
fi
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$qs/app.tar" -C "$work/qsstage" app
if (cd "$qs" && bazel build //:image) >"$log" 2>&1 \
    && out=$(run_in_runc "$qs/bazel-bin/image" quickstart 2>>"$log") \
    && [[ "$out" == "hello from imagewriter (cwd /app)" ]]; then
  pass "the README's Quick Start builds with no flag, and its image runs under runc"
else
  cat "$log"; echo "output: ${out:-}"
  fail "the README's Quick Start builds with no flag, and its image runs under runc"
fi
# podman limits --runroot to 50 characters.
pod=$(mktemp -d /tmp/iwqs.XXXXXX)
if (cd "$qs" && IMAGEWRITER_CONTAINER_CLI="podman --root $pod/root --runroot $pod/run --storage-driver vfs" \
      bazel run //:load) >"$log" 2>&1 \
    && grep -q "Loaded image: docker.io/example/hello:latest" "$log"; then
  pass "the Quick Start's :load loads the image into podman"
else
  cat "$log"
  fail "the Quick Start's :load loads the image into podman"
fi
rm -rf "$pod"
(cd "$qs" && bazel shutdown >/dev/null 2>&1)

# The same Quick Start with imagewriter under another repository name: the
# rules reach their own files through Label(), never "@imagewriter", so they
# must work, and give the same image bytes, under any name.
renamed="$work/renamed"
mkdir -p "$renamed"
sed 's/name = "imagewriter"/name = "iw_renamed"/; s|@imagewriter//|@iw_renamed//|g' "$qs/WORKSPACE" >"$renamed/WORKSPACE"
sed 's|@imagewriter//|@iw_renamed//|g' "$qs/BUILD.bazel" >"$renamed/BUILD.bazel"
cp "$qs/app.tar" "$renamed/app.tar"
if ! grep -q -e '@imagewriter' -e '"imagewriter"' "$renamed/WORKSPACE" "$renamed/BUILD.bazel" \
    && (cd "$renamed" && bazel build //:image) >"$log" 2>&1 \
    && cmp -s "$qs/bazel-bin/image.digest" "$renamed/bazel-bin/image.digest"; then
  pass "imagewriter works as @iw_renamed, and builds the same image"
else
  cat "$log"; cat "$qs/bazel-bin/image.digest" "$renamed/bazel-bin/image.digest" 2>/dev/null
  fail "imagewriter works as @iw_renamed, and builds the same image"
fi
(cd "$renamed" && bazel shutdown >/dev/null 2>&1)

ws="$work/ws"
cp -r "$root/tests/downstream" "$ws"
sed "s|@IMAGEWRITER@|$root|" "$ws/WORKSPACE.template" > "$ws/WORKSPACE"
cd "$ws"

# Inputs: a small app layer and a 64 MiB layer, so that a layer action
# re-running would be visible.
mkdir -p stage/app stage/big
printf '#!/bin/sh\necho "mode=$MODE"\n' > stage/app/run.sh
chmod 755 stage/app/run.sh
head -c $((64 << 20)) /dev/urandom > stage/big/blob.bin
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf app.tar -C stage app
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf big.tar -C stage big
cp app.tar corrupt.tar
printf 'garbage' | dd of=corrupt.tar bs=1 seek=0 conv=notrunc status=none

if bazel build //:image //:index >"$log" 2>&1 && [[ -f bazel-bin/image/index.json ]] \
    && skopeo inspect "oci:bazel-bin/image" >/dev/null 2>&1 \
    && skopeo inspect --raw "oci:bazel-bin/index" | grep -q image.index.v1; then
  pass "downstream workspace builds an image and an index"
else
  cat "$log"
  fail "downstream workspace builds an image and an index"
fi

# oci_image_index(platforms = ...) with no flag: one image target per
# platform, each config saying its platform and each layer its own content.
check_per_platform() {
  python3 - bazel-bin/index_per_platform <<'PY'
import io, json, os, sys, tarfile
layout = sys.argv[1]
blob = lambda d: open(os.path.join(layout, "blobs", *d.split(":")), "rb").read()
root = json.load(open(os.path.join(layout, "index.json")))["manifests"][0]["digest"]
seen = []
for entry in json.loads(blob(root))["manifests"]:
    manifest = json.loads(blob(entry["digest"]))
    arch = json.loads(blob(manifest["config"]["digest"]))["architecture"]
    layer = tarfile.open(fileobj=io.BytesIO(blob(manifest["layers"][0]["digest"])))
    assert layer.extractfile("etc/arch.txt").read() == (arch + "\n").encode(), arch
    seen.append(arch)
assert seen == ["amd64", "arm64"], seen
PY
}
# The downstream has no --incompatible_enable_cc_toolchain_resolution, so the
# rule must say that C++ programs would be built for the host's CPU.
if bazel build //:index_per_platform >"$log" 2>&1 && check_per_platform >>"$log" 2>&1 \
    && grep -q "incompatible_enable_cc_toolchain_resolution is off" "$log"; then
  pass "downstream oci_image_index(platforms) builds one image per platform, select() per platform, warns about C++"
else
  cat "$log"
  fail "downstream oci_image_index(platforms) builds one image per platform, select() per platform, warns about C++"
fi

# Change only env; count the actions that run.
sed -i 's/"MODE": "downstream"/"MODE": "changed"/' BUILD.bazel
exec_log="$work/exec.json"
if bazel build //:image --execution_log_json_file="$exec_log" >"$log" 2>&1; then
  layer_runs=$(grep -c '"mnemonic": "OciLayer"' "$exec_log" || true)
  image_runs=$(grep -c '"mnemonic": "OciImage"' "$exec_log" || true)
  if [[ $layer_runs -eq 0 && $image_runs -eq 1 ]]; then
    pass "changing env reruns the image action and no layer action"
  else
    fail "changing env reran $layer_runs layer actions and $image_runs image actions"
  fi
else
  cat "$log"
  fail "rebuild after changing env"
fi

# Stamping: values only with --stamp; without it, nothing from the build host.
if bazel build //:stamped --stamp --embed_label=v1.2.3 >"$log" 2>&1 \
    && grep -q '"version":"v1.2.3"' bazel-bin/stamped.config.json \
    && grep -q '"BUILD_LABEL=v1.2.3"' bazel-bin/stamped.config.json \
    && ! grep -q '"created":"1970-01-01T00:00:00Z"' bazel-bin/stamped.config.json \
    && grep -q '"org.opencontainers.image.version": "v1.2.3"' bazel-bin/stamped.manifest.json; then
  pass "--stamp substitutes workspace status into labels, env, annotations and created"
else
  cat "$log"; cat bazel-bin/stamped.config.json 2>/dev/null
  fail "--stamp substitutes workspace status into labels, env, annotations and created"
fi
if bazel build //:stamped >"$log" 2>&1 \
    && grep -q '"created":"1970-01-01T00:00:00Z"' bazel-bin/stamped.config.json \
    && grep -q '"version":"{BUILD_EMBED_LABEL}"' bazel-bin/stamped.config.json; then
  pass "without --stamp the image does not depend on the build"
else
  cat "$log"; cat bazel-bin/stamped.config.json 2>/dev/null
  fail "without --stamp the image does not depend on the build"
fi

# SOURCE_DATE_EPOCH through --define (the action environment is not read).
if SOURCE_DATE_EPOCH=1 bazel build //:from_platform --define=SOURCE_DATE_EPOCH=1700000000 >"$log" 2>&1 \
    && grep -q '"created":"2023-11-14T22:13:20Z"' bazel-bin/from_platform.config.json; then
  pass "--define=SOURCE_DATE_EPOCH sets created"
else
  cat "$log"
  fail "--define=SOURCE_DATE_EPOCH sets created"
fi

# The platform comes from the target platform's constraints.
if bazel build //:from_platform --platforms=//:linux_arm64 >"$log" 2>&1 \
    && grep -q '"architecture":"arm64"' bazel-bin/from_platform.config.json; then
  pass "os/architecture follow --platforms"
else
  cat "$log"
  fail "os/architecture follow --platforms"
fi

expect_build_error() {
  local target=$1 expected=$2
  # shellcheck disable=SC2086  # $target may carry flags.
  if bazel build $target >"$log" 2>&1; then
    fail "$target should not build"
  elif grep -q -- "$expected" "$log"; then
    pass "$target fails with: $expected"
  else
    grep -E 'ERROR|error' "$log" | head -5
    fail "$target fails without naming the problem ($expected)"
  fi
}
expect_build_error //:bad_platform 'architecture "AMD64" must be lowercase'
expect_build_error //:bad_env_file 'bad_env.txt:1: expected KEY=VALUE'
expect_build_error //:duplicate_label_file 'duplicate_labels.txt: duplicate label key "team"'
expect_build_error //:bad_created 'invalid timestamp "last tuesday"'
expect_build_error //:corrupt_tar 'corrupt.tar: malformed tar at offset 0'
expect_build_error '//:bad_tag --output_groups=+tarball' 'invalid image reference "Bad/Name:latest"'
expect_build_error '//:index_without_platform --output_groups=+tarball' 'is a multi-platform index; choose a platform (available: linux/amd64, linux/arm64'
expect_build_error //:bad_remote_tag 'remote tag "-bad"'

# oci_pull(lock_file): a tag without an entry is resolved, with a warning
# that says to run :pin; :pin records the registry's digest, keeping other
# entries, and is a no-op once recorded; a recorded tag is fetched by its
# digest after the tag moves, even when the repository is fetched again; a
# digest attribute that disagrees with the lock, and a malformed lock file,
# fail naming them. Runs in the downstream workspace with the registry up.
check_lock_file() {
  local repo="$registry/iw/locked" key="$registry/iw/locked:v1" other="example.invalid/other:1"
  local locked moved mark
  registry_digest() {  # The sha256 of the manifest the registry serves for $1.
    echo "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d ' ' -f 1)"
  }
  lock_is() {  # Whether oci.lock.json holds exactly $@ (key digest ...), sorted and indented.
    python3 - "$@" <<'PY'
import json, sys
text = open("oci.lock.json").read()
want = {k: {"digest": d} for k, d in zip(sys.argv[1::2], sys.argv[2::2])}
sys.exit(0 if json.loads(text) == want and text == json.dumps(want, indent=2, sort_keys=True) + "\n" else 1)
PY
  }
  echo '{}' >oci.lock.json
  cat >>WORKSPACE <<WS

oci_pull(
    name = "pulled_locked",
    lock_file = "//:oci.lock.json",
    registry = "$registry",
    repository = "iw/locked",
    tag = "v1",
)
WS
  if skopeo copy --dest-tls-verify=false "oci:$root/bazel-bin/examples/hello/image" "docker://$repo:v1" >"$log" 2>&1 \
      && locked=$(registry_digest "$repo:v1") \
      && bazel build //:from_pulled_locked --output_groups=metadata >"$log" 2>&1 \
      && grep -q "to $locked, which the lock file //:oci.lock.json does not record; record it with \`bazel run @pulled_locked//:pin\`" "$log" \
      && grep -q "\"org.opencontainers.image.base.digest\": \"$locked\"" bazel-bin/from_pulled_locked.manifest.json \
      && ! bazel run @pulled_by_tag//:pin >"$log.nolock" 2>&1 && grep -q "oci_pull(pulled_by_tag) has no lock_file" "$log.nolock"; then
    pass "oci_pull(lock_file) resolves a tag the lock does not record and says to run :pin"
  else
    cat "$log" "$log.nolock"
    fail "oci_pull(lock_file) resolves a tag the lock does not record and says to run :pin"
    return
  fi
  printf '{"%s": {"digest": "sha256:%064d"}}' "$other" 0 >oci.lock.json
  if bazel run @pulled_locked//:pin >"$log" 2>&1 \
      && lock_is "$key" "$locked" "$other" "sha256:$(printf '%064d' 0)" \
      && cp oci.lock.json "$work/lock.pinned" && touch -d @0 oci.lock.json \
      && bazel run @pulled_locked//:pin >>"$log" 2>&1 && grep -q "already records $key -> $locked" "$log" \
      && cmp -s oci.lock.json "$work/lock.pinned" && [[ $(stat -c %Y oci.lock.json) == 0 ]]; then
    pass "bazel run @pulled_locked//:pin records the registry's digest, keeps other entries, then has nothing to do"
  else
    cat "$log" oci.lock.json
    fail "bazel run @pulled_locked//:pin records the registry's digest, keeps other entries, then has nothing to do"
    return
  fi
  # The tag moves to another image. Fetching the repository again, by
  # `bazel sync` or because the lock file changed (here only its layout),
  # GETs the recorded digest and never the tag (skopeo's own GETs aside).
  mark=$(wc -l <"$work/registry.log")
  if skopeo copy --dest-tls-verify=false oci:bazel-bin/image "docker://$repo:v1" >"$log" 2>&1 \
      && moved=$(registry_digest "$repo:v1") && [[ $moved != "$locked" ]] \
      && bazel sync --only=pulled_locked >"$log" 2>&1 \
      && bazel build //:from_pulled_locked --output_groups=metadata >>"$log" 2>&1 \
      && python3 -c 'import json; d = json.load(open("oci.lock.json")); json.dump(d, open("oci.lock.json", "w"))' \
      && bazel build //:from_pulled_locked --output_groups=metadata >>"$log" 2>&1 \
      && ! grep -q "does not record" "$log" \
      && grep -q "\"org.opencontainers.image.base.digest\": \"$locked\"" bazel-bin/from_pulled_locked.manifest.json \
      && [[ $(tail -n +"$((mark + 1))" "$work/registry.log" | grep -c "\"GET /v2/iw/locked/manifests/$locked ") -ge 2 ]] \
      && ! tail -n +"$((mark + 1))" "$work/registry.log" | grep "\"GET /v2/iw/locked/manifests/v1 " | grep -q curl; then
    pass "a tag recorded in the lock file is fetched by its digest after the tag moves, also after bazel sync"
  else
    cat "$log"; tail -n +"$((mark + 1))" "$work/registry.log"
    fail "a tag recorded in the lock file is fetched by its digest after the tag moves, also after bazel sync"
    return
  fi
  cat >>WORKSPACE <<WS

oci_pull(
    name = "pulled_locked_conflict",
    digest = "$moved",
    lock_file = "//:oci.lock.json",
    registry = "$registry",
    repository = "iw/locked",
    tag = "v1",
)
WS
  expect_build_error @pulled_locked_conflict//:layout "digest = \"$moved\" but the lock file //:oci.lock.json records $locked for $key"
  printf '{"%s": {"digest": "sha256:ABC"}}\n' "$key" >oci.lock.json
  expect_build_error //:from_pulled_locked "lock file //:oci.lock.json ($PWD/oci.lock.json): key \"$key\": digest \"sha256:ABC\" is not"
  printf '{"%s": ' "$key" >oci.lock.json
  expect_build_error //:from_pulled_locked "lock file //:oci.lock.json ($PWD/oci.lock.json): offset $((${#key} + 5)): expected {"
  cp "$work/lock.pinned" oci.lock.json
}

# Whether Bazel holds any of the shallow base's layer blobs: a fetch action
# ran, or its output came from a cache.
pulled_blobs_built() {
  local layer
  for layer in $layers; do
    [[ -e "bazel-bin/external/pulled/blobs/sha256/${layer#sha256:}" ]] && return 0
  done
  return 1
}

# Whether the registry $1 has, in repository $2, the manifest or index
# Bazel wrote ($3), read back byte for byte under the reference $4, and
# (HEAD) each blob or manifest it names.
pushed_intact() {
  local registry=$1 repository=$2 manifest=$3 reference=$4 kind digest
  skopeo inspect --raw --tls-verify=false "docker://$registry/$repository$reference" >"$work/readback" \
    && cmp -s "$work/readback" "$manifest" || { echo "$reference: the manifest read back differs"; return 1; }
  while read -r kind digest; do
    curl -sfI -H "Accept: application/vnd.oci.image.manifest.v1+json" \
        "http://$registry/v2/$repository/$kind/$digest" >/dev/null \
      || { echo "$registry/$repository lacks $kind/$digest"; return 1; }
  done < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for d in m.get("manifests", []):
    print("manifests", d["digest"])
for d in ([m["config"]] if "config" in m else []) + m.get("layers", []):
    print("blobs", d["digest"])' "$manifest")
}

# Whether the registry log since line $1 has exactly one GET of each layer.
each_layer_got_once() {
  local layer
  for layer in $layers; do
    [[ $(tail -n +"$(($1 + 1))" "$work/registry.log" | grep -c "\"GET /v2/iw/hello/blobs/$layer ") -eq 1 ]] || return 1
  done
}

# oci_push FROM a shallow base reads a sparse layout, without the base's
# layer blobs: a destination that has them gets the image with no layer
# downloaded, by Bazel or by the push; one that lacks them gets each from
# the base's registry, once, at run time. The registry logs prove it.
check_sparse_pushes() {
  local mark name exec_log="$work/sparse-exec.json" registry2_port registry2
  mark=$(wc -l <"$work/registry.log")
  name="a push FROM a shallow base to a repository holding its layers downloads none (image and index)"
  if bazel run //:from_pulled_push --execution_log_json_file="$exec_log" -- \
        --repository "$registry/iw/hello" --tag sparse --insecure >"$log" 2>&1 \
      && bazel run //:from_pulled_index_push -- --repository "$registry/iw/hello" --tag sparse-index --insecure >>"$log" 2>&1 \
      && [[ -z $(layer_gets "$mark") ]] && ! grep -q OciFetchBlob "$exec_log" && ! pulled_blobs_built \
      && ! grep -q "lacks the base layer" "$log" \
      && pushed_intact "$registry" iw/hello bazel-bin/from_pulled.manifest.json :sparse >>"$log" \
      && pushed_intact "$registry" iw/hello bazel-bin/from_pulled_index.index.json :sparse-index >>"$log"; then
    pass "$name"
  else
    cat "$log"; tail -n +"$((mark + 1))" "$work/registry.log"
    fail "$name"
  fi
  # A second, empty registry: skopeo cannot mount across registries.
  registry2_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  registry2="127.0.0.1:$registry2_port"
  sed -e "s|$work/registry\$|$work/registry2|" -e "s|addr: $registry|addr: $registry2|" "$work/registry.yml" >"$work/registry2.yml"
  docker-registry serve "$work/registry2.yml" >"$work/registry2.log" 2>&1 &
  registry2_pid=$!
  for _ in $(seq 50); do curl -sf "http://$registry2/v2/" >/dev/null && break; sleep 0.1; done
  # A fetch that fails stops the push, naming the blob, and no manifest is
  # written. The base registry is made unreachable for the fetch alone by a
  # proxy that does not exist: Python honours http_proxy for loopback hosts,
  # Go (skopeo) never proxies them.
  name="a push FROM a shallow base whose missing layer cannot be fetched fails, naming it, and writes no manifest"
  if bazel build //:from_pulled_push >"$log" 2>&1 \
      && ! http_proxy=http://127.0.0.1:1 no_proxy= IMAGEWRITER_PUSH_ATTEMPTS=1 \
        bazel-bin/from_pulled_push.sh --repository "$registry2/iw/broken" --insecure >>"$log" 2>&1 \
      && grep -q "cannot push to $registry2/iw/broken: it lacks sha256:[0-9a-f]\{64\}, and fetching it failed" "$log" \
      && grep -q "^fetch http://$registry/v2/iw/hello/blobs/sha256:" "$log" \
      && ! skopeo inspect --raw --tls-verify=false "docker://$registry2/iw/broken@$(cat bazel-bin/from_pulled.digest)" >/dev/null 2>&1; then
    pass "$name"
  else
    cat "$log"
    fail "$name"
  fi
  mark=$(wc -l <"$work/registry.log")
  name="a push FROM a shallow base to a registry lacking its layers fetches each once from the base's registry"
  if bazel run //:from_pulled_push -- --repository "$registry2/iw/copy" --insecure >"$log" 2>&1 \
      && each_layer_got_once "$mark" && [[ $(grep -c "lacks the base layer" "$log") -eq $(wc -w <<<"$layers") ]] \
      && ! pulled_blobs_built \
      && pushed_intact "$registry2" iw/copy bazel-bin/from_pulled.manifest.json "@$(cat bazel-bin/from_pulled.digest)" >>"$log"; then
    pass "$name"
  else
    cat "$log"; tail -n +"$((mark + 1))" "$work/registry.log"
    fail "$name"
  fi
  # Now the layers are there: the index pushes without a download. The
  # script is run from the workspace, as CI scripts do, where its runfiles
  # path is relative.
  mark=$(wc -l <"$work/registry.log")
  name="a second push FROM a shallow base to that registry downloads nothing"
  if bazel build //:from_pulled_index_push >"$log" 2>&1 \
      && bazel-bin/from_pulled_index_push.sh --repository "$registry2/iw/copy" --tag index --insecure >>"$log" 2>&1 \
      && [[ -z $(layer_gets "$mark") ]] && ! grep -q "lacks the base layer" "$log" \
      && pushed_intact "$registry2" iw/copy bazel-bin/from_pulled_index.index.json :index >>"$log"; then
    pass "$name"
  else
    cat "$log"; tail -n +"$((mark + 1))" "$work/registry.log"
    fail "$name"
  fi
  kill "$registry2_pid" 2>/dev/null
}

# oci_pull from a real registry on loopback, then FROM it, then run it.
registry_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry="127.0.0.1:$registry_port"
mkdir -p "$work/registry"
cat > "$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $registry
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
registry2_pid=""
trap 'kill $registry_pid $registry2_pid 2>/dev/null; shutdown_all; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://$registry/v2/" >/dev/null && break; sleep 0.1; done
if (cd "$root" && bazel run //examples/hello:push -- --repository "$registry/iw/hello" --insecure) >"$log" 2>&1; then
  digest=$(cat "$root/bazel-bin/examples/hello/image.digest")
  cat >> WORKSPACE <<WS

load("@imagewriter//rules:pull.bzl", "oci_pull")

oci_pull(
    name = "pulled",
    digest = "$digest",
    registry = "$registry",
    repository = "iw/hello",
)

oci_pull(
    name = "pulled_by_tag",
    registry = "$registry",
    repository = "iw/hello",
    tag = "latest",
)

oci_pull(
    name = "pulled_eager",
    digest = "$digest",
    layer_handling = "eager",
    registry = "$registry",
    repository = "iw/hello",
    tag = "latest",
)

# As under Bzlmod, where a repository's canonical name is not the name the
# user wrote: the targets must not be named after the repository.
load("@imagewriter//rules/private:pull.bzl", "oci_pull_rule")

oci_pull_rule(
    name = "canonical_name_of_pulled",
    digest = "$digest",
    registry = "$registry",
    repository = "iw/hello",
    target_name = "pulled",
)
WS
  # Shallow base: the first build that names @pulled fetches it, and must
  # GET its manifest but no layer blob (the config may come from Bazel's
  # repository cache, which serves a download by its sha256).
  layers=$(python3 -c 'import json,sys; d=sys.argv[1]; m=json.load(open(d+"/index.json"))["manifests"][0]["digest"].split(":")[1]; print(" ".join(l["digest"] for l in json.load(open(d+"/blobs/sha256/"+m))["layers"]))' "$root/bazel-bin/examples/hello/image")
  layer_gets() {  # The registry log's layer GETs since line $1.
    local since=$1 layer
    for layer in $layers; do
      tail -n +"$((since + 1))" "$work/registry.log" | grep "\"GET /v2/iw/hello/blobs/$layer " || true
    done
  }
  mark=$(wc -l <"$work/registry.log")
  # Plain `bazel build`: FROM a shallow base (directly, through another
  # oci_image, or in an index) the default output is the metadata.
  if [[ -n $layers ]] && bazel build //:from_pulled //:from_from_pulled //:from_pulled_index >"$log" 2>&1 \
      && grep -q "\"org.opencontainers.image.base.digest\": \"$digest\"" bazel-bin/from_pulled.manifest.json \
      && [[ -s bazel-bin/from_from_pulled.digest && -s bazel-bin/from_pulled_index.digest ]] \
      && [[ ! -e bazel-bin/from_pulled/index.json && ! -e bazel-bin/from_pulled_index/index.json ]] \
      && tail -n +"$((mark + 1))" "$work/registry.log" | grep -q "\"GET /v2/iw/hello/manifests/$digest " \
      && [[ -z $(layer_gets "$mark") ]]; then
    pass "shallow oci_pull: bazel build of images and an index FROM it GETs the manifest and no layer blob"
  else
    cat "$log"; tail -n +"$((mark + 1))" "$work/registry.log"
    fail "shallow oci_pull: bazel build of images and an index FROM it GETs the manifest and no layer blob"
  fi
  check_sparse_pushes
  mark=$(wc -l <"$work/registry.log")
  if bazel build //:from_pulled --output_groups=layout >"$log" 2>&1 \
      && [[ $(layer_gets "$mark" | wc -l) -eq $(wc -w <<<"$layers") ]] \
      && (cd "$root" && bazel run //src/cli:imagewriter -- verify "$ws/bazel-bin/from_pulled") >>"$log" 2>&1 \
      && skopeo inspect oci:bazel-bin/from_pulled >/dev/null 2>>"$log"; then
    pass "shallow oci_pull: the layout fetches each layer once, and verifies"
  else
    cat "$log"; tail -n +"$((mark + 1))" "$work/registry.log"
    fail "shallow oci_pull: the layout fetches each layer once, and verifies"
  fi
  pod=$(mktemp -d /tmp/iwsh.XXXXXX)
  if IMAGEWRITER_CONTAINER_CLI="podman --root $pod/root --runroot $pod/run --storage-driver vfs" \
        bazel run //:from_pulled_load >"$log" 2>&1 \
      && grep -q "Loaded image: docker.io/iw/from_pulled:latest" "$log" \
      && bazel run //:from_pulled_push -- --repository "$registry/iw/from_pulled" --insecure >"$log" 2>&1 \
      && skopeo inspect --raw --tls-verify=false "docker://$registry/iw/from_pulled@$(cat bazel-bin/from_pulled.digest)" >/dev/null 2>>"$log"; then
    pass "shallow oci_pull: an image FROM it loads into podman and pushes"
  else
    cat "$log"
    fail "shallow oci_pull: an image FROM it loads into podman and pushes"
  fi
  rm -rf "$pod"
  # Eager: the repository holds the layers (the repository cache may serve
  # them, so the layout's files, not the log, show it); digest and tag
  # together pin without the warning.
  external="$(bazel info output_base 2>/dev/null)/external"
  holds_layers() {  # Whether the layout $1 holds every layer blob.
    local layer
    for layer in $layers; do [[ -f "$1/blobs/sha256/${layer#sha256:}" ]] || return 1; done
  }
  if bazel build //:from_pulled_eager >"$log" 2>&1 \
      && ! grep -q "pin it with digest" "$log" \
      && [[ -f bazel-bin/from_pulled_eager/index.json ]] \
      && holds_layers "$external/pulled_eager/layout" \
      && ! holds_layers "$external/pulled/layout"; then
    pass "oci_pull(layer_handling = \"eager\") holds every layer, an image FROM it builds its layout; digest with tag needs no pin warning"
  else
    cat "$log"
    fail "oci_pull(layer_handling = \"eager\") holds every layer, an image FROM it builds its layout; digest with tag needs no pin warning"
  fi
  if bazel build //:from_pulled >"$log" 2>&1 && grep -q "\"org.opencontainers.image.base.digest\": \"$digest\"" bazel-bin/from_pulled.manifest.json; then
    pass "oci_pull by digest from a loopback registry, and FROM it"
  else
    cat "$log"
    fail "oci_pull by digest from a loopback registry, and FROM it"
  fi
  if bazel build //:from_pulled_layout //:from_pulled_canonical >"$log" 2>&1 \
      && grep -q "\"org.opencontainers.image.base.digest\": \"$digest\"" bazel-bin/from_pulled_layout.manifest.json \
      && cmp -s bazel-bin/from_pulled_layout.digest bazel-bin/from_pulled_canonical.digest; then
    pass "oci_pull's targets have fixed names: :layout, and the name given under any repository name"
  else
    cat "$log"
    fail "oci_pull's targets have fixed names: :layout, and the name given under any repository name"
  fi
  if bazel build //:from_pulled_by_tag >"$log" 2>&1 && grep -q "pin it with digest = \"$digest\"" "$log"; then
    pass "oci_pull by tag warns with the digest to pin"
  else
    cat "$log"
    fail "oci_pull by tag warns with the digest to pin"
  fi
  if out=$(run_in_runc bazel-bin/from_pulled pull 2>"$log") \
      && [[ "$out" == "pulled hello from imagewriter --pulled (cwd /app)" ]]; then
    pass "the image built FROM the pulled base runs under runc"
  else
    cat "$log"; echo "output: ${out:-}"
    fail "the image built FROM the pulled base runs under runc"
  fi
  check_lock_file
else
  cat "$log"
  fail "push the example image to the loopback registry"
fi

echo "integration: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
