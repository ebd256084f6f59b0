//! Two `anjian serve` processes sharing nothing but PostgreSQL and S3-compatible object
//! storage (SeaweedFS), behind HAProxy on loopback: an upload cut mid-way resumes through the
//! other instance, a pull started on one continues on the other, and phones syncing through
//! the balancer lose nothing when an instance is killed under them.
//! Skipped unless PostgreSQL and S3 are configured (required in CI).

mod common;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::evidence::{EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::HazardDraft;
use anjian_tests::cluster::{Balancer, Instance, Shared};
use base64::Engine;
use common::{anjian_bin, corpus};

fn login(base: &str, user: &str) -> String {
    let r: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": "anjian-demo"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

/// A request body that sends `n` bytes and then fails, as a phone losing its signal.
struct CutAfter {
    bytes: Vec<u8>,
    at: usize,
}

impl Read for CutAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.bytes.len() {
            return Err(std::io::Error::other("signal lost"));
        }
        let n = buf.len().min(self.bytes.len() - self.at).min(64 * 1024);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn an_upload_cut_on_one_instance_resumes_on_the_other_and_a_pull_continues() {
    let Some(shared) = Shared::create() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bin = anjian_bin();
    let a = Instance::start(&bin, &dir.path().join("a"), &shared, true);
    let b = Instance::start(&bin, &dir.path().join("b"), &shared, false);
    let token = login(&a.base, "sb_inspector");
    let client = reqwest::blocking::Client::new();

    let photo = std::fs::read(corpus(
        "drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg",
    ))
    .unwrap();
    let sha = anjian_evidence::sha256_hex(&photo);
    let meta = format!(
        "sha256 {},filename {}",
        base64::engine::general_purpose::STANDARD.encode(&sha),
        base64::engine::general_purpose::STANDARD.encode("隐患照片.jpg")
    );
    let created = client
        .post(format!("{}/v1/uploads", a.base))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", photo.len().to_string())
        .header("Upload-Metadata", meta)
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let loc = created.headers()["location"].to_str().unwrap().to_string();
    // The connection to A drops after half the file.
    let half = photo.len() / 2;
    let cut = client
        .patch(format!("{}{loc}", a.base))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(reqwest::blocking::Body::new(CutAfter {
            bytes: photo[..half].to_vec(),
            at: 0,
        }))
        .send();
    assert!(cut.is_err(), "the body never finished");
    // B says how far it got: what reached A before the cut was kept (the client may not have
    // sent its last buffered bytes), and B takes the rest.
    let offset_on_b = || -> usize {
        let head = client
            .head(format!("{}{loc}", b.base))
            .bearer_auth(&token)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(head.status(), 200);
        head.headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    // A may still be storing what it received when the connection dropped.
    let mut offset = offset_on_b();
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(100));
        let now = offset_on_b();
        if now == offset && now > 0 {
            break;
        }
        offset = now;
    }
    assert!(
        offset > half / 2 && offset <= half,
        "kept {offset} of {half}"
    );
    let rest = client
        .patch(format!("{}{loc}", b.base))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(photo[offset..].to_vec())
        .send()
        .unwrap();
    assert_eq!(rest.status(), 204);
    for s in [&a, &b] {
        let got = client
            .get(format!("{}/v1/blobs/{sha}", s.base))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(anjian_evidence::sha256_hex(&got.bytes().unwrap()), sha);
    }

    // A pull started on A continues on B with A's cursor.
    let page = |base: &str, cursor: &str| -> serde_json::Value {
        client
            .get(format!("{base}/v1/sync/pull?cursor={cursor}&limit=7"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for (i, base) in [&a.base, &b.base].iter().cycle().enumerate() {
        let p = page(base, &cursor);
        seen.extend(
            p["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["seq"].as_i64().unwrap()),
        );
        cursor = p["cursor"].as_str().unwrap().to_string();
        if !p["has_more"].as_bool().unwrap() {
            assert!(i >= 2, "several pages, alternating instances");
            break;
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "each change once, in order, across instances");
    assert!(seen.len() > 20);
}

fn hazard(n: usize, phone: usize) -> HazardDraft {
    HazardDraft {
        id: String::new(),
        number: String::new(),
        site_id: Some("site-07-03".into()),
        unit_id: String::new(),
        description: format!("第 {phone} 号手机第 {n} 条：消防通道堵塞"),
        location: None,
        source: None,
        level: None,
        level_reason: None,
        needs_hardware: false,
    }
}

/// Syncs until everything is delivered (an instance may die mid-way: the phone retries).
fn sync_until_done(store: &Store) {
    for _ in 0..100 {
        if let Ok(r) = store.sync(SyncOptions::default(), &|_| {}) {
            if r.outcome == Outcome::Completed
                && store.outbox_len().unwrap() == 0
                && store.pending_files(false).unwrap().is_empty()
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the phone could not deliver its work");
}

#[test]
fn an_instance_killed_under_load_loses_nothing() {
    let Some(shared) = Shared::create() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bin = anjian_bin();
    let mut a = Instance::start(&bin, &dir.path().join("a"), &shared, true);
    let b = Instance::start(&bin, &dir.path().join("b"), &shared, false);
    let Some(lb) = Balancer::start(&[&a, &b]) else {
        assert!(
            std::env::var("ANJIAN_REQUIRE_S3").is_err(),
            "HAProxy is not installed"
        );
        return;
    };
    let photo = corpus("drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg");
    let rounds_done = Arc::new(AtomicUsize::new(0));
    let phones: Vec<_> = ["sb_inspector", "sb_head", "sb_inspector"]
        .into_iter()
        .enumerate()
        .map(|(i, user)| {
            let base = lb.base.clone();
            let path = dir.path().join(format!("phone-{i}")).join("device.db");
            let photo = photo.clone();
            let done = rounds_done.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                store.login(&base, user, "anjian-demo").unwrap();
                sync_until_done(&store);
                let mut raised = Vec::new();
                for n in 0..4 {
                    let h = store.raise_hazard(hazard(n, i)).unwrap();
                    store
                        .attach_photo(
                            &photo,
                            EvidenceTarget::Hazard {
                                hazard_id: h.id.clone(),
                            },
                            EvidenceStage::Before,
                        )
                        .unwrap();
                    raised.push(h.id);
                    sync_until_done(&store);
                    done.fetch_add(1, Ordering::SeqCst);
                }
                (store, raised)
            })
        })
        .collect();
    // Kill A (SIGKILL, no goodbye) once the phones are under way.
    while rounds_done.load(Ordering::SeqCst) < 3 {
        std::thread::sleep(Duration::from_millis(50));
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let token = login(&b.base, "sb_head");
    let client = reqwest::blocking::Client::new();
    for phone in phones {
        let (store, raised) = phone.join().unwrap();
        assert_eq!(store.outbox_len().unwrap(), 0);
        for id in raised {
            let r = client
                .get(format!("{}/v1/hazards/{id}", b.base))
                .bearer_auth(&token)
                .send()
                .unwrap();
            assert_eq!(r.status(), 200, "hazard {id} reached the server");
            let records = store.evidence_for("hazard", &id).unwrap();
            assert_eq!(records.len(), 1);
            for sha in [&records[0].upload_sha256, &records[0].thumb_sha256]
                .into_iter()
                .flatten()
            {
                let r = client
                    .head(format!("{}/v1/blobs/{sha}", b.base))
                    .bearer_auth(&token)
                    .send()
                    .unwrap();
                assert_eq!(r.status(), 200, "file {sha} is in the shared store");
            }
        }
    }
}
