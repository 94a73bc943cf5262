#!/usr/bin/env bash
# Runs the Playwright tests against the release build on a freshly seeded database.
# Expects `cargo leptos build --release` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/site/pkg/metropolitan.wasm ]] || { echo "missing target/site: run cargo leptos build --release" >&2; exit 1; }

NAME=e2e
source scripts/test-server.sh

cd end2end
BASE_URL="http://$ADDR" ADMIN_EMAIL="$SEED_ADMIN_EMAIL" ADMIN_PASSWORD="$SEED_ADMIN_PASSWORD" npx playwright test || { tail -50 "$WORK/server.log" >&2; exit 1; }
