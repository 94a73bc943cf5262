#!/usr/bin/env bash
# The oversell benchmark: PROCESSES release servers sharing one Postgres (and one Redis),
# BUYERS customers checking out a hot product with STOCK units at the same moment; once
# with the Redis stock gate and once on Postgres alone. Prints orders accepted, stock left
# and checkouts/s, and fails if anything was oversold.
#   bench/oversell.sh [PROCESSES] [BUYERS] [STOCK]
# Needs `cargo leptos build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env

PROCESSES="${1:-2}"
BUYERS="${2:-1000}"
STOCK="${3:-100}"
BIN="${CARGO_TARGET_DIR:-target}/release/metropolitan"
[[ -x "$BIN" ]] || { echo "missing $BIN: run cargo leptos build --release first" >&2; exit 1; }

BASE_DB="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
export DATABASE_URL="${BASE_DB%/*}/metropolitan_bench_oversell"
export APP_ENV=production LOG_FORMAT=json RUST_LOG=error
export JWT_SECRET=benchmark-only-secret-0123456789abcdef STRIPE_SECRET_KEY=unused STRIPE_WEBHOOK_SECRET=unused
export TWILIO_ACCOUNT_SID=unused TWILIO_AUTH_TOKEN=unused TWILIO_FROM=unused
export SELLER_NAME="Benchmark Sp. z o.o." SELLER_NIP=5260250274 SELLER_STREET="ul. Testowa 1"
export SELLER_POSTAL_CODE=00-001 SELLER_CITY=Warszawa PUBLIC_URL=http://127.0.0.1
export UPLOAD_DIR="${UPLOAD_DIR:-$(mktemp -d)}" LEPTOS_SITE_ROOT=target/site
# Each process gets a share of the connections a small Postgres allows.
export DATABASE_MAX_CONNECTIONS="${DATABASE_MAX_CONNECTIONS:-20}"
FIRST_PORT="${BENCH_PORT:-3091}"

psql "${BASE_DB%/*}/postgres" -qtAc "select 1 from pg_database where datname = 'metropolitan_bench_oversell'" | grep -q 1 \
  || psql "${BASE_DB%/*}/postgres" -qc "create database metropolitan_bench_oversell" >/dev/null
"$BIN" seed --products 100 >/dev/null

PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap stop EXIT

# run LABEL REDIS_URL: start the processes, stampede, stop them.
run() {
  local label="$1" redis="$2" urls="" port
  for i in $(seq 0 $((PROCESSES - 1))); do
    port=$((FIRST_PORT + i))
    REDIS_URL="$redis" REDIS_KEY_PREFIX="oversell:$$:$label:" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
      "$BIN" serve &
    PIDS+=($!)
    urls+="${urls:+,}http://127.0.0.1:$port"
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  done
  python3 bench/oversell.py --db "$DATABASE_URL" --secret "$JWT_SECRET" --urls "$urls" \
    --buyers "$BUYERS" --stock "$STOCK" --label "$PROCESSES processes, $label"
  stop
}

run "Redis gate" "${REDIS_URL:-redis://127.0.0.1:6379}"
run "Postgres alone" ""
