//! The 隐患台账 at county scale (a scripted run, not a timed test): the console's ledger
//! endpoints over loopback HTTP with N hazards seeded (default 50,000), each beside a floor in
//! the same run:
//! - the floor for reading: every hazard's JSON selected straight from the SQLite file with
//!   rusqlite and decoded (what any ledger read that filters on the server must at least do);
//! - the floor for the export: the same read, then the 问题清单台账 workbook of every hazard
//!   written by the reports crate (no HTTP, no scope, no filter);
//! - the first page (`/v1/console/ledger?size=20`), a filter (keyword 石宝 + 重大隐患), the
//!   whole ledger exported (`/v1/console/ledger.xlsx`) and the filtered export, as 县安委办.
//!
//! Medians of RUNS (default 7) after one warm-up. With `--browser` it then runs
//! `console/e2e/bench.mjs` in Chromium against the same server (navigation to the first page
//! rendered, a filter applied on the page, each beside the API call alone).
//!
//!     cargo run --release -p anjian-tests --bin anjian-ledger-bench -- [N] [--browser]

use std::collections::HashMap;
use std::time::Instant;

use anjian_domain::hazard::{china_date, Hazard};
use anjian_reports::{ledgers, xlsx, Directory};
use serde::Deserialize;

#[derive(Deserialize)]
struct HazardOnly {
    hazard: Hazard,
}

#[derive(Deserialize)]
struct Named {
    id: String,
    name: String,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

/// Median wall time in ms of `f` over `runs` runs after one warm-up; the last result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (median(ms), out)
}

/// The floor's read: every hazard's JSON from the file, decoded.
fn read_hazards(db: &std::path::Path) -> Vec<Hazard> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT data FROM records WHERE entity = 'hazard' AND deleted = 0")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|d| {
            serde_json::from_str::<HazardOnly>(&d.unwrap())
                .unwrap()
                .hazard
        })
        .collect()
}

fn names(db: &std::path::Path, entity: &str) -> HashMap<String, String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT data FROM records WHERE entity = ?1 AND deleted = 0")
        .unwrap();
    stmt.query_map([entity], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|d| {
            let n: Named = serde_json::from_str(&d.unwrap()).unwrap();
            (n.id, n.name)
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let browser = args.iter().any(|a| a == "--browser");
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);

    let data = tempfile::tempdir().unwrap();
    let mut config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
    config.demo = true;
    config.demo_activity = false;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seeded = Instant::now();
    let (addr, _state) = rt.block_on(async {
        let db = anjian_server::open_db_async(&config).await.unwrap();
        let state = anjian_server::state(&config, db).await.unwrap();
        anjian_server::seed_demo(&state, &config).await.unwrap();
        anjian_tests::county::seed_hazards(&state, n).await;
        let app = anjian_server::api::router(state.clone(), &config);
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (addr, state)
    });
    eprintln!(
        "seeded {n} hazards in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let file = data.path().join("anjian-server.db");
    let base = format!("http://{addr}");

    // Floors.
    let (read_ms, hazards) = time(runs, || read_hazards(&file));
    assert!(hazards.len() >= n, "{} hazards read", hazards.len());
    let dir = Directory {
        units: names(&file, "unit"),
        sites: names(&file, "site"),
        people: HashMap::new(),
        inspection_kinds: HashMap::new(),
        time_doubts: HashMap::new(),
    };
    let today = china_date(chrono::Utc::now());
    let (write_ms, floor_bytes) = time(runs, || {
        let all: Vec<&Hazard> = hazards.iter().collect();
        xlsx::workbook(&[ledgers::problem_ledger(&all, &dir, "忠县", today)]).unwrap()
    });

    // The endpoints, as 县安委办.
    let client = reqwest::blocking::Client::builder()
        .gzip(true)
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .unwrap();
    let token = client
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "anjian-demo"}))
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let get = |path: &str| {
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.bytes().unwrap()
    };
    let total = |body: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(body).unwrap()["total"]
            .as_u64()
            .unwrap()
    };
    let filter = "level=major&q=%E7%9F%B3%E5%AE%9D";
    let (list_ms, first) = time(runs, || get("/v1/console/ledger?size=20"));
    let (filter_ms, filtered) = time(runs, || {
        get(&format!("/v1/console/ledger?size=20&{filter}"))
    });
    let (export_ms, workbook) = time(runs, || get("/v1/console/ledger.xlsx"));
    let (fexport_ms, fworkbook) = time(runs, || get(&format!("/v1/console/ledger.xlsx?{filter}")));
    let (all, matched) = (total(&first), total(&filtered));
    assert!(
        all as usize >= n && matched > 0,
        "{all} lines, {matched} filtered"
    );

    println!("hazards in the ledger: {all}; matching the filter (石宝, 重大隐患): {matched}; medians of {runs}");
    println!("| what | ms | floor ms | ratio |");
    println!("|---|---:|---:|---:|");
    println!("| floor: read + decode every hazard (rusqlite) | {read_ms:.0} | — | — |");
    println!(
        "| floor: + write the workbook of every hazard ({} kB) | {:.0} | — | — |",
        floor_bytes.len() / 1024,
        read_ms + write_ms
    );
    for (what, ms, floor) in [
        (
            "GET /v1/console/ledger?size=20 (first page)",
            list_ms,
            read_ms,
        ),
        (
            "GET /v1/console/ledger?size=20&level=major&q=石宝",
            filter_ms,
            read_ms,
        ),
        (
            "GET /v1/console/ledger.xlsx (every hazard)",
            export_ms,
            read_ms + write_ms,
        ),
        (
            "GET /v1/console/ledger.xlsx?level=major&q=石宝",
            fexport_ms,
            read_ms,
        ),
    ] {
        println!("| {what} | {ms:.0} | {floor:.0} | {:.2} |", ms / floor);
    }
    println!(
        "workbooks: every hazard {} kB, filtered {} kB",
        workbook.len() / 1024,
        fworkbook.len() / 1024
    );

    if browser {
        let status = std::process::Command::new("node")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../console/e2e/bench.mjs"
            ))
            .arg(&base)
            .arg(all.to_string())
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../console"))
            .status()
            .expect("node runs");
        assert!(status.success(), "console/e2e/bench.mjs failed");
    }
}
