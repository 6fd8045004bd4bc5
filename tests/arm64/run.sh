#!/usr/bin/env bash
# Cross-architecture determinism: imagewriter built for x86-64 and for
# linux/arm64 (Debian's g++-aarch64-linux-gnu, toolchains/BUILD.bazel; run
# under qemu-aarch64) must write the same bytes for the same inputs:
#   - `layer` from a tar of a few MiB of mixed compressible and random data
#     (several 1 MiB gzip blocks): gzip at levels 1, 2 (default), 6, 9 and
#     12 with 1 and 3 threads, zstd at two levels with 1 and 3 threads,
#     none, an already compressed input passed through, decompressed or
#     recompressed, and layers built with --files;
#   - `image` from those layers (with and without a base, OCI and Docker
#     media types) and `index` over the images.
# Every output file of the two tools is compared byte for byte.
# Prints "PASS: name" / "FAIL: name" per check and a final count line.
#
# Uses the workspace's normal Bazel; to run it next to another build, give
# it an output base of its own and keep it from moving the bazel-* links:
#   BAZEL="bazel --output_base=$HOME/.cache/iw-arm64-ob" \
#     BAZEL_FLAGS=--symlink_prefix=/ tests/arm64/run.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
finish() {
  echo "arm64: ${passed} passed, ${failed} failed"
  [[ $failed -eq 0 ]]
  exit
}

read -r -a bazel <<<"${BAZEL:-bazel}"
read -r -a bazel_flags <<<"${BAZEL_FLAGS:-}"
# The arm64 configuration (.bazelrc: toolchains/ and a platform suffix).
arm64_flags=(--config=arm64)
log="$work/build.log"

# Copies bazel-bin/src/cli/imagewriter to $2/src/cli/ with the shared
# libraries its $ORIGIN-relative RUNPATH names, at the same relative places,
# so the copy loads exactly the libcrypto Bazel gave it. $1: the bazel-bin.
stage_tool() {
  local bin=$1 dest=$2 entry rel
  mkdir -p "$dest/src/cli" || return
  cp -L "$bin/src/cli/imagewriter" "$dest/src/cli/imagewriter" || return
  local runpath
  runpath=$(readelf -d "$bin/src/cli/imagewriter" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  IFS=: read -r -a entries <<<"$runpath"
  for entry in "${entries[@]}"; do
    rel=${entry#\$ORIGIN/}
    [[ $rel != "$entry" && -d "$bin/src/cli/$rel" ]] || continue
    mkdir -p "$dest/src/cli/$rel" && cp -L "$bin/src/cli/$rel"/* "$dest/src/cli/$rel/" || return
  done
}

build_tool() {  # $1: name; then Bazel flags.
  local name=$1 bin
  shift
  if (cd "$root" && "${bazel[@]}" build "${bazel_flags[@]}" "$@" //src/cli:imagewriter) >"$log" 2>&1 \
      && bin=$(cd "$root" && "${bazel[@]}" info "${bazel_flags[@]}" "$@" bazel-bin 2>>"$log") \
      && stage_tool "$bin" "$work/tool-$name"; then
    pass "bazel build //src/cli:imagewriter for $name"
  else
    cat "$log"
    fail "bazel build //src/cli:imagewriter for $name"
    finish
  fi
}
# arm64 first: the bazel-* links are left where a plain `bazel build` puts
# them, for the checks that run after this one.
build_tool arm64 "${arm64_flags[@]}"
build_tool amd64

amd64_tool=("$work/tool-amd64/src/cli/imagewriter")
arm64_tool=(qemu-aarch64 -L / "$work/tool-arm64/src/cli/imagewriter")

# The arm64 tool is an aarch64 executable, with an aarch64 libcrypto.so.0.
arm64_crypto=$(find "$work/tool-arm64" -name libcrypto.so.0)
if file -L "${amd64_tool[0]}" | grep -q 'ELF 64-bit LSB .*x86-64' \
    && file -L "${arm64_tool[3]}" | grep -q 'ELF 64-bit LSB .*ARM aarch64' \
    && [[ -n "$arm64_crypto" ]] && file -L "$arm64_crypto" | grep -q 'ARM aarch64'; then
  pass "the amd64 tool is x86-64; the arm64 tool and its libcrypto.so.0 are aarch64"
else
  file -L "${amd64_tool[0]}" "${arm64_tool[3]}" "$arm64_crypto"
  fail "the amd64 tool is x86-64; the arm64 tool and its libcrypto.so.0 are aarch64"
  finish
fi
if out=$("${arm64_tool[@]}" help 2>&1) && grep -q '^usage: imagewriter COMMAND' <<<"$out"; then
  pass "the arm64 tool runs under qemu-aarch64"
else
  echo "$out"
  fail "the arm64 tool runs under qemu-aarch64"
  finish
fi

# Inputs, the same bytes every run: ~8 MiB of text, random bytes, zeros and
# interleaved runs of both, so gzip has several 1 MiB blocks of each kind.
in="$work/in"
mkdir -p "$in/stage/data/sub" "$in/stage/bin"
python3 - "$in/stage" <<'PY'
import random, sys
out = sys.argv[1]
rng = random.Random(20240501)
words = ["layer", "image", "digest", "sha256", "gzip", "zstd", "manifest", "config", "index", "blob"]
lines = []
size = 0
i = 0
while size < (3 << 19):
    line = "%08d %s %s=%d %s\n" % (i, rng.choice(words), rng.choice(words), rng.randrange(1000), rng.choice(words) * rng.randrange(1, 4))
    lines.append(line)
    size += len(line)
    i += 1
open(out + "/data/log.txt", "w").write("".join(lines))
open(out + "/data/random.bin", "wb").write(rng.randbytes(3 << 19))
open(out + "/data/sub/zeros.bin", "wb").write(bytes(1 << 20))
text = "".join(lines).encode()
chunks = []
for k in range(512):
    n = rng.randrange(256, 8192)
    if k % 2:
        chunks.append(rng.randbytes(n))
    else:
        start = rng.randrange(len(text) - n)
        chunks.append(text[start:start + n])
open(out + "/data/sub/mixed.bin", "wb").write(b"".join(chunks) * 2)
open(out + "/bin/tool.sh", "w").write("#!/bin/sh\necho tool\n")
open(out + "/data/small.txt", "w").write("small\n")
PY
chmod 755 "$in/stage/bin/tool.sh"
ln -s ../data/log.txt "$in/stage/bin/log-link"
tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -cf "$in/input.tar" -C "$in/stage" .
cat > "$in/files.json" <<'JSON'
{
  "entries": [
    {"path": "/app/bin/tool.sh", "file": "../in/stage/bin/tool.sh", "executable": true},
    {"path": "/app/data/log.txt", "file": "../in/stage/data/log.txt"},
    {"path": "/app/data/random.bin", "file": "../in/stage/data/random.bin", "mode": "0600"},
    {"path": "/app/data/mixed.bin", "file": "../in/stage/data/sub/mixed.bin"},
    {"path": "/app/data/zeros.bin", "file": "../in/stage/data/sub/zeros.bin"},
    {"path": "/app/data/again.bin", "file": "../in/stage/data/sub/mixed.bin"},
    {"path": "/app/link", "symlink": "data/log.txt"},
    {"path": "/app/empty", "directory": true}
  ],
  "owner": "1000:1000",
  "mtime": 1700000000,
  "hardlinks": true
}
JSON
echo "input: $(stat -c %s "$in/input.tar") bytes of tar"

# Each tool runs in a directory of its own, with the same relative paths,
# so requests and outputs are byte-identical between the two.
for arch in amd64 arm64; do mkdir -p "$work/$arch/out"; done
run() {  # $1: arch; then imagewriter arguments.
  local arch=$1
  shift
  local -n tool="${arch}_tool"
  (cd "$work/$arch" && env -u SOURCE_DATE_EPOCH TZ=UTC "${tool[@]}" "$@") >"$work/$arch/log" 2>&1
}
# Runs both tools; passes when both succeed and every named output matches.
# $1: check name; $2: space-separated outputs (under out/); then arguments.
both() {
  local name=$1 outputs=$2 arch f first ok=1 digest=""
  shift 2
  for arch in amd64 arm64; do
    if ! run "$arch" "$@"; then
      echo "$arch: imagewriter $*"; cat "$work/$arch/log"
      ok=0
    fi
  done
  if ((ok)); then
    for f in $outputs; do
      if ! cmp -s "$work/amd64/out/$f" "$work/arm64/out/$f"; then
        echo "differs: out/$f"
        echo "  amd64: $(sha256sum <"$work/amd64/out/$f" | cut -c1-64)"
        echo "  arm64: $(sha256sum <"$work/arm64/out/$f" | cut -c1-64)"
        ok=0
      fi
    done
    # A .digest file holds the digest; a layer's digest is its blob's.
    first="$work/amd64/out/${outputs%% *}"
    if [[ $first == *.digest ]]; then
      digest=$(cat "$first")
    else
      digest="sha256:$(sha256sum <"$first" | cut -c1-64)"
    fi
  fi
  if ((ok)); then
    pass "$name: amd64 = arm64, $digest"
  else
    fail "$name: amd64 = arm64"
  fi
}
layer() {  # $1: name; then imagewriter layer flags.
  local name=$1
  shift
  both "layer $name" "$name.blob $name.descriptor.json $name.diff_id" \
    layer --output "out/$name.blob" --descriptor-out "out/$name.descriptor.json" \
    --diff-id-out "out/$name.diff_id" "$@"
}

layer gzip-default --input ../in/input.tar
for level in 1 6 9 12; do
  for threads in 1 3; do
    layer "gzip-$level-t$threads" --input ../in/input.tar --compression gzip --level "$level" --threads "$threads"
  done
done
for level in 3 12; do
  for threads in 1 3; do
    layer "zstd-$level-t$threads" --input ../in/input.tar --compression zstd --level "$level" --threads "$threads"
  done
done
layer none --input ../in/input.tar --compression none
# A compressed input: passed through as it is, decompressed, recompressed.
cp "$work/amd64/out/gzip-6-t3.blob" "$in/input.tar.gz"
cp "$work/amd64/out/zstd-3-t3.blob" "$in/input.tar.zst"
layer gzip-passthrough --input ../in/input.tar.gz --compression gzip
layer gzip-to-zstd --input ../in/input.tar.gz --compression zstd
layer gzip-recompress-9 --input ../in/input.tar.gz --compression gzip --level 9 --force-recompress
layer zstd-to-gzip --input ../in/input.tar.zst --compression gzip --threads 3
layer gzip-rewrite-timestamp --input ../in/input.tar --rewrite-timestamp 86400 --annotation org.example.k=v
layer files-gzip --files ../in/files.json --compression gzip --level 6
layer files-zstd --files ../in/files.json --compression zstd
layer files-none --files ../in/files.json --compression none

# Within each tool too: the thread count does not change a byte.
for arch in amd64 arm64; do
  if cmp -s "$work/$arch/out/gzip-6-t1.blob" "$work/$arch/out/gzip-6-t3.blob" \
      && cmp -s "$work/$arch/out/gzip-12-t1.blob" "$work/$arch/out/gzip-12-t3.blob" \
      && cmp -s "$work/$arch/out/zstd-3-t1.blob" "$work/$arch/out/zstd-3-t3.blob"; then
    pass "$arch: gzip and zstd blobs are the same for 1 and 3 threads"
  else
    fail "$arch: gzip and zstd blobs are the same for 1 and 3 threads"
  fi
done
# The comparisons can fail: levels give different blobs, one diffID.
if ! cmp -s "$work/amd64/out/gzip-1-t1.blob" "$work/arm64/out/gzip-9-t1.blob" \
    && cmp -s "$work/amd64/out/gzip-1-t1.diff_id" "$work/arm64/out/gzip-9-t1.diff_id"; then
  pass "gzip levels 1 and 9 give different blobs with the same diffID"
else
  fail "gzip levels 1 and 9 give different blobs with the same diffID"
fi
blocks=$((($(stat -c %s "$in/input.tar") + (1 << 20) - 1) >> 20))
if ((blocks >= 4)); then
  pass "the input spans $blocks gzip blocks of 1 MiB"
else
  fail "the input spans $blocks gzip blocks of 1 MiB"
fi

# Images from those layers, and an index over them.
cat > "$work/image-a.json" <<'JSON'
{
  "layers": [
    {"descriptor_file": "out/gzip-6-t3.descriptor.json", "diff_id_file": "out/gzip-6-t3.diff_id", "created_by": "tar"},
    {"descriptor_file": "out/files-gzip.descriptor.json", "diff_id_file": "out/files-gzip.diff_id", "comment": "files"}
  ],
  "entrypoint": {"values": ["/app/bin/tool.sh"]},
  "cmd": {"values": ["--flag", "<&>"]},
  "env": ["PATH=/app/bin:/bin", "LANG=C.UTF-8"],
  "user": "1000:1000",
  "workdir": "/app",
  "labels": {"org.opencontainers.image.source": "https://example.invalid/repo", "b": "2", "a": "1"},
  "exposed_ports": ["8080/tcp"],
  "volumes": ["/data"],
  "stop_signal": "SIGTERM",
  "annotations": {"org.opencontainers.image.version": "1.0"},
  "source_date_epoch": "1700000000",
  "platform": "linux/amd64"
}
JSON
cat > "$work/image-b.json" <<'JSON'
{
  "layers": [
    {"descriptor_file": "out/zstd-3-t3.descriptor.json", "diff_id_file": "out/zstd-3-t3.diff_id"},
    {"descriptor_file": "out/none.descriptor.json", "diff_id_file": "out/none.diff_id"},
    {"descriptor_file": "out/files-zstd.descriptor.json", "diff_id_file": "out/files-zstd.diff_id"}
  ],
  "history": [
    {"created": "2023-01-01T00:00:00Z", "created_by": "one"},
    {"created": "2023-01-02T00:00:00Z", "created_by": "env", "empty_layer": true},
    {"created": "2023-01-03T00:00:00Z", "created_by": "two"},
    {"created": "2023-01-04T00:00:00Z", "created_by": "three"}
  ],
  "entrypoint": {"values": []},
  "env": ["A=b"],
  "created": "2024-02-29T12:34:56Z",
  "platform": "linux/arm64/v8"
}
JSON
cat > "$work/image-c.json" <<JSON
{
  "base_config": "$root/testdata/base/docker_style/config.json",
  "base_manifest": "$root/testdata/base/docker_style/manifest.json",
  "layers": [
    {"descriptor_file": "out/gzip-default.descriptor.json", "diff_id_file": "out/gzip-default.diff_id", "created_by": "COPY app /"}
  ],
  "env": ["GREETING=hello"],
  "media_types": "docker",
  "platform": "linux/amd64"
}
JSON
cat > "$work/index.json" <<'JSON'
{
  "manifests": ["out/image-a.descriptor.json", "out/image-b.descriptor.json"],
  "annotations": {"org.opencontainers.image.ref.name": "latest"}
}
JSON
cat > "$work/index-docker.json" <<'JSON'
{
  "manifests": ["out/image-c.descriptor.json"],
  "media_types": "docker"
}
JSON
for arch in amd64 arm64; do cp "$work"/image-?.json "$work"/index*.json "$work/$arch/"; done
image() {  # $1: name.
  both "image $1" "$1.digest $1.config.json $1.manifest.json $1.descriptor.json" \
    image --request "$1.json" --config-out "out/$1.config.json" --manifest-out "out/$1.manifest.json" \
    --descriptor-out "out/$1.descriptor.json" --digest-out "out/$1.digest"
}
index() {  # $1: name.
  both "index $1" "$1.digest $1.index.json $1.descriptor.json" \
    index --request "$1.json" --index-out "out/$1.index.json" \
    --descriptor-out "out/$1.descriptor.json" --digest-out "out/$1.digest"
}
image image-a
image image-b
image image-c
index index
index index-docker

# Everything each tool wrote, once more: the two output trees are identical.
if diff -r "$work/amd64/out" "$work/arm64/out" >"$log" 2>&1; then
  pass "all $(find "$work/amd64/out" -type f | wc -l) output files are identical"
else
  cat "$log"
  fail "all output files are identical"
fi

# The same toolchain builds a real arm64 image: the example's program is an
# aarch64 executable (as `file` reads it) that runs under qemu, and the
# config says arm64. The rules still run the x86-64 tool (exec config).
if (cd "$root" && "${bazel[@]}" build "${bazel_flags[@]}" "${arm64_flags[@]}" //examples/hello:image) >"$log" 2>&1 \
    && arm64_bin=$(cd "$root" && "${bazel[@]}" info "${bazel_flags[@]}" "${arm64_flags[@]}" bazel-bin 2>>"$log")/examples/hello \
    && grep -q '"architecture":"arm64"' "$arm64_bin/image.config.json" \
    && file -L "$arm64_bin/hello" | grep -q 'ARM aarch64' \
    && [[ $(cd / && qemu-aarch64 "$arm64_bin/hello" x) == "hello from imagewriter x (cwd /)" ]]; then
  pass "--config=arm64 builds //examples/hello:image as a linux/arm64 image whose program runs under qemu"
else
  tail -20 "$log"
  fail "--config=arm64 builds //examples/hello:image as a linux/arm64 image whose program runs under qemu"
fi
# Leave the bazel-* links on the x86-64 configuration for later steps.
(cd "$root" && "${bazel[@]}" build "${bazel_flags[@]}" //src/cli:imagewriter) >"$log" 2>&1

finish
