use std::process::Command;

#[test]
fn checklists_prints_one_line_per_industry_with_its_item_count() {
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .arg("checklists")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "{text}");
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l.rsplit_once(' ').unwrap().0)
        .collect();
    for expected in [
        "城镇燃气",
        "危险化学品",
        "非煤矿山",
        "消防（人员密集场所）",
        "养老机构",
        "建筑施工",
        "道路运输",
        "水上交通",
        "工贸（粉尘涉爆等）",
        "地质灾害（汛期巡查）",
    ] {
        assert!(names.contains(&expected), "missing {expected} in {text}");
    }
    for line in lines {
        let count: usize = line.rsplit_once(' ').unwrap().1.parse().unwrap();
        assert!(count >= 15, "{line}");
    }
}

#[test]
fn an_unknown_industry_exits_non_zero_with_a_chinese_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .args(["checklist", "bakery"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知行业 bakery"));
}
