#!/usr/bin/env bash
# Runs the reference tus clients (tuspy from PyPI, tus-js-client from npm) against a real
# `anjian serve --demo` on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p anjian
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
./target/debug/anjian serve --demo --data "$data" --listen "127.0.0.1:$port" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
# Seeding the demo county with its activity takes a while in a debug build.
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; cat "$data/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
token=$(curl -sf -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"sb_inspector","password":"anjian-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
python3 -m pip install -q -r tests/clients/requirements.txt
python3 tests/clients/tuspy_resume.py "$base" "$token"
(cd tests/clients && npm install --silent --no-audit --no-fund >/dev/null)
node tests/clients/tus_js_resume.mjs "$base" "$token"
