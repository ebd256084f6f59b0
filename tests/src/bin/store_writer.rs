//! Test helper: records inspections and hazard transitions into a store as fast as it can,
//! printing `ack N` after each committed change (N = changes committed by this process), so
//! a test can SIGKILL it at any moment and check what survived.

use std::io::Write;

use anjian_core::store::Store;
use anjian_domain::checklist::Industry;
use anjian_domain::hazard::{
    FiveImplementations, Funding, HazardAction, HazardDraft, HazardSource,
};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use anjian_domain::org::{Actor, Role};
use anjian_domain::site::{Site, SiteLocation};
use chrono::NaiveDate;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: anjian-store-writer DB");
    let store = Store::open(path.as_ref()).expect("open");
    store
        .set_profile(&Actor {
            person_id: "writer".into(),
            name: "压力测试".into(),
            unit_id: "500233001".into(),
            roles: vec![Role::Inspector],
        })
        .expect("profile");
    let mut out = std::io::stdout().lock();
    let mut acked = 0u64;
    let mut ack = |out: &mut std::io::StdoutLock| {
        acked += 1;
        writeln!(out, "ack {acked}").unwrap();
        out.flush().unwrap();
    };
    let site = store
        .add_site(Site::new(
            "",
            "忠州街道某商场",
            "fire",
            SiteLocation::circle(30.29, 108.03, Some(100.0)),
            "500233001",
        ))
        .expect("site");
    ack(&mut out);
    let items = &store.checklists().current(Industry::Fire).items;
    loop {
        let insp = store
            .start_inspection(InspectionKind::RoutineCheck, &site.id, vec!["李华".into()])
            .expect("start");
        ack(&mut out);
        for item in items {
            let (outcome, note) = if item.id == "FIR-003" {
                (ItemOutcome::Fail, Some("喷淋系统未设置".to_string()))
            } else {
                (ItemOutcome::Pass, None)
            };
            store
                .record_item(&insp.id, &item.id, outcome, note)
                .expect("record");
            ack(&mut out);
        }
        store.finish_inspection(&insp.id).expect("finish");
        ack(&mut out);
        let hazard = store
            .raise_hazard(HazardDraft {
                id: String::new(),
                number: String::new(),
                site_id: Some(site.id.clone()),
                unit_id: String::new(),
                description: "未按规定设置自动喷水灭火系统".into(),
                location: None,
                source: Some(HazardSource {
                    inspection_id: insp.id.clone(),
                    industry: Industry::Fire,
                    item_id: "FIR-003".into(),
                }),
                level: None,
                level_reason: None,
                needs_hardware: false,
            })
            .expect("raise");
        ack(&mut out);
        let plan = FiveImplementations {
            target: Some("按规范设置喷淋系统".into()),
            measures: Some("委托有资质单位施工".into()),
            deadline: NaiveDate::from_ymd_opt(2099, 1, 31),
            responsible: Some("王强".into()),
            funding: Some(Funding {
                amount_fen: 8_000_000,
                source: "企业自筹".into(),
            }),
        };
        store
            .act_on_hazard(&hazard.id, HazardAction::UpdatePlan { plan })
            .expect("plan");
        ack(&mut out);
        store
            .act_on_hazard(&hazard.id, HazardAction::StartRectification)
            .expect("start rectification");
        ack(&mut out);
    }
}
