#!/usr/bin/env bash
# Comments accepted per second through the full path (gRPC call -> validate -> membership read ->
# append to the SQLite event log -> publish), for 1 and 50 live discussions, with p50/p99 latency.
# Reference, in the same run at the same concurrency: the unary Echo RPC of the same host, i.e. what the
# RPC layer alone delivers. The per-user comment rate limit is raised for the run: it would otherwise
# cap one bench user at 1 comment/s, and the limiter is not what is measured.
# Client and server share the machine's 2 cores (the client is not pinned); each load warms up 20 s, and the
# three loads run ROUNDS times (default 3), interleaved, each row reporting its median run.
# Beside the rates, the server's CPU time per call (user + system from /proc, so a shared machine's steal
# time does not count), and the ceiling: the SQLite event log alone on one thread, in batches of 16 as the
# appender forms them under this load, for 1 and for 50 discussions.
# Writes bench/results/comments-<UTC time>.md and prints the same table.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONCURRENCY=${CONCURRENCY:-32}
ROUNDS=${ROUNDS:-3}

source bench/lib.sh
prepare_bench
start_gateway

measure() { dotnet "$bench_dll" "$1" "$gateway_address" "${@:2}" "$gateway_pid"; }

# Rounds interleave the three loads, so a stretch of noise on this shared machine hits all of them; each row
# reports its median run (by rate) and every run's rate and p99.
runs_one=(); runs_fifty=(); runs_echo=()
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS: 1 discussion, 50 discussions, Echo ..." >&2
  runs_one+=("$(measure comments 1 "$SECONDS_PER_RUN" "$CONCURRENCY")")
  runs_fifty+=("$(measure comments 50 "$SECONDS_PER_RUN" "$CONCURRENCY")")
  runs_echo+=("$(measure echo "$SECONDS_PER_RUN" "$CONCURRENCY")")
done
# median <lines...>: the run with the median rate. all <name> <lines...>: that figure of every run, in run order.
median() { for l in "$@"; do echo "$(field ops_per_second "$l") $l"; done | sort -n | cut -d' ' -f2- | sed -n "$(( ($# + 1) / 2 ))p"; }
all() { local name=$1; shift; for l in "$@"; do field "$name" "$l"; done | paste -sd' '; }
one=$(median "${runs_one[@]}"); fifty=$(median "${runs_fifty[@]}"); echo_ref=$(median "${runs_echo[@]}")
echo "measuring the store alone ..." >&2
store=$(dotnet "$bench_dll" store 1 16 "$SECONDS_PER_RUN")
store50=$(dotnet "$bench_dll" store 50 16 "$SECONDS_PER_RUN")

mkdir -p bench/results
file="bench/results/comments-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Comment throughput, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/comments.sh\` (${SECONDS_PER_RUN}s per run after 20 s warm-up, $CONCURRENCY concurrent callers, SQLite in WAL mode,"
  echo "in-process pub/sub). Client and server share $(nproc) cores. Goal: >= 10,000 comments/s with p99 < 20 ms."
  echo
  echo "Each load ran $ROUNDS times, interleaved; a row shows its median run, then every run's rate and p99 in run order."
  echo
  echo "| load | per second | p50 ms | p99 ms | server CPU µs per call | per server core-second | every run: per second | every run: p99 ms |"
  echo "|---|---|---|---|---|---|---|---|"
  for row in "comments, 1 discussion|one" "comments, 50 discussions|fifty" "reference: unary Echo|echo"; do
    name=${row%%|*}; runs="runs_${row#*|}[@]"; line=$(median "${!runs}")
    us=$(field server_us_per_op "$line")
    echo "| $name | $(field ops_per_second "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $us | $(awk -v u="$us" 'BEGIN {printf "%.0f", 1e6 / u}') | $(all ops_per_second "${!runs}") | $(all p99_ms "${!runs}") |"
  done
  echo "| the store alone (1 thread, batches of 16), 1 discussion | $(field comments_per_second "$store") | | | | | | |"
  echo "| the store alone (1 thread, batches of 16), 50 discussions | $(field comments_per_second "$store50") | | | | | | |"
  echo
  echo "- comments (1 discussion) / Echo: $(awk -v a="$(field ops_per_second "$one")" -v b="$(field ops_per_second "$echo_ref")" 'BEGIN {printf "%.2f", a / b}') in rate,"\
       "$(awk -v a="$(field server_us_per_op "$echo_ref")" -v b="$(field server_us_per_op "$one")" 'BEGIN {printf "%.2f", a / b}') in server CPU per call"
  echo "- the store alone: append $(field append_us "$store") µs and mark published $(field mark_published_us "$store") µs per comment (1 discussion);"\
       "$(field append_us "$store50") and $(field mark_published_us "$store50") µs (50 discussions)"
} | tee "$file"
echo "Wrote $file"
