# Sourced by scripts/e2e.sh and scripts/api-fuzz.sh (after `cd` to the project root, with
# NAME set): the release server on a fresh, seeded database of its own, port 0, Redis keys
# under NAME:PID:, everything removed on exit. Sets ADDR (host:port), PID, WORK (its
# server.log is there) and the seeded admin's SEED_ADMIN_EMAIL and SEED_ADMIN_PASSWORD.

source scripts/versions.env
BIN="${CARGO_TARGET_DIR:-target}/release/metropolitan"
[[ -x "$BIN" ]] || { echo "missing $BIN: run cargo leptos build --release first" >&2; exit 1; }

BASE_URL_DB="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
TEST_DB="metropolitan_${NAME}_$$"
WORK=$(mktemp -d)
export APP_ENV=test
export DATABASE_URL="${BASE_URL_DB%/*}/$TEST_DB"
export REDIS_KEY_PREFIX="$NAME:$$:"
export UPLOAD_DIR="$WORK/uploads" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR=127.0.0.1:0
export LOG_FORMAT=json RUST_LOG=info
export SEED_ADMIN_EMAIL=admin@metropolitan.local
export SEED_ADMIN_PASSWORD="$NAME-$(date +%s)-admin-password"

PID=""
cleanup() {
  [[ -n "$PID" ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  # A caller's own clean-up (e2e.sh stops its mail server).
  if declare -F extra_cleanup >/dev/null; then extra_cleanup; fi
  psql "${BASE_URL_DB%/*}/postgres" -qc "drop database if exists $TEST_DB with (force)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 --scan --pattern "$NAME:$$:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
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
