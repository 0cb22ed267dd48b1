#!/usr/bin/env bash
# Installs whatever is missing and runs every test: the Rust suite on SQLite, the same suite
# on a PostgreSQL server started here, schemathesis against the running API's OpenAPI document,
# and the Playwright end-to-end tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}
unset DATABASE_URL TEST_DATABASE_URL

step() { printf '\n\033[1;32m== %s\033[0m\n' "$*"; }
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  if declare -F pg_stop >/dev/null; then pg_stop; fi
}
trap cleanup EXIT

# The whole workspace: the app (its `ssr` side) and tools/ (the bench's smoke run).
step "Rust tests on SQLite"
cargo test --workspace --features projitt-meet/ssr

step "Rust tests on PostgreSQL"
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
pg_start
cargo test --workspace --features projitt-meet/ssr
unset TEST_DATABASE_URL

step "Schemathesis against the live API (bounded: ${SCHEMATHESIS_MAX_TIME:-150} s of generation)"
cargo build --features ssr --bin projitt-meet
scripts/schemathesis.sh target/debug/projitt-meet

step "Building the app for the browser tests"
scripts/build.sh debug

step "Playwright end-to-end tests (Chromium)"
e2e_dir="$PWD/target/e2e-run"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
# A free loopback port, so a server left running elsewhere can never answer for ours.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
DATABASE_URL="sqlite://$e2e_dir/app.db" STORAGE_DIR="$e2e_dir/app" RUST_LOG=${RUST_LOG:-warn} \
  target/debug/projitt-meet >"$e2e_dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited:"; cat "$e2e_dir/server.log"; exit 1; }
  python3 -c "import urllib.request; urllib.request.urlopen('http://$LEPTOS_SITE_ADDR/api/health', timeout=1)" 2>/dev/null && break
  sleep 0.2
done
(cd end2end && npx playwright test) || { echo "--- server log"; tail -n 50 "$e2e_dir/server.log"; exit 1; }
step "All tests passed"
