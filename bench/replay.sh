#!/usr/bin/env bash
# Archive.Replay's pace at 4x: how far each replayed comment arrives from its offset / 4 (p50/p99/max),
# over ROUNDS replays of a discussion of COMMENTS comments INTERVAL_MS apart, through the embedded gateway.
# Reference, side by side in the same run: the bench process's own timers set for the same moments (the
# best this machine keeps time at all). Client and server share the machine's cores.
# Writes bench/results/replay-<UTC time>.md and prints the same table.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMENTS=${COMMENTS:-40}
INTERVAL_MS=${INTERVAL_MS:-250}
ROUNDS=${ROUNDS:-10}

source bench/lib.sh
prepare_bench
start_gateway

echo "posting $COMMENTS comments $INTERVAL_MS ms apart, then replaying $ROUNDS times at 4x ..." >&2
line=$(dotnet "$bench_dll" replay "$gateway_address" "$COMMENTS" "$INTERVAL_MS" "$ROUNDS")

mkdir -p bench/results
file="bench/results/replay-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Replay pace at 4x, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/replay.sh\` ($COMMENTS comments ${INTERVAL_MS} ms apart, $ROUNDS replays after one warm-up, $(field frames "$line") comments"
  echo "measured; client and server share $(nproc) cores). Goal (issue 7): each within 100 ms of offset / 4."
  echo
  echo "| how far from offset / 4 | p50 ms | p99 ms | max ms |"
  echo "|---|---|---|---|"
  echo "| Archive.Replay through the gateway | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field max_ms "$line") |"
  echo "| reference: this process's own timers | $(field timer_p50_ms "$line") | $(field timer_p99_ms "$line") | $(field timer_max_ms "$line") |"
  echo
  echo "- replay p99 - timer p99 = $(awk -v a="$(field p99_ms "$line")" -v b="$(field timer_p99_ms "$line")" 'BEGIN {printf "%.1f", a - b}') ms"
} | tee "$file"
echo "Wrote $file"
