#!/usr/bin/env bash
# Every test of the project: the Rust workspace (server API suite on SQLite, and on
# PostgreSQL when ANJIAN_TEST_DATABASE_URL is set), the reference tus clients against a real
# server, then the generated Kotlin on the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ANJIAN_TEST_DATABASE_URL:-}" ] && command -v runuser >/dev/null; then
    # Start a throwaway PostgreSQL when we can, so both backends are tested.
    if url=$(scripts/start-postgres.sh); then
        export ANJIAN_TEST_DATABASE_URL="$url"
    fi
fi
cargo test --workspace --all-targets
scripts/test-tus-clients.sh
cargo build --release -p anjian-device
scripts/gen-bindings.sh
mvn -q -B -f android/pom.xml test
echo "all tests passed"
