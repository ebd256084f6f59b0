#!/usr/bin/env bash
# The app's benchmark: the ledger with 10,000 hazards and the checklist screen of a 16-item
# inspection, each presenter + first frame beside the core's query alone (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/release/libanjian_core.so ] || scripts/gen-bindings.sh
mvn -q -B -f android/pom.xml test -Dtest=AppBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Danjian.bench.hazards="${HAZARDS:-10000}" -Danjian.bench.runs="${RUNS:-7}"
cat android/target/app-bench.txt
