# Metropolitan: `make run` serves the demo shop, `make test` runs every check.
# Both install what is missing first (scripts/deps.sh).

SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Compile against the committed .sqlx query data: no database needed to build.
export SQLX_OFFLINE := true
include scripts/versions.env
export DATABASE_URL ?= $(DEFAULT_DATABASE_URL)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

.PHONY: run test test-faults bench deps test-deps build lint unit e2e api-fuzz crash sqlx-prepare clean

## run: install what is missing, build the release, migrate, seed, serve on 127.0.0.1:3000
run: deps build
	$(TARGET_DIR)/release/metropolitan seed
	$(TARGET_DIR)/release/metropolitan serve

## test: formatting, clippy, unit and integration tests (fault and security tests among
## them), then on the release build: Playwright, a bounded API fuzz, a server killed mid-checkout
test: test-deps lint unit build e2e api-fuzz crash

## test-faults: the longer fault tests (Postgres restarted under load) and a longer API fuzz
test-faults: test-deps build
	scripts/faults.sh crash postgres-restart
	scripts/api-fuzz.sh 200

## bench: the benchmark suite on the release build (table + bench/results/<commit>.json)
bench: test-deps build
	bench/run.sh

deps:
	scripts/deps.sh

test-deps:
	scripts/deps.sh --test

build:
	cargo leptos build --release

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	cargo test --workspace

e2e:
	scripts/e2e.sh

api-fuzz:
	scripts/api-fuzz.sh 20

crash:
	scripts/faults.sh crash notify-crash

## sqlx-prepare: refresh .sqlx/ after changing a query or a migration (needs sqlx-cli)
SQLX_DB := $(dir $(DATABASE_URL))metropolitan_sqlx
sqlx-prepare:
	psql "$(dir $(DATABASE_URL))postgres" -qc 'drop database if exists metropolitan_sqlx with (force)' -c 'create database metropolitan_sqlx'
	for f in migrations/*.sql; do psql "$(SQLX_DB)" -v ON_ERROR_STOP=1 -q -f "$$f" >/dev/null || exit 1; done
	SQLX_OFFLINE=false DATABASE_URL="$(SQLX_DB)" cargo sqlx prepare --workspace -- --all-targets
	psql "$(dir $(DATABASE_URL))postgres" -qc 'drop database metropolitan_sqlx with (force)'

clean:
	cargo clean
