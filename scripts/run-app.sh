#!/usr/bin/env bash
# Runs the field app in a desktop window on the real core (demos; office staff inspecting
# from a laptop). Data lives in DATA_DIR (default ~/.local/share/anjian-app).
#   scripts/run-app.sh [DATA_DIR]
# ANJIAN_LOCATION=lat,lon[,accuracy] gives the desktop a position for the distance checks.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/release/libanjian_core.so ] && [ -f android/generated/kotlin/cn/anjian/core/anjian.kt ] || scripts/gen-bindings.sh
mvn -q -B -f android/pom.xml compile dependency:build-classpath -Dmdep.outputFile="$PWD/android/target/app.classpath" -Dmdep.includeScope=runtime
cp="android/target/classes:$(cat android/target/app.classpath)"
exec java -Djna.library.path="$PWD/target/release" -cp "$cp" cn.anjian.desktop.MainKt "$@"
