#!/usr/bin/env bash
# Throughput of the gRPC server the product runs on (grpc-dotnet) next to two references, side by side in one run on this machine.
#   grpc-dotnet  grpc-dotnet + DiagnosticsService on the same slim host as "kestrel" (the runtime's own cost)
#   ours-gateway  the product gateway as shipped (host defaults, logging), same service
#   grpc-js       an @grpc/grpc-js server with the same service (tests/interop/grpcjs/server.mjs)
#   kestrel       bare Kestrel endpoints writing precomputed bytes (tests/IWouldArgue.Benchmarks "bare")
# Unary: h2load posts the same framed EchoRequest to each: requests/s, p99 latency, and server CPU time
# per request (from /proc, steadier than requests/s on a shared machine).
# Streaming: our client reads 1000-message EchoStream calls of 200-byte messages: messages/s.
# Servers run on CPU 0, load generators on CPU 1. Each server is warmed up first (the JIT needs ~20 s
# on one core); then targets alternate over ROUNDS rounds and the medians are reported.
# Writes bench/results/rpc-<UTC time>.md and prints the same table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
WARMUP_SECONDS=${WARMUP_SECONDS:-20}
STREAM_CALLS=${STREAM_CALLS:-200}
targets=(grpc-dotnet ours-gateway grpc-js kestrel)

command -v h2load >/dev/null || { apt-get update -qq && apt-get install -y -qq nghttp2-client >/dev/null; }
[ -d tests/interop/node_modules ] || (cd tests/interop && npm install --no-audit --no-fund --loglevel=error)
for project in gateway/IWouldArgue.Gateway tests/IWouldArgue.Benchmarks; do
  dotnet build -c Release "$project" --nologo -v quiet -clp:ErrorsOnly
done
bench_dll=$(pwd)/tests/IWouldArgue.Benchmarks/bin/Release/net10.0/IWouldArgue.Benchmarks.dll

work=$(mktemp -d)
declare -A port pid
cleanup() { for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_port() { for _ in $(seq 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

port[grpc-dotnet]=$(free_port); port[ours-gateway]=$(free_port); port[kestrel]=$(free_port); web=$(free_port)
taskset -c 0 dotnet "$bench_dll" runtime "${port[grpc-dotnet]}" >"$work/runtime.log" 2>&1 &
pid[grpc-dotnet]=$!
# Started from its output folder, so its appsettings.json (HTTP/2 on the gRPC endpoint) is the content root's.
(cd gateway/IWouldArgue.Gateway/bin/Release/net10.0 && \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:${port[ours-gateway]}" Kestrel__Endpoints__Web__Url="http://127.0.0.1:$web" \
  Logging__LogLevel__Default=Warning Gateway__IpRequestsPerSecond=1000000000 Gateway__IpBurst=1000000000 Gateway__SignUpsPerAddressPerHour=1000000000 Diagnostics__Enabled=true \
  Discussions__ConnectionString="Data Source=$work/discussions.db" Identity__ConnectionString="Data Source=$work/identity.db" \
  exec taskset -c 0 dotnet IWouldArgue.Gateway.dll) >"$work/gateway.log" 2>&1 &
pid[ours-gateway]=$!
taskset -c 0 dotnet "$bench_dll" bare "${port[kestrel]}" >"$work/bare.log" 2>&1 &
pid[kestrel]=$!
(cd tests/interop && exec taskset -c 0 node grpcjs/server.mjs) >"$work/grpcjs.log" 2>&1 &
pid[grpc-js]=$!
for _ in $(seq 100); do grep -q '^PORT ' "$work/grpcjs.log" && break; sleep 0.1; done
port[grpc-js]=$(sed -n 's/^PORT //p' "$work/grpcjs.log")
for target in "${targets[@]}"; do wait_port "${port[$target]}"; done

# EchoRequest{message:"hello"}, framed: flags 0, length 7, then the message.
printf '\x00\x00\x00\x00\x07\x0a\x05hello' >"$work/request.bin"

h2() { # target seconds [log] -> h2load output
  taskset -c 1 h2load -D "$2" -c 8 -m 16 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/request.bin" ${3:+--log-file "$3"} "http://127.0.0.1:${port[$1]}/iwouldargue.v1.DiagnosticsService/Echo"
}
stream() { taskset -c 1 dotnet "$bench_dll" stream "http://127.0.0.1:${port[$1]}" "$2" | sed -n 's/.*messages_per_second=\([0-9]*\).*/\1/p'; }

for target in "${targets[@]}"; do
  echo "warming up $target (${WARMUP_SECONDS}s) ..." >&2
  h2 "$target" "$WARMUP_SECONDS" >/dev/null
  stream "$target" 20 >/dev/null
done

declare -A rps p99 cpu msgs
for round in $(seq "$ROUNDS"); do
  for target in "${targets[@]}"; do
    log="$work/$target.h2load"
    before=$(cpu_ticks "${pid[$target]}")
    out=$(h2 "$target" "$SECONDS_PER_RUN" "$log")
    after=$(cpu_ticks "${pid[$target]}")
    grep -q ' 0 failed' <<<"$out" || { echo "$out" >&2; exit 1; }
    done_count=$(awk '/^requests:/ {print $8}' <<<"$out")
    r=$(awk '/finished in/ {print $4}' <<<"$out")
    p=$(cut -f3 "$log" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.2f", a[i]/1000}')
    c=$(awk -v t=$((after - before)) -v n="$done_count" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    s=$(stream "$target" "$STREAM_CALLS")
    rps[$target]+="$r "; p99[$target]+="$p "; cpu[$target]+="$c "; msgs[$target]+="$s "
    echo "round $round $target: $r req/s, p99 $p ms, $c us CPU/request, stream $s msg/s" >&2
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
declare -A m_rps m_p99 m_cpu m_msgs
for target in "${targets[@]}"; do
  m_rps[$target]=$(median "${rps[$target]}"); m_p99[$target]=$(median "${p99[$target]}")
  m_cpu[$target]=$(median "${cpu[$target]}"); m_msgs[$target]=$(median "${msgs[$target]}")
done

mkdir -p bench/results
file="bench/results/rpc-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# gRPC server throughput, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/rpc.sh\` (ROUNDS=$ROUNDS, ${WARMUP_SECONDS}s warm-up, ${SECONDS_PER_RUN}s per unary run with"
  echo "h2load -c 8 -m 16, $STREAM_CALLS x 1000-message streams). Servers pinned to CPU 0, load generators to CPU 1;"
  echo "medians over the rounds. $(nproc) cores, $(uname -r)."
  echo
  echo "| target | unary req/s | unary p99 ms | server CPU us/request | stream 200-byte msg/s | unary req/s per round |"
  echo "|---|---|---|---|---|---|"
  for target in "${targets[@]}"; do
    echo "| $target | ${m_rps[$target]} | ${m_p99[$target]} | ${m_cpu[$target]} | ${m_msgs[$target]} | ${rps[$target]}|"
  done
  echo
  echo "Ratios (goal: unary >= 2.0 x grpc-js and >= 0.80 x bare Kestrel):"
  echo
  echo "- grpc-dotnet / kestrel: unary $(ratio "${m_rps[grpc-dotnet]}" "${m_rps[kestrel]}"), CPU per request $(ratio "${m_cpu[kestrel]}" "${m_cpu[grpc-dotnet]}") (kestrel's CPU / ours), streaming $(ratio "${m_msgs[grpc-dotnet]}" "${m_msgs[kestrel]}")"
  echo "- ours-gateway / kestrel: unary $(ratio "${m_rps[ours-gateway]}" "${m_rps[kestrel]}"), CPU per request $(ratio "${m_cpu[kestrel]}" "${m_cpu[ours-gateway]}")"
  echo "- grpc-dotnet / grpc-js: unary $(ratio "${m_rps[grpc-dotnet]}" "${m_rps[grpc-js]}"), streaming $(ratio "${m_msgs[grpc-dotnet]}" "${m_msgs[grpc-js]}")"
  echo "- ours-gateway / grpc-js: unary $(ratio "${m_rps[ours-gateway]}" "${m_rps[grpc-js]}"), streaming $(ratio "${m_msgs[ours-gateway]}" "${m_msgs[grpc-js]}")"
} | tee "$file"
echo "Wrote $file"
