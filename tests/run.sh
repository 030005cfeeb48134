#!/usr/bin/env bash
# The whole test suite, on a fresh machine or an old one: installs what the tests need (idempotently),
# builds, runs every xunit project, and ends with "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Debian packages: Chromium (and an emoji font) for the browser tests, nats-server and PostgreSQL for the building blocks' and store's tests.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
# A colour emoji font, so the screenshots show reactions as people see them (not empty boxes).
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} ..."
  sudo_cmd=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages of the independent implementations (grpc-js, buf, protobuf-ts, playwright-core), reinstalled
# only when the lockfile changes.
interop="$root/tests/interop"
stamp="$interop/node_modules/.lock-hash"
hash=$(cat "$interop/package.json" "$interop/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "Installing npm packages for the interop tests ..."
  (cd "$interop" && npm install --no-audit --no-fund --loglevel=error)
  echo "$hash" > "$stamp"
fi

dotnet build IWouldArgue.sln --nologo -v quiet

results="$root/artifacts/test-results"
rm -rf "$results"
status=0
dotnet test IWouldArgue.sln --no-build --nologo --logger "trx" --results-directory "$results" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
