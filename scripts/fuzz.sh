#!/usr/bin/env bash
# Runs every cargo-fuzz (libFuzzer) target for SECONDS each (default 60) and prints a line per
# target: executions, coverage, findings. Not part of CI; run on demand:
#   scripts/fuzz.sh 600              # every target, ten minutes each
#   scripts/fuzz.sh 120 site_sheet   # one target
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Corpora are seeded at
# run time from ../shared/testdata (read in place, never copied into the project) and from the
# project's own files (fuzz/seeds: push bodies and pull pages the project's own server and
# field CLI produced on the demo county); what the fuzzer learns and any crash go to target/fuzz-work/ (ignored).
# Sanitizers are off (-s none): the code under test is safe Rust plus libjpeg-turbo's C, and
# what is looked for is panics, unbounded memory (-rss_limit_mb) and slow inputs (-timeout).
set -euo pipefail
secs="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
testdata="${ANJIAN_TESTDATA:-$root/../shared/testdata}"
work="${FUZZ_WORK:-$root/target/fuzz-work}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(photo_inspect checklist_toml site_sheet tus_headers sync_push_body sync_push_apply device_pull_page)
seeds="$work/seeds"
mkdir -p "$seeds"/{checklist_toml,site_sheet,tus_headers,sync_push_body,sync_push_apply}

# Seeds the project makes itself (small, regenerated every run).
cp "$root"/core/domain/checklists/*.toml "$seeds/checklist_toml/" 2>/dev/null || true
python3 - "$seeds/site_sheet" <<'PY'
import sys, zipfile, os
out = sys.argv[1]
def sheet(rows):
    cells = []
    for r, row in enumerate(rows, 1):
        cs = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row)
        )
        cells.append(f'<row r="{r}">{cs}</row>')
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData>' + "".join(cells) + '</sheetData></worksheet>')
parts = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="场所" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
header = ["名称", "行业", "纬度", "经度", "半径（米）", "属地乡镇", "属事部门", "地址", "联系人", "联系电话"]
good = ["洋渡镇长江渡口", "水上交通", "30.16", "107.92", "150", "洋渡镇", "县交通运输委", "江边", "向成林", "13996500001"]
bad = ["某面粉厂", "面包", "x", "107.9", "", "不存在镇", "", "", "", ""]
for name, rows in {"good.xlsx": [header, good], "bad.xlsx": [header, good, bad], "empty.xlsx": [header]}.items():
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
        for p, text in parts.items():
            z.writestr(p, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet(rows))
PY
printf 'sha256 %s,filename %s' "$(printf '%064d' 0 | base64 -w0)" "$(printf 'a.jpg' | base64 -w0)" > "$seeds/tus_headers/metadata"
printf 'sha256 %s' "$(printf '0123456789abcdef0123456789abcdef' | base64 -w0)" > "$seeds/tus_headers/checksum"
printf 'sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=' > "$seeds/tus_headers/sha1"
cat > "$seeds/sync_push_body/hazard.json" <<'JSON'
{"protocol":1,"device_id":"d1","ops":[{"op_id":"0190a1b2-0000-7000-8000-000000000001","entity":"hazard","entity_id":"h1","op":"transition","payload":{"type":"start_rectification"}},{"op_id":"0190a1b2-0000-7000-8000-000000000002","entity":"inspection","entity_id":"i1","op":"finish","payload":{"finished_at":"2026-11-29T08:00:00Z"}},{"op_id":"0190a1b2-0000-7000-8000-000000000003","entity":"inspection","entity_id":"i1","op":"record_item","payload":{"item_id":"GAS-007","result":{"outcome":"fail","note":"x","recorded_at":"2026-11-29T08:00:00Z"}}}]}
JSON

# The push apply target's first byte picks who pushes (the 15 demo accounts in order: 0 admin,
# 5 zz_head, 7 zz_patrol, 9 sb_inspector, 12 expert, 13 thirdparty, 14 site_contact); each push body
# (fuzz/seeds/sync_push: a field inspection recorded by `anjian field` on the demo county)
# is seeded for several of them.
for body in "$root"/fuzz/seeds/sync_push/*.json "$seeds/sync_push_body/hazard.json"; do
    for who in 0 5 7 9 12 13 14; do
        { printf "\\$(printf '%03o' "$who")"; cat "$body"; } > "$seeds/sync_push_apply/$who-$(basename "$body")"
    done
done

seed_dirs() {
    case "$1" in
        photo_inspect) echo "$testdata/photos" ;;
        checklist_toml) echo "$seeds/checklist_toml" ;;
        site_sheet) echo "$seeds/site_sheet" ;;
        tus_headers) echo "$seeds/tus_headers" ;;
        sync_push_body) echo "$seeds/sync_push_body $root/fuzz/seeds/sync_push" ;;
        sync_push_apply) echo "$seeds/sync_push_apply" ;;
        device_pull_page) echo "$root/fuzz/seeds/pull_page" ;;
    esac
}

cd "$root/fuzz"
cargo +nightly fuzz build -s none --release
# The targets run as built here: editing the sources while they run rebuilds nothing.
bin="$root/fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
summary="$work/summary.txt"
: > "$summary"
status=0
for t in "${targets[@]}"; do
    corpus="$work/corpus/$t"
    artifacts="$work/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    log="$work/$t.log"
    set +e
    "$bin/$t" -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
        -max_len=1048576 -artifact_prefix="$artifacts/" -print_final_stats=1 \
        "$corpus" $(seed_dirs "$t") >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
    found=$(find "$artifacts" -type f | wc -l)
    line="$t: ${runs:-?} executions in ${secs}s, coverage ${cov:-?} edges, ${ft:-?} features, corpus $(find "$corpus" -type f | wc -l) files, findings $found (exit $rc)"
    echo "$line" | tee -a "$summary"
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        grep -E "panicked|ERROR|SUMMARY" "$log" | head -5 || true
    fi
done
echo "summary: $summary; logs and findings under $work"
exit $status
