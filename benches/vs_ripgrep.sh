#!/usr/bin/env bash
# Times `trawl scan` against ripgrep running the same patterns over the same
# generated corpus, in one run, and prints the throughput ratio.
#
#   benches/vs_ripgrep.sh [SIZE] [ONE_IN] [RUNS]
#
# SIZE: corpus size (default 200M); ONE_IN: a personal value on about one
# line in N (default 50); RUNS: timed runs of each, alternated (default 5).
# Needs ripgrep (`apt-get install ripgrep`). These machines are noisy:
# read the ratio of medians, not the absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200M}
one_in=${2:-50}
runs=${3:-5}
command -v rg >/dev/null || { echo "ripgrep (rg) is not installed" >&2; exit 2; }
cargo build --release --quiet
trawl=target/release/trawl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$trawl" synth --bytes "$size" --one-in "$one_in" > "$work/corpus.txt"
"$trawl" rules --patterns > "$work/patterns.txt"
bytes=$(stat -c %s "$work/corpus.txt")

time_one() { # prints wall seconds of "$@"
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm the page cache and both binaries once. A ripgrep that cannot read
# the patterns exits 2 at once: its "throughput" would be nonsense.
time_one "$trawl" scan -q "$work/corpus.txt" > /dev/null
rg_status=0
rg --count-matches -f "$work/patterns.txt" "$work/corpus.txt" > /dev/null 2> "$work/rg.err" || rg_status=$?
if [ "$rg_status" -ge 2 ]; then
  echo "ripgrep $(rg --version | head -1 | cut -d' ' -f2) cannot run the patterns:" >&2
  tail -1 "$work/rg.err" >&2
  exit 2
fi
for threads in 1 2; do
  t_runs=(); r_runs=()
  for _ in $(seq "$runs"); do
    t_runs+=("$(time_one "$trawl" scan -q --threads "$threads" "$work/corpus.txt")")
    r_runs+=("$(time_one rg --count-matches -f "$work/patterns.txt" "$work/corpus.txt")")
  done
  t=$(printf '%s\n' "${t_runs[@]}" | median)
  r=$(printf '%s\n' "${r_runs[@]}" | median)
  printf 'corpus %s bytes, one value in %s lines, trawl --threads %s\n' "$bytes" "$one_in" "$threads"
  printf '  trawl   median %.3f s  (%.0f MB/s)\n' "$t" "$(awk -v b="$bytes" -v t="$t" 'BEGIN { print b / t / 1e6 }')"
  printf '  ripgrep median %.3f s  (%.0f MB/s)\n' "$r" "$(awk -v b="$bytes" -v t="$r" 'BEGIN { print b / t / 1e6 }')"
  printf '  throughput ratio trawl/ripgrep: %.2f\n' "$(awk -v r="$r" -v t="$t" 'BEGIN { print r / t }')"
done
