#!/usr/bin/env bash
# What checking access tokens costs the edge: checks per second on one thread for tokens seen for the
# first time (a full ES256 signature check) next to tokens verified before (remembered until expiry),
# in the same run. Writes bench/results/tokens-<UTC time>.md and prints the same table.
set -euo pipefail
cd "$(dirname "$0")/.."
TOKENS=${TOKENS:-20000}
source bench/lib.sh
dotnet build -c Release tests/IWouldArgue.Benchmarks --nologo -v quiet -clp:ErrorsOnly
line=$(dotnet tests/IWouldArgue.Benchmarks/bin/Release/net10.0/IWouldArgue.Benchmarks.dll tokens "$TOKENS")
mkdir -p bench/results
file="bench/results/tokens-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Access-token checks, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/tokens.sh\` ($TOKENS distinct tokens, one thread, Release build)."
  echo
  echo "| check | per second | µs each |"
  echo "|---|---|---|"
  for name in first_sight remembered; do
    rate=$(field "${name}_per_second" "$line")
    echo "| $name | $rate | $(awk -v r="$rate" 'BEGIN {printf "%.1f", 1000000 / r}') |"
  done
  echo
  echo "- remembered / first sight = $(awk -v a="$(field remembered_per_second "$line")" -v b="$(field first_sight_per_second "$line")" 'BEGIN {printf "%.0f", a / b}')x"
} | tee "$file"
echo "Wrote $file"
