#!/usr/bin/env bash
# Builds the server and the browser bundle with cargo-leptos: `debug` or `release`.
# The bundle's file names carry a content hash (recorded in target/<profile>/hash.txt); the
# pages behind sign-in are split into wasm modules loaded on first use (--split); a release
# build also writes brotli and gzip copies of every static file for the server.
# cargo-leptos can exit 0 when compilation fails, so its output and results are checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
profile=${1:-release}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
flags=(--split); [ "$profile" = release ] && flags+=(--release --precompress)
cargo leptos build "${flags[@]}" 2>&1 | tee "$log"
if grep -qE '^error(\[E[0-9]+\])?:|^Error:' "$log"; then
  echo "build failed (see the errors above)" >&2
  exit 1
fi
hashes="target/$profile/hash.txt"
[ -f "$hashes" ] || { echo "build failed: $hashes was not produced" >&2; exit 1; }
outputs=("target/$profile/projitt-meet")
while read -r kind hash; do
  case $kind in js: | wasm: | css:) outputs+=("target/site/pkg/projitt-meet.$hash.${kind%:}") ;; esac
done <"$hashes"
ls target/site/pkg/split___*.wasm >/dev/null 2>&1 || { echo "build failed: no lazily loaded modules in target/site/pkg" >&2; exit 1; }
[ "$profile" = release ] && outputs+=("target/site/pkg/projitt-meet.$(awk '$1 == "wasm:" {print $2}' "$hashes").wasm.br")
for out in "${outputs[@]}"; do
  [ -f "$out" ] || { echo "build failed: $out was not produced" >&2; exit 1; }
done
