//! End to end, over loopback to a real server process: two inspectors and the county office
//! work offline, sync, and converge.

mod common;

use std::path::Path;

use anjian_core::evidence_fetch::EvidenceFile;
use anjian_core::store::{LedgerFilter, Store};
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::checklist::Industry;
use anjian_domain::evidence::{EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{
    china_date, FiveImplementations, Funding, HazardAction, HazardDraft, HazardSource, HazardStatus,
};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use chrono::{NaiveDate, Utc};
use common::{corpus, ServerProcess};

fn device(dir: &Path, name: &str, server: &ServerProcess, user: &str) -> Store {
    let store = Store::open(&dir.join(name).join("device.db")).unwrap();
    store.login(&server.base, user, "anjian-demo").unwrap();
    store
}

fn sync(store: &Store) -> anjian_core::sync_engine::SyncReport {
    let report = store.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    report
}

const SITE: &str = "site-07-03"; // 石宝镇, gas

/// A general hazard at the test site, raised without an inspection.
fn site_hazard(description: &str) -> HazardDraft {
    HazardDraft {
        id: String::new(),
        number: String::new(),
        site_id: Some(SITE.into()),
        unit_id: String::new(),
        description: description.into(),
        location: None,
        source: None,
        level: None,
        level_reason: None,
        needs_hardware: false,
    }
}

fn hazard_status(store: &Store, id: &str) -> (HazardStatus, u64) {
    let h = store.hazard(id).unwrap();
    (h.status, h.version)
}

#[test]
fn offline_inspection_to_verified_rectification_converges_on_every_device() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let inspector = device(dir.path(), "inspector", &server, "sb_inspector");
    let office = device(dir.path(), "office", &server, "admin");
    let township = device(dir.path(), "township", &server, "sb_head");
    // The competent department a township's patrol finding is referred to (移交).
    let department = device(dir.path(), "department", &server, "zjw_inspector");

    // First sync: each device gets its scope's reference data.
    sync(&inspector);
    assert_eq!(
        inspector.sites(None).unwrap().len(),
        12,
        "石宝镇's sites only"
    );
    sync(&office);
    assert_eq!(
        office.sites(None).unwrap().len(),
        336,
        "the county office sees every site"
    );

    // Offline: an inspection with a finding and a before photo.
    let insp = inspector
        .start_inspection(InspectionKind::RoutineCheck, SITE, vec!["王磊".into()])
        .unwrap();
    for item in &inspector.checklists().for_inspection(&insp).items {
        let fail = item.id == "GAS-022";
        inspector
            .record_item(
                &insp.id,
                &item.id,
                if fail {
                    ItemOutcome::Fail
                } else {
                    ItemOutcome::Pass
                },
                fail.then(|| "液化气钢瓶存放于地下室".to_string()),
            )
            .unwrap();
    }
    inspector.finish_inspection(&insp.id).unwrap();
    let hazard = inspector
        .raise_hazard(HazardDraft {
            id: String::new(),
            number: String::new(),
            site_id: Some(SITE.into()),
            unit_id: String::new(),
            description: "液化气钢瓶存放于地下室".into(),
            location: None,
            source: Some(HazardSource {
                inspection_id: insp.id.clone(),
                industry: Industry::Gas,
                item_id: "GAS-022".into(),
            }),
            level: None,
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap();
    let photo = corpus("drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg");
    inspector
        .attach_photo(
            &photo,
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::Before,
        )
        .unwrap();
    let report = sync(&inspector);
    assert!(report.pushed >= 20 && report.rejected == 0, "{report:?}");
    assert_eq!(
        report.uploaded_files, 2,
        "thumbnail and upload copy; the original waits for Wi-Fi"
    );
    assert_eq!(inspector.outbox_len().unwrap(), 0);
    assert_eq!(inspector.pending_files(false).unwrap().len(), 0);
    assert_eq!(
        inspector.pending_files(true).unwrap().len(),
        1,
        "the original is still pending"
    );

    // A patrol finding (石宝镇 has no enforcement powers): referred to 县住房城乡建委, which
    // accepts it on its phone.
    sync(&department);
    department
        .act_on_hazard(&hazard.id, HazardAction::AcceptReferral)
        .unwrap();
    assert_eq!(sync(&department).rejected, 0);

    // The office sees it in its ledger and assigns it (交办).
    sync(&office);
    let ledger = office
        .ledger(&LedgerFilter::default(), china_date(Utc::now()))
        .unwrap();
    assert!(ledger.iter().any(|h| h.id == hazard.id));
    office
        .act_on_hazard(
            &hazard.id,
            HazardAction::Assign {
                unit_id: "500233107".into(),
                deadline: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
            },
        )
        .unwrap();
    sync(&office);

    // The township pulls it, plans (五落实), rectifies with during/after photos, submits.
    sync(&township);
    assert_eq!(
        hazard_status(&township, &hazard.id).0,
        HazardStatus::Assigned
    );
    township
        .act_on_hazard(
            &hazard.id,
            HazardAction::UpdatePlan {
                plan: FiveImplementations {
                    target: Some("钢瓶全部移出地下室".into()),
                    measures: Some("新建地面独立气瓶间".into()),
                    deadline: NaiveDate::from_ymd_opt(2099, 6, 30),
                    responsible: Some("卫东".into()),
                    funding: Some(Funding {
                        amount_fen: 3_500_000,
                        source: "企业自筹".into(),
                    }),
                },
            },
        )
        .unwrap();
    township
        .act_on_hazard(&hazard.id, HazardAction::StartRectification)
        .unwrap();
    let during = corpus("drewnoakes-metadata-extractor-images/jpg/Samsung SM-J327T1.jpg");
    township
        .attach_photo(
            &during,
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::During,
        )
        .unwrap();
    let after_photo =
        corpus("drewnoakes-metadata-extractor-images/jpg/Samsung GT-I9505 (Galaxy S4).jpg");
    let after = township
        .attach_photo(
            &after_photo,
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::After,
        )
        .unwrap();
    township
        .act_on_hazard(
            &hazard.id,
            HazardAction::SubmitRectification {
                note: "钢瓶已移至地面气瓶间".into(),
                after_evidence: vec![after.id.clone()],
            },
        )
        .unwrap();
    let report = sync(&township);
    assert_eq!(report.rejected, 0, "{:?}", township.attention().unwrap());

    // The competent department verifies; everyone converges on the closed hazard and one
    // history.
    sync(&department);
    assert_eq!(
        hazard_status(&department, &hazard.id).0,
        HazardStatus::Submitted
    );
    department
        .act_on_hazard(
            &hazard.id,
            HazardAction::Verify {
                note: Some("现场复核合格".into()),
            },
        )
        .unwrap();
    sync(&department);
    for d in [&inspector, &township, &office, &department] {
        sync(d);
    }
    let closed = hazard_status(&office, &hazard.id);
    assert_eq!(closed.0, HazardStatus::Closed);
    assert_eq!(hazard_status(&inspector, &hazard.id), closed);
    assert_eq!(hazard_status(&township, &hazard.id), closed);
    let history: Vec<_> = township
        .hazard_events(&hazard.id)
        .unwrap()
        .iter()
        .map(|e| e.label())
        .collect();
    assert_eq!(
        history,
        [
            "登记隐患",
            "受理移交",
            "交办",
            "填报五落实",
            "开始整改",
            "提交整改",
            "验收销号"
        ]
    );
    // Every photo's upload copy is on the server, hash-checked.
    let ev = office.evidence_for("hazard", &hazard.id).unwrap();
    assert_eq!(ev.len(), 3, "before, during, after all reached the office");
    let token = {
        let r: serde_json::Value = reqwest::blocking::Client::new()
            .post(format!("{}/v1/auth/login", server.base))
            .json(&serde_json::json!({"username": "admin", "password": "anjian-demo"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["token"].as_str().unwrap().to_string()
    };
    for e in &ev {
        let sha = e.upload_sha256.clone().unwrap();
        let resp = reqwest::blocking::Client::new()
            .get(format!("{}/v1/blobs/{sha}", server.base))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(anjian_evidence::sha256_hex(&resp.bytes().unwrap()), sha);
    }
    // The office opens the township's after-photo on its own phone: fetched on demand,
    // checked against its hash, kept for the next look.
    let after_rec = ev.iter().find(|e| e.id == after.id).unwrap();
    for (which, sha) in [
        (
            EvidenceFile::Thumbnail,
            after_rec.thumb_sha256.clone().unwrap(),
        ),
        (
            EvidenceFile::Upload,
            after_rec.upload_sha256.clone().unwrap(),
        ),
    ] {
        let path = office.fetch_evidence_file(&after.id, which).unwrap();
        assert!(path.starts_with(dir.path().join("office")), "{path:?}");
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(anjian_evidence::sha256_hex(&bytes), sha);
        assert_eq!(office.fetch_evidence_file(&after.id, which).unwrap(), path);
    }
    // Originals wait for an unmetered network on the township's phone: not there yet.
    let err = office
        .fetch_evidence_file(&after.id, EvidenceFile::Original)
        .unwrap_err();
    assert!(err.to_string().contains("尚未上传"), "{err}");
    assert!(!office.evidence_files(after_rec).original.exists());
}

#[test]
fn concurrent_transitions_from_two_devices_converge_to_one_valid_history() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let office = device(dir.path(), "office", &server, "admin");
    let head = device(dir.path(), "head", &server, "sb_head");
    sync(&head);
    // A general hazard raised by the township head.
    let h = head.raise_hazard(site_hazard("燃气报警器未通电")).unwrap();
    sync(&head);
    sync(&office);
    // Offline at the same time: the office assigns it to a department, the township starts
    // rectifying it itself.
    office
        .act_on_hazard(
            &h.id,
            HazardAction::Assign {
                unit_id: "dept-zjw".into(),
                deadline: NaiveDate::from_ymd_opt(2099, 1, 31).unwrap(),
            },
        )
        .unwrap();
    head.act_on_hazard(&h.id, HazardAction::StartRectification)
        .unwrap();
    sync(&head); // arrives first: Registered → Rectifying
    let r = office.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(r.rejected, 1, "the assignment arrives too late");
    let attention = office.attention().unwrap();
    assert_eq!(attention.len(), 1);
    assert!(
        attention[0].reason.contains("整改中"),
        "{}",
        attention[0].reason
    );
    // Both converge to the server's history; the refused op does not block later syncs.
    sync(&head);
    sync(&office);
    assert_eq!(hazard_status(&office, &h.id), hazard_status(&head, &h.id));
    assert_eq!(hazard_status(&office, &h.id).0, HazardStatus::Rectifying);
    let labels: Vec<_> = office
        .hazard_events(&h.id)
        .unwrap()
        .iter()
        .map(|e| e.label())
        .collect();
    assert_eq!(labels, ["登记隐患", "开始整改"]);
    assert_eq!(office.outbox_len().unwrap(), 0);
}

#[test]
fn expired_login_keeps_everything_and_resumes_after_logging_in_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let head = device(dir.path(), "head", &server, "sb_head");
    sync(&head);
    head.raise_hazard(site_hazard("消防通道堆放杂物")).unwrap();
    // The server forgets the token (as after expiry or logout).
    reqwest::blocking::Client::new()
        .post(format!("{}/v1/auth/logout", server.base))
        .bearer_auth(head.sync_setting("token").unwrap().unwrap())
        .send()
        .unwrap();
    let r = head.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(r.outcome, Outcome::LoginRequired);
    assert_eq!(head.outbox_len().unwrap(), 1, "nothing lost");
    head.login(&server.base, "sb_head", "anjian-demo").unwrap();
    sync(&head);
    assert_eq!(head.outbox_len().unwrap(), 0);
    // Unreachable server: a clear state, nothing lost.
    drop(server);
    head.raise_hazard(site_hazard("灭火器过期")).unwrap();
    let r = head.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert!(
        matches!(r.outcome, Outcome::Offline(ref m) if m.contains("无法连接")),
        "{r:?}"
    );
    assert_eq!(head.outbox_len().unwrap(), 1);
}

#[test]
fn a_server_replaced_by_another_database_is_pulled_again_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let old = ServerProcess::start(&dir.path().join("old-server"));
    let head = device(dir.path(), "head", &old, "sb_head");
    sync(&head);
    head.raise_hazard(site_hazard("液化气钢瓶未固定")).unwrap();
    sync(&head); // the device's cursor is now past anything a fresh database has
    drop(old);

    // The county moves to a new server (restored from an older backup): the device's cursor
    // means nothing there. Offline work meanwhile must still arrive.
    let new = ServerProcess::start(&dir.path().join("new-server"));
    let offline = head.raise_hazard(site_hazard("疏散指示标志损坏")).unwrap();
    head.login(&new.base, "sb_head", "anjian-demo").unwrap();
    let report = sync(&head);
    assert_eq!(report.pushed, 1);
    assert!(
        report.pulled >= 10,
        "pulled again from the start: {report:?}"
    );
    assert_eq!(head.sites(None).unwrap().len(), 12);
    assert_eq!(head.outbox_len().unwrap(), 0);
    // The new server has the offline hazard, and the device's new cursor is the server's.
    let r = sync(&head);
    assert_eq!((r.pushed, r.rejected), (0, 0));
    assert!(r.pulled <= 1, "{r:?}");
    let token = head.sync_setting("token").unwrap().unwrap();
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}/v1/hazards/{}", new.base, offline.id))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
}
