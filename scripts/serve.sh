#!/usr/bin/env bash
# Installs whatever is missing, builds the release app and serves it at http://127.0.0.1:3000
# (or LEPTOS_SITE_ADDR). No configuration needed: SQLite lives under storage/, and the
# migrations run at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
scripts/build.sh release
exec target/release/projitt-meet
