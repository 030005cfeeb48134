#!/usr/bin/env bash
# Live:AlignBatchWindows, true against false, on the fan-out's scenario (b) (20 discussions x 1,000 watchers,
# 100 watch streams per connection, staggered arrivals) at 5 and 10 comments/s per discussion, in interleaved
# rounds (ROUNDS, default 2). Writes bench/results/fanout-align-<UTC time>.md with every run's line.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}; STREAMS_PER_CONNECTION=100; ARRIVALS=staggered; ROUNDS=${ROUNDS:-2}
source bench/lib.sh
prepare_bench
source bench/fanout-systems.sh
lines="$work/lines"
for round in $(seq "$ROUNDS"); do
  for align in true false; do
    Live__AlignBatchWindows=$align ours 20 1000 5,10 | sed "s/^/round=$round align=$align /"
  done
done | tee "$lines"
mkdir -p bench/results
file="bench/results/fanout-align-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Live:AlignBatchWindows true vs false, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/fanout-align.sh\` ($ROUNDS interleaved rounds, ${SECONDS_PER_RATE} s per rate after the 75 s warm-up; server on CPU 0, load on CPU 1)."
  echo
  echo "| round | aligned | rate /s | delivered / expected | server cores | p50 ms | p99 ms | p99.9 ms |"
  echo "|---|---|---|---|---|---|---|---|"
  while read -r line; do
    echo "| $(field round "$line") | $(field align "$line") | $(field rate "$line") | $(field delivered "$line") / $(field expected "$line") | $(field server_cores "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field p999_ms "$line") |"
  done <"$lines"
} >"$file"
cat "$file"
echo "Wrote $file"
