#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 30) on its seed corpus. Exits non-zero on any finding;
# crash inputs are left in fuzz/findings/.
#
# tar_header_fuzz's findings that matter most are not crashes but tars that
# Go's archive/tar reads differently: after it runs, the tars its grown corpus
# builds go to fuzz/findings/tar_header_fuzz.tars/, the Go oracle
# (tests/tar_oracle) checks each, and every one it disagrees on is copied into
# tests/tar_oracle/corpus/ as a regression case (and counts as a finding).
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
tars=fuzz/findings/tar_header_fuzz.tars
rm -rf "$tars"

# Runs each input of the corpus directory $1 once with TAR_HEADER_FUZZ_DUMP
# set, which writes the tar the input builds into $tars.
dump_tars() {
  mkdir -p "$tars"
  TAR_HEADER_FUZZ_DUMP="$PWD/$tars" TMPDIR=$(mktemp -d) "$bin/fuzz/tar_header_fuzz" -runs=0 \
    -max_len=65536 "$1" >> fuzz/findings/tar_header_fuzz.log 2>&1 ||
    { echo "FAIL: replaying tar_header_fuzz's corpus failed (fuzz/findings/tar_header_fuzz.log)"; status=1; }
}

# The Go oracle over the dumped tars, in the main build's output base
# (oracle_test's test_directory); it keeps each disagreement in the corpus.
go_oracle() {
  echo "== Go oracle over $(find "$tars" -type f | wc -l) tars from tar_header_fuzz"
  if bazel test //tests/tar_oracle:oracle_test --test_output=all --test_timeout=3600 \
      --test_env=TAR_ORACLE_DIR="$PWD/$tars" \
      --test_env=TAR_ORACLE_KEEP="$PWD/tests/tar_oracle/corpus" > fuzz/findings/tar_oracle.log 2>&1; then
    echo "PASS: $(grep -a '^tar oracle:' fuzz/findings/tar_oracle.log)"
  else
    sed -n '/^tar oracle:\|^FAIL:\|^ERROR:/,$p' fuzz/findings/tar_oracle.log | head -150
    echo "FAIL: Go reads some tars differently; kept in tests/tar_oracle/corpus/ (git status), log in fuzz/findings/tar_oracle.log"
    status=1
  fi
}

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
  [[ $target != tar_header_fuzz ]] || dump_tars "$corpus"
  rm -rf "$corpus"
done
"${bazel_fuzz[@]}" shutdown
[[ ! -d $tars ]] || go_oracle
exit $status
