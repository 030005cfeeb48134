#!/usr/bin/env bash
# Live fan-out, scenario (b) (20 discussions x 1,000 watchers x 5 comments/s), with the watchers spread over
# more and more connections: 100, 10 and 2 watch streams per connection (200, 2,000 and 10,000 connections;
# one per connection would need more file descriptors than this machine allows a process). A browser through
# the gRPC-Web gateway is a connection of its own; a gateway or service-mesh hop multiplexes many streams on
# one. Side by side for each spread: ours (the gateway, grpc-dotnet on Kestrel),
# the Kestrel floor, nats-server.
# Writes bench/results/fanout-connections-<UTC time>.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}
SPREADS=${SPREADS:-100 10 2}
RATE=${RATE:-5}

source bench/lib.sh
need nats-server=nats-server taskset=util-linux
prepare_bench
source bench/fanout-systems.sh

lines="$work/lines"
for STREAMS_PER_CONNECTION in $SPREADS; do
  ours 20 1000 "$RATE" | sed "s/^/per_connection=$STREAMS_PER_CONNECTION /"
  floor 20 1000 "$RATE" | sed "s/^/per_connection=$STREAMS_PER_CONNECTION /"
  nats 20 1000 "$RATE" | sed "s/^/per_connection=$STREAMS_PER_CONNECTION /"
done | tee "$lines"

file="bench/results/fanout-connections-$(date -u +%Y%m%dT%H%M%SZ).md"
mkdir -p bench/results
{
  echo "# Live fan-out by streams per connection, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/fanout-connections.sh\`: scenario (b), 20 discussions x 1,000 watchers x $RATE comments/s, ${SECONDS_PER_RATE} s"
  echo "after the warm-up, server pinned to CPU 0 and load to CPU 1 of $(nproc), as in bench/fanout.sh; stream k on connection k mod C;"
  echo "arrivals: $ARRIVALS (see bench/fanout.sh), the same for every system."
  echo
  echo "| streams per connection | system | delivered / expected | deliveries/s | server cores | deliveries/s per core | p50 ms | p99 ms | p99.9 ms |"
  echo "|---|---|---|---|---|---|---|---|---|"
  while read -r line; do
    echo "| $(field per_connection "$line") | $(field system "$line") | $(field delivered "$line") / $(field expected "$line") | $(field deliveries_per_second "$line") | $(field server_cores "$line") | $(field per_core "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field p999_ms "$line") |"
  done <"$lines"
  echo
  for spread in $SPREADS; do
    o=$(grep "^per_connection=$spread system=ours " "$lines" || true); f=$(grep "^per_connection=$spread system=floor " "$lines" || true)
    n=$(grep "^per_connection=$spread system=nats " "$lines" || true)
    echo "- $spread per connection, deliveries/s per server core: ours / nats-server $(ratio "$o" "$n"), ours / Kestrel floor $(ratio "$o" "$f"), Kestrel floor / nats-server $(ratio "$f" "$n")"
  done
} | tee "$file"
echo "Wrote $file"
