#!/usr/bin/env bash
# The edge's two figures: cold start of the embedded default (process start to the first successful
# grpc.health.v1.Health/Check) and the size of the built web client, gzipped.
# References in the same run: the cold start of grpc-dotnet alone (with health checks) on a slim host (taking turns with the
# gateway in every round), and the smallest connect-web client of ours (one generated service, one call)
# built by the same Vite, i.e. the floor any client on this stack pays.
# Writes bench/results/edge-<UTC time>.md and prints the same table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}

for project in gateway/IWouldArgue.Gateway tests/IWouldArgue.Benchmarks; do
  dotnet build -c Release "$project" --nologo -v quiet -clp:ErrorsOnly
done
bench_dll=$(pwd)/tests/IWouldArgue.Benchmarks/bin/Release/net10.0/IWouldArgue.Benchmarks.dll
gateway_dir=$(pwd)/gateway/IWouldArgue.Gateway/bin/Release/net10.0

echo "measuring cold starts ($ROUNDS rounds) ..." >&2
starts=$(dotnet "$bench_dll" coldstart "$gateway_dir" "$ROUNDS")
field() { grep "^$1 " <<<"$starts" | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"; }

# The reference client: built from a throwaway folder inside gateway/web, so it resolves the same packages.
web=gateway/web
reference=$web/.bench-reference
work=$(mktemp -d)
trap 'rm -rf "$reference" "$work"' EXIT
mkdir -p "$reference"
cat >"$reference/index.html" <<'HTML'
<!doctype html><html><body><script type="module" src="./main.ts"></script></body></html>
HTML
cat >"$reference/main.ts" <<'TS'
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { Health } from "../src/gen/grpc/health/v1/health_pb";
const health = createClient(Health, createGrpcWebTransport({ baseUrl: location.origin }));
health.check({}).then((r) => document.body.append(String(r.status)));
TS
(cd "$web" && npx --no-install vite build .bench-reference --outDir "$work/reference" --emptyOutDir --logLevel error)
# What a page load fetches (everything but the voice chunk, which loads only when someone joins voice).
files() { find "$1" -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' \) ! -name 'livekit-client*' "${@:2}"; }
gz() { files "$@" -exec cat {} + | gzip -9 | wc -c; }
raw() { files "$@" -exec cat {} + | wc -c; }
app_gz=$(gz "$web/dist"); app_raw=$(raw "$web/dist")
ref_gz=$(gz "$work/reference"); ref_raw=$(raw "$work/reference")
voice=$(find "$web/dist" -name 'livekit-client*.js' | head -1)
voice_raw=$(wc -c <"$voice"); voice_gz=$(gzip -9 <"$voice" | wc -c)

mkdir -p bench/results
file="bench/results/edge-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Edge: cold start and web client size, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`bash bench/edge.sh\` (Release build, $ROUNDS rounds taking turns, $(nproc) cores shared with the prober)."
  echo
  echo "| cold start (process start to first OK Health.Check) | median ms | min ms | max ms |"
  echo "|---|---|---|---|"
  for name in gateway-fresh-data gateway-existing-data reference-runtime; do
    echo "| $name | $(field "$name" median_ms) | $(field "$name" min_ms) | $(field "$name" max_ms) |"
  done
  echo
  echo "- gateway (fresh data) / reference = $(awk -v a="$(field gateway-fresh-data median_ms)" -v b="$(field reference-runtime median_ms)" 'BEGIN {printf "%.2f", a / b}')"
  echo "  (fresh data: both SQLite schemas are created and a signing key is made; existing data: they are read)"
  echo
  echo "| web client (js + css + html) | bytes | gzip -9 bytes |"
  echo "|---|---|---|"
  echo "| the IWouldArgue web client, page load | $app_raw | $app_gz |"
  echo "| reference: one connect-web call of one generated service | $ref_raw | $ref_gz |"
  echo "| the voice chunk (livekit-client), loaded on joining voice | $voice_raw | $voice_gz |"
  echo
  echo "- web client / reference (gzip) = $(awk -v a="$app_gz" -v b="$ref_gz" 'BEGIN {printf "%.2f", a / b}')"
} | tee "$file"
echo "Wrote $file"
