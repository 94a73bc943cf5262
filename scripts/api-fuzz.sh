#!/usr/bin/env bash
# Fuzzes the JSON API from its own OpenAPI document with schemathesis, against the release
# build on a fresh, seeded database, signed in as the seeded admin (so admin and customer
# operations are both reached): no 5xx, every status, content type, header and body as
# documented, malformed input refused.
#   scripts/api-fuzz.sh [EXAMPLES_PER_OPERATION] [more schemathesis options]
# `make test` runs a bounded number of examples; `make test-faults` runs more.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-20}"
shift || true
ST=.tools/venv/bin/schemathesis
[[ -x "$ST" ]] || { echo "missing $ST: run scripts/deps.sh --test" >&2; exit 1; }

NAME=fuzz
source scripts/test-server.sh

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
