#!/usr/bin/env bash
# The oversell benchmark: PROCESSES release servers sharing one Postgres (and one Redis),
# BUYERS customers checking out a hot product with STOCK units at the same moment; once
# with the Redis stock gate and once on Postgres alone. Prints orders accepted, stock left
# and checkouts/s, and fails if anything was oversold.
#   bench/oversell.sh [PROCESSES] [BUYERS] [STOCK]
# Needs `cargo leptos build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DB_NAME=metropolitan_bench_oversell
source bench/env.sh
# Each process gets a share of the connections a small Postgres allows.
export DATABASE_MAX_CONNECTIONS="${DATABASE_MAX_CONNECTIONS:-20}"
FIRST_PORT="${BENCH_PORT:-3091}"

ensure_database
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
    wait_ready "$port"
  done
  python3 bench/oversell.py --db "$DATABASE_URL" --secret "$JWT_SECRET" --urls "$urls" \
    --redis "$redis" --prefix "oversell:$$:$label:" \
    --buyers "$BUYERS" --stock "$STOCK" --label "$PROCESSES processes, $label"
  stop
}

run "Redis gate" "$REDIS_URL"
run "Postgres alone" ""
