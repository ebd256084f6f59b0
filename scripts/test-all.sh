#!/usr/bin/env bash
# Every test of the project: Rust workspace, then the generated Kotlin on the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-targets
cargo build --release -p anjian-device
scripts/gen-bindings.sh
mvn -q -B -f android/pom.xml test
echo "all tests passed"
