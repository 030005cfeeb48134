#!/usr/bin/env bash
# What the NATS building blocks cost a comment: the embedded gateway posting comments (DISCUSSIONS live discussions,
# default 20, each watched by one Watch stream so its events travel the pub/sub to Live; CONCURRENCY callers, default
# 32, each posting as one of POSTERS people, default 32; 10 s after warm-up) with in-process pub/sub and state, then with BuildingBlocks:Mode=nats against a local
# nats-server with JetStream, side by side in the same run. Prints and records the gateway's CPU per comment
# (user + system from /proc; nats-server's own CPU is not included) and, for NATS, the messages nats-server took in
# and sent out per comment (from its /varz over 5 s of the run).
# Writes bench/results/building-blocks-<UTC time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONCURRENCY=${CONCURRENCY:-32}
# Results before 2026-12-07 15:30 UTC were 1 discussion and 1 poster (every comment of that one person takes its turn at
# the shared per-person rate limit, so they measured that person's round trips to the state store as much as anything).
DISCUSSIONS=${DISCUSSIONS:-20}
POSTERS=${POSTERS:-32}
source bench/lib.sh
need nats-server=nats-server
prepare_bench
port=$(free_port); monitor=$(free_port)
nats-server -js -a 127.0.0.1 -p "$port" -m "$monitor" -sd "$work/js" >"$work/nats.log" 2>&1 &
pids+=($!)
wait_port "$port"

run() { # mode
  if [ "$1" = nats ]; then
    start_gateway env BuildingBlocks__Mode=nats Nats__Url="nats://127.0.0.1:$port" Nats__ConsumerGroup=bench
    ( sleep $((SECONDS_PER_RUN / 2)); curl -s "http://127.0.0.1:$monitor/varz" >"$work/varz1"; sleep 5; curl -s "http://127.0.0.1:$monitor/varz" >"$work/varz2" ) &
    sampler=$!
  else
    start_gateway
  fi
  echo "mode=$1 $(dotnet "$bench_dll" comments "$gateway_address" "$DISCUSSIONS" "$SECONDS_PER_RUN" "$CONCURRENCY" "$gateway_pid" "$POSTERS" 1)"
  if [ "$1" = nats ]; then wait "$sampler"; fi
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
}

inprocess=$(run inprocess)
nats=$(run nats)
msgs() { python3 -c "import json,sys; a=json.load(open('$work/varz1')); b=json.load(open('$work/varz2')); print(round((b['$1']-a['$1'])/5/float(sys.argv[1]),2))" "$(field ops_per_second "$nats")"; }
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out="bench/results/building-blocks-$stamp.md"
{
  echo "# What the NATS building blocks cost a comment ($stamp)"
  echo
  echo "\`bash bench/building-blocks.sh\` on $(nproc) cores (client, gateway and nats-server unpinned): PostComment on $DISCUSSIONS discussions (each watched),"
  echo "$CONCURRENCY callers posting as $POSTERS people, $SECONDS_PER_RUN s after warm-up; the gateway's CPU only (nats-server's not counted)."
  echo
  echo "| building blocks | comments/s | p50 ms | p99 ms | gateway CPU µs per comment |"
  echo "|---|---|---|---|---|"
  for line in "$inprocess" "$nats"; do
    echo "| $(field mode "$line") | $(field ops_per_second "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field server_us_per_op "$line") |"
  done
  echo
  echo "- CPU per comment, nats / in-process: $(python3 -c "print(round($(field server_us_per_op "$nats")/$(field server_us_per_op "$inprocess"),2))")"
  echo "- nats-server messages per comment: $(msgs in_msgs) in, $(msgs out_msgs) out"
  echo
  echo '```'
  echo "$inprocess"
  echo "$nats"
  echo '```'
} >"$out"
cat "$out"
