#!/usr/bin/env bash
# Installs, idempotently, every tool the project needs to build, serve and test.
# Usage: scripts/setup.sh [--test]   (--test adds Chromium, Playwright, PostgreSQL and schemathesis)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
# Must equal the wasm-bindgen crate version pinned in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)
BINARYEN_VERSION=132
SCHEMATHESIS_VERSION=4.32.5
# A WebRTC participant that is not a browser, for the end-to-end tests (end2end/peer/).
AIORTC_VERSION=1.16.0
AIOHTTP_VERSION=3.14.5

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $apt_updated -eq 0 ]; then $sudo apt-get update -qq; apt_updated=1; fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # The published lockfile names a crate the registry no longer serves; resolve afresh instead.
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt: Debian's binaryen 108 emits broken wasm; use npm's, from a project-local folder.
if ! .tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing binaryen@$BINARYEN_VERSION (wasm-opt) into .tools/"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  apt_install chromium postgresql
  # Installs when anything end2end/package-lock.json names is missing or of another version.
  if ! (cd end2end && npm ls --all >/dev/null 2>&1); then
    say "installing Playwright and axe-core (end2end/)"
    (cd end2end && npm ci --silent --no-audit --no-fund)
  fi
  # The API fuzzer lives in a project-local virtualenv, pinned.
  if ! .tools/venv/bin/schemathesis --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into .tools/venv"
    apt_install python3-venv
    [ -x .tools/venv/bin/python ] || python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  if ! .tools/venv/bin/python -c "import aiortc, aiohttp, sys; sys.exit(aiortc.__version__ != '$AIORTC_VERSION' or aiohttp.__version__ != '$AIOHTTP_VERSION')" 2>/dev/null; then
    say "installing aiortc $AIORTC_VERSION and aiohttp $AIOHTTP_VERSION into .tools/venv"
    .tools/venv/bin/pip install --quiet --disable-pip-version-check "aiortc==$AIORTC_VERSION" "aiohttp==$AIOHTTP_VERSION"
  fi
fi
say "toolchain ready"
