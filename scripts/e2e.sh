#!/usr/bin/env bash
# Runs the Playwright tests against the release build on a freshly seeded database.
# Expects `cargo leptos build --release` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/site/pkg/metropolitan.wasm ]] || { echo "missing target/site: run cargo leptos build --release" >&2; exit 1; }

NAME=e2e
# A real SMTP server for the notification e-mails; the shop's worker delivers to it.
MAIL_DIR=$(mktemp -d)
MAIL_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.tools/venv/bin/python scripts/smtp-sink.py --port "$MAIL_PORT" --dir "$MAIL_DIR" >/dev/null &
SINK_PID=$!
extra_cleanup() {
  kill -TERM "$SINK_PID" 2>/dev/null || true
  rm -rf "$MAIL_DIR"
}
export SMTP_URL="smtp://127.0.0.1:$MAIL_PORT" MAIL_FROM="Metropolitan <sklep@example.com>"
export MAIL_DIR
source scripts/test-server.sh

cd end2end
BASE_URL="http://$ADDR" ADMIN_EMAIL="$SEED_ADMIN_EMAIL" ADMIN_PASSWORD="$SEED_ADMIN_PASSWORD" npx playwright test || { tail -50 "$WORK/server.log" >&2; exit 1; }
