#!/usr/bin/env bash
# Every test of the project: the Rust workspace (server API suite on SQLite, and on
# PostgreSQL when ANJIAN_TEST_DATABASE_URL is set; evidence in S3-compatible storage and two
# server instances when ANJIAN_TEST_BLOBS is set), the reference tus clients against a real
# server, the web console in Chromium, then the generated Kotlin on the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${ANJIAN_TEST_DATABASE_URL:-}" ] && command -v runuser >/dev/null; then
    # Start a throwaway PostgreSQL when we can, so both backends are tested.
    if url=$(scripts/start-postgres.sh); then
        export ANJIAN_TEST_DATABASE_URL="$url"
    fi
fi
if [ -z "${ANJIAN_TEST_BLOBS:-}" ] && command -v go >/dev/null; then
    # SeaweedFS on loopback (built once into a cache), so the S3 backend is tested too.
    if s3env=$(scripts/start-seaweedfs.sh); then
        eval "$s3env"
    fi
fi
# The real OpenID provider the unified-identity tests sign in at (server/tests/identity.rs,
# tests/tests/phone_identity.rs).
(cd tests/oidc && npm ci --no-audit --no-fund --silent)
cargo test --workspace --all-targets
scripts/test-tus-clients.sh
scripts/test-console.sh
cargo build --release -p anjian-device
scripts/gen-bindings.sh
# The Kotlin sync test talks to a real server with the demo county, configured with the real
# OpenID provider (the app's unified-identity sign-in follows the provider's pages over HTTP).
cargo build -q -p anjian
srvdata=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
app_redirect="https://app.anjian.test/oidc"
source scripts/oidc-provider-for-tests.sh
start_oidc_provider "$srvdata" "http://127.0.0.1:$port/login/oidc" "$app_redirect"
env "${oidc_env[@]}" ANJIAN_OIDC_REDIRECT_URL="http://127.0.0.1:$port/login/oidc" ANJIAN_OIDC_APP_REDIRECT_URL="$app_redirect" \
    ./target/debug/anjian serve --demo --data "$srvdata" --listen "127.0.0.1:$port" >"$srvdata/log" 2>&1 &
srvpid=$!
trap 'kill $srvpid $oidc_pid 2>/dev/null || true' EXIT
# Seeding the demo county with its activity takes a while in a debug build.
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; cat "$srvdata/log" >&2; exit 1; }
mvn -q -B -f android/pom.xml test -Danjian.test.server="http://127.0.0.1:$port" \
    -Danjian.test.data="$srvdata" -Danjian.test.cli="$PWD/target/debug/anjian" \
    -Danjian.test.oidc.redirect="$app_redirect"
kill $srvpid $oidc_pid; wait $srvpid $oidc_pid 2>/dev/null || true
echo "all tests passed"
