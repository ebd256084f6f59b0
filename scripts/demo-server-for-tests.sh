#!/usr/bin/env bash
# Sourced by scripts that need a demo server: starts target/debug/anjian serve --demo on a
# random port in a temporary data folder, waits for it, sets $demo_url, and stops it on exit.
cargo build -q -p anjian
srvdata=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
./target/debug/anjian serve --demo --data "$srvdata" --listen "127.0.0.1:$port" >"$srvdata/log" 2>&1 &
srvpid=$!
trap 'kill $srvpid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; cat "$srvdata/log" >&2; exit 1; }
demo_url="http://127.0.0.1:$port"
