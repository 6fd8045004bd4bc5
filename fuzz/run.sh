#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 30) on its seed corpus. Exits non-zero on any finding;
# crash inputs are left in fuzz/findings/.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(tar_fuzz tar_header_fuzz decompress_fuzz estargz_fuzz splice_fuzz json_fuzz history_fuzz attest_fuzz parse_fuzz verify_fuzz diff_fuzz)
# A separate output base: switching the C++ compiler must not invalidate the
# main build's analysis cache.
bazel_fuzz=(bazel --output_base="$HOME/.cache/imagewriter/fuzz-output-base")
# No convenience symlinks: they would point the workspace's bazel-* links at
# this output base, and the main build would then descend into them.
"${bazel_fuzz[@]}" build --config=fuzz --symlink_prefix=/ "${targets[@]/#///fuzz:}"
bin=$("${bazel_fuzz[@]}" info --config=fuzz bazel-bin)
mkdir -p fuzz/findings
status=0
for target in "${targets[@]}"; do
  corpus=$(mktemp -d)
  cp -r "fuzz/corpus/${target%_fuzz}/." "$corpus/" 2>/dev/null || true
  echo "== $target: ${seconds}s"
  if ! TMPDIR=$(mktemp -d) "$bin/fuzz/$target" -max_total_time="$seconds" -max_len=65536 \
      -rss_limit_mb=2048 -timeout=20 -artifact_prefix=fuzz/findings/"$target"- "$corpus" \
      > "fuzz/findings/$target.log" 2>&1; then
    tail -30 "fuzz/findings/$target.log"
    echo "FAIL: $target found a problem (see fuzz/findings/)"
    status=1
  else
    echo "PASS: $target ($(grep -c '^#' "fuzz/findings/$target.log" || true) status lines, no finding)"
  fi
  rm -rf "$corpus"
done
"${bazel_fuzz[@]}" shutdown
exit $status
