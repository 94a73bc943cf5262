#!/usr/bin/env bash
# Load benchmark on the release build: a catalog of N products (default 10000), then wrk at
# 32 connections against the JSON listing, a category page and a product page.
#   bench/run.sh [PRODUCTS] [SECONDS]
# Needs `cargo leptos build --release` first; installs wrk from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env

PRODUCTS="${1:-10000}"
SECONDS_PER_RUN="${2:-10}"
BIN="${CARGO_TARGET_DIR:-target}/release/metropolitan"
[[ -x "$BIN" ]] || { echo "missing $BIN: run cargo leptos build --release first" >&2; exit 1; }
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo -n apt-get install -y -qq wrk; }

BASE_DB="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
export DATABASE_URL="${BASE_DB%/*}/metropolitan_bench_$PRODUCTS"
export APP_ENV=production LOG_FORMAT=json RUST_LOG=warn
export JWT_SECRET=benchmark-only-secret-0123456789abcdef STRIPE_SECRET_KEY=unused STRIPE_WEBHOOK_SECRET=unused
export TWILIO_ACCOUNT_SID=unused TWILIO_AUTH_TOKEN=unused TWILIO_FROM=unused
export SELLER_NAME="Benchmark Sp. z o.o." SELLER_NIP=5260250274 SELLER_STREET="ul. Testowa 1"
export SELLER_POSTAL_CODE=00-001 SELLER_CITY=Warszawa PUBLIC_URL=http://127.0.0.1
export REDIS_URL=redis://127.0.0.1:6379 REDIS_KEY_PREFIX="bench:"
export UPLOAD_DIR="${UPLOAD_DIR:-$(mktemp -d)}" LEPTOS_SITE_ROOT=target/site
PORT="${BENCH_PORT:-3090}"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"

echo "seeding $PRODUCTS products into ${DATABASE_URL##*/} (kept for later runs)"
"$BIN" seed --products "$PRODUCTS" >/dev/null
"$BIN" serve &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

run() {
  local name="$1" path="$2" header="${3:-X-Bench: 1}"
  local out
  out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "$header" "http://127.0.0.1:$PORT$path")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-28s %10s req/s   p50 %8s   p99 %8s\n' "$name" "$rps" "$p50" "$p99"
  grep -q 'Non-2xx' <<<"$out" && { echo "non-2xx answers for $path:" >&2; grep 'Non-2xx' <<<"$out" >&2; }
  return 0
}

echo "wrk: 2 threads, 32 connections, ${SECONDS_PER_RUN}s each, $PRODUCTS products"
run "GET /api/v1/products" "/api/v1/products?per_page=24"
run "GET /api/v1/search?q=mleko" "/api/v1/search?q=mleko"
run "GET /c/nabial (page)" "/c/nabial"
run "GET /p/maslo-extra-200g" "/p/maslo-extra-200g"
# A guest cart with three products, priced on every read (no cache: prices are live).
TOKEN=""
for sku in MT-0101-1 MT-0102-1 MT-0104-1; do
  id=$(psql "$DATABASE_URL" -qtAc "select id from products where sku = '$sku'")
  args=(-fs -H 'content-type: application/json' -d "{\"product_id\":\"$id\",\"quantity\":1}")
  [[ -n "$TOKEN" ]] && args+=(-H "x-cart-token: $TOKEN")
  answer=$(curl "${args[@]}" "http://127.0.0.1:$PORT/api/v1/cart/items")
  [[ -n "$TOKEN" ]] || TOKEN=$(sed -n 's/.*"cart_token":"\([A-Za-z0-9_-]*\)".*/\1/p' <<<"$answer")
done
run "GET /api/v1/cart (3 lines)" "/api/v1/cart" "X-Cart-Token: $TOKEN"
run "GET /health" "/health"
