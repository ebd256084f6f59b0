#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine, in one list. Idempotent: installs only
# what is missing. Called by scripts/test-all.sh (the README's test command) and so by CI.
set -euo pipefail
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_cmd mvn || need+=(maven)
have_cmd node || need+=(nodejs)
have_cmd npm || need+=(npm)
have_cmd curl || need+=(curl)
have_cmd python3 || need+=(python3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
have_cmd nasm || need+=(nasm)                 # libjpeg-turbo's SIMD (turbojpeg build)
have_cmd cmake || need+=(cmake)               # libjpeg-turbo is compiled from source
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)  # watermark, app renders
[ -x /usr/bin/chromium ] || need+=(chromium)  # the console's browser tests (never a downloaded browser)
have_cmd haproxy || [ -x /usr/sbin/haproxy ] || need+=(haproxy)  # two server instances behind a balancer
# Printing checks (exports → PDF, site documents read back); no recommends: keeps CI's install short.
lean=()
have_cmd soffice || lean+=(libreoffice-calc-nogui)
have_cmd pdftotext || lean+=(poppler-utils)
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]} ${lean[*]}" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    [ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2
    [ ${#lean[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${lean[@]}" >&2
fi
