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

/// A demo server on a free loopback port, for the life of the test process.
fn demo_server() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap().keep();
    let mut config = anjian_server::Config::new(format!("127.0.0.1:{port}").parse().unwrap(), data);
    config.demo = true;
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(anjian_server::serve(config))
            .unwrap();
    });
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::blocking::get(format!("{base}/healthz")).is_ok_and(|r| r.status().is_success())
        {
            return base;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("demo server did not start");
}

#[test]
fn report_downloads_from_a_server_with_the_callers_scope() {
    let base = demo_server();
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("scores.xlsx");
    let run = |user: &str, password: &str, file: &str| {
        Command::new(env!("CARGO_BIN_EXE_anjian"))
            .args([
                "report", file, "--server", &base, "--user", user, "--month", "2026-11",
            ])
            .arg("--out")
            .arg(&target)
            .env("ANJIAN_PASSWORD", password)
            .output()
            .unwrap()
    };
    let out = run("admin", "anjian-demo", "monthly-scores.xlsx");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&target).unwrap().starts_with(b"PK"));
    std::fs::remove_file(&target).unwrap();
    // A township may not take the county-wide scores: refused with the server's reason.
    let out = run("zz_head", "anjian-demo", "monthly-scores.xlsx");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("仅限县级"));
    assert!(!target.exists());
    // Its own problem ledger is fine.
    let out = run("zz_head", "anjian-demo", "problem-ledger.xlsx");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run("admin", "wrong", "monthly-scores.xlsx");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("登录失败"));
}
