#!/usr/bin/env bash
# Times imagewriter against its peers on the same input, in one run, and
# prints each ratio against its target. Every output is also checked against
# the input and the peers' outputs (decompressed layers equal the input,
# digests and diffIDs are the bytes' sha256, skopeo reads the layout, the
# archive holds the blob). Exits non-zero if a command fails or an output is
# wrong, and if a target is missed (unless --quick: correctness only).
#
#   bench/compare.sh [--size MB] [--runs N] [--quick]
#
# Input: a tar of about MB megabytes from /usr, cached under
# ~/.cache/imagewriter/bench. Every time is the median of N runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
size=500
runs=3
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --quick) quick=1; size=20; runs=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

bazel build -c opt //src/cli:imagewriter >/dev/null 2>&1 || bazel build -c opt //src/cli:imagewriter
iw=$(pwd)/bazel-bin/src/cli/imagewriter
input=$(bench_input "$size")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench_failures=$work/failures  # Commands that failed while timed (common.sh).
bytes=$(stat -c %s "$input")
echo "input: $input ($((bytes >> 20)) MiB), $(nproc) cores, median of $runs run(s)"

wrong=0
# The producers of what `agree` checks end in "|| :": a failed one leaves a
# wrong output, reported as WRONG, instead of ending the run unexplained.
# agree NAME CMD...: CMD checks an output; prints a line and counts failures.
agree() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then
    printf '%-58s ok\n' "$name"
  else
    printf '%-58s WRONG\n' "$name"
    wrong=$((wrong + 1))
  fi
}
# same_bytes A B: A and B hold the same bytes.
same_bytes() { cmp -s "$1" "$2"; }
# sha256_of FILE: "sha256:<hex>".
sha256_of() { echo "sha256:$(sha256sum <"$1" | cut -d' ' -f1)"; }
# describes DESC BLOB: the descriptor's digest and size are the blob's.
describes() {
  python3 - "$1" "$2" <<'PY'
import hashlib, json, os, sys
d = json.load(open(sys.argv[1]))
blob = open(sys.argv[2], "rb").read()
sys.exit(d["digest"] != "sha256:" + hashlib.sha256(blob).hexdigest() or d["size"] != len(blob))
PY
}
# diff_id_is_input FILE: the layer's diffID file names the input's sha256.
diff_id_is_input() { [[ $(cat "$1") == "$input_sha" ]]; }
# one_gzip_member FILE: zlib reads exactly one gzip member, to the end.
one_gzip_member() {
  python3 - "$1" <<'PY'
import sys, zlib
d = zlib.decompressobj(16 + zlib.MAX_WBITS)
d.decompress(open(sys.argv[1], "rb").read())
sys.exit(not d.eof or d.unused_data != b"")
PY
}
input_sha=$(sha256_of "$input")

failures=0
# check NAME VALUE OP TARGET: prints a line and counts misses.
check() {
  local name=$1 value=$2 op=$3 target=$4 ok
  ok=$(echo "$value $op $target" | bc -l)
  printf '%-58s %8.3f  (target %s %s) %s\n' "$name" "$value" "$op" "$target" "$([[ $ok == 1 ]] && echo ok || echo MISSED)"
  [[ $ok == 1 ]] || failures=$((failures + 1))
}

layer() { rm -f "$work/blob"; "$iw" layer --input "$input" --output "$work/blob" --descriptor-out "$work/desc" --diff-id-out "$work/diff" "$@"; }
layer_gzip() { layer --compression gzip; }
layer_zstd() { layer --compression zstd; }
layer_none() { layer --compression none; }

# 1. gzip layer vs skopeo copy --dest-compress (Go, pgzip), from an OCI
#    layout holding the same tar uncompressed.
"$iw" layer --input "$input" --output "$work/raw" --descriptor-out "$work/raw.desc" --diff-id-out "$work/raw.diff" --compression none
printf '{"layers":[{"descriptorFile":"%s","diffIdFile":"%s"}]}' "$work/raw.desc" "$work/raw.diff" > "$work/req.json"
"$iw" image --request "$work/req.json" --config-out "$work/c" --manifest-out "$work/m" --descriptor-out "$work/d"
"$iw" layout --out "$work/src" --root "$work/d" --metadata "$work/c" --metadata "$work/m" --blob "$work/raw.desc=$work/raw"
skopeo_copy() { rm -rf "$work/dst"; skopeo copy -q --dest-compress "oci:$work/src" "oci:$work/dst"; }
read -r t_gzip t_skopeo r_gzip <<<"$(paired layer_gzip skopeo_copy)"
gzip_size=$(stat -c %s "$work/blob")
skopeo_size=$(find "$work/dst/blobs" -type f -size +1M -printf '%s\n' | sort -n | tail -1)
gzip6() { gzip -6 -n -c "$input" > "$work/g"; }
pigz6() { pigz -6 -n -c "$input" > "$work/g"; }
libdeflate2() { libdeflate-gzip -2 -c "$input" > "$work/g"; }
# For reference only: one run each.
t_gzip6=$(seconds gzip6)
t_pigz=$(seconds pigz6)
t_libdeflate=$(seconds libdeflate2)
echo "gzip:  imagewriter ${t_gzip}s ${gzip_size}B | skopeo ${t_skopeo}s ${skopeo_size}B | gzip -6 ${t_gzip6}s | pigz -6 ${t_pigz}s | libdeflate-gzip -2 (1 thread) ${t_libdeflate}s"
gzip -dc "$work/blob" >"$work/out.tar" || :
agree "gzip layer decompresses (gzip -dc) to the input" same_bytes "$work/out.tar" "$input"
agree "gzip layer is one gzip member (zlib)" one_gzip_member "$work/blob"
agree "gzip layer descriptor: the blob's sha256 and size" describes "$work/desc" "$work/blob"
agree "gzip layer diffID: the input's sha256" diff_id_is_input "$work/diff"
skopeo_blob=$(find "$work/dst/blobs" -type f -size +1M | head -1)
gzip -dc "$skopeo_blob" >"$work/out.tar" || :
agree "skopeo's layer decompresses to the same tar" same_bytes "$work/out.tar" "$input"

# 2. zstd layer vs zstd -3 -T2.
zstd3() { zstd -q -3 -T2 -c "$input" > "$work/z"; }
read -r t_zstd t_zstd_cli r_zstd <<<"$(paired layer_zstd zstd3)"
echo "zstd:  imagewriter ${t_zstd}s | zstd -3 -T2 ${t_zstd_cli}s"
zstd -q -dc "$work/blob" >"$work/out.tar" || :
agree "zstd layer decompresses (zstd -d) to the input" same_bytes "$work/out.tar" "$input"
agree "zstd layer descriptor: the blob's sha256 and size" describes "$work/desc" "$work/blob"
agree "zstd layer diffID: the input's sha256" diff_id_is_input "$work/diff"

# 2b. eStargz layer vs gzip layer, same level and threads: the price of a
#     gzip member per file chunk, the TOC and the digests it holds.
layer_estargz() { rm -f "$work/esgz"; "$iw" layer --input "$input" --output "$work/esgz" --descriptor-out "$work/esgz.desc" --diff-id-out "$work/esgz.diff" --compression estargz; }
read -r t_esgz t_esgz_gzip r_esgz <<<"$(paired layer_estargz layer_gzip)"
esgz_size=$(stat -c %s "$work/esgz")
echo "estargz: imagewriter ${t_esgz}s ${esgz_size}B | gzip layer ${t_esgz_gzip}s $(stat -c %s "$work/blob")B"
r_esgz_size=$(echo "$esgz_size / $(stat -c %s "$work/blob")" | bc -l)
gzip -dc "$work/esgz" >"$work/out.esgz" || :
agree "estargz layer decompresses (gzip -dc) to the input, then" same_bytes <(head -c "$bytes" "$work/out.esgz") "$input"
agree "  the TOC's tar; uncompressed-size and diffID describe it" python3 - "$work/out.esgz" "$bytes" "$work/esgz.desc" "$work/esgz.diff" <<'PY'
import hashlib, io, json, sys, tarfile
data, n = open(sys.argv[1], "rb").read(), int(sys.argv[2])
names = tarfile.open(fileobj=io.BytesIO(data[n:])).getnames()
a = json.load(open(sys.argv[3]))["annotations"]
sys.exit(names != ["stargz.index.json"]
         or a["io.containers.estargz.uncompressed-size"] != str(len(data))
         or open(sys.argv[4]).read() != "sha256:" + hashlib.sha256(data).hexdigest())
PY
agree "estargz layer descriptor: the blob's sha256 and size" describes "$work/esgz.desc" "$work/esgz"

# 3. Uncompressed passthrough vs openssl dgst -sha256 (throughput ratio
#    is the inverse of the time ratio).
openssl_sha() { openssl dgst -sha256 "$input"; }
read -r t_none t_openssl r_none <<<"$(paired layer_none openssl_sha)"
echo "none:  imagewriter ${t_none}s | openssl dgst -sha256 ${t_openssl}s"
agree "uncompressed layer is the input" same_bytes "$work/blob" "$input"
openssl_sha=sha256:$(openssl dgst -sha256 -r "$input" | cut -d' ' -f1)
agree "uncompressed layer diffID: openssl's sha256" test "$(cat "$work/diff")" = "$openssl_sha"
agree "uncompressed layer descriptor: the blob's sha256 and size" describes "$work/desc" "$work/blob"

# 4. gzip input, gzip requested: passthrough + diffID vs gzip -dc | sha256sum.
gzip -6 -n -c "$input" > "$work/in.tar.gz"
layer_gzpass() { rm -f "$work/blob"; "$iw" layer --input "$work/in.tar.gz" --output "$work/blob" --descriptor-out "$work/desc" --diff-id-out "$work/diff"; }
gunzip_sha() { gzip -dc "$work/in.tar.gz" | sha256sum; }
read -r t_gzpass t_gunzip r_gzpass <<<"$(paired layer_gzpass gunzip_sha)"
echo "gz passthrough: imagewriter ${t_gzpass}s | gzip -dc | sha256sum ${t_gunzip}s"
agree "gzip passthrough blob is the gzip input" same_bytes "$work/blob" "$work/in.tar.gz"
agree "gzip passthrough diffID: the input's sha256" diff_id_is_input "$work/diff"

# 5. Image action (descriptors only): time over layer count and described
#    layer size, which it must not depend on. The target row is 100 layers
#    totalling 10 GB.
# image_request N BYTES: writes a request for N layers of BYTES each.
image_request() {
  python3 - "$work" "$1" "$2" <<'PY'
import hashlib, json, os, sys
work, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
layers = []
for i in range(count):
    d = os.path.join(work, "l%d.desc" % i)
    json.dump({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
               "digest": "sha256:" + hashlib.sha256(b"%d" % i).hexdigest(), "size": size}, open(d, "w"))
    f = os.path.join(work, "l%d.diff" % i)
    open(f, "w").write("sha256:" + hashlib.sha256(b"diff%d" % i).hexdigest())
    layers.append({"descriptorFile": d, "diffIdFile": f})
json.dump({"layers": layers}, open(os.path.join(work, "req.json"), "w"))
PY
}
image_action() { "$iw" image --request "$work/req.json" --config-out "$work/c" --manifest-out "$work/m"; }
echo "image action (seconds), by layer count and described size per layer:"
printf '  %8s %10s %10s\n' layers "1 MB" "100 MB"
for count in 1 10 100 1000; do
  row=()
  for size in $((1 << 20)) $((100 << 20)); do
    image_request "$count" "$size"
    row+=("$(median_seconds image_action)")
    [[ $count -eq 100 && $size -eq $((100 << 20)) ]] && t_image=${row[-1]}
  done
  printf '  %8s %10.3f %10.3f\n' "$count" "${row[0]}" "${row[1]}"
done
echo "image: 100 layers, 10 GB described: ${t_image}s"
agree "image of 1000 layers: manifest lists them, config their diffIDs" python3 -c '
import json, sys
m, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(len(m["layers"]) != 1000 or len(c["rootfs"]["diff_ids"]) != 1000
         or {l["size"] for l in m["layers"]} != {100 << 20})' "$work/m" "$work/c"

# 5b. Layout and archive assembly. A layout links the layer blob (cost
#     independent of its size); an archive streams it, compared with cp.
"$iw" layer --input "$input" --output "$work/big.blob" --descriptor-out "$work/big.desc" --diff-id-out "$work/big.diff" --compression none
printf '{"layers":[{"descriptorFile":"%s","diffIdFile":"%s"}]}' "$work/big.desc" "$work/big.diff" > "$work/req.json"
"$iw" image --request "$work/req.json" --config-out "$work/c" --manifest-out "$work/m" --descriptor-out "$work/d"
layout_big() { rm -rf "$work/lay"; "$iw" layout --out "$work/lay" --root "$work/d" --metadata "$work/c" --metadata "$work/m" --blob "$work/big.desc=$work/big.blob"; }
t_layout=$(median_seconds layout_big)
layout_big
archive_big() { rm -f "$work/a.tar"; "$iw" archive --layout "$work/lay" --output "$work/a.tar" --format oci; }
copy_big() { rm -f "$work/copy"; cp --reflink=never "$work/big.blob" "$work/copy"; }
read -r t_archive t_cp r_archive <<<"$(paired archive_big copy_big)"
echo "layout of a $((bytes >> 20)) MiB layer: ${t_layout}s (linked) | oci-archive ${t_archive}s | cp ${t_cp}s"
skopeo inspect --raw "oci:$work/lay" >"$work/raw.json" || :
agree "skopeo reads the layout's manifest, byte for byte" same_bytes "$work/raw.json" "$work/m"
big_digest=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["digest"].split(":")[1])' "$work/big.desc")
tar -xOf "$work/a.tar" "blobs/sha256/$big_digest" >"$work/out.tar" || :
agree "oci-archive holds the layer blob (GNU tar)" same_bytes "$work/out.tar" "$work/big.blob"

# 6. Peak memory of the layer command.
rss_kb=$( { /usr/bin/time -f '%M' "$iw" layer --input "$input" --output "$work/blob" --descriptor-out "$work/desc" --diff-id-out "$work/diff" --compression gzip; } 2>&1 >/dev/null | tail -1)
echo "layer peak RSS: $((rss_kb / 1024)) MiB"
gzip -dc "$work/blob" >"$work/out.tar" || :
agree "gzip layer under /usr/bin/time decompresses to the input" same_bytes "$work/out.tar" "$input"

echo
echo "ratios (median of $runs alternating pairs):"
check "gzip layer time / skopeo --dest-compress time" "$r_gzip" "<=" 0.67
check "gzip layer size / skopeo size" "$(echo "$gzip_size / $skopeo_size" | bc -l)" "<=" 1.0
check "zstd layer time / zstd -3 -T2 time" "$r_zstd" "<=" 1.1
check "estargz layer time / gzip layer time" "$r_esgz" "<=" 1.25
check "estargz layer size / gzip layer size" "$r_esgz_size" "<=" 1.05
check "passthrough throughput / openssl sha256 throughput" "$(echo "1 / $r_none" | bc -l)" ">=" 0.8
check "gzip passthrough time / (gzip -dc | sha256sum) time" "$r_gzpass" "<=" 1.0
check "image action seconds (100 layers, 10 GB)" "$t_image" "<" 0.1
check "layout seconds for one layer of the input size (links)" "$t_layout" "<" 0.1
check "oci-archive time / cp time (streams at disk speed)" "$r_archive" "<=" 1.25
check "layer peak RSS MiB" "$((rss_kb / 1024))" "<" 64

if [[ -s $bench_failures ]]; then
  echo "commands that failed while timed:"
  sed 's/^/  /' "$bench_failures"
  wrong=$((wrong + $(wc -l <"$bench_failures")))
fi
if [[ $wrong -gt 0 ]]; then
  echo "$wrong output(s) WRONG or command(s) failed"
  exit 1
fi
if [[ $quick -eq 1 ]]; then
  echo "quick run: every output correct; $failures target(s) missed, not failing (correctness only)"
  exit 0
fi
[[ $failures -eq 0 ]]
