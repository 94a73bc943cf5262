#!/usr/bin/env bash
# Notifications under load: NOTICES queued e-mails and as many SMS delivered by one release
# server (its background worker) to local stand-ins that speak SMTP and Twilio's API and only
# count (bench/standin, built here in release; the Python ones the tests use cap at a few
# hundred a second on two cores). Prints notices per second; with --json FILE writes the
# figures for bench/run.sh. Needs `cargo leptos build --release`.
#   bench/notify.sh [NOTICES] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
NOTICES="${1:-2000}"
JSON_OUT=""
[[ "${2:-}" == "--json" ]] && JSON_OUT="$3"
BENCH_DB_NAME=metropolitan_bench_notify
source bench/env.sh

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MAIL_PORT=$(free_port)
HTTP_PORT=$(free_port)
PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT

cargo build --release --quiet -p standin
"${CARGO_TARGET_DIR:-target}/release/standin" --smtp "$MAIL_PORT" --http "$HTTP_PORT" &
PIDS+=($!)
# What the stand-ins received: "emails requests".
received() {
  python3 -c 'import json, sys, urllib.request
c = json.load(urllib.request.urlopen(sys.argv[1]))
print(c["emails"], c["requests"])' "http://127.0.0.1:$HTTP_PORT/count"
}
for _ in $(seq 1 100); do received >/dev/null 2>&1 && break; sleep 0.05; done
export SMTP_URL="smtp://127.0.0.1:$MAIL_PORT" TWILIO_BASE_URL="http://127.0.0.1:$HTTP_PORT"
export NOTIFY_CONCURRENCY="${NOTIFY_CONCURRENCY:-16}" LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export REDIS_KEY_PREFIX="bench-notify:$$:"

ensure_database
"$BIN" migrate >/dev/null
"$BIN" serve &
PIDS+=($!)
wait_ready "$PORT"

# One customer; NOTICES e-mails (address confirmations: no order to read) and NOTICES SMS
# (shipping notices), all due now.
psql "$DATABASE_URL" -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
delete from notifications;
insert into users (id, phone, email, customer_type, first_name, last_name)
values ('00000000-0000-7000-8000-00000000b001', '+48500999001', 'bench@example.com',
        'individual', 'Bench', 'Mark')
on conflict (id) do nothing;
insert into notifications (id, user_id, kind, channel, recipient, locale, data, dedupe_key)
select gen_random_uuid(), '00000000-0000-7000-8000-00000000b001'::uuid, 'email_confirmation', 'email',
       'bench@example.com', 'pl', '{"path": "/account/confirm-email?token=bench"}'::jsonb, 'bench:' || n
  from generate_series(1, $NOTICES) n
union all
select gen_random_uuid(), '00000000-0000-7000-8000-00000000b001'::uuid, 'order_shipped', 'sms',
       '+48500999001', 'pl', '{"number": 100001, "carrier": "InPost", "tracking_number": "X1"}',
       'bench:' || n
  from generate_series(1, $NOTICES) n;
SQL
TOTAL=$((NOTICES * 2))
started=$(date +%s%N)
while :; do
  left=$(psql "$DATABASE_URL" -qtAX -c "select count(*) from notifications where status = 'queued'")
  [[ "$left" == "0" ]] && break
  (( ($(date +%s%N) - started) / 1000000000 > 300 )) && { echo "still $left queued after 300 s" >&2; exit 1; }
  sleep 0.1
done
ELAPSED_MS=$(( ($(date +%s%N) - started) / 1000000 ))
read -r SENT FAILED < <(psql "$DATABASE_URL" -qtAX -F ' ' -c \
  "select count(*) filter (where status = 'sent'), count(*) filter (where status <> 'sent') from notifications")
read -r MAILS TEXTS < <(received)
RATE=$(python3 -c "print(round($SENT / ($ELAPSED_MS / 1000)))")
echo "  notifications: $SENT sent ($MAILS e-mails at the SMTP server, $TEXTS SMS at the Twilio stand-in), $FAILED not sent, in $ELAPSED_MS ms: $RATE notices/s (target >= 1,000)"
[[ "$SENT" == "$TOTAL" && "$MAILS" == "$NOTICES" && "$TEXTS" == "$NOTICES" ]] || { echo "lost or duplicated notices" >&2; exit 1; }
if [[ -n "$JSON_OUT" ]]; then
  printf '{"notices": %s, "sent": %s, "emails": %s, "elapsed_ms": %s, "per_second": %s}\n' \
    "$TOTAL" "$SENT" "$MAILS" "$ELAPSED_MS" "$RATE" >"$JSON_OUT"
fi
