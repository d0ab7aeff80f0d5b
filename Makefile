# The two commands: `make run` (the app on its own embedded PostgreSQL) and `make test` (every
# check and test). Both install what is missing, with pinned versions, and are quick when it is there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.6
# Must equal the `wasm-bindgen` crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION := 0.2.127

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LEPTOS_HASH_FILES := true
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q
TEST_PG_DIR := $(CURDIR)/.data/test-pg
PG := $(CURDIR)/target/debug/embedded-pg
# A fixed key for the benchmarks' throw-away databases (a server on DATABASE_URL needs one).
BENCH_IDENTITY_KEYS := bench1:YmVuY2htYXJrIGtleSwgbmV2ZXIgZm9yIHJlYWwgZGE=
SERVER := $(CURDIR)/target/debug/server
# Run after every split build: cargo-leptos 0.3.6 can leave the prefetch manifest naming split
# files that do not exist (see the script); this mends those names and fails on any left.
SPLIT_NAMES := node end2end/checks/split-names.mjs
# Run after every build of the desk's project (it copies public/ into target/site): the site's
# own scripts, minified; public/ keeps the commented sources.
MINIFY_SCRIPTS := node end2end/checks/minify-scripts.mjs target/site
# moto, an S3-compatible server from PyPI, for the tests of the object-store path.
MOTO_VENV := $(CURDIR)/.data/moto
# A private MariaDB (Debian's MySQL) for the tests of MySQL-family monitoring sources; mariadbd
# runs as root only when told to.
TEST_MARIADB_DIR := $(CURDIR)/.data/test-mariadb
MARIADB_USER := $(shell [ "$$(id -u)" = 0 ] && echo --user=root)
# Each step of `make test` names itself with the time, so a slow run shows where time went.
STEP = echo "== $(1) ($$(date +%T))"

.PHONY: help run test setup setup-test lint build check-phone unit e2e sqlx-prepare bench-mobile bench-queue bench-notifications bench-help bench-monitor

help:
	@echo "make run   - build and serve at http://127.0.0.1:3000 on the embedded database"
	@echo "make test  - fmt, clippy, Rust tests against PostgreSQL, Playwright in Chromium"
	@echo "make bench-mobile - release build; bytes of /m on first and repeat load, photo upload size"
	@echo "make bench-queue  - release build; handler queue latency with 100,000 incidents"
	@echo "make bench-notifications - two server processes sending WeCom messages to a mock"
	@echo "make bench-help   - 50,000 help articles: search p95, content page throughput, bytes, Lighthouse"

## run: the app at http://127.0.0.1:3000 with demo data; Ctrl-C stops it and its database.
run: setup build
	exec $(SERVER)

## test: every check; the test database cluster is made afresh and removed again.
test: setup setup-test lint build check-phone
	export EMBEDDED_PG_DIR=$(TEST_PG_DIR)
	$(PG) destroy 2>/dev/null || true
	base_url=$$($(PG) start --no-fsync)
	trap '$(PG) destroy' EXIT
	$(call STEP,S3-compatible storage (moto))
	rm -f .data/s3-endpoint
	$(MOTO_VENV)/bin/python end2end/s3/serve.py .data/s3-endpoint 2>.data/s3.log &
	s3_pid=$$!
	trap '$(PG) destroy; kill $$s3_pid 2>/dev/null || true' EXIT
	for _ in $$(seq 150); do [ -s .data/s3-endpoint ] && break; sleep 0.2; done
	export S3_TEST_ENDPOINT="$$(cat .data/s3-endpoint)"
	echo "$$S3_TEST_ENDPOINT"
	$(call STEP,MariaDB (MySQL-family monitoring sources))
	rm -rf $(TEST_MARIADB_DIR) && mkdir -p $(TEST_MARIADB_DIR)
	mariadb-install-db --no-defaults $(MARIADB_USER) --datadir=$(TEST_MARIADB_DIR)/data \
	  --auth-root-authentication-method=normal --skip-test-db >$(TEST_MARIADB_DIR)/install.log 2>&1
	/usr/sbin/mariadbd --no-defaults $(MARIADB_USER) --datadir=$(TEST_MARIADB_DIR)/data \
	  --socket=$(TEST_MARIADB_DIR)/sock --skip-networking --character-set-server=utf8mb4 \
	  --pid-file=$(TEST_MARIADB_DIR)/pid --log-error=$(TEST_MARIADB_DIR)/error.log &
	mariadb_pid=$$!
	trap '$(PG) destroy; kill $$s3_pid $$mariadb_pid 2>/dev/null || true' EXIT
	for _ in $$(seq 150); do [ -S $(TEST_MARIADB_DIR)/sock ] && break; sleep 0.2; done
	export MYSQL_TEST_URL="mysql://root@localhost/mysql?socket=$(TEST_MARIADB_DIR)/sock"
	$(call STEP,Rust tests)
	# A hung test fails the run in 20 minutes instead of holding CI to its limit.
	DATABASE_URL="$$base_url" timeout --foreground 1200 cargo test --workspace --no-fail-fast
	$(call STEP,Browser tests (Chromium))
	export E2E_DATABASE_URL="$${base_url/\/postgres\?//incident_desk_e2e?}"
	rm -rf target/e2e-uploads
	(cd end2end && npx playwright test)
	$(call STEP,all passed)

lint:
	@$(call STEP,lint)
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	# The browser half as each bundle builds it: each with its own app and without the other's.
	cargo clippy -p app -p phone-bundle --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p app -p desk-bundle --target wasm32-unknown-unknown -- -D warnings

# The desk (server and its browser bundle), then the phone's bundle into its own site folder.
build:
	@$(call STEP,build)
	cargo leptos build --project incident-desk --split
	$(SPLIT_NAMES) target/site/pkg
	$(MINIFY_SCRIPTS)
	cargo leptos build --project phone --frontend-only --split
	$(SPLIT_NAMES) target/site-phone/pkg
	cargo build -q -p embedded-pg -p wecom-mock

## check-phone: the WASM the phone loads first for /m (the phone's bundle, built with the
## release profile into its own site folder) holds no words or code of the console, the help
## center or other areas. The `phone-check` project in Cargo.toml says why it skips wasm-opt.
check-phone:
	@$(call STEP,check-phone)
	cargo leptos build --project phone-check --frontend-only --split
	$(SPLIT_NAMES) target/site-check/pkg
	node end2end/checks/phone-bundle.mjs target/site-check/pkg

## setup: toolchain pieces, idempotent and pinned.
setup:
	@$(call STEP,setup)
	rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	[ "$$(cargo leptos --version 2>/dev/null)" = "cargo-leptos $(CARGO_LEPTOS_VERSION)" ] \
	  || cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked
	# No --locked: one of its locked dependencies is missing from the registry.
	[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force
	command -v npm >/dev/null || { $(SUDO) apt-get update -q && $(APT_INSTALL) nodejs npm; }
	[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null \
	  || { $(SUDO) apt-get update -q && $(APT_INSTALL) postgresql; }

setup-test:
	@$(call STEP,setup-test)
	[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -q && $(APT_INSTALL) chromium; }
	[ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null && command -v my_print_defaults >/dev/null \
	  || { $(SUDO) apt-get update -q && $(APT_INSTALL) mariadb-server-core mariadb-client-core; }
	if ! cmp -s end2end/s3/requirements.txt $(MOTO_VENV)/requirements.txt; then
	  python3 -c 'import venv, ensurepip' 2>/dev/null \
	    || { $(SUDO) apt-get update -q && $(APT_INSTALL) python3 python3-venv; }
	  rm -rf $(MOTO_VENV)
	  python3 -m venv $(MOTO_VENV)
	  $(MOTO_VENV)/bin/pip install -q --disable-pip-version-check --no-deps -r end2end/s3/requirements.txt
	  cp end2end/s3/requirements.txt $(MOTO_VENV)/requirements.txt
	fi

## sqlx-prepare: refresh .sqlx (the offline query data) after changing a query.
sqlx-prepare: setup
	export EMBEDDED_PG_DIR=$(CURDIR)/.data/sqlx-pg
	cargo build -q -p embedded-pg
	$(PG) start --no-fsync >/dev/null
	trap '$(PG) stop' EXIT
	db_url=$$($(PG) migrate sqlx_prepare)
	rm -rf .sqlx && mkdir .sqlx
	touch app/src/lib.rs server/src/lib.rs
	SQLX_OFFLINE=false SQLX_OFFLINE_DIR=$(CURDIR)/.sqlx DATABASE_URL="$$db_url" \
	  cargo check -q --workspace --all-targets --features app/ssr
	echo "$$(ls .sqlx | wc -l) queries in .sqlx"

# Release build, a private database with demo data, and Chromium measuring the reporter app
# (bytes on first and repeat load of /m, offline repeat load, upload size of a camera photo).
bench-mobile: setup setup-test
	[ "$$(twiggy --version 2>/dev/null)" = "twiggy 0.8.0" ] || cargo install twiggy --version 0.8.0 --locked
	cargo leptos build --project incident-desk --release --precompress --split
	$(SPLIT_NAMES) target/site/pkg
	$(MINIFY_SCRIPTS)
	cargo leptos build --project phone --release --precompress --split --frontend-only
	$(SPLIT_NAMES) target/site-phone/pkg
	cargo build -q -p embedded-pg
	export EMBEDDED_PG_DIR=$(CURDIR)/.data/bench-pg
	$(PG) destroy 2>/dev/null || true
	rm -rf .data/bench-uploads
	base_url=$$($(PG) start --no-fsync)
	DATABASE_URL="$${base_url/\/postgres\?//incident_desk_bench?}" DEMO_DATA=1 IDENTITY_KEYS=$(BENCH_IDENTITY_KEYS) \
	  LEPTOS_SITE_ADDR=127.0.0.1:3300 LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true \
	  UPLOAD_DIR=.data/bench-uploads RUST_LOG=warn ./target/release/server >/dev/null &
	server=$$!
	trap 'kill $$server; wait $$server; $(PG) destroy; rm -rf .data/bench-uploads' EXIT
	until node -e "fetch('http://127.0.0.1:3300/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; do
	  kill -0 $$server || exit 1
	  sleep 0.5
	done
	BENCH_URL=http://127.0.0.1:3300 node end2end/bench/mobile.mjs
	node end2end/bench/wasm-breakdown.mjs target/site-phone/pkg target/front/wasm32-unknown-unknown/wasm-release/phone_bundle_split.wasm

# Release build, a private database with demo data plus 100,000 incidents (or INCIDENTS=n), the
# handler queue's latency (first page, filtered pages, a deep page) and the service report's
# (last week, last month) over HTTP.
INCIDENTS ?= 100000
bench-queue: setup
	cargo leptos build --project incident-desk --release --precompress --split
	$(SPLIT_NAMES) target/site/pkg
	$(MINIFY_SCRIPTS)
	cargo build -q -p embedded-pg
	export EMBEDDED_PG_DIR=$(CURDIR)/.data/bench-queue-pg
	$(PG) destroy 2>/dev/null || true
	base_url=$$($(PG) start --no-fsync)
	db_url="$${base_url/\/postgres\?//incident_desk_bench?}"
	DATABASE_URL="$$db_url" DEMO_DATA=1 IDENTITY_KEYS=$(BENCH_IDENTITY_KEYS) \
	  LEPTOS_SITE_ADDR=127.0.0.1:3301 LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true \
	  UPLOAD_DIR=.data/bench-queue-uploads RUST_LOG=warn ./target/release/server >/dev/null &
	server=$$!
	trap 'kill $$server; wait $$server; $(PG) destroy; rm -rf .data/bench-queue-uploads' EXIT
	until node -e "fetch('http://127.0.0.1:3301/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; do
	  kill -0 $$server || exit 1
	  sleep 0.5
	done
	BENCH_URL=http://127.0.0.1:3301 BENCH_DATABASE_URL="$$db_url" BENCH_INCIDENTS=$(INCIDENTS) node end2end/bench/queue.mjs

# Two server processes (this build's server) on one database sending to the WeCom mock:
# messages a second from a burst, and the delay from commit to send.
bench-notifications: setup
	cargo build -q -p embedded-pg
	export EMBEDDED_PG_DIR=$(CURDIR)/.data/bench-notify-pg
	$(PG) destroy 2>/dev/null || true
	base_url=$$($(PG) start --no-fsync)
	trap '$(PG) destroy' EXIT
	DATABASE_URL="$$base_url" RUST_LOG=warn cargo test -q -p server --test desk \
	  bench_two_replicas_against_the_mock -- --ignored --nocapture

# Business monitoring: a reconciliation of two databases, 100,000 and then 1,000,000 rows a
# side, in a release build alone in its process: time, and the process's peak memory after each.
bench-monitor: setup setup-test
	cargo build -q -p embedded-pg
	export EMBEDDED_PG_DIR=$(CURDIR)/.data/bench-monitor-pg
	$(PG) destroy 2>/dev/null || true
	base_url=$$($(PG) start --no-fsync)
	trap '$(PG) destroy' EXIT
	DATABASE_URL="$$base_url" RUST_LOG=warn cargo test -q --release -p server --test desk \
	  bench_reconciliation_of_a_million_rows_a_side -- --ignored --nocapture

# The help center with 50,000 generated articles: search timed at the store (in process), then a
# release server (help pages load no WASM, so its front is built unsplit) over HTTP: search,
# throughput against /healthz (wrk), p99 at 300 requests a second, first-load bytes, Lighthouse.
bench-help: setup setup-test
	command -v wrk >/dev/null || { $(SUDO) apt-get update -q && $(APT_INSTALL) wrk; }
	cargo build -q -p embedded-pg
	export EMBEDDED_PG_DIR=$(CURDIR)/.data/bench-help-pg
	$(PG) destroy 2>/dev/null || true
	base_url=$$($(PG) start --no-fsync)
	trap '$(PG) destroy' EXIT
	cargo leptos build --project incident-desk --release --precompress
	$(MINIFY_SCRIPTS)
	echo "== search at the store (release build, as the server runs it)"
	DATABASE_URL="$$base_url" RUST_LOG=warn cargo test -q --release -p server --test desk \
	  bench_help_search_over_fifty_thousand_articles -- --ignored --nocapture
	echo "== over HTTP (release build)"
	db_url="$${base_url/\/postgres\?//incident_desk_bench?}"
	DATABASE_URL="$$db_url" DEMO_DATA=1 IDENTITY_KEYS=$(BENCH_IDENTITY_KEYS) \
	  LEPTOS_SITE_ADDR=127.0.0.1:3302 LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true \
	  UPLOAD_DIR=.data/bench-help-uploads RUST_LOG=warn ./target/release/server >/dev/null &
	server=$$!
	trap 'kill $$server; wait $$server; $(PG) destroy; rm -rf .data/bench-help-uploads' EXIT
	until node -e "fetch('http://127.0.0.1:3302/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; do
	  kill -0 $$server || exit 1
	  sleep 0.5
	done
	BENCH_URL=http://127.0.0.1:3302 BENCH_DATABASE_URL="$$db_url" node end2end/bench/help.mjs
