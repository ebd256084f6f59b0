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
    assert!(lines.len() >= 18, "{text}");
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
        "特种设备",
        "学校及校园周边",
        "文化旅游和人员密集场所",
        "水利工程",
        "农业机械和农村",
        "森林草原防火",
        "经营性自建房",
        "商贸（加油站、商场）",
        "民用爆炸物品",
        "电力",
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

#[test]
fn checklist_json_gives_every_item_with_basis_level_and_verification() {
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .args(["checklist", "industrial", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = doc["items"].as_array().unwrap();
    assert!(items.len() >= 15);
    for item in items {
        assert!(item["basis"].as_str().is_some_and(|b| !b.is_empty()));
        assert!(item["level"] == "重大" || item["level"] == "一般", "{item}");
        let v = &item["verification"];
        match v["status"].as_str().unwrap() {
            "verified" => assert!(v["source"].is_string() && v["date"].is_string()),
            "unverified" => assert!(v["reason"].is_string()),
            other => panic!("{other}"),
        }
        if item["level"] == "重大" {
            assert_eq!(v["status"], "verified", "{item}");
        }
    }
    assert!(items.iter().any(|i| i["applies_if"] == "liquid_ammonia"));
    assert!(doc["conditions"].as_array().unwrap().len() >= 2);
}

#[test]
fn checklist_diff_lists_what_changed_between_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let base = include_str!("../../core/domain/checklists/gas.toml");
    let old = dir.path().join("old.toml");
    let new = dir.path().join("new.toml");
    std::fs::write(&old, base).unwrap();
    std::fs::write(
        &new,
        base.replace("version = \"2026.4\"", "version = \"2026.5\"")
            .replace(
                "制定生产安全事故应急救援预案",
                "制定并备案生产安全事故应急救援预案",
            ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .arg("checklist-diff")
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2026.4 → 2026.5"), "{text}");
    assert!(text.contains("修改 GAS-014 检查内容"), "{text}");
}

#[test]
fn checklist_diff_shows_what_changed_since_the_released_version() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // The earlier version is compiled in and named code@version.
    let (ok, text, err) = run(&["checklist-diff", "industrial@2026.1", "industrial"]);
    assert!(ok, "{err}");
    assert!(
        text.starts_with("工贸（粉尘涉爆等）：版本 2026.1 → 2026.4"),
        "{text}"
    );
    assert!(text.contains("修改 IND-"), "{text}");
    let (ok, json, _) = run(&["checklist-diff", "gas@2026.1", "gas@2026.2", "--json"]);
    assert!(ok);
    let d: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(d["from_version"], "2026.1");
    assert!(!d["items"].as_array().unwrap().is_empty());
    let (ok, _, err) = run(&["checklist-diff", "gas@1999.1", "gas"]);
    assert!(!ok);
    assert!(err.contains("没有检查表版本 gas@1999.1"), "{err}");
    // `checklists --json` names each file's released versions and its content hash.
    let (ok, json, _) = run(&["checklists", "--json"]);
    assert!(ok);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    for row in rows.as_array().unwrap() {
        // Every file was first released as 2026.1; the file's own version is not among the
        // earlier released ones.
        let released = row["released_versions"].as_array().unwrap();
        assert_eq!(
            released.first(),
            Some(&serde_json::json!("2026.1")),
            "{row}"
        );
        assert!(!released.contains(&row["version"]), "{row}");
        assert_eq!(row["content_hash"].as_str().unwrap().len(), 16, "{row}");
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    // `anjian checklists --unverified | head`: the reader closes the pipe before the command
    // has printed everything. The command ends with success and says nothing on stderr,
    // instead of panicking on the failed write.
    for args in [
        &["checklists", "--unverified"][..],
        &["checklists", "--unverified", "--json"],
        &["checklists"],
        &["checklists", "--json"],
        &["checklist", "gas"],
        &["checklist", "fire", "--json"],
        &["checklist-diff", "gas@2026.1", "gas"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_anjian"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the command writes its first line.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}
