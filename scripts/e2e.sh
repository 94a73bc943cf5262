#!/usr/bin/env bash
# Runs the Playwright tests against the release build on a freshly seeded database.
# Expects `cargo leptos build --release` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env

BIN="${CARGO_TARGET_DIR:-target}/release/metropolitan"
[[ -x "$BIN" ]] || { echo "missing $BIN: run cargo leptos build --release first" >&2; exit 1; }
[[ -f target/site/pkg/metropolitan.wasm ]] || { echo "missing target/site: run cargo leptos build --release" >&2; exit 1; }

BASE_URL_DB="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
E2E_DB="metropolitan_e2e_$$"
WORK=$(mktemp -d)
export APP_ENV=test
export DATABASE_URL="${BASE_URL_DB%/*}/$E2E_DB"
export REDIS_KEY_PREFIX="e2e:$$:"
export UPLOAD_DIR="$WORK/uploads"
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_ADDR=127.0.0.1:0
export LOG_FORMAT=json
export RUST_LOG=info
export SEED_ADMIN_EMAIL=admin@metropolitan.local
export SEED_ADMIN_PASSWORD="e2e-$(date +%s)-admin-password"

PID=""
cleanup() {
  [[ -n "$PID" ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  psql "${BASE_URL_DB%/*}/postgres" -qc "drop database if exists $E2E_DB with (force)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 --scan --pattern "e2e:$$:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" seed >/dev/null
"$BIN" serve 2>"$WORK/server.log" &
PID=$!

# The server binds port 0 and logs the address it got.
ADDR=""
for _ in $(seq 1 100); do
  ADDR=$(grep -o '"addr":"[0-9.:]*"' "$WORK/server.log" | head -1 | cut -d'"' -f4 || true)
  [[ -n "$ADDR" ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$ADDR" ]] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

cd end2end
BASE_URL="http://$ADDR" ADMIN_EMAIL="$SEED_ADMIN_EMAIL" ADMIN_PASSWORD="$SEED_ADMIN_PASSWORD" npx playwright test || { tail -50 "$WORK/server.log" >&2; exit 1; }
