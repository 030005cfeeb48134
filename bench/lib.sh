# Shared by the bench scripts (source it after `cd` to the repository root): building, free loopback ports,
# waiting for a port, and the gateway built in Release with every service embedded, its limits opened up.

# prepare_bench: builds the gateway and the bench tool in Release; sets bench_dll, work (a scratch folder,
# removed on exit) and pids (processes stopped on exit).
prepare_bench() {
  for project in gateway/IWouldArgue.Gateway tests/IWouldArgue.Benchmarks; do
    dotnet build -c Release "$project" --nologo -v quiet -clp:ErrorsOnly
  done
  bench_dll=$(pwd)/tests/IWouldArgue.Benchmarks/bin/Release/net10.0/IWouldArgue.Benchmarks.dll
  work=$(mktemp -d)
  pids=()
  # KEEP_WORK=1 keeps the servers' logs and data (the folder is printed) for a look after the run.
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi' EXIT
}

# field <name> <line>: the value of name=value in a line of the bench tool's output (names match exactly).
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

# need <command>=<Debian package> ...: installs the packages of the commands this machine lacks (the package lists are
# refreshed first: a fresh machine has none).
need() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}"); done
  ((${#missing[@]})) || return 0
  local sudo_cmd; sudo_cmd=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

# host_dir <project folder>: where to run a host from: its Release build, or with READY_TO_RUN=1 its publish with
# ReadyToRun code (compiled ahead of time, as a deployment would ship it: the JIT then compiles only the hot methods
# again, not every method a first time), made once per run under $work.
host_dir() {
  if [ -z "${READY_TO_RUN:-}" ]; then
    echo "$1/bin/Release/net10.0"
    return
  fi
  local out
  out="$work/r2r/$(basename "$1")"
  if [ ! -d "$out" ]; then
    dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true "$1" -o "$out" --nologo -v quiet -clp:ErrorsOnly >&2
  fi
  echo "$out"
}

# start_gateway [command prefix...]: e.g. `start_gateway taskset -c 0`. Sets gateway_pid and gateway_address.
# The per-user comment rate and the per-IP and per-user request rates are raised: bench users would hit them at once, and the
# limiters are not what is measured. Callers are trusted by header (no token checks), as in tests.
start_gateway() {
  local grpc web
  grpc=$(free_port); web=$(free_port)
  local dir
  dir=$(host_dir gateway/IWouldArgue.Gateway)
  (cd "$dir" && \
    Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$grpc" Kestrel__Endpoints__Web__Url="http://127.0.0.1:$web" \
    Logging__LogLevel__Default=Warning \
    Discussions__ConnectionString="Data Source=$work/bench-$grpc.db" Identity__ConnectionString="Data Source=$work/identity-$grpc.db" \
    Attachments__StoragePath="$work/blobs-$grpc" \
    Discussions__CommentsPerSecond=1000000 Discussions__CommentBurst=1000000 Live__MaxWatchersPerDiscussion=5000 Auth__TrustCallerHeaders=true \
    Gateway__IpRequestsPerSecond=1000000000 Gateway__IpBurst=1000000000 Gateway__UserRequestsPerSecond=1000000000 Gateway__UserBurst=1000000000 \
    Gateway__SignUpsPerAddressPerHour=1000000000 Gateway__SignInsPerAddressPerMinute=1000000000 Diagnostics__Enabled=true \
    exec "$@" dotnet IWouldArgue.Gateway.dll) >"$work/gateway-$grpc.log" 2>&1 &
  pids+=($!); gateway_pid=$!; gateway_address="http://127.0.0.1:$grpc"
  wait_port "$grpc"
}
