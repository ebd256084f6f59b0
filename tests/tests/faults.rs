//! Faults at many random points: the device process SIGKILLed mid-push and mid-upload, the
//! server SIGKILLed and restarted mid-upload. After recovery every record and file is on the
//! server exactly once, every blob's hash verifies, and no operation is left stuck.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::checklist::Industry;
use anjian_domain::evidence::{EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{HazardDraft, HazardSource};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use common::*;

const PHOTOS: [&str; 6] = [
    "drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg",
    "drewnoakes-metadata-extractor-images/jpg/Samsung SM-J327T1.jpg",
    "drewnoakes-metadata-extractor-images/jpg/Samsung GT-I9505 (Galaxy S4).jpg",
    "drewnoakes-metadata-extractor-images/jpg/Sony Ericsson U10i.jpg",
    "drewnoakes-metadata-extractor-images/jpg/Motorola XT1068 (Moto G).jpg",
    "drewnoakes-metadata-extractor-images/jpg/Oppo R7 Plus.jpg",
];

/// Records `n` inspections of 石宝镇 sites, each with a failed item, a hazard and a photo.
fn record_work(store: &Store, n: usize) -> Vec<String> {
    let sites: Vec<_> = store
        .sites(None)
        .unwrap()
        .into_iter()
        .filter(|s| s.industry == "fire" || s.industry == "gas")
        .collect();
    let mut hazards = Vec::new();
    for i in 0..n {
        let site = &sites[i % sites.len()];
        let industry = Industry::from_code(&site.industry).unwrap();
        let insp = store
            .start_inspection(InspectionKind::RoutineCheck, &site.id, vec![])
            .unwrap();
        let fail = store.checklists().for_inspection(&insp).items[0].id.clone();
        let items: Vec<String> = store.item_ids(&insp);
        for id in &items {
            let f = *id == fail;
            store
                .record_item(
                    &insp.id,
                    id,
                    if f {
                        ItemOutcome::Fail
                    } else {
                        ItemOutcome::Pass
                    },
                    f.then(|| format!("问题 {i}")),
                )
                .unwrap();
        }
        store.finish_inspection(&insp.id).unwrap();
        let h = store
            .raise_hazard(HazardDraft {
                id: String::new(),
                number: String::new(),
                site_id: Some(site.id.clone()),
                unit_id: String::new(),
                description: format!("问题 {i}"),
                location: None,
                source: Some(HazardSource {
                    inspection_id: insp.id.clone(),
                    industry,
                    item_id: fail,
                }),
                level: None,
                level_reason: None,
                needs_hardware: false,
            })
            .unwrap();
        store
            .attach_photo(
                &corpus(PHOTOS[i % PHOTOS.len()]),
                EvidenceTarget::Hazard {
                    hazard_id: h.id.clone(),
                },
                EvidenceStage::Before,
            )
            .unwrap();
        hazards.push(h.id);
    }
    hazards
}

fn field_sync(device: &Path, originals: bool) -> std::process::Child {
    let mut cmd = Command::new(anjian_bin());
    cmd.arg("field").arg("--device").arg(device).arg("sync");
    if originals {
        cmd.arg("--originals");
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Everything recorded is on the server exactly once, and every file verifies.
fn assert_converged(server: &ServerProcess, store: &Store, hazards: &[String], originals: bool) {
    assert_eq!(store.outbox_len().unwrap(), 0, "no operation left behind");
    assert!(
        store.attention().unwrap().is_empty(),
        "nothing refused: {:?}",
        store.attention().unwrap()
    );
    assert!(
        store.pending_files(originals).unwrap().is_empty(),
        "files left: {:?}",
        store.pending_files(originals).unwrap()
    );
    let admin = token(server, "admin");
    let ledger = api_get(server, &admin, "/v1/hazards");
    for id in hazards {
        let matches = ledger
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["id"] == id.as_str())
            .count();
        assert_eq!(matches, 1, "hazard {id} on the server exactly once");
        let doc = api_get(server, &admin, &format!("/v1/hazards/{id}"));
        assert_eq!(doc["events"].as_array().unwrap().len(), 1, "applied once");
    }
    let inspections = api_get(server, &admin, "/v1/inspections");
    let mine = inspections.as_array().unwrap().len();
    assert_eq!(mine, hazards.len(), "each inspection once");
    for id in hazards {
        for e in store.evidence_for("hazard", id).unwrap() {
            for sha in [
                e.upload_sha256.clone().unwrap(),
                e.thumb_sha256.clone().unwrap(),
            ]
            .into_iter()
            .chain(originals.then(|| e.sha256.clone()))
            {
                assert_eq!(
                    blob_sha(server, &admin, &sha).as_deref(),
                    Some(sha.as_str()),
                    "blob verifies"
                );
            }
        }
    }
}

#[test]
fn device_killed_mid_push_and_mid_upload_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let device = dir.path().join("device");
    let store = Store::open(&device.join("device.db")).unwrap();
    store
        .login(&server.base, "sb_inspector", "anjian-demo")
        .unwrap();
    assert_eq!(
        store.sync(SyncOptions::default(), &|_| {}).unwrap().outcome,
        Outcome::Completed
    );
    let hazards = record_work(&store, 24);
    drop(store);
    let mut rng = Rng::seeded();
    let mut kills = 0;
    for _ in 0..15 {
        let mut child = field_sync(&device, true);
        std::thread::sleep(Duration::from_millis(20 + rng.next() % 400));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills >= 3, "the sync was interrupted {kills} times");
    // Recovery: plain syncs until complete.
    let mut done = false;
    for _ in 0..10 {
        if field_sync(&device, true).wait().unwrap().success() {
            done = true;
            break;
        }
    }
    assert!(done, "sync completes after the kills");
    let store = Store::open(&device.join("device.db")).unwrap();
    assert_converged(&server, &store, &hazards, true);
}

#[test]
fn server_killed_and_restarted_mid_upload_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&dir.path().join("server"));
    let device = dir.path().join("device");
    let store = Store::open(&device.join("device.db")).unwrap();
    store
        .login(&server.base, "sb_inspector", "anjian-demo")
        .unwrap();
    assert_eq!(
        store.sync(SyncOptions::default(), &|_| {}).unwrap().outcome,
        Outcome::Completed
    );
    let hazards = record_work(&store, 12);
    drop(store);
    let mut rng = Rng::seeded();
    for _ in 0..6 {
        let child = field_sync(&device, true);
        std::thread::sleep(Duration::from_millis(30 + rng.next() % 300));
        server.kill_and_restart();
        let _ = child.wait_with_output();
    }
    let mut done = false;
    for _ in 0..10 {
        if field_sync(&device, true).wait().unwrap().success() {
            done = true;
            break;
        }
    }
    assert!(done, "sync completes after the server restarts");
    let store = Store::open(&device.join("device.db")).unwrap();
    assert_converged(&server, &store, &hazards, true);
}

#[test]
fn connections_cut_mid_body_and_delayed_by_a_proxy_lose_and_duplicate_nothing() {
    use anjian_tests::proxy::Proxy;
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let proxy = Proxy::start(server.base.trim_start_matches("http://").to_string());
    let store = Store::open(&dir.path().join("device/device.db")).unwrap();
    store
        .login(&proxy.url(), "sb_inspector", "anjian-demo")
        .unwrap();
    assert_eq!(
        store.sync(SyncOptions::default(), &|_| {}).unwrap().outcome,
        Outcome::Completed
    );
    let hazards = record_work(&store, 16);
    let mut rng = Rng::seeded();
    let mut interrupted = 0;
    for round in 0..40 {
        // Cut the next request somewhere in its body; sometimes slow the link too.
        let cut = proxy.counters.up.load(Ordering::SeqCst) + 200 + rng.next() % 400_000;
        proxy
            .counters
            .cut_after_up
            .store(cut as i64, Ordering::SeqCst);
        proxy
            .counters
            .delay_ms
            .store(if round % 3 == 0 { 5 } else { 0 }, Ordering::SeqCst);
        let r = store
            .sync(
                SyncOptions {
                    include_originals: true,
                },
                &|_| {},
            )
            .unwrap();
        if r.outcome != Outcome::Completed {
            interrupted += 1;
        } else if store.outbox_len().unwrap() == 0 && store.pending_files(true).unwrap().is_empty()
        {
            break;
        }
    }
    proxy.counters.cut_after_up.store(-1, Ordering::SeqCst);
    proxy.counters.delay_ms.store(0, Ordering::SeqCst);
    assert!(interrupted >= 3, "the link was cut {interrupted} times");
    assert_eq!(
        store
            .sync(
                SyncOptions {
                    include_originals: true
                },
                &|_| {}
            )
            .unwrap()
            .outcome,
        Outcome::Completed
    );
    assert_converged(&server, &store, &hazards, true);
}
