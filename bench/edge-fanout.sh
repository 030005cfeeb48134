#!/usr/bin/env bash
# Live fan-out through the gateway tier (the mesh: the Discussions host, a Live host, the JetStream broker between them,
# and a gateway in front holding one shared Watch per discussion and fanning it out to its own watchers), 20 discussions x 1,000 watchers at
# 5 (and 10) comments/s, staggered arrivals, 100 watch streams per connection: deliveries per server core and
# post-to-receive p50/p99/p99.9. Side by side in the same run, each on the same one core (CPU 0; the load on CPU 1):
#   tier      the four processes together (their CPU summed), every Watch through the gateway's edge fan-out
#   embedded  the embedded default (one process: gateway, Discussions and Live), as bench/fanout.sh's "ours"
#   floor     the least any fan-out over Kestrel's HTTP/2 does (one pre-encoded frame written to every stream, nothing else)
#   nats      nats-server core pub/sub with the same subjects, subscribers, rates and payloads
# Goal (issue 16): the tier keeps p99 < 250 ms at 5/s and delivers >= 0.5x nats per core. DISCUSSIONS (default 20)
# sets how many discussions of 1,000 watchers; the load tool counts streams that end before their first frame (none
# since the services behind the gateway stopped applying Kestrel's minimum request body rate). TIER_LOG_LEVEL sets the
# tier processes' log level (default Warning). SYSTEMS picks which run (default tier,embedded,floor,nats).
# READY_TO_RUN=1 runs the tier's hosts and the embedded gateway from a ReadyToRun publish (host_dir, bench/lib.sh).
# Writes bench/results/edge-fanout-<UTC time>.md with the raw lines.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}
RATES=${RATES:-5,10}
STREAMS_PER_CONNECTION=${STREAMS_PER_CONNECTION:-100}
DISCUSSIONS=${DISCUSSIONS:-20}
ARRIVALS=staggered
# Which systems to run (default all three); the tier's line also says each process's share of the core
# (server_cores_each: gateway/Live/Discussions/nats-server).
SYSTEMS=${SYSTEMS:-tier,embedded,floor,nats}
# The tier's warm-up (default 200 s; WARMUP_SECONDS sets the others', default 75): four processes tiering their JIT up
# on one shared core take minutes. Measured with DOTNET_JitDisasmSummary at 75 s: each still recompiling 30-60 hot
# methods a second (bench/results/edge-fanout-20261207T200419Z.md); after 240 s the same tier took 0.11 cores for
# Discussions instead of 0.15-0.22, and p99 260 ms instead of 468 (...201151Z.md).
TIER_WARMUP_SECONDS=${TIER_WARMUP_SECONDS:-200}

source bench/lib.sh
need nats-server=nats-server taskset=util-linux
prepare_bench
for project in services/IWouldArgue.Discussions.Host services/IWouldArgue.Live.Host; do
  dotnet build -c Release "$project" --nologo -v quiet -clp:ErrorsOnly
done
source bench/fanout-systems.sh

tier() { # discussions watchers rates
  local key grpc web live_grpc live_web gateway_grpc gateway_web nats_port discussions_pid live_pid nats_pid
  local discussions_dir live_dir gateway_dir
  discussions_dir=$(host_dir services/IWouldArgue.Discussions.Host); live_dir=$(host_dir services/IWouldArgue.Live.Host)
  gateway_dir=$(host_dir gateway/IWouldArgue.Gateway)
  key=$(head -c 32 /dev/urandom | base64)
  grpc=$(free_port); web=$(free_port); live_grpc=$(free_port); live_web=$(free_port); gateway_grpc=$(free_port); gateway_web=$(free_port)
  nats_port=$(free_port)
  # Discussions and Live are separate processes: their events go through a JetStream broker (on the same core).
  taskset -c 0 nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work/nats-$nats_port" >"$work/tier-nats-$nats_port.log" 2>&1 &
  pids+=($!); nats_pid=$!
  wait_port "$nats_port"
  local common=(Logging__LogLevel__Default=${TIER_LOG_LEVEL:-Warning} Auth__GatewayKey="$key" BuildingBlocks__Mode=nats
    Nats__Url="nats://127.0.0.1:$nats_port" Discussions__ConnectionString="Data Source=$work/tier-$grpc.db")
  (cd "$discussions_dir" && \
    exec env "${common[@]}" Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$grpc" Kestrel__Endpoints__Web__Url="http://127.0.0.1:$web" \
    Nats__ConsumerGroup=discussions Attachments__StoragePath="$work/tier-blobs-$grpc" \
    Discussions__CommentsPerSecond=1000000 Discussions__CommentBurst=1000000 \
    taskset -c 0 dotnet IWouldArgue.Discussions.Host.dll) >"$work/discussions-$grpc.log" 2>&1 &
  pids+=($!); discussions_pid=$!
  wait_port "$grpc"
  (cd "$live_dir" && \
    exec env "${common[@]}" Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$live_grpc" Kestrel__Endpoints__Web__Url="http://127.0.0.1:$live_web" \
    Nats__ConsumerGroup=live Live__MaxWatchersPerDiscussion=5000 Live__InstanceId=live-bench Live__AdvertisedAddress="http://127.0.0.1:$live_grpc" \
    taskset -c 0 dotnet IWouldArgue.Live.Host.dll) >"$work/live-$live_grpc.log" 2>&1 &
  pids+=($!); live_pid=$!
  wait_port "$live_grpc"
  (cd "$gateway_dir" && \
    exec env "${common[@]}" Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$gateway_grpc" Kestrel__Endpoints__Web__Url="http://127.0.0.1:$gateway_web" \
    Nats__ConsumerGroup=gateway Auth__TrustCallerHeaders=true Identity__ConnectionString="Data Source=$work/tier-identity-$gateway_grpc.db" \
    Gateway__Upstreams__Discussions__Address="http://127.0.0.1:$grpc" Gateway__Upstreams__Live__Address="http://127.0.0.1:$live_grpc" \
    Gateway__IpRequestsPerSecond=1000000000 Gateway__IpBurst=1000000000 Gateway__UserRequestsPerSecond=1000000000 Gateway__UserBurst=1000000000 \
    taskset -c 0 dotnet IWouldArgue.Gateway.dll) >"$work/tier-gateway-$gateway_grpc.log" 2>&1 &
  pids+=($!); local tier_gateway_pid=$!
  wait_port "$gateway_grpc"
  echo "tier: $1 x $2 at $3 /s, $STREAMS_PER_CONNECTION streams per connection ..." >&2
  WARMUP_SECONDS=$TIER_WARMUP_SECONDS taskset -c 1 dotnet "$bench_dll" fanout "http://127.0.0.1:$gateway_grpc" "$tier_gateway_pid,$live_pid,$discussions_pid,$nats_pid" "$1" "$2" "$3" "$SECONDS_PER_RATE" "$STREAMS_PER_CONNECTION" "$ARRIVALS" | sed 's/^/system=tier /'
  kill "$tier_gateway_pid" "$live_pid" "$discussions_pid" "$nats_pid"; wait "$tier_gateway_pid" "$live_pid" "$discussions_pid" "$nats_pid" 2>/dev/null || true
}

lines="$work/lines"
{
  [[ ,$SYSTEMS, == *,tier,* ]] && tier "$DISCUSSIONS" 1000 "$RATES"
  [[ ,$SYSTEMS, == *,embedded,* ]] && ours "$DISCUSSIONS" 1000 "$RATES" | sed 's/system=ours/system=embedded/'
  [[ ,$SYSTEMS, == *,floor,* ]] && floor "$DISCUSSIONS" 1000 "$RATES"
  [[ ,$SYSTEMS, == *,nats,* ]] && nats "$DISCUSSIONS" 1000 "$RATES"
  true
} | tee "$lines"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out="bench/results/edge-fanout-$stamp.md"
{
  echo "# Live fan-out through the gateway tier ($stamp)"
  echo
  echo "\`bash bench/edge-fanout.sh\` on $(nproc) cores: every server on CPU 0 (the tier's four processes together: gateway, Live, Discussions, nats-server), the load on CPU 1;"
  echo "$DISCUSSIONS discussions x 1,000 watchers, staggered arrivals, $STREAMS_PER_CONNECTION streams per connection, $SECONDS_PER_RATE s per rate."
  echo
  echo "| system | rate /s | deliveries/s | p50 ms | p99 ms | p99.9 ms | server cores | deliveries per core |"
  echo "|---|---|---|---|---|---|---|---|"
  while read -r line; do
    echo "| $(field system "$line") | $(field rate "$line") | $(field deliveries_per_second "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field p999_ms "$line") | $(field server_cores "$line") | $(field per_core "$line") |"
  done < <(grep '^system=' "$lines")
  echo
  for rate in ${RATES//,/ }; do
    t=$(grep "^system=tier .*rate=$rate " "$lines" | head -1 || true)
    e=$(grep "^system=embedded .*rate=$rate " "$lines" | head -1 || true)
    n=$(grep "^system=nats .*rate=$rate " "$lines" | head -1 || true)
    f=$(grep "^system=floor .*rate=$rate " "$lines" | head -1 || true)
    if [ -n "$t" ] && [ -n "$n" ]; then
      echo "- $rate/s: tier/nats per core $(ratio "$t" "$n"), tier/embedded $( [ -n "$e" ] && ratio "$t" "$e" || echo n/a ), tier/Kestrel floor $( [ -n "$f" ] && ratio "$t" "$f" || echo n/a ), Kestrel floor/nats $( [ -n "$f" ] && ratio "$f" "$n" || echo n/a ); tier p99 $(field p99_ms "$t") ms (each tier process's cores, gateway/Live/Discussions/nats-server: $(field server_cores_each "$t"))"
    fi
  done
  echo
  echo "Raw lines:"
  echo
  echo '```'
  cat "$lines"
  echo '```'
} >"$out"
cat "$out"
