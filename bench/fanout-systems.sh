# The systems the fan-out benchmarks load (source after bench/lib.sh and prepare_bench): each function starts
# its server pinned to CPU 0, runs the load tool pinned to CPU 1 and prints its lines tagged system=...
# Arguments: discussions (subjects), watchers (subscribers) per discussion, rates. Uses SECONDS_PER_RATE and
# STREAMS_PER_CONNECTION (watch streams or nats subscriptions per connection; stream k on connection k mod C).
# ARRIVALS: staggered (the default) or together, see bench/fanout.sh.

ARRIVALS=${ARRIVALS:-staggered}

ours() { # discussions watchers rates: the embedded gateway, watch streams on Kestrel's HTTP/2 (grpc-dotnet)
  start_gateway taskset -c 0
  echo "ours: $1 x $2 at $3 /s, $STREAMS_PER_CONNECTION streams per connection ..." >&2
  taskset -c 1 dotnet "$bench_dll" fanout "$gateway_address" "$gateway_pid" "$1" "$2" "$3" "$SECONDS_PER_RATE" "$STREAMS_PER_CONNECTION" "$ARRIVALS" | sed 's/^/system=ours /'
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
}

floor() { # discussions watchers rates: the least any Kestrel HTTP/2 fan-out does (KestrelFanoutFloor)
  local port
  port=$(free_port)
  taskset -c 0 dotnet "$bench_dll" floor "$port" >"$work/floor-$port.log" 2>&1 &
  pids+=($!); local floor_pid=$!
  wait_port "$port"
  echo "kestrel floor: $1 x $2 at $3 /s, $STREAMS_PER_CONNECTION streams per connection ..." >&2
  taskset -c 1 dotnet "$bench_dll" fanout "http://127.0.0.1:$port" "$floor_pid" "$1" "$2" "$3" "$SECONDS_PER_RATE" "$STREAMS_PER_CONNECTION" "$ARRIVALS" | sed 's/^/system=floor /'
  kill "$floor_pid"; wait "$floor_pid" 2>/dev/null || true
}

nats() { # subjects subscribers rates
  local port connections
  port=$(free_port); connections=$(( ($1 * $2 + STREAMS_PER_CONNECTION - 1) / STREAMS_PER_CONNECTION ))
  taskset -c 0 nats-server -a 127.0.0.1 -p "$port" >"$work/nats-$port.log" 2>&1 &
  pids+=($!); local nats_pid=$!
  wait_port "$port"
  echo "nats: $1 x $2 at $3 /s, $connections connections ..." >&2
  taskset -c 1 dotnet "$bench_dll" nats "$port" "$nats_pid" "$1" "$2" "$3" "$SECONDS_PER_RATE" "$connections" "$ARRIVALS" | sed 's/^/system=nats /'
  kill "$nats_pid"; wait "$nats_pid" 2>/dev/null || true
}

# ratio <line a> <line b>: a's deliveries per server core over b's, for the reports.
ratio() { awk -v a="$(field per_core "$1")" -v b="$(field per_core "$2")" 'BEGIN {printf "%.2f", a / b}'; }
