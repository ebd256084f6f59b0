//! A checklist version published by 县安委办 reaches the phones with their next sync, and
//! new inspections use it offline; inspections made before keep their version.

mod common;

use anjian_core::store::Store;
use anjian_core::sync_engine::{Outcome, SyncOptions};
use anjian_domain::checklist::{ChecklistRegistry, Industry};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use common::{api_get, token, ServerProcess};

const FIRE_SITE: &str = "site-07-06"; // 石宝镇, fire (industry index (7 + 6) % 10 = 3)

/// The version after `v` ("2026.3" → "2026.4"): what 县安委办 publishes over the shipped file.
fn next_version(v: &str) -> String {
    let (year, n) = v.rsplit_once('.').expect("a version is year.number");
    format!("{year}.{}", n.parse::<u32>().expect("a version number") + 1)
}

#[test]
fn a_published_version_reaches_the_phone_and_new_inspections_use_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let phone = Store::open(&dir.path().join("phone").join("device.db")).unwrap();
    // The fire file as shipped, whatever its version today, and the county's next one.
    let shipped = ChecklistRegistry::new().current(Industry::Fire);
    let county = next_version(&shipped.version);
    phone
        .login(&server.base, "sb_inspector", "anjian-demo")
        .unwrap();
    let sync = || {
        let r = phone.sync(SyncOptions::default(), &|_| {}).unwrap();
        assert_eq!(r.outcome, Outcome::Completed, "{r:?}");
    };
    sync();
    let before = phone
        .start_inspection(InspectionKind::RoutineCheck, FIRE_SITE, vec![])
        .unwrap();
    assert_eq!(before.checklist_version, shipped.version);

    let base = include_str!("../../core/domain/checklists/fire.toml");
    let v2 = base.replace(
        &format!("version = \"{}\"", shipped.version),
        &format!("version = \"{county}\""),
    )
        + "\n[[items]]\nid = \"FIR-017\"\nsection = \"消防安全管理\"\ntext = \"电动自行车不在楼道、安全出口停放充电\"\nbasis = \"《高层民用建筑消防安全管理规定》（2021年）第三十七条\"\nmajor = false\nunverified = \"县级补充项，条号未核对\"\n";
    let admin = token(&server, "admin");
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/v1/admin/checklists", server.base))
        .bearer_auth(&admin)
        .header("content-type", "application/toml")
        .body(v2)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().unwrap());
    let lists = api_get(&server, &admin, "/v1/checklists");
    assert!(lists
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "fire" && c["version"] == county.as_str()));

    sync();
    assert_eq!(phone.checklists().current(Industry::Fire).version, county);
    // Offline from here: the new inspection takes the new version and its new item.
    let after = phone
        .start_inspection(InspectionKind::RoutineCheck, FIRE_SITE, vec![])
        .unwrap();
    assert_eq!(after.checklist_version, county);
    for item in &phone.checklists().for_inspection(&after).items {
        let fail = item.id == "FIR-017";
        phone
            .record_item(
                &after.id,
                &item.id,
                if fail {
                    ItemOutcome::Fail
                } else {
                    ItemOutcome::Pass
                },
                fail.then(|| "楼道内电动自行车充电".to_string()),
            )
            .unwrap();
    }
    phone.finish_inspection(&after.id).unwrap();
    // The earlier inspection keeps the shipped items; the new item is not part of it.
    let before = phone.inspection(&before.id).unwrap();
    let before_list = phone.checklists().for_inspection(&before);
    assert_eq!(before_list.items.len(), shipped.items.len());
    assert!(before_list.item("FIR-017").is_err());
    // A reopened store (the app restarted) still knows the version.
    drop(phone);
    let phone = Store::open(&dir.path().join("phone").join("device.db")).unwrap();
    assert_eq!(phone.checklists().current(Industry::Fire).version, county);
    let r = phone.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(r.outcome, Outcome::Completed, "{r:?}");
    assert_eq!(
        phone.outbox_len().unwrap(),
        0,
        "the server took the inspection on the county's version"
    );
}
