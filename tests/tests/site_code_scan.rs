//! 扫码入企 on the phone: the county's key arrives at login, a scanned code verifies offline
//! and starts an inspection of its site, which the server accepts; a forged code starts nothing.

mod common;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::inspection::InspectionKind;
use common::{api_get, token, ServerProcess};

const SHIBAO_GAS: &str = "site-07-03";

#[test]
fn a_scanned_code_starts_an_inspection_offline() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let phone = Store::open(&dir.path().join("phone").join("device.db")).unwrap();
    phone
        .login(&server.base, "sb_inspector", "anjian-demo")
        .unwrap();
    let r = phone.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(r.outcome, Outcome::Completed, "{r:?}");

    // The sticker the office printed for the gate.
    let admin = token(&server, "admin");
    let code = api_get(&server, &admin, &format!("/v1/sites/{SHIBAO_GAS}/code"));
    let text = code["text"].as_str().unwrap();

    // The phone verifies it with the key it keeps (no request is made) and starts there.
    let site = phone.site_from_code(text).unwrap();
    assert_eq!(site.id, SHIBAO_GAS);
    let before = phone.outbox_len().unwrap();
    let insp = phone
        .start_inspection_from_code(text, InspectionKind::RoutineCheck, vec![])
        .unwrap();
    assert_eq!(insp.site_id, SHIBAO_GAS);
    assert_eq!(phone.outbox_len().unwrap(), before + 1);

    // A code altered to name another site is refused, and nothing is queued.
    let forged = text.replace(SHIBAO_GAS, "site-07-04");
    let e = phone
        .start_inspection_from_code(&forged, InspectionKind::RoutineCheck, vec![])
        .unwrap_err();
    assert!(e.to_string().contains("签名不符"), "{e}");
    assert!(phone.site_from_code("https://example.com/").is_err());
    assert_eq!(phone.outbox_len().unwrap(), before + 1);

    // The server takes the scanned inspection as the patrol it is.
    let r = phone.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(r.outcome, Outcome::Completed, "{r:?}");
    let sb = token(&server, "sb_inspector");
    let list = api_get(&server, &sb, "/v1/inspections");
    let stored = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == insp.id.as_str())
        .expect("the inspection reached the server");
    assert_eq!(stored["activity"], "patrol_report");
}
