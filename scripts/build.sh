#!/usr/bin/env bash
# Builds the server and the browser bundle with cargo-leptos: `debug` or `release`.
# The bundle's file names carry a content hash (recorded in target/<profile>/hash.txt); a
# release build also writes brotli and gzip copies of every static file for the server.
# cargo-leptos can exit 0 when compilation fails, so its output and results are checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
profile=${1:-release}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
flags=(); [ "$profile" = release ] && flags=(--release --precompress)
cargo leptos build "${flags[@]}" 2>&1 | tee "$log"
if grep -qE '^error(\[E[0-9]+\])?:|^Error:' "$log"; then
  echo "build failed (see the errors above)" >&2
  exit 1
fi
hashes="target/$profile/hash.txt"
[ -f "$hashes" ] || { echo "build failed: $hashes was not produced" >&2; exit 1; }
outputs=("target/$profile/projitt-meet")
while read -r kind hash; do
  outputs+=("target/site/pkg/projitt-meet.$hash.${kind%:}")
done <"$hashes"
[ "$profile" = release ] && outputs+=("target/site/pkg/projitt-meet.$(awk '$1 == "wasm:" {print $2}' "$hashes").wasm.br")
for out in "${outputs[@]}"; do
  [ -f "$out" ] || { echo "build failed: $out was not produced" >&2; exit 1; }
done
