#!/usr/bin/env bash
# Installs and starts what Metropolitan needs on a Debian machine, skipping what is there.
#   scripts/deps.sh          build tools, PostgreSQL, Redis, the database role
#   scripts/deps.sh --test   the same plus Chromium and the end-to-end npm packages
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/versions.env

WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

log() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Root runs commands as is; otherwise sudo if it works without a prompt.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* yourself"
  if [[ $APT_UPDATED -eq 0 ]]; then
    as_root apt-get update -qq || die "need root or passwordless sudo to install: $*"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null \
    || die "could not install $* (need root or passwordless sudo)"
}

# --- Rust toolchain pieces -------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first (https://rustup.rs)"
if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
command -v cc >/dev/null || apt_install build-essential
command -v pkg-config >/dev/null || apt_install pkg-config

if [[ "$(cargo leptos --version 2>/dev/null || true)" != *"$CARGO_LEPTOS_VERSION"* ]]; then
  log "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != *"$WASM_BINDGEN_VERSION"* ]]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # --locked fails on this version's webpki-roots pin; the crate's own ranges build fine.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# --- Node, wasm-opt ------------------------------------------------------------------------
command -v npm >/dev/null || apt_install nodejs npm
# Debian's binaryen builds a wasm that fails to hydrate; use npm's, kept inside the repo.
if [[ ! -x .tools/node_modules/.bin/wasm-opt ]] \
   || [[ "$(.tools/node_modules/.bin/wasm-opt --version 2>/dev/null)" != *"$BINARYEN_VERSION"* ]]; then
  log "npm install binaryen@$BINARYEN_VERSION into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# --- PostgreSQL and Redis ------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null && ! command -v pg_isready >/dev/null; then
  apt_install postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [[ -n "$version" ]] || die "PostgreSQL is installed but has no cluster in /etc/postgresql"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || die "could not start PostgreSQL $version"
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
command -v redis-server >/dev/null || apt_install redis-server
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# The application's role: password login over TCP works with Debian's default pg_hba, and
# CREATEDB lets the tests make a fresh database each.
DB_URL="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
if ! psql "${DB_URL%/*}/postgres" -qtAc 'select 1' >/dev/null 2>&1; then
  log "creating the PostgreSQL role metropolitan"
  as_root runuser -u postgres -- psql -qc \
    "do \$\$ begin
       if not exists (select from pg_roles where rolname = 'metropolitan') then
         create role metropolitan login createdb password 'metropolitan';
       end if;
     end \$\$;" >/dev/null || die "could not create the metropolitan role; set DATABASE_URL to a role with CREATEDB"
fi

DB_NAME="${DB_URL##*/}"; DB_NAME="${DB_NAME%%\?*}"
if ! psql "$DB_URL" -qtAc 'select 1' >/dev/null 2>&1; then
  log "creating the database $DB_NAME"
  psql "${DB_URL%/*}/postgres" -qc "create database \"$DB_NAME\"" >/dev/null \
    || die "could not create the database $DB_NAME"
fi

if [[ $WITH_TEST -eq 1 ]]; then
  command -v chromium >/dev/null || apt_install chromium
  # Chromium needs fonts for Polish and Turkish letters in screenshots.
  [[ -d /usr/share/fonts/truetype/dejavu ]] || apt_install fonts-dejavu-core
  # The invoice tests read PDFs back with pdftotext.
  command -v pdftotext >/dev/null || apt_install poppler-utils
  # The API fuzzer (scripts/api-fuzz.sh) in a virtualenv of its own inside the repo; the
  # fault and benchmark clients are standard-library Python.
  command -v python3 >/dev/null || apt_install python3
  if [[ "$(.tools/venv/bin/schemathesis --version 2>/dev/null || true)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    python3 -m venv .tools/venv >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv .tools/venv; }
    log "pip install schemathesis $SCHEMATHESIS_VERSION into .tools/venv"
    .tools/venv/bin/pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # The SMTP server the notification tests read mail back from (scripts/smtp-sink.py).
  if ! .tools/venv/bin/python -c "import aiosmtpd" 2>/dev/null; then
    log "pip install aiosmtpd $AIOSMTPD_VERSION into .tools/venv"
    .tools/venv/bin/pip install -q "aiosmtpd==$AIOSMTPD_VERSION"
  fi
  # The FA(3) schema for the structured-invoice tests (the package's schema files only: its
  # Python dependencies are not needed to read them) and xmllint to validate against it.
  if ! compgen -G ".tools/venv/lib/python3*/site-packages/ksef_client-$KSEF_CLIENT_VERSION.dist-info" >/dev/null; then
    log "pip install ksef-client $KSEF_CLIENT_VERSION (schemas) into .tools/venv"
    .tools/venv/bin/pip install -q --no-deps "ksef-client==$KSEF_CLIENT_VERSION"
  fi
  command -v xmllint >/dev/null || apt_install libxml2-utils
  command -v wrk >/dev/null || apt_install wrk
  command -v redis-cli >/dev/null || apt_install redis-tools
  if [[ ! -d end2end/node_modules/@playwright/test ]]; then
    log "npm ci in end2end/ (Playwright without its browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
  fi
fi
log "dependencies ready"
