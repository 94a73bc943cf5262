# Shared by the bench and fault scripts: the release binary, and a production-like
# environment with dummy secrets (nothing here reaches an outside service).
# Source it after `cd` to the project root; set BENCH_DB_NAME first to pick the database.

source scripts/versions.env
BIN="${CARGO_TARGET_DIR:-target}/release/metropolitan"
[[ -x "$BIN" ]] || { echo "missing $BIN: run cargo leptos build --release first" >&2; exit 1; }

BASE_DB="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
export DATABASE_URL="${BASE_DB%/*}/${BENCH_DB_NAME:-metropolitan_bench}"
export APP_ENV=production LOG_FORMAT=json RUST_LOG="${RUST_LOG:-error}"
export JWT_SECRET=benchmark-only-secret-0123456789abcdef STRIPE_SECRET_KEY=unused STRIPE_WEBHOOK_SECRET=unused
export TWILIO_ACCOUNT_SID=unused TWILIO_AUTH_TOKEN=unused TWILIO_FROM=unused
# Notices never leave the machine: SMS go to a closed local port (they wait and retry) and
# pushes and e-mail to the log, unless a script points them at its local fakes.
export TWILIO_BASE_URL="${TWILIO_BASE_URL:-http://127.0.0.1:9}" EXPO_PUSH_URL="${EXPO_PUSH_URL-}"
export SELLER_NAME="Benchmark Sp. z o.o." SELLER_NIP=5260250274 SELLER_STREET="ul. Testowa 1"
export SELLER_POSTAL_CODE=00-001 SELLER_CITY=Warszawa PUBLIC_URL=http://127.0.0.1
export UPLOAD_DIR="${UPLOAD_DIR:-$(mktemp -d)}" LEPTOS_SITE_ROOT=target/site
export REDIS_URL="${REDIS_URL-redis://127.0.0.1:6379}"

# Creates the database when missing (the server migrates it on start).
ensure_database() {
  psql "${BASE_DB%/*}/postgres" -qtAc "select 1 from pg_database where datname = '${DATABASE_URL##*/}'" | grep -q 1 \
    || psql "${BASE_DB%/*}/postgres" -qc "create database ${DATABASE_URL##*/}" >/dev/null
}

# wait_ready PORT: until /health/ready answers 200 (at most 10 s).
wait_ready() {
  for _ in $(seq 1 1000); do
    curl -fs -o /dev/null "http://127.0.0.1:$1/health/ready" && return 0
    sleep 0.01
  done
  echo "the server on port $1 did not become ready" >&2
  return 1
}
