//! Load generator (a scripted run, not a timed test): simulated phones, each looping
//! push an inspection with a hazard and its photo record → upload the photo (tus) → pull,
//! against, in one run:
//! 1. a bare axum handler answering the same requests (the floor: HTTP and the client alone);
//! 2. one `anjian serve` instance;
//! 3. two instances behind HAProxy.
//!
//! The server is on PostgreSQL + S3 (SeaweedFS) when ANJIAN_TEST_DATABASE_URL and
//! ANJIAN_TEST_BLOBS are set (scripts/start-postgres.sh, scripts/start-seaweedfs.sh); the
//! two-instance run needs both. Per run: requests/s, p50/p99 latency, errors, and the server
//! side's CPU per request (server processes and HAProxy, from /proc).
//!
//!     cargo build --release -p anjian -p anjian-tests
//!     target/release/anjian-load-gen [PHONES] [SECONDS]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anjian_domain::checklist::{ChecklistRegistry, Industry};
use anjian_domain::evidence::{
    EvidenceFile, EvidenceKind, EvidenceRecord, EvidenceStage, EvidenceTarget,
};
use anjian_domain::hazard::{Hazard, HazardDraft, HazardSource};
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome, ItemResult};
use anjian_domain::org::{Actor, Role};
use anjian_tests::cluster::{cpu_seconds, free_port, wait_healthy, Balancer, Instance, Shared};
use base64::Engine;
use chrono::Utc;
use serde_json::{json, Value};

/// The phones' accounts, each with a gas site of their township.
const PHONES: [(&str, &str, &str); 2] = [
    ("sb_inspector", "site-07-03", "500233107"),
    ("zz_head", "site-00-00", "500233001"),
];

fn op(entity: &str, id: &str, op: &str, payload: Value) -> Value {
    json!({"op_id": uuid::Uuid::now_v7().to_string(), "entity": entity, "entity_id": id, "op": op, "payload": payload})
}

/// One inspection of the site (all items passed but one), the hazard raised from it, and
/// the record of its photo (`sha`, `size`).
fn visit(site: &str, unit: &str, sha: &str, size: u64) -> Vec<Value> {
    let now = Utc::now();
    let phone = ChecklistRegistry::new();
    let list = phone.current(Industry::Gas);
    let actor = Actor {
        person_id: "claimed".into(),
        name: "设备".into(),
        unit_id: "x".into(),
        roles: vec![Role::Inspector],
    };
    let id = uuid::Uuid::now_v7().to_string();
    let insp = Inspection::start(
        id.clone(),
        InspectionKind::RoutineCheck,
        site,
        &list,
        actor.clone(),
        vec!["同行人员".into()],
        now,
    )
    .unwrap();
    let mut ops = vec![op("inspection", &id, "start", json!(insp))];
    let failed = &list.items[0].id;
    for item in &list.items {
        let fail = &item.id == failed;
        let result = ItemResult {
            outcome: if fail {
                ItemOutcome::Fail
            } else {
                ItemOutcome::Pass
            },
            note: fail.then(|| "液化气钢瓶未固定".to_string()),
            recorded_at: now,
        };
        ops.push(op(
            "inspection",
            &id,
            "record_item",
            json!({"item_id": item.id, "result": result}),
        ));
    }
    ops.push(op("inspection", &id, "finish", json!({"finished_at": now})));
    let hazard_id = uuid::Uuid::now_v7().to_string();
    let draft = HazardDraft {
        id: hazard_id.clone(),
        number: format!("YH-LOAD-{}", &hazard_id[hazard_id.len() - 8..]),
        site_id: Some(site.into()),
        unit_id: unit.into(),
        description: "液化气钢瓶未固定，存放处无通风".into(),
        location: None,
        source: Some(HazardSource {
            inspection_id: id.clone(),
            industry: Industry::Gas,
            item_id: failed.clone(),
        }),
        level: None,
        level_reason: None,
        needs_hardware: false,
    };
    let hazard = Hazard::raise(draft, &phone, &actor, now).unwrap();
    ops.push(op("hazard", &hazard_id, "raise", json!(hazard)));
    let evidence_id = uuid::Uuid::now_v7().to_string();
    let record = EvidenceRecord {
        upload_sha256: Some(sha.into()),
        ..EvidenceRecord::new(
            evidence_id.clone(),
            EvidenceKind::Photo,
            EvidenceFile {
                sha256: sha.into(),
                content_type: "image/jpeg".into(),
                size,
            },
            EvidenceTarget::Hazard { hazard_id },
            EvidenceStage::Before,
            "claimed".into(),
            now,
        )
    };
    ops.push(op("evidence", &evidence_id, "attach", json!(record)));
    ops
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    errors: u64,
}

impl Tally {
    fn time<T>(&mut self, f: impl FnOnce() -> Result<T, String>) -> Option<T> {
        let t = Instant::now();
        let r = f();
        self.latencies_us.push(t.elapsed().as_micros() as u64);
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                if self.errors < 3 {
                    eprintln!("error: {e}");
                }
                self.errors += 1;
                None
            }
        }
    }
}

fn check(
    r: reqwest::Result<reqwest::blocking::Response>,
    want: u16,
) -> Result<reqwest::blocking::Response, String> {
    let r = r.map_err(|e| e.to_string())?;
    if r.status().as_u16() != want {
        return Err(format!(
            "{} (wanted {want}): {}",
            r.status(),
            r.text().unwrap_or_default()
        ));
    }
    Ok(r)
}

/// One phone for `secs`: login (untimed), then push / upload / pull rounds.
fn phone(base: &str, n: usize, photo: &[u8], secs: f64, floor: bool) -> Tally {
    let (user, site, unit) = PHONES[n % PHONES.len()];
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let login: Value = c
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"username": user, "password": "anjian-demo"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let mut tally = Tally::default();
    let mut cursor = String::new();
    let started = Instant::now();
    let mut round = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        round += 1;
        // A photo of its own: the shared one with a unique tail.
        let mut bytes = photo.to_vec();
        bytes.extend_from_slice(format!("{n}-{round}-{}", uuid::Uuid::now_v7()).as_bytes());
        let sha = anjian_evidence::sha256_hex(&bytes);
        let ops = visit(site, unit, &sha, bytes.len() as u64);
        let body = json!({"protocol": 1, "device_id": format!("load-{n}"), "ops": ops});
        tally.time(|| {
            let r: Value = check(
                c.post(format!("{base}/v1/sync/push"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send(),
                200,
            )?
            .json()
            .map_err(|e| e.to_string())?;
            let bad = r["results"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| x["status"] != "applied");
            match bad {
                Some(b) if !floor => Err(format!("not applied: {b}")),
                _ => Ok(()),
            }
        });
        let meta = format!(
            "sha256 {}",
            base64::engine::general_purpose::STANDARD.encode(&sha)
        );
        let created = tally.time(|| {
            let r = check(
                c.post(format!("{base}/v1/uploads"))
                    .bearer_auth(&token)
                    .header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", bytes.len().to_string())
                    .header("Upload-Metadata", &meta)
                    .send(),
                201,
            )?;
            Ok(r.headers()["location"]
                .to_str()
                .unwrap_or_default()
                .to_string())
        });
        if let Some(loc) = created {
            tally.time(|| {
                check(
                    c.patch(format!("{base}{loc}"))
                        .bearer_auth(&token)
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Offset", "0")
                        .header("Content-Type", "application/offset+octet-stream")
                        .body(bytes.clone())
                        .send(),
                    204,
                )
                .map(|_| ())
            });
        }
        tally.time(|| {
            let page: Value = check(
                c.get(format!("{base}/v1/sync/pull?cursor={cursor}&limit=500"))
                    .bearer_auth(&token)
                    .send(),
                200,
            )?
            .json()
            .map_err(|e| e.to_string())?;
            cursor = page["cursor"].as_str().unwrap_or_default().to_string();
            Ok(())
        });
    }
    tally
}

/// Runs the phones against `base` and prints one table row; `pids`: the server side.
fn run(label: &str, base: &str, pids: &[u32], phones: usize, secs: f64, photo: &[u8], floor: bool) {
    let cpu0: f64 = pids.iter().map(|p| cpu_seconds(*p)).sum();
    let t = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..phones)
            .map(|n| s.spawn(move || phone(base, n, photo, secs, floor)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = t.elapsed().as_secs_f64();
    let cpu = pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>() - cpu0;
    let mut lat: Vec<u64> = tallies
        .iter()
        .flat_map(|t| t.latencies_us.iter().copied())
        .collect();
    lat.sort_unstable();
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    let n = lat.len().max(1);
    let pct = |p: f64| {
        lat.get(((n as f64 * p) as usize).min(n - 1))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    println!(
        "| {label} | {} | {:.0} | {:.1} | {:.1} | {errors} | {:.2} |",
        lat.len(),
        lat.len() as f64 / wall,
        pct(0.50),
        pct(0.99),
        cpu * 1000.0 / n as f64
    );
}

/// The floor: a bare axum server answering the phones' requests with fixed replies.
fn floor_serve(addr: &str) {
    use axum::routing::{get, patch, post};
    let app = axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/v1/auth/login",
            post(|_: axum::body::Bytes| async { axum::Json(json!({"token": "floor"})) }),
        )
        .route(
            "/v1/sync/push",
            post(|_: axum::body::Bytes| async { axum::Json(json!({"results": []})) }),
        )
        .route(
            "/v1/uploads",
            post(|| async {
                (
                    axum::http::StatusCode::CREATED,
                    [("Location", "/v1/uploads/floor")],
                )
            }),
        )
        .route(
            "/v1/uploads/{id}",
            patch(|b: axum::body::Bytes| async move {
                (
                    axum::http::StatusCode::NO_CONTENT,
                    [("Upload-Offset", b.len().to_string())],
                )
            }),
        )
        .route(
            "/v1/sync/pull",
            get(|| async { axum::Json(json!({"changes": [], "cursor": "", "has_more": false})) }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--floor") {
        return floor_serve(&args[1]);
    }
    let phones: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(8);
    let secs: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(15.0);
    let exe = std::env::current_exe().unwrap();
    let bin: PathBuf = exe.parent().unwrap().join("anjian");
    assert!(
        bin.exists(),
        "build the anjian binary beside this one first"
    );
    let photo = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../shared/testdata/photos/drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg",
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "{phones} phones, {secs} s each run, photo {} KB",
        photo.len() / 1024
    );
    println!("| run | requests | req/s | p50 ms | p99 ms | errors | server CPU ms/req |");
    println!("|---|---:|---:|---:|---:|---:|---:|");

    let port = free_port();
    let mut floor = std::process::Command::new(&exe)
        .args(["--floor", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let floor_base = format!("http://127.0.0.1:{port}");
    wait_healthy(&floor_base);
    run(
        "bare axum handler (floor)",
        &floor_base,
        &[floor.id()],
        phones,
        secs,
        &photo,
        true,
    );
    let _ = floor.kill();
    let _ = floor.wait();

    let Some(shared) = Shared::create() else {
        eprintln!("set ANJIAN_TEST_DATABASE_URL and ANJIAN_TEST_BLOBS for the server runs");
        return;
    };
    let a = Instance::start(&bin, &dir.path().join("a"), &shared, true);
    run(
        "one instance (PostgreSQL + S3)",
        &a.base,
        &[a.child.id()],
        phones,
        secs,
        &photo,
        false,
    );
    let b = Instance::start(&bin, &dir.path().join("b"), &shared, false);
    match Balancer::start(&[&a, &b]) {
        Some(lb) => run(
            "two instances behind HAProxy",
            &lb.base,
            &[a.child.id(), b.child.id(), lb.child.id()],
            phones,
            secs,
            &photo,
            false,
        ),
        None => eprintln!("HAProxy not installed: two-instance run skipped"),
    }
}
