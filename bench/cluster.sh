#!/usr/bin/env bash
# The cluster of real processes (Identity, Discussions, Live and gateways from their Release builds, PostgreSQL, NATS
# JetStream): comments accepted by 1 vs 2 Discussions instances and deliveries through 1 vs 3 Live instances, each
# instance capped at the same CPU share (cgroup quota: run as root); then the cluster test's faults with default
# settings. Writes bench/results/cluster-<UTC time>.md and prints the same.
set -euo pipefail
cd "$(dirname "$0")/.."
# Small shares, so the capped instances are what limits (this machine's two cores also run PostgreSQL, NATS, Identity,
# the gateways and the load): 0.3 cores per Discussions instance did not bind (1.01x, the rest of the machine was the limit).
DISCUSSION_CORES=${DISCUSSION_CORES:-0.08}
LIVE_CORES=${LIVE_CORES:-0.05}
SECONDS_MEASURED=${SECONDS_MEASURED:-12}
for project in services/IWouldArgue.Identity.Host services/IWouldArgue.Discussions.Host services/IWouldArgue.Live.Host gateway/IWouldArgue.Gateway tests/IWouldArgue.Benchmarks; do
  dotnet build -c Release "$project" --nologo -v quiet -clp:ErrorsOnly
done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out="bench/results/cluster-$stamp.md"
{
  echo "# The cluster of real processes ($stamp)"
  echo
  echo "\`bash bench/cluster.sh\` on $(nproc) cores (DISCUSSION_CORES=$DISCUSSION_CORES LIVE_CORES=$LIVE_CORES SECONDS_MEASURED=$SECONDS_MEASURED)."
  echo
  dotnet tests/IWouldArgue.Benchmarks/bin/Release/net10.0/IWouldArgue.Benchmarks.dll cluster "$DISCUSSION_CORES" "$LIVE_CORES" "$SECONDS_MEASURED"
} | tee "$out"
echo "Wrote $out"
