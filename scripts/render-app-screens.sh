#!/usr/bin/env bash
# Renders every screen of the field app in its states (loading, error, empty, full, large
# text) to docs/app/*.png, from the real core and a demo server started here.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f android/generated/kotlin/cn/anjian/core/anjian.kt ] || scripts/gen-bindings.sh
source scripts/demo-server-for-tests.sh
rm -f docs/app/*.png
mvn -q -B -f android/pom.xml test -Dtest=ScreenGalleryTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Danjian.test.server="$demo_url" -Danjian.render.dir="$PWD/docs/app"
ls docs/app
