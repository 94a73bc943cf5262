#!/usr/bin/env bash
# Fuzzes the JSON API from its own OpenAPI document with schemathesis, against the release
# build on a fresh, seeded database, signed in as the seeded admin (so admin and customer
# operations are both reached): no 5xx, every status, content type, header and body as
# documented, malformed input refused.
#   scripts/api-fuzz.sh [EXAMPLES_PER_OPERATION] [more schemathesis options]
# `make test` runs a bounded number of examples; `make test-faults` runs more.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env

EXAMPLES="${1:-20}"
shift || true
BIN="${CARGO_TARGET_DIR:-target}/release/metropolitan"
[[ -x "$BIN" ]] || { echo "missing $BIN: run cargo leptos build --release first" >&2; exit 1; }
ST=.tools/venv/bin/schemathesis
[[ -x "$ST" ]] || { echo "missing $ST: run scripts/deps.sh --test" >&2; exit 1; }

BASE_URL_DB="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
FUZZ_DB="metropolitan_fuzz_$$"
WORK=$(mktemp -d)
export APP_ENV=test
export DATABASE_URL="${BASE_URL_DB%/*}/$FUZZ_DB"
export REDIS_KEY_PREFIX="fuzz:$$:"
export UPLOAD_DIR="$WORK/uploads" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR=127.0.0.1:0
export LOG_FORMAT=json RUST_LOG=info
export SEED_ADMIN_EMAIL=admin@metropolitan.local
export SEED_ADMIN_PASSWORD="fuzz-$(date +%s)-admin-password"

PID=""
cleanup() {
  [[ -n "$PID" ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  psql "${BASE_URL_DB%/*}/postgres" -qc "drop database if exists $FUZZ_DB with (force)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 --scan --pattern "fuzz:$$:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" seed >/dev/null
"$BIN" serve 2>"$WORK/server.log" &
PID=$!
ADDR=""
for _ in $(seq 1 100); do
  ADDR=$(grep -o '"addr":"[0-9.:]*"' "$WORK/server.log" | head -1 | cut -d'"' -f4 || true)
  [[ -n "$ADDR" ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$ADDR" ]] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

TOKEN=$(curl -fs -H 'content-type: application/json' \
  -d "{\"email\":\"$SEED_ADMIN_EMAIL\",\"password\":\"$SEED_ADMIN_PASSWORD\"}" \
  "http://$ADDR/api/v1/auth/login" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n "$TOKEN" ]] || { echo "could not sign in as the seeded admin" >&2; exit 1; }

# Operations that would end the run's own session are left out.
status=0
"$ST" run "http://$ADDR/api/v1/openapi.json" --url "http://$ADDR" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection \
  --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed "${FUZZ_SEED:-20261126}" \
  --generation-database none --no-color --suppress-health-check all --request-timeout 10 \
  --exclude-name 'DELETE /api/v1/me' --exclude-name 'POST /api/v1/me/sign-out-everywhere' \
  --exclude-name 'POST /api/v1/auth/logout' --exclude-name 'POST /api/v1/me/deletion/request' \
  -H "Authorization: Bearer $TOKEN" "$@" || status=$?
if grep -q '"level":"ERROR"' "$WORK/server.log"; then
  echo "the server logged errors during the run:" >&2
  grep '"level":"ERROR"' "$WORK/server.log" | tail -20 >&2
  status=1
fi
exit $status
