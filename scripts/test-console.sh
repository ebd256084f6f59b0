#!/usr/bin/env bash
# The web console: rebuilds the bundle from source and fails if it differs from the committed
# console/dist (the server embeds that folder), checks the console's API types against the
# server's /openapi.json, then runs the end-to-end test in Debian's Chromium against
# `anjian serve --demo` on loopback (axe-core on every page; screenshots with
# ANJIAN_CONSOLE_SCREENSHOTS=1 into docs/console).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/chromium ] || { echo "test-console: /usr/bin/chromium is missing (scripts/setup.sh installs it)" >&2; exit 1; }
(cd console && npm ci --no-audit --no-fund --loglevel=error)
(cd console && npm run --silent build >/dev/null)
if [ -n "$(git status --porcelain -- console/dist)" ]; then
    git status --short -- console/dist >&2
    echo "test-console: console/dist differs from a fresh build of console/src: run 'npm run build' in console/ and commit console/dist" >&2
    exit 1
fi
cargo build -q -p anjian
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
# A real OpenID Connect provider on loopback (tests/oidc), so the e2e signs in through the
# unified identity as the office would configure it.
source scripts/oidc-provider-for-tests.sh
start_oidc_provider "$data" "http://127.0.0.1:$port/login/oidc"
env "${oidc_env[@]}" ANJIAN_OIDC_REDIRECT_URL="http://127.0.0.1:$port/login/oidc" \
    ./target/debug/anjian serve --demo --data "$data" --listen "127.0.0.1:$port" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid $oidc_pid 2>/dev/null; wait $pid $oidc_pid 2>/dev/null; rm -rf "$data"' EXIT
# Seeding the demo county with its activity takes a while in a debug build.
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; cat "$data/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
curl -sf "$base/openapi.json" >"$data/openapi.json"
if ! python3 - "$data/openapi.json" console/openapi.json <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY
then
    echo "test-console: the server's /openapi.json changed: copy it to console/openapi.json, run 'npm run gen:api' and 'npm run build' in console/, and commit" >&2
    exit 1
fi
shots=()
[ "${ANJIAN_CONSOLE_SCREENSHOTS:-0}" = 1 ] && shots=(--screenshots ../docs/console)
(cd console && node e2e/run.mjs "$base" "${shots[@]}")
