//! `anjian report` on a server's data folder: the file is written whole, bad input is refused
//! in Chinese and nothing is created where there was no database.

use std::process::Command;

fn demo_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), dir.path().to_path_buf());
    let db = anjian_server::open_db(&config).unwrap();
    db.transact(anjian_server::demo::seed_if_empty).unwrap();
    dir
}

fn report(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anjian"))
        .arg("report")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn report_writes_ledgers_and_notices_from_a_data_folder() {
    let data = demo_data();
    let out_dir = tempfile::tempdir().unwrap();
    for (file, part) in [
        ("monthly-scores.xlsx", "xl/worksheets/sheet1.xml"),
        ("duty-records.xlsx", "xl/worksheets/sheet1.xml"),
        ("assessment-notice.docx", "word/document.xml"),
    ] {
        let target = out_dir.path().join(file);
        let out = report(&[
            file,
            "--data",
            data.path().to_str().unwrap(),
            "--month",
            "2026-11",
            "--out",
            target.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&target).unwrap();
        assert!(bytes.starts_with(b"PK"), "{file} is a zip package");
        assert!(
            bytes.windows(part.len()).any(|w| w == part.as_bytes()),
            "{file} has {part}"
        );
        assert!(!target.with_extension("part").exists());
    }
}

#[test]
fn bad_report_requests_are_refused_and_create_nothing() {
    let out = report(&["nothing.xlsx", "--data", "."]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有这种文件"));

    let empty = tempfile::tempdir().unwrap();
    let out = report(&[
        "monthly-scores.xlsx",
        "--data",
        empty.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有服务器数据库"));
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "no database created"
    );

    let data = demo_data();
    let out = report(&[
        "problem-ledger.xlsx",
        "--data",
        data.path().to_str().unwrap(),
        "--unit",
        "no-such-unit",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未找到单位"));
    let out = report(&[
        "monthly-scores.xlsx",
        "--data",
        data.path().to_str().unwrap(),
        "--month",
        "2026-13",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("月份"));
}
