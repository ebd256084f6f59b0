//! `anjian reminders`: what the engine would send at a time, read from a server's data folder
//! without sending or writing anything; what was sent already is marked.

use std::process::Command;

fn demo_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), dir.path().to_path_buf());
    let db = anjian_server::open_db(&config).unwrap();
    db.transact(anjian_server::demo::seed_if_empty).unwrap();
    dir
}

fn reminders(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_anjian"))
        .arg("reminders")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_dry_run_lists_the_reminders_due_and_marks_those_sent() {
    let dir = demo_data();
    let data = dir.path().to_str().unwrap();
    // The morning after May 2027's month end: every unit's head hears of the four items.
    let (ok, out, err) = reminders(&["--data", data, "--at", "2027-06-01T09:00+08:00"]);
    assert!(ok, "{err}");
    let line = out
        .lines()
        .find(|l| l.contains("卫东（石宝镇）") && l.contains("履职纪实"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with("06-01 08:30"), "{line}");
    assert!(
        // The rules send a missed month-end by SMS too.
        line.contains("月底报送逾期提醒（并发短信）：月底报送：石宝镇2027年5月"),
        "{line}"
    );
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("2027-06-01 09:00 应发提醒"),
        "{summary}"
    );
    let total: usize = summary
        .split("应发提醒 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        summary.ends_with(&format!("其中未发送 {total} 条（演练，不发送）")),
        "{summary}"
    );
    // Nothing was written: a second dry run is the same.
    assert_eq!(
        reminders(&["--data", data, "--at", "2027-06-01T09:00+08:00"]).1,
        out
    );

    // Once the engine has sent them, the dry run marks them.
    let config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), dir.path().to_path_buf());
    let db = anjian_server::open_db(&config).unwrap();
    let at = "2027-06-01T09:00:00+08:00".parse().unwrap();
    anjian_server::reminders::Engine::new(String::new(), None)
        .tick(&db, at)
        .unwrap();
    let (_, again, _) = reminders(&["--data", data, "--at", "2027-06-01T09:00+08:00"]);
    assert!(
        again.lines().last().unwrap().contains("其中未发送 0 条"),
        "{again}"
    );
    assert!(again.contains("履职纪实逾期未报送（报送期限 2027-05-31）。  [已发送]"));

    // Quiet hours: nothing at night. JSON: one object per reminder.
    let (_, night, _) = reminders(&["--data", data, "--at", "2027-06-01T23:00+08:00"]);
    assert!(night.contains("应发提醒 0 条"), "{night}");
    let (_, json, _) = reminders(&["--data", data, "--at", "2027-06-01T09:00+08:00", "--json"]);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(first["already_sent"], true);
    assert!(first["key"].as_str().unwrap().contains('|'));
}

#[test]
fn a_bad_time_or_folder_is_refused_in_chinese() {
    let dir = demo_data();
    let data = dir.path().to_str().unwrap();
    let (ok, _, err) = reminders(&["--data", data, "--at", "明天早上"]);
    assert!(!ok && err.contains("时间格式错误"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let (ok, _, err) = reminders(&["--data", empty.path().to_str().unwrap()]);
    assert!(!ok && err.contains("没有服务器数据库"), "{err}");
    assert!(!empty.path().join("anjian-server.db").exists());
}
