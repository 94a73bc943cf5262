#!/usr/bin/env bash
# The benchmark suite (`make bench`, after the release build): a catalog of PRODUCTS (default
# 10000), then on loopback
#   - the machine's ceiling: a constant axum handler (`metropolitan ceiling`), same port,
#   - cold start of the server to /health/ready,
#   - wrk (2 threads, 32 connections, SECONDS each) on the JSON API and the rendered pages,
#     with the server's RSS after each run,
#   - 2,000 uncontended checkouts at once (every buyer a different product),
#   - the flash sale: two server processes, 1,000 buyers for 100 units,
#   - notifications: 4,000 notices delivered to a local SMTP server and Twilio stand-in,
# printed as a table and written to bench/results/<commit>.json for comparison.
#   bench/run.sh [PRODUCTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS="${1:-10000}"
SECONDS_PER_RUN="${2:-10}"
BENCH_DB_NAME="metropolitan_bench_$PRODUCTS"
source bench/env.sh
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo -n apt-get install -y -qq wrk; }
command -v redis-cli >/dev/null || { apt-get install -y -qq redis-tools >/dev/null 2>&1 || sudo -n apt-get install -y -qq redis-tools; }

PORT="${BENCH_PORT:-3090}"
export REDIS_KEY_PREFIX="bench:$$:"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
WORK=$(mktemp -d)
ROWS="$WORK/rows.tsv"
PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop; rm -rf "$WORK"' EXIT

rss_mb() { awk -v key="${2:-VmRSS:}" '$1 == key {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# measure NAME PID PATH [wrk args...]: one wrk run; appends a row to $ROWS.
measure() {
  local name="$1" pid="$2" path="$3"
  shift 3
  local out
  out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "$@" "http://127.0.0.1:$PORT$path")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    echo "errors during $name:" >&2
    grep 'Non-2xx\|Socket errors' <<<"$out" >&2
  fi
  awk -v name="$name" -v rss="$(rss_mb "$pid")" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; return v * 1000
    }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%s\t%s\t%.2f\t%.2f\t%s\n", name, rps, p50, p99, rss }' <<<"$out" >>"$ROWS"
  tail -1 "$ROWS" | awk -F'\t' '{printf "  %-34s %10s req/s  p50 %7s ms  p99 %7s ms  RSS %6s MB\n", $1, $2, $3, $4, $5}'
}

echo "== the machine's ceiling: a constant axum handler on port $PORT"
"$BIN" ceiling --addr "127.0.0.1:$PORT" &
PIDS+=($!)
for _ in $(seq 1 500); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.01; done
measure "constant handler (ceiling)" "${PIDS[0]}" "/"
stop

echo "== seeding $PRODUCTS products into ${DATABASE_URL##*/} (kept for later runs)"
ensure_database
"$BIN" seed --products "$PRODUCTS" >/dev/null
# A kept database may hold an earlier run's flash sale (its product sold out).
psql "$DATABASE_URL" -qc "update products set stock = 1000 where sku in ('MT-0101-1', 'MT-0102-1', 'MT-0104-1')"

echo "== cold start"
started=$(date +%s%N)
"$BIN" serve &
PIDS+=($!)
SERVER=${PIDS[0]}
wait_ready "$PORT"
COLD_MS=$(( ($(date +%s%N) - started) / 1000000 ))
echo "  process start to /health/ready 200: $COLD_MS ms (migrations checked, pool, Redis, routes)"

echo "== wrk: 2 threads, 32 connections, ${SECONDS_PER_RUN}s each"
measure "GET /api/v1/products (24)" "$SERVER" "/api/v1/products?per_page=24"
measure "GET /api/v1/products/{slug}" "$SERVER" "/api/v1/products/maslo-extra-200g"
measure "GET /api/v1/search?q=mleko" "$SERVER" "/api/v1/search?q=mleko"
measure "home page /" "$SERVER" "/"
measure "category page /c/nabial" "$SERVER" "/c/nabial"
measure "product page /p/maslo-extra-200g" "$SERVER" "/p/maslo-extra-200g"
# A guest cart with three products, priced on every read.
TOKEN=""
for sku in MT-0101-1 MT-0102-1 MT-0104-1; do
  id=$(psql "$DATABASE_URL" -qtAc "select id from products where sku = '$sku'")
  args=(-fs -H 'content-type: application/json' -d "{\"product_id\":\"$id\",\"quantity\":1}")
  [[ -n "$TOKEN" ]] && args+=(-H "x-cart-token: $TOKEN")
  answer=$(curl "${args[@]}" "http://127.0.0.1:$PORT/api/v1/cart/items")
  [[ -n "$TOKEN" ]] || TOKEN=$(sed -n 's/.*"cart_token":"\([A-Za-z0-9_-]*\)".*/\1/p' <<<"$answer")
done
measure "GET /api/v1/cart (3 lines)" "$SERVER" "/api/v1/cart" -H "X-Cart-Token: $TOKEN"
export PRODUCT_ID="$id"
measure "POST /api/v1/cart/items (new cart)" "$SERVER" "/api/v1/cart/items" \
  -s bench/add_to_cart.lua

echo "== checkout, uncontended: 2,000 buyers at once, each a different product"
python3 bench/oversell.py --db "$DATABASE_URL" --secret "$JWT_SECRET" --urls "http://127.0.0.1:$PORT" \
  --redis "$REDIS_URL" --prefix "$REDIS_KEY_PREFIX" --uncontended --buyers 2000 \
  --label "1 process, uncontended" --json "$WORK/checkout.json"

echo "== flash sale: 2 processes, 1,000 buyers, 100 units"
LEPTOS_SITE_ADDR="127.0.0.1:$((PORT + 1))" "$BIN" serve &
PIDS+=($!)
wait_ready $((PORT + 1))
python3 bench/oversell.py --db "$DATABASE_URL" --secret "$JWT_SECRET" \
  --urls "http://127.0.0.1:$PORT,http://127.0.0.1:$((PORT + 1))" \
  --redis "$REDIS_URL" --prefix "$REDIS_KEY_PREFIX" --buyers 1000 --stock 100 \
  --label "2 processes, Redis gate" --json "$WORK/flash.json"
PEAK_MB=$(rss_mb "$SERVER" VmHWM:)
stop

echo "== notifications: 2,000 e-mails and 2,000 SMS to local stand-ins"
bench/notify.sh 2000 --json "$WORK/notify.json"

mkdir -p bench/results
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
python3 bench/report.py --rows "$ROWS" --checkout "$WORK/checkout.json" --flash "$WORK/flash.json" \
  --notify "$WORK/notify.json" \
  --cold-ms "$COLD_MS" --peak-mb "$PEAK_MB" --products "$PRODUCTS" --seconds "$SECONDS_PER_RUN" \
  --commit "$COMMIT" --out "bench/results/$COMMIT.json"
