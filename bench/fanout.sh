#!/usr/bin/env bash
# Live fan-out: comment deliveries per second per server core, and post-to-receive latency
# (p50/p99/p99.9) of every delivery, for
#   (a) 1 discussion x 1,000 watchers x 5 comments/s
#   (b) 20 discussions x 1,000 watchers x 5 comments/s
#   (c) 20 discussions x 1,000 watchers at rising rates, to find the highest with p99 < 250 ms
# Reference, side by side in the same run: nats-server (Debian) core pub/sub with the same subjects,
# subscribers (spread over the same number of connections), rates, payload size and arrival pattern; and for (b) the floor of
# any Kestrel HTTP/2 fan-out (KestrelFanoutFloor: each comment written to its streams at once, nothing else),
# which separates what our fan-out costs from what HTTP/2 in Kestrel costs. Ours is grpc-dotnet on Kestrel.
# The server under test (our gateway: Discussions + Live embedded, SQLite, in-process pub/sub; or
# nats-server) is pinned to CPU 0, the load generator to CPU 1. Server CPU comes from /proc.
# Every system runs under each arrival pattern in ARRIVAL_PATTERNS (default both): staggered (discussion s
# posts at s/D of the interval, one comment per call, one PUB per write) and together (every discussion posts
# at the same instant). The pattern decides how much any server can put in one socket write, so ratios are
# only taken within one pattern.
# Writes bench/results/fanout-<UTC time>.md, the raw lines (.dat) and a plot of latency vs load (.png).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}
SWEEP_RATES=${SWEEP_RATES:-5,10,20,40}
# Watch streams (and nats subscriptions) per connection; stream k rides connection k mod C.
STREAMS_PER_CONNECTION=${STREAMS_PER_CONNECTION:-100}
ARRIVAL_PATTERNS=${ARRIVAL_PATTERNS:-staggered together}

source bench/lib.sh
need nats-server=nats-server gnuplot=gnuplot-nox taskset=util-linux
prepare_bench

source bench/fanout-systems.sh

lines="$work/lines"
for ARRIVALS in $ARRIVAL_PATTERNS; do
  {
    # One discussion has no other to be staggered against: (a) runs once.
    if [ "$ARRIVALS" = "${ARRIVAL_PATTERNS%% *}" ]; then
      ours 1 1000 5 | sed 's/^/scenario=a /'
      nats 1 1000 5 | sed 's/^/scenario=a /'
    fi
    ours 20 1000 "$SWEEP_RATES" | sed 's/^/scenario=b /'
    floor 20 1000 "$SWEEP_RATES" | sed 's/^/scenario=b /'
    nats 20 1000 "$SWEEP_RATES" | sed 's/^/scenario=b /'
  } | sed "s/^/arrivals=$ARRIVALS /"
done | tee "$lines"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
dat="bench/results/fanout-$stamp.dat"
echo "# system scenario arrivals rate deliveries_per_second p50_ms p99_ms p999_ms server_cores per_core" >"$dat"
while read -r line; do
  echo "$(field system "$line") $(field scenario "$line") $(field arrivals "$line") $(field rate "$line") $(field deliveries_per_second "$line") $(field p50_ms "$line") $(field p99_ms "$line") $(field p999_ms "$line") $(field server_cores "$line") $(field per_core "$line")" >>"$dat"
done <"$lines"

png="bench/results/fanout-$stamp.png"
plots=()
for pattern in $ARRIVAL_PATTERNS; do
  for system in ours floor nats; do
    plots+=("\"< grep '^$system b $pattern' $dat\" using 5:7 with linespoints title \"$system p99 ($pattern)\"")
  done
  plots+=("\"< grep '^ours b $pattern' $dat\" using 5:6 with linespoints title \"ours p50 ($pattern)\"")
done
plots+=("250 with lines dashtype 2 title \"goal p99 250 ms\"")
gnuplot <<PLOT
set terminal pngcairo size 1100,650
set output "$png"
set title "Live fan-out, 20 discussions x 1,000 watchers: post-to-receive latency vs load (server on 1 core)"
set xlabel "deliveries per second"
set ylabel "latency (ms)"
set logscale y
set key outside right
set grid
plot $(IFS=,; echo "${plots[*]}")
PLOT

file="bench/results/fanout-$stamp.md"
{
  echo "# Live fan-out, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/fanout.sh\` (${SECONDS_PER_RATE} s per rate after a 75 s warm-up (5 s for nats, which has no JIT); server pinned to CPU 0,"
  echo "load generator to CPU 1 of $(nproc); our server = the embedded gateway (Discussions + Live, SQLite, in-process pub/sub),"
  echo "grpc-dotnet on Kestrel)."
  echo "A delivery is one comment reaching one watcher; latency is from just before the PostComment call to the watcher reading it."
  echo "Kestrel floor: the same load against a Kestrel HTTP/2 server that writes each comment to its discussion's streams at once and"
  echo "does nothing else (no window, log, pub/sub, queues, resume or auth: tests/IWouldArgue.Benchmarks/KestrelFanoutFloor.cs)."
  echo "Reference: nats-server $(nats-server --version 2>/dev/null | awk '{print $2}') core pub/sub, same subjects x subscribers, connections, payload size and arrival pattern."
  echo "$STREAMS_PER_CONNECTION watch streams (nats subscriptions) per connection, stream k on connection k mod C, so each connection carries watchers of every discussion."
  echo
  echo "Arrivals: staggered = discussion s posts at s/D of the interval (one comment per call; nats: one PUB per write);"
  echo "together = every discussion posts at the same instant. Ratios compare systems under the same pattern only."
  echo
  echo "| system | arrivals | scenario | rate /s per discussion | delivered / expected | deliveries/s | server cores | deliveries/s per core | p50 ms | p99 ms | p99.9 ms | resyncs |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  while read -r line; do
    echo "| $(field system "$line") | $(field arrivals "$line") | $(field scenario "$line") ($(field discussions "$line") x $(field watchers "$line")) | $(field rate "$line") | $(field delivered "$line") / $(field expected "$line") | $(field deliveries_per_second "$line") | $(field server_cores "$line") | $(field per_core "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field p999_ms "$line") | $(field resyncs "$line") |"
  done <"$lines"
  echo
  # b <system>: that system's (b) line for the pattern and rate of the loops below.
  b() { grep "^arrivals=$pattern scenario=b system=$1 rate=$rate " "$lines" || true; }
  for pattern in $ARRIVAL_PATTERNS; do
    for rate in ${SWEEP_RATES//,/ }; do
      echo "- $pattern, (b) at $rate/s per discussion, deliveries/s per server core: ours / nats-server $(ratio "$(b ours)" "$(b nats)"),"\
           "ours / Kestrel floor $(ratio "$(b ours)" "$(b floor)"), Kestrel floor / nats-server $(ratio "$(b floor)" "$(b nats)")"
    done
    best=$(grep "^arrivals=$pattern scenario=b system=ours " "$lines" | awk '{for(i=1;i<=NF;i++){split($i,kv,"="); v[kv[1]]=kv[2]} if (v["p99_ms"] < 250 && v["delivered"] == v["expected"]) print v["rate"], v["deliveries_per_second"]}' | tail -1)
    echo "- $pattern, (c) highest rate swept with p99 < 250 ms and nothing lost: ${best:-none} (rate per discussion, deliveries/s)"
  done
  echo "- plot: $(basename "$png")"
} | tee "$file"
echo "Wrote $file"
