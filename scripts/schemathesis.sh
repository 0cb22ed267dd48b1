#!/usr/bin/env bash
# Property-based tests of the HTTP API against its own OpenAPI document: starts the built server
# on loopback over a fresh database, signs a user in through the API and lets schemathesis call
# every operation as that user. Fails on any 5xx and on any response that breaks the document.
# Usage: scripts/schemathesis.sh [server binary]   (default target/debug/projitt-meet)
# Tunables: SCHEMATHESIS_MAX_TIME (seconds, default 150), SCHEMATHESIS_MAX_EXAMPLES (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/projitt-meet}
st="$PWD/.tools/venv/bin/schemathesis"
[ -x "$bin" ] || { echo "no server binary at $bin (cargo build --features ssr --bin projitt-meet)" >&2; exit 2; }
[ -x "$st" ] || { echo "schemathesis is not installed (scripts/setup.sh --test)" >&2; exit 2; }
max_time=${SCHEMATHESIS_MAX_TIME:-150}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-30}

run_dir="$PWD/target/schemathesis-run"
rm -rf "$run_dir" && mkdir -p "$run_dir"
port=$(.tools/venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

server_pid=""
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; }
trap stop_server EXIT
LEPTOS_SITE_ADDR="127.0.0.1:$port" PUBLIC_URL="$base" APP_ENV=development \
  DATABASE_URL="sqlite://$run_dir/app.db" STORAGE_DIR="$run_dir/app" RUST_LOG=${RUST_LOG:-warn} \
  "$bin" >"$run_dir/server.log" 2>&1 &
server_pid=$!

server_log() { echo "--- server log (last 80 lines of $run_dir/server.log)"; tail -n 80 "$run_dir/server.log"; }
for _ in $(seq 1 100); do
  curl -fsS "$base/api/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited"; server_log; exit 1; }
  sleep 0.2
done
curl -fsS "$base/api/health" >/dev/null || { echo "the server is not healthy"; server_log; exit 1; }

# A real account (the caller of every operation) with meetings in each state, invitations both
# ways, a recording and a note, so that generated ids can point at things that exist.
world=$(.tools/venv/bin/python scripts/schemathesis_hooks.py seed "$base") || { server_log; exit 1; }

status=0
# Run from the run folder: schemathesis keeps its cache in ./.schemathesis. One worker: with
# two, Python 3.11's ast.parse races inside hypothesis ("AST constructor recursion depth").
cd "$run_dir"
SCHEMATHESIS_BASE_URL="$base" SCHEMATHESIS_WORLD="$world" \
  SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$OLDPWD/scripts${PYTHONPATH:+:$PYTHONPATH}" \
  timeout --signal=INT --kill-after=20 $((max_time + 120)) \
  "$st" --no-color run "$base/api/openapi.json" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance \
    --max-examples "$max_examples" --max-time "$max_time" --request-timeout 40 \
    --workers 1 --seed "${SCHEMATHESIS_SEED:-20240601}" --generation-database none \
    --report junit --report-dir "$run_dir" || status=$?
if [ "$status" -ne 0 ]; then server_log; fi
exit "$status"
