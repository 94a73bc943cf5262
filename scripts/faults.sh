#!/usr/bin/env bash
# Fault tests on the release build, each against a fresh database:
#   scripts/faults.sh crash                    a server SIGKILLed mid-checkout (in `make test`)
#   scripts/faults.sh notify-crash             a server SIGKILLed while sending e-mails
#                                              (in `make test`; needs scripts/deps.sh --test)
#   scripts/faults.sh crash postgres-restart   and Postgres restarted under load
#                                              (`make test-faults`; needs to control the local
#                                              cluster: root or passwordless sudo, else skipped)
# Needs `cargo leptos build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DB_NAME="metropolitan_faults_$$"
source bench/env.sh
export BIN RUST_LOG=error REDIS_KEY_PREFIX="faults:$$:" FAULTS_PORT="${FAULTS_PORT:-3095}"

cleanup() {
  psql "${BASE_DB%/*}/postgres" -qc "drop database if exists $BENCH_DB_NAME with (force)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS_URL" --scan --pattern "faults:$$:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
  rm -rf "$UPLOAD_DIR"
}
trap cleanup EXIT

if [[ " $* " == *" postgres-restart "* && -z "${PG_CLUSTER_CTL:-}" && "$DATABASE_URL" == *@127.0.0.1:5432/* ]] \
   && command -v pg_lsclusters >/dev/null; then
  cluster=$(pg_lsclusters -h | awk '$3 == 5432 {print $1, $2; exit}')
  if [[ -n "$cluster" ]]; then
    if [[ $(id -u) -eq 0 ]]; then PG_CLUSTER_CTL="pg_ctlcluster --skip-systemctl-redirect $cluster"
    elif sudo -n true 2>/dev/null; then PG_CLUSTER_CTL="sudo -n pg_ctlcluster --skip-systemctl-redirect $cluster"
    fi
  fi
fi
export PG_CLUSTER_CTL="${PG_CLUSTER_CTL:-}"

ensure_database
"$BIN" seed >/dev/null
python3 scripts/faults.py "$@"
