//! A storage failure on the server during a push is not a rule's refusal: the push answers
//! 500, nothing of the operation is recorded, and the phone keeps the operation and sends it
//! again — it never lands in 需处理.

mod common;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::checklist::Industry;
use anjian_domain::hazard::{HazardDraft, HazardSource};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use common::*;

#[test]
fn a_storage_failure_during_a_push_is_retried_and_never_parked_in_attention() {
    let dir = tempfile::tempdir().unwrap();
    let server_dir = dir.path().join("server");
    let server = ServerProcess::start(&server_dir);
    let store = Store::open(&dir.path().join("device").join("device.db")).unwrap();
    store
        .login(&server.base, "sb_inspector", "anjian-demo")
        .unwrap();
    assert_eq!(
        store.sync(SyncOptions::default(), &|_| {}).unwrap().outcome,
        Outcome::Completed
    );
    // One inspection of a 石宝镇 gas site with a failed item, and its hazard.
    let site = store.site("site-07-03").unwrap();
    let insp = store
        .start_inspection(InspectionKind::RoutineCheck, &site.id, vec![])
        .unwrap();
    let items: Vec<String> = store.item_ids(&insp);
    for id in &items {
        let (outcome, note) = if id == &items[0] {
            (ItemOutcome::Fail, Some("钢瓶存放在地下室".to_string()))
        } else {
            (ItemOutcome::Pass, None)
        };
        store.record_item(&insp.id, id, outcome, note).unwrap();
    }
    store.finish_inspection(&insp.id).unwrap();
    let hazard = store
        .raise_hazard(HazardDraft {
            id: String::new(),
            number: String::new(),
            site_id: Some(site.id.clone()),
            unit_id: String::new(),
            description: "液化气钢瓶存放在地下室".into(),
            location: None,
            source: Some(HazardSource {
                inspection_id: insp.id.clone(),
                industry: Industry::Gas,
                item_id: items[0].clone(),
            }),
            level: None,
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap();
    let queued = store.outbox_len().unwrap();
    assert!(queued > items.len() as u64);

    // The server's change log breaks under it (as a failing disk or a lost table would): every
    // write fails after the rules have passed.
    let db = rusqlite::Connection::open(server_dir.join("anjian-server.db")).unwrap();
    db.execute_batch("ALTER TABLE change_audience RENAME TO change_audience_away")
        .unwrap();
    let report = store.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert!(
        matches!(report.outcome, Outcome::Offline(_)),
        "the push fails as a whole: {report:?}"
    );
    assert_eq!(report.rejected, 0);
    assert!(
        store.attention().unwrap().is_empty(),
        "nothing parked in 需处理"
    );
    assert_eq!(store.outbox_len().unwrap(), queued, "every operation kept");

    // Repaired, the same operations go through.
    db.execute_batch("ALTER TABLE change_audience_away RENAME TO change_audience")
        .unwrap();
    let report = store.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    assert_eq!(report.rejected, 0, "{:?}", store.attention().unwrap());
    assert_eq!(store.outbox_len().unwrap(), 0);
    assert!(store.attention().unwrap().is_empty());
    let token = token(&server, "sb_inspector");
    let doc = api_get(&server, &token, &format!("/v1/hazards/{}", hazard.id));
    assert_eq!(doc["hazard"]["id"], hazard.id.as_str());
}
