#!/usr/bin/env bash
# Installs whatever is missing and runs every test: the Rust suite on SQLite, the same suite
# on a PostgreSQL server started here, and the Playwright end-to-end tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}
unset DATABASE_URL TEST_DATABASE_URL

step() { printf '\n\033[1;32m== %s\033[0m\n' "$*"; }

step "Rust tests on SQLite"
cargo test --features ssr

step "Rust tests on PostgreSQL"
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
trap pg_stop EXIT
pg_start
cargo test --features ssr

step "Playwright end-to-end tests (Chromium)"
unset TEST_DATABASE_URL
e2e_dir="$PWD/target/e2e-run"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
DATABASE_URL="sqlite://$e2e_dir/app.db" STORAGE_DIR="$e2e_dir/app" \
  LEPTOS_SITE_ADDR=127.0.0.1:3100 RUST_LOG=${RUST_LOG:-warn} \
  cargo leptos end-to-end
step "All tests passed"
