#!/usr/bin/env bash
# Builds the server and the browser bundle with cargo-leptos: `debug` or `release`.
# cargo-leptos can exit 0 when compilation fails, so its output and results are checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
profile=${1:-release}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
flags=(); [ "$profile" = release ] && flags=(--release)
cargo leptos build "${flags[@]}" 2>&1 | tee "$log"
if grep -qE '^error(\[E[0-9]+\])?:|^Error:' "$log"; then
  echo "build failed (see the errors above)" >&2
  exit 1
fi
for out in "target/$profile/projitt-meet" target/site/pkg/projitt-meet.wasm target/site/pkg/projitt-meet.js; do
  [ -f "$out" ] || { echo "build failed: $out was not produced" >&2; exit 1; }
done
