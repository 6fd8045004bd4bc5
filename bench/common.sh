# Helpers shared by the benchmark scripts; source it, don't run it.

# bench_input MB: prints the path of a realistic tar of about MB megabytes
# from /usr, made once and cached under ~/.cache/imagewriter/bench.
bench_input() {
  local cache=~/.cache/imagewriter/bench
  local input="$cache/usr-$1M.tar"
  mkdir -p "$cache"
  [[ -f "$input" ]] || python3 "$(dirname "${BASH_SOURCE[0]}")/make_input.py" "$input" "$1"
  echo "$input"
}

# seconds CMD...: runs CMD once, prints its wall time. A failed CMD is
# reported on stderr and recorded in $bench_failures, if set: it runs in a
# subshell, where a variable would not outlive it, and a time of a command
# that failed must not pass for a result.
seconds() {
  local start end
  start=$(date +%s.%N)
  if ! "$@" >/dev/null 2>&1; then
    echo "FAILED: $*" >&2
    [[ -z ${bench_failures:-} ]] || echo "$*" >>"$bench_failures"
  fi
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# median_seconds CMD...: runs CMD $runs times, prints the median wall time.
median_seconds() {
  local times=()
  for _ in $(seq "$runs"); do times+=("$(seconds "$@")"); done
  median "${times[@]}"
}

# paired A B: runs commands A and B alternately, $runs times each, so that
# drift in the machine's load hits both alike. Prints the median time of
# each and the median of the per-pair ratios A/B.
paired() {
  local a=() b=() ratios=() ta tb
  for _ in $(seq "$runs"); do
    ta=$(seconds $1)
    tb=$(seconds $2)
    a+=("$ta")
    b+=("$tb")
    ratios+=("$(echo "$ta / $tb" | bc -l)")
  done
  echo "$(median "${a[@]}") $(median "${b[@]}") $(median "${ratios[@]}")"
}

# bench_size DEFAULT ARGS...: the --size MB of a script that takes only that
# flag (DEFAULT when absent); exits 2 on any other argument.
bench_size() {
  local size=$1
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --size) size=$2; shift 2 ;;
      *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
  done
  echo "$size"
}
