#!/usr/bin/env bash
# Renders every screen of the field app in its states (loading, error, empty, full, large
# text) to docs/app/*.png, from the real core and a demo server started here.
# ANJIAN_LIB_DIR=target/debug renders on a debug build of the core (default: target/release).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f android/generated/kotlin/cn/anjian/core/anjian.kt ] || scripts/gen-bindings.sh
source scripts/demo-server-for-tests.sh
rm -f docs/app/*.png
mvn -q -B -f android/pom.xml test -Dtest='ScreenGalleryTest,FieldWorkGalleryTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Danjian.test.server="$demo_url" -Danjian.render.dir="$PWD/docs/app" \
    -Danjian.test.data="$srvdata" -Danjian.test.cli="$PWD/target/debug/anjian" \
    ${ANJIAN_LIB_DIR:+-Danjian.lib.dir="$ANJIAN_LIB_DIR"}
{
    echo "# The field app's screens"
    echo
    echo "Rendered by \`scripts/render-app-screens.sh\` from the real core and the demo county"
    echo "(400 dp wide at 2x; \`-large\` is the large-text mode). Each screen in its states:"
    echo "loading, error, empty, full."
    echo
    for f in docs/app/*.png; do n=$(basename "$f" .png); echo "## $n"; echo; echo "![$n]($n.png)"; echo; done
} > docs/app/README.md
ls docs/app | wc -l
