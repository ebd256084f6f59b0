#!/usr/bin/env bash
# Builds anjian (release), makes the reference 12 MP photo with ../shared/bench, installs the
# comparison tools if missing, and runs benches/ingest_vs_vips.py.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v vipsthumbnail >/dev/null || need+=(libvips-tools)
command -v djpeg >/dev/null || need+=(libjpeg-turbo-progs)
[ -x /usr/bin/time ] || need+=(time)
command -v nasm >/dev/null || need+=(nasm)  # libjpeg-turbo SIMD: without it the figures mean little
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi
cargo build -q --release -p anjian
photo="${BENCH_PHOTO:-/tmp/anjian-bench-12mp.jpg}"
bash ../shared/bench/make-bench-photo.sh "$photo"
python3 benches/ingest_vs_vips.py "$photo" target/release/anjian --runs "${RUNS:-15}" \
    --font /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
