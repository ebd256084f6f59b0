//! Sync benchmark (a scripted run, not a timed test):
//! 1. a fresh device pulls a township's working set of N records over loopback; records per
//!    second end to end, beside raw rusqlite inserts of the same rows (the floor);
//! 2. bytes on the wire per record pulled and per operation pushed (gzip both ways);
//! 3. a photo upload interrupted 5 times: bytes sent over the file size.
//!
//!     cargo run --release -p anjian-tests --bin anjian-sync-bench -- [N]

use std::sync::atomic::Ordering;
use std::time::Instant;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::evidence::{EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{Hazard, HazardDraft, HazardEvent};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use anjian_domain::org::{Actor, Role};
use anjian_server::records::{self, HazardDoc};
use anjian_tests::proxy::Proxy;
use chrono::Utc;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), dir.path().join("server"));
    let db = anjian_server::open_db(&config).unwrap();
    let actor = Actor {
        person_id: "person-sb_inspector".into(),
        name: "蒋华".into(),
        unit_id: "500233107".into(),
        roles: vec![Role::Inspector],
    };
    let t = Instant::now();
    db.transact(|tx| anjian_server::demo::seed_if_empty(tx).map(|_| ()))
        .unwrap();
    let mut docs = Vec::with_capacity(n);
    for i in 0..n {
        let h = Hazard::raise(
            HazardDraft {
                id: format!("bench-{i:06}"),
                number: format!("YH-BENCH-{i:06}"),
                site_id: Some(format!("site-07-{:02}", i % 10)),
                unit_id: "500233107".into(),
                description: format!("第 {i} 条隐患：消防通道堆放杂物，应急照明损坏"),
                location: None,
                source: None,
                level: None,
                level_reason: None,
                needs_hardware: i % 7 == 0,
            },
            &anjian_domain::checklist::ChecklistRegistry::new(),
            &actor,
            Utc::now(),
        )
        .unwrap();
        let event = HazardEvent {
            id: format!("ev-{i:06}"),
            hazard_id: h.id.clone(),
            action: None,
            actor: actor.clone(),
            at: h.raised_at,
            from: None,
            to: h.status,
            version: 1,
        };
        docs.push(HazardDoc {
            received: None,
            hazard: h,
            events: vec![event],
        });
    }
    for chunk in docs.chunks(5000) {
        db.transact(|tx| {
            for d in chunk {
                records::save_hazard(tx, d)?;
            }
            Ok::<_, anjian_server::error::ApiError>(())
        })
        .unwrap();
    }
    eprintln!("seeded {n} hazards in {:.1} s", t.elapsed().as_secs_f64());
    // The server's query alone: every page of the township's changes, straight from storage.
    let caller_principals = vec![
        "all".to_string(),
        "person:person-sb_inspector".to_string(),
        "unit:500233107".to_string(),
    ];
    let t = Instant::now();
    let mut after = 0;
    let mut queried = 0usize;
    loop {
        let rows = db
            .read(|tx| tx.changes_after(&caller_principals, after, 2000))
            .unwrap();
        if rows.is_empty() {
            break;
        }
        queried += rows.len();
        after = rows.last().unwrap().seq;
    }
    let query_s = t.elapsed().as_secs_f64();
    let (tx_addr, rx_addr) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let state = anjian_server::state(&config, db).await.unwrap();
                let app = anjian_server::api::router(state, &config);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx_addr
                    .send(listener.local_addr().unwrap().to_string())
                    .unwrap();
                axum::serve(listener, app).await.unwrap();
            })
    });
    let proxy = Proxy::start(rx_addr.recv().unwrap());

    // 0. The server side alone: fetch every page, apply nothing.
    let token = {
        let r: serde_json::Value = reqwest::blocking::Client::new()
            .post(format!("{}/v1/auth/login", proxy.url()))
            .json(&serde_json::json!({"username": "sb_inspector", "password": "anjian-demo"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["token"].as_str().unwrap().to_string()
    };
    let t = Instant::now();
    let mut cursor = String::new();
    let mut fetched = 0usize;
    loop {
        let page: serde_json::Value = reqwest::blocking::Client::new()
            .get(format!(
                "{}/v1/sync/pull?cursor={cursor}&limit=2000",
                proxy.url()
            ))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        fetched += page["changes"].as_array().unwrap().len();
        cursor = page["cursor"].as_str().unwrap().to_string();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let fetch_s = t.elapsed().as_secs_f64();

    // 1. Fresh device pulls the working set.
    let device = Store::open(&dir.path().join("device/device.db")).unwrap();
    device
        .login(&proxy.url(), "sb_inspector", "anjian-demo")
        .unwrap();
    let down0 = proxy.counters.down.load(Ordering::SeqCst);
    let t = Instant::now();
    let report = device.sync(SyncOptions::default(), &|_| {}).unwrap();
    let pull_s = t.elapsed().as_secs_f64();
    assert_eq!(report.outcome, Outcome::Completed);
    let pulled = report.pulled;
    let down = proxy.counters.down.load(Ordering::SeqCst) - down0;

    // The floor: the same rows inserted straight into a fresh device database.
    let floor = Store::open(&dir.path().join("floor/device.db")).unwrap();
    drop(floor);
    let conn = rusqlite::Connection::open(dir.path().join("floor/device.db")).unwrap();
    // Each record is a hazard row and its event row, as on the device.
    let rows: Vec<(String, String, String, String, String)> = docs
        .iter()
        .map(|d| {
            (
                d.hazard.id.clone(),
                d.hazard.number.clone(),
                serde_json::to_string(&d.hazard).unwrap(),
                d.events[0].id.clone(),
                serde_json::to_string(&d.events[0]).unwrap(),
            )
        })
        .collect();
    let t = Instant::now();
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO hazards (id, number, unit_id, rectifying_unit_id, site_id, level, status, deadline, version, raised_at, data)
                 VALUES (?1, ?2, '500233107', '500233107', 'site-07-00', '\"general\"', 'registered', NULL, 1, '2026-11-28T00:00:00Z', ?3)",
            )
            .unwrap();
        let mut events = tx
            .prepare(
                "INSERT INTO hazard_events (id, hazard_id, version, at, data)
                 VALUES (?1, ?2, 1, '2026-11-28T00:00:00Z', ?3)",
            )
            .unwrap();
        for (id, number, data, event_id, event) in &rows {
            stmt.execute(rusqlite::params![id, number, data]).unwrap();
            events
                .execute(rusqlite::params![event_id, id, event])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let floor_s = t.elapsed().as_secs_f64();

    // 2. Push: a day of inspections, bytes per operation.
    let up0 = proxy.counters.up.load(Ordering::SeqCst);
    let site = "site-07-03";
    for _ in 0..50 {
        let insp = device
            .start_inspection(InspectionKind::RoutineCheck, site, vec!["王磊".into()])
            .unwrap();
        let items: Vec<String> = device.item_ids(&insp);
        for id in &items {
            device
                .record_item(&insp.id, id, ItemOutcome::Pass, None)
                .unwrap();
        }
        device.finish_inspection(&insp.id).unwrap();
    }
    let ops = device.outbox_len().unwrap();
    let report = device.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    let up = proxy.counters.up.load(Ordering::SeqCst) - up0;

    // 3. A photo upload interrupted 5 times.
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../shared/testdata/photos/drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg",
    );
    let hazard = device
        .ledger(
            &Default::default(),
            anjian_domain::hazard::china_date(Utc::now()),
        )
        .unwrap()[0]
        .id
        .clone();
    device
        .attach_photo(
            &photo,
            EvidenceTarget::Hazard { hazard_id: hazard },
            EvidenceStage::Before,
        )
        .unwrap();
    device.sync(SyncOptions::default(), &|_| {}).unwrap(); // the record, thumbnail, upload copy
    let files: u64 = device
        .pending_files(true)
        .unwrap()
        .iter()
        .map(|f| f.size)
        .sum();
    let up0 = proxy.counters.up.load(Ordering::SeqCst);
    let mut attempts = 0;
    loop {
        attempts += 1;
        if proxy.counters.cuts.load(Ordering::SeqCst) < 5 {
            let cut_at = proxy.counters.up.load(Ordering::SeqCst) + 300_000 + 37_123 * attempts;
            proxy
                .counters
                .cut_after_up
                .store(cut_at as i64, Ordering::SeqCst);
        }
        let r = device
            .sync(
                SyncOptions {
                    include_originals: true,
                },
                &|_| {},
            )
            .unwrap();
        if r.outcome == Outcome::Completed && device.pending_files(true).unwrap().is_empty() {
            break;
        }
        assert!(attempts < 20);
    }
    let upload_up = proxy.counters.up.load(Ordering::SeqCst) - up0;

    println!("| measure | value |");
    println!("|---|---:|");
    println!("| records pulled (fresh device, {n} hazards seeded) | {pulled} |");
    println!(
        "| pull, end to end over loopback | {:.0} records/s ({:.2} s) |",
        pulled as f64 / pull_s,
        pull_s
    );
    println!(
        "| server pages only (fetch + parse, no apply) | {:.0} records/s ({:.2} s) |",
        fetched as f64 / fetch_s,
        fetch_s
    );
    println!(
        "| server query only (storage, {queried} rows) | {:.0} records/s ({:.2} s) |",
        queried as f64 / query_s,
        query_s
    );
    println!(
        "| raw rusqlite inserts of the same rows (floor: hazard + event row each) | {:.0} records/s ({:.2} s) |",
        n as f64 / floor_s,
        floor_s
    );
    println!(
        "| pull rate / floor rate | {:.2} |",
        (pulled as f64 / pull_s) / (n as f64 / floor_s)
    );
    println!(
        "| bytes on the wire per record pulled (zstd) | {:.0} |",
        down as f64 / pulled as f64
    );
    println!(
        "| bytes on the wire per operation pushed (gzip) | {:.0} ({ops} ops) |",
        up as f64 / ops as f64
    );
    println!(
        "| photo upload cut {} times: bytes sent / file bytes | {:.3} ({upload_up} / {files}) |",
        proxy.counters.cuts.load(Ordering::SeqCst),
        upload_up as f64 / files as f64
    );
}
