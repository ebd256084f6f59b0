//! `anjian backup` of a running county server and `anjian restore` into a fresh one: a phone
//! (the device core) that synced after the backup pulls again from the start (410), its own
//! records all kept, its unsent work delivered, and the evidence served by the new server.

mod common;

use std::path::Path;
use std::process::Command;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::hazard::HazardDraft;
use base64::Engine;
use common::{anjian_bin, token, ServerProcess};

fn hazard(description: &str) -> HazardDraft {
    HazardDraft {
        id: String::new(),
        number: String::new(),
        site_id: Some("site-07-03".into()),
        unit_id: String::new(),
        description: description.into(),
        location: None,
        source: None,
        level: None,
        level_reason: None,
        needs_hardware: false,
    }
}

fn sync(store: &Store) -> anjian_core::sync_engine::SyncReport {
    let report = store.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    report
}

fn anjian(args: &[&str]) -> String {
    let out = Command::new(anjian_bin())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("ANJIAN_BLOBS")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "anjian {args:?}: {text}");
    text
}

/// Uploads a file with tus in one request (creation-with-upload); returns its SHA-256.
fn upload(server: &ServerProcess, token: &str, bytes: &[u8]) -> String {
    let sha = anjian_evidence::sha256_hex(bytes);
    let meta = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/uploads", server.base))
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", bytes.len().to_string())
        .header("Upload-Metadata", format!("sha256 {}", meta(&sha)))
        .header("Content-Type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(
        resp.headers()["upload-offset"],
        bytes.len().to_string().as_str()
    );
    sha
}

#[test]
fn a_restored_server_serves_the_backup_and_phones_pull_again_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old_data = dir.path().join("old-server");
    let old = ServerProcess::start(&old_data);
    let phone = Store::open(&dir.path().join("phone").join("device.db")).unwrap();
    phone.login(&old.base, "sb_head", "anjian-demo").unwrap();
    sync(&phone);
    let before = phone.raise_hazard(hazard("液化气钢瓶未固定")).unwrap();
    sync(&phone);
    let photo = std::fs::read(common::corpus(
        "drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg",
    ))
    .unwrap();
    let sha = upload(&old, &token(&old, "sb_head"), &photo);

    // Backed up while the server runs.
    let backup = dir.path().join("backup");
    let said = anjian(&[
        "backup",
        "--data",
        old_data.to_str().unwrap(),
        "--to",
        backup.to_str().unwrap(),
    ]);
    assert!(said.contains("证据文件"), "{said}");

    // Work after the backup: one hazard synced to the old server, one still on the phone.
    let after = phone.raise_hazard(hazard("疏散指示标志损坏")).unwrap();
    sync(&phone);
    drop(old);
    let offline = phone.raise_hazard(hazard("灭火器压力不足")).unwrap();

    // A fresh server from the backup; refused into a folder that is not empty.
    let new_data = dir.path().join("new-server");
    let refused = Command::new(anjian_bin())
        .args(["restore", "--from", backup.to_str().unwrap(), "--data"])
        .arg(&old_data)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    anjian(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--data",
        new_data.to_str().unwrap(),
    ]);
    let new = ServerProcess::start(Path::new(&new_data));
    phone.login(&new.base, "sb_head", "anjian-demo").unwrap();
    // The phone's cursor is past the restored log: 410, then a full pull; its unsent hazard goes up.
    let report = sync(&phone);
    assert_eq!(report.pushed, 1, "{report:?}");
    assert!(
        report.pulled >= 10,
        "pulled again from the start: {report:?}"
    );
    assert_eq!(phone.outbox_len().unwrap(), 0);
    // Nothing lost on the phone.
    for h in [&before, &after, &offline] {
        assert_eq!(phone.hazard(&h.id).unwrap().description, h.description);
    }
    // The new server has what the backup had, the phone's unsent work, and the evidence.
    let t = token(&new, "sb_head");
    let status = |id: &str| {
        reqwest::blocking::Client::new()
            .get(format!("{}/v1/hazards/{id}", new.base))
            .bearer_auth(&t)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(status(&before.id), 200);
    assert_eq!(status(&offline.id), 200);
    assert_eq!(
        common::blob_sha(&new, &t, &sha).as_deref(),
        Some(sha.as_str())
    );
}
