//! The third party's phone, through the phone core against a real server: engaged by 县住建委
//! for its city-gas sites (the demo engagement), it receives exactly those sites, is offered
//! only a 技术服务 assessment there, and its assessment with the report file syncs and is
//! referred to the department.

mod common;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::enforcement::FieldActivity;
use anjian_domain::evidence::EvidenceTarget;
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use anjian_evidence::document::DocumentKind;
use common::{api_get, token, ServerProcess};

#[test]
fn the_third_partys_phone_sees_and_assesses_its_engaged_sites() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let phone = Store::open(&dir.path().join("tp").join("device.db")).unwrap();
    phone
        .login(&server.base, "thirdparty", "anjian-demo")
        .unwrap();
    let report = phone.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");

    let admin = token(&server, "admin");
    let engaged: Vec<String> = api_get(&server, &admin, "/v1/sites")
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["industry"] == "gas" && s["department_id"] == "dept-zjw")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let mut mine: Vec<String> = phone
        .sites(None)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    mine.sort();
    let mut want = engaged.clone();
    want.sort();
    assert_eq!(mine, want, "the phone holds exactly the engaged sites");

    let site = &engaged[0];
    assert_eq!(
        phone.inspection_kinds_for(site).unwrap(),
        vec![InspectionKind::ProfessionalAssessment]
    );
    let e = phone
        .start_inspection(InspectionKind::RoutineCheck, site, vec![])
        .unwrap_err();
    assert!(e.to_string().contains("无权"), "{e}");
    let insp = phone
        .start_inspection(
            InspectionKind::ProfessionalAssessment,
            site,
            vec!["刘工".into()],
        )
        .unwrap();
    assert_eq!(insp.activity, Some(FieldActivity::TechnicalSupport));
    for item in &phone.checklists().for_inspection(&insp).items {
        phone
            .record_item(&insp.id, &item.id, ItemOutcome::Pass, None)
            .unwrap();
    }
    let pdf = dir.path().join("评估报告.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();
    phone
        .attach_document(
            &pdf,
            EvidenceTarget::InspectionReport {
                inspection_id: insp.id.clone(),
            },
            DocumentKind::Other,
            None,
            None,
        )
        .unwrap();
    phone.finish_inspection(&insp.id).unwrap();
    let report = phone.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");

    // On the server: finished, under the engagement, seen by 县住建委's side (the county here).
    let list = api_get(&server, &admin, "/v1/inspections");
    let stored = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == insp.id.as_str())
        .unwrap_or_else(|| panic!("{list:#}"));
    assert!(stored["finished_at"].is_string(), "{stored:#}");
    assert_eq!(stored["engagement_id"], "engagement-gas");
    assert_eq!(stored["commissioned_by"], "dept-zjw");
}
