//! The offline store through its public facade: workflow, outbox, refusals, recovery.

use anjian_core::ffi::*;
use anjian_core::AnjianError;
use anjian_domain::evidence::{EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{HazardLevel, HazardStatus};

fn corpus(rel: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/photos")
        .join(rel)
        .display()
        .to_string()
}

fn phone_photo() -> String {
    corpus("drewnoakes-metadata-extractor-images/jpg/Apple iPhone 6.jpg")
}
use anjian_domain::duty::QuotaState;
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use anjian_domain::org::Role;
use anjian_domain::records::MeetingKind;

fn open(dir: &tempfile::TempDir) -> std::sync::Arc<AnjianStore> {
    let store = AnjianStore::open(dir.path().join("anjian.db").display().to_string()).unwrap();
    store
        .set_profile(Profile {
            person_id: "p-inspector".into(),
            name: "陈刚".into(),
            unit_id: "500233107".into(),
            roles: vec![Role::Inspector, Role::PatrolMember],
        })
        .unwrap();
    store
}

fn gas_site(store: &AnjianStore) -> SiteRecord {
    store
        .add_site(SiteInput {
            name: "石宝镇顺发液化气供应站".into(),
            industry: "gas".into(),
            lat: 30.4215,
            lon: 108.1803,
            radius_m: Some(80.0),
            township_id: "500233107".into(),
            department_id: Some("dept-housing".into()),
            address: Some("忠县石宝镇沿江路12号".into()),
            contact_name: Some("刘建华".into()),
            contact_phone: Some("13996512345".into()),
            attributes: Vec::new(),
        })
        .unwrap()
}

fn as_person(store: &AnjianStore, id: &str, name: &str, roles: &[&str]) {
    as_person_of(store, "500233107", id, name, roles)
}

/// A person of another unit (a site contact's unit is their site).
fn as_person_of(store: &AnjianStore, unit: &str, id: &str, name: &str, roles: &[&str]) {
    store
        .set_profile(Profile {
            person_id: id.into(),
            name: name.into(),
            unit_id: unit.into(),
            roles: roles.iter().map(|r| Role::from_code(r).unwrap()).collect(),
        })
        .unwrap();
}

/// Runs a gas inspection with GAS-022 (LPG appliances in a basement, a major item) failed.
fn inspect_with_major_finding(store: &AnjianStore) -> (InspectionRecord, HazardRecord) {
    let site = gas_site(store);
    let insp = store
        .start_inspection(
            InspectionKind::RoutineCheck,
            site.id.clone(),
            vec!["王磊".into()],
        )
        .unwrap();
    let list = store.inspection_checklist(insp.id.clone()).unwrap();
    assert_eq!(list.industry, "gas");
    assert_eq!(insp.total_items as usize, list.items.len());
    for item in &list.items {
        let (outcome, note) = if item.id == "GAS-022" {
            (
                ItemOutcome::Fail,
                Some("液化气钢瓶12只存放于地下室".to_string()),
            )
        } else {
            (ItemOutcome::Pass, None)
        };
        store
            .record_item(insp.id.clone(), item.id.clone(), outcome, note)
            .unwrap();
    }
    let insp = store.finish_inspection(insp.id).unwrap();
    assert_eq!(insp.failed_item_ids, vec!["GAS-022".to_string()]);
    let hazard = store
        .raise_hazard(HazardInput {
            description: "液化气钢瓶存放于地下室".into(),
            site_id: Some(site.id),
            unit_id: None,
            inspection_id: Some(insp.id.clone()),
            item_id: Some("GAS-022".into()),
            level: None,
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap();
    (insp, hazard)
}

#[test]
fn a_major_finding_goes_through_the_whole_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (_, hazard) = inspect_with_major_finding(&store);
    assert_eq!(hazard.level, HazardLevel::Major);
    assert_eq!(hazard.status, HazardStatus::Registered);
    assert_eq!(
        hazard.unit_id, "500233107",
        "defaults to the site's township"
    );
    assert!(hazard.number.starts_with("YH-"));
    assert_eq!(hazard.plan_missing.len(), 5);

    // 交办 needs an assigning role.
    let assign = HazardCommand::Assign {
        unit_id: "500233107".into(),
        deadline: "2099-12-31".into(),
    };
    assert!(matches!(
        store.act_on_hazard(hazard.id.clone(), assign.clone()),
        Err(AnjianError::NotAllowed(_))
    ));
    as_person(&store, "p-office", "赵敏", &["safety_office_staff"]);
    let h = store.act_on_hazard(hazard.id.clone(), assign).unwrap();
    assert_eq!(h.status, HazardStatus::Assigned);

    let site_id = hazard.site_id.clone().unwrap();
    as_person_of(&store, &site_id, "p-site", "刘建华", &["site_contact"]);
    let before = store.pending_changes().unwrap();
    let err = store
        .act_on_hazard(hazard.id.clone(), HazardCommand::StartRectification)
        .unwrap_err();
    assert!(err.to_string().contains("五落实"), "{err}");
    assert_eq!(
        store.pending_changes().unwrap(),
        before,
        "a refusal writes nothing"
    );

    let plan = FivePlanInput {
        target: Some("钢瓶全部移出地下室".into()),
        measures: Some("在地面新建独立气瓶间".into()),
        deadline: Some("2099-12-15".into()),
        responsible: Some("刘建华".into()),
        funding_fen: Some(3_500_000),
        funding_source: Some("企业自筹".into()),
    };
    let h = store
        .act_on_hazard(hazard.id.clone(), HazardCommand::UpdatePlan { plan })
        .unwrap();
    assert!(h.plan_missing.is_empty());
    store
        .act_on_hazard(hazard.id.clone(), HazardCommand::StartRectification)
        .unwrap();
    // A made-up evidence id is refused; a real after photo of this hazard is accepted.
    let fake = HazardCommand::SubmitRectification {
        note: "钢瓶已移至地面气瓶间".into(),
        after_evidence: vec!["a".repeat(64)],
    };
    assert!(matches!(
        store.act_on_hazard(hazard.id.clone(), fake),
        Err(AnjianError::NotFound(_))
    ));
    let after = store
        .attach_photo(
            phone_photo(),
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::After,
        )
        .unwrap();
    assert!(std::path::Path::new(after.upload_path.as_ref().unwrap()).exists());
    assert!(
        after.flags.contains(&"location_outside".to_string()),
        "a photo taken in the US is far from 石宝镇: {:?}",
        after.flags
    );
    store
        .act_on_hazard(
            hazard.id.clone(),
            HazardCommand::SubmitRectification {
                note: "钢瓶已移至地面气瓶间".into(),
                after_evidence: vec![after.id.clone()],
            },
        )
        .unwrap();
    // The rectifier cannot verify.
    assert!(store
        .act_on_hazard(hazard.id.clone(), HazardCommand::Verify { note: None })
        .is_err());
    as_person(&store, "p-inspector", "陈刚", &["inspector"]);
    let closed = store
        .act_on_hazard(
            hazard.id.clone(),
            HazardCommand::Verify {
                note: Some("现场复核合格".into()),
            },
        )
        .unwrap();
    assert_eq!(closed.status, HazardStatus::Closed);
    assert_eq!(closed.status_label, "已销号");

    let history = store.hazard_history(hazard.id.clone()).unwrap();
    let labels: Vec<&str> = history.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "登记隐患",
            "交办",
            "填报五落实",
            "开始整改",
            "提交整改",
            "验收销号"
        ]
    );
    assert_eq!(history.last().unwrap().actor_name, "陈刚");
    assert_eq!(history.last().unwrap().version, closed.version);
}

#[test]
fn every_change_has_exactly_one_outbox_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (insp, hazard) = inspect_with_major_finding(&store);
    let outbox = store.inner().outbox().unwrap();
    let items = store.checklist("gas".into()).unwrap().items.len();
    // site + start + each item + finish + raise
    assert_eq!(outbox.len(), 1 + 1 + items + 1 + 1);
    assert_eq!(outbox.last().unwrap().op, "raise");
    assert_eq!(outbox.last().unwrap().entity_id, hazard.id);
    assert!(outbox.iter().filter(|e| e.entity_id == insp.id).count() == items + 2);
    // The hazard's raise event and its outbox entry share the op id (the idempotency key).
    let events = store.hazard_history(hazard.id.clone()).unwrap();
    assert_eq!(events[0].id, outbox.last().unwrap().op_id);
}

#[test]
fn a_hazard_from_an_item_that_passed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (insp, _) = inspect_with_major_finding(&store);
    let before = store.pending_changes().unwrap();
    let err = store
        .raise_hazard(HazardInput {
            description: "凭空登记".into(),
            site_id: None,
            unit_id: None,
            inspection_id: Some(insp.id),
            item_id: Some("GAS-001".into()),
            level: None,
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap_err();
    assert!(matches!(err, AnjianError::InvalidInput(_)));
    assert!(err.to_string().contains("未判定为不合格"));
    assert_eq!(store.pending_changes().unwrap(), before);
}

#[test]
fn bad_site_input_gets_a_chinese_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let mut input = SiteInput {
        name: "忠州街道某商场".into(),
        industry: "fire".into(),
        lat: 0.0,
        lon: 0.0,
        radius_m: None,
        township_id: "500233001".into(),
        department_id: None,
        address: None,
        contact_name: None,
        contact_phone: None,
        attributes: Vec::new(),
    };
    let err = store.add_site(input.clone()).unwrap_err();
    assert_eq!(err.to_string(), "坐标无效：坐标为 0,0，定位无效");
    input.lat = 30.29;
    input.lon = 108.03;
    input.industry = "bakery".into();
    assert_eq!(
        store.add_site(input).unwrap_err().to_string(),
        "行业无效：未知行业 bakery"
    );
    assert!(store.list_sites(None).unwrap().is_empty());
    assert_eq!(store.pending_changes().unwrap(), 0);
}

#[test]
fn without_a_profile_nothing_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = AnjianStore::open(dir.path().join("a.db").display().to_string()).unwrap();
    let err = store
        .start_inspection(InspectionKind::RandomCheck, "nope".into(), vec![])
        .unwrap_err();
    assert!(matches!(err, AnjianError::NotSignedIn(_)));
}

#[test]
fn ledger_filters_and_puts_overdue_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (_, major) = inspect_with_major_finding(&store);
    let general = store
        .raise_hazard(HazardInput {
            description: "灭火器压力不足".into(),
            site_id: None,
            unit_id: Some("500233107".into()),
            inspection_id: None,
            item_id: None,
            level: None,
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap();
    // Give the general one a deadline in the past by writing the plan's deadline directly
    // through the workflow (deadlines in 五落实 may be any date).
    store
        .act_on_hazard(
            general.id.clone(),
            HazardCommand::UpdatePlan {
                plan: FivePlanInput {
                    deadline: Some("2020-01-01".into()),
                    ..Default::default()
                },
            },
        )
        .unwrap();
    let all = store.ledger(LedgerQuery::default()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, general.id, "overdue first");
    assert!(all[0].overdue);
    let overdue = store
        .ledger(LedgerQuery {
            overdue_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(overdue.len(), 1);
    let majors = store
        .ledger(LedgerQuery {
            level: Some(HazardLevel::Major),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(majors.len(), 1);
    assert_eq!(majors[0].id, major.id);
    let other_unit = store
        .ledger(LedgerQuery {
            unit_id: Some("500233001".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(other_unit.is_empty());
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let store = open(&dir);
        inspect_with_major_finding(&store).1.id
    };
    let store = AnjianStore::open(dir.path().join("anjian.db").display().to_string()).unwrap();
    assert_eq!(store.hazard(id).unwrap().level, HazardLevel::Major);
    assert!(store.open_report().recovered_from.is_none());
    assert_eq!(store.profile().unwrap().unwrap().name, "陈刚");
}

#[test]
fn an_unreadable_database_is_moved_aside_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anjian.db");
    let garbage = b"this is not a database, but it may be all the user has".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let store = AnjianStore::open(path.display().to_string()).unwrap();
    let report = store.open_report();
    let aside = report.recovered_from.expect("reported");
    assert!(
        std::fs::read(&aside).unwrap() == garbage,
        "original bytes kept"
    );
    assert!(aside.contains(".unreadable-"));
    // The new store works.
    assert_eq!(store.pending_changes().unwrap(), 0);
}

#[test]
fn a_database_from_a_newer_app_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anjian.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = AnjianStore::open(path.display().to_string())
        .err()
        .expect("refused");
    assert!(matches!(err, AnjianError::Storage(_)));
    assert!(err.to_string().contains("升级"));
    assert!(std::fs::read(&path).unwrap() == before, "file changed");
}

#[test]
fn industries_list_has_ten_with_at_least_fifteen_items() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let list = store.industries();
    assert_eq!(list.len(), 21);
    assert!(list.iter().all(|i| i.item_count >= 15));
    // Major flags are set only where the official text was read (see README, Checklists).
    assert!(list.iter().filter(|i| i.major_count >= 1).count() >= 10);
    assert!(list.iter().any(|i| i.name == "水上交通"));
    assert!(matches!(
        store.checklist("bakery".into()),
        Err(AnjianError::InvalidInput(_))
    ));
}

#[test]
fn photos_are_kept_byte_for_byte_and_refusals_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (insp, hazard) = inspect_with_major_finding(&store);
    let pending = store.pending_changes().unwrap();
    // HEIC: refused with the capture-JPEG message; nothing recorded, no file kept.
    let err = store
        .attach_photo(
            corpus("drewnoakes-metadata-extractor-images/heic/IMG_2927.HEIC"),
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::Before,
        )
        .unwrap_err();
    assert!(matches!(err, AnjianError::InvalidInput(_)));
    assert!(err.to_string().contains("JPEG"));
    assert_eq!(store.pending_changes().unwrap(), pending);
    // A finding photo of the failed item.
    let item = store
        .attach_photo(
            phone_photo(),
            EvidenceTarget::InspectionItem {
                inspection_id: insp.id.clone(),
                item_id: "GAS-022".into(),
            },
            EvidenceStage::None,
        )
        .unwrap();
    assert_eq!(
        std::fs::read(&item.original_path).unwrap(),
        std::fs::read(phone_photo()).unwrap()
    );
    assert_eq!(store.pending_changes().unwrap(), pending + 1);
    // Stages only for hazards and hardware investment.
    assert!(store
        .attach_photo(
            phone_photo(),
            EvidenceTarget::InspectionItem {
                inspection_id: insp.id.clone(),
                item_id: "GAS-022".into()
            },
            EvidenceStage::After
        )
        .is_err());
    // An unknown item is refused.
    assert!(store
        .attach_photo(
            phone_photo(),
            EvidenceTarget::InspectionItem {
                inspection_id: insp.id.clone(),
                item_id: "GAS-999".into()
            },
            EvidenceStage::None
        )
        .is_err());
    // Before (2014 photo) then after (2011 photo): the after photo predates the before one.
    store
        .attach_photo(
            phone_photo(),
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::Before,
        )
        .unwrap();
    let older = corpus("drewnoakes-metadata-extractor-images/jpg/Apple iPhone 4.jpg");
    let after = store
        .attach_photo(
            older,
            EvidenceTarget::Hazard {
                hazard_id: hazard.id.clone(),
            },
            EvidenceStage::After,
        )
        .unwrap();
    assert!(
        after.flags.contains(&"after_before_before".to_string()),
        "{:?}",
        after.flags
    );
    assert!(after
        .notes
        .iter()
        .any(|n| n.contains("整改后照片早于整改前照片")));
    let listed = store
        .evidence_for(EvidenceTarget::Hazard {
            hazard_id: hazard.id.clone(),
        })
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].stage_label, "整改前");
}

#[test]
fn my_duty_status_and_my_units_open_hazards_offline() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    as_person(&store, "p-deputy", "陈晓燕", &["unit_deputy_head"]);
    // Without the organisation tree the unit's kind is unknown: a clear message.
    let err = store.my_duty_status(None).unwrap_err();
    assert!(err.to_string().contains("请先同步"), "{err}");
    store
        .inner()
        .upsert_units(&[anjian_domain::org::Unit {
            id: "500233107".into(),
            name: "石宝镇".into(),
            kind: anjian_domain::org::UnitKind::Township,
            parent_id: Some("county".into()),
            code: Some("500233107".into()),
            enforcement: None,
        }])
        .unwrap();
    let before = store.my_duty_status(None).unwrap();
    let checks = before
        .iter()
        .find(|d| d.activity == "special_check")
        .unwrap();
    assert_eq!((checks.required, checks.done), (2, 0));
    assert_eq!(checks.requirement, "每月2次");
    // A deputy head's own check counts as one of the month's two special checks.
    let (insp, hazard) = inspect_with_major_finding(&store);
    let after = store.my_duty_status(None).unwrap();
    let checks = after
        .iter()
        .find(|d| d.activity == "special_check")
        .unwrap();
    assert_eq!(checks.done, 1);
    assert_eq!(checks.state, QuotaState::InProgress);
    assert_eq!(checks.state_label, "进行中");
    assert_eq!(checks.records.len(), 1);
    assert_eq!(checks.records[0].id, insp.id);
    assert!(checks.records[0].title.contains("石宝镇顺发液化气供应站"));
    // A month long past: missed, not in progress.
    let old = store.my_duty_status(Some("2025-01".into())).unwrap();
    assert!(old.iter().all(|d| d.state == QuotaState::Missed));
    assert!(store.my_duty_status(Some("2025-13".into())).is_err());
    // The unit's open hazards include the new one.
    let open = store.my_unit_open_hazards().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, hazard.id);
}

#[test]
fn meetings_and_investment_proof_are_recorded_and_queued_for_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    as_person(&store, "p-head", "卫东", &["unit_head"]);
    let before = store.pending_changes().unwrap();
    let m = store
        .record_meeting(MeetingInput {
            kind: MeetingKind::SpecialMeeting,
            title: "石宝镇十一月安全生产专题会".into(),
            held_at: Some("2026-11-20T02:00:00Z".into()),
            attendees: vec!["蒋华".into(), "王磊".into()],
            minutes: Some("部署燃气专项整治".into()),
            on_behalf_of: None,
        })
        .unwrap();
    assert_eq!(m.unit_id, "500233107");
    assert_eq!(m.chaired_by, "p-head");
    assert_eq!(m.kind_label, "安全生产专题工作会议");
    let inv = store
        .record_hardware_investment(InvestmentInput {
            description: "地面独立气瓶间建设".into(),
            amount_fen: 3_500_000,
            invested_on: "2026-11-18".into(),
            hazard_id: None,
            site_id: None,
        })
        .unwrap();
    assert_eq!(store.pending_changes().unwrap(), before + 2);
    assert_eq!(store.my_unit_meetings().unwrap().len(), 1);
    assert_eq!(store.my_unit_investments().unwrap()[0].id, inv.id);
    // Only the 安委会 meeting may be chaired on someone's behalf.
    let err = store
        .record_meeting(MeetingInput {
            kind: MeetingKind::RegularMeeting,
            title: "例会".into(),
            held_at: None,
            attendees: vec![],
            minutes: None,
            on_behalf_of: Some("p-other".into()),
        })
        .unwrap_err();
    assert!(err.to_string().contains("委托"), "{err}");
    // A bad amount or date writes nothing.
    assert!(store
        .record_hardware_investment(InvestmentInput {
            description: "x".into(),
            amount_fen: 0,
            invested_on: "2026-11-18".into(),
            hazard_id: None,
            site_id: None,
        })
        .is_err());
    assert_eq!(store.pending_changes().unwrap(), before + 2);
    // An enterprise's contact keeps no unit records.
    as_person_of(&store, "site-07-00", "p-site", "秦勇", &["site_contact"]);
    let err = store
        .record_meeting(MeetingInput {
            kind: MeetingKind::SpecialMeeting,
            title: "企业例会".into(),
            held_at: None,
            attendees: vec![],
            minutes: None,
            on_behalf_of: None,
        })
        .unwrap_err();
    assert!(matches!(err, AnjianError::NotAllowed(_)), "{err}");
}

/// 场所属性: a cold store using liquid ammonia is asked the ammonia items and not the dust
/// ones; the dust items are recorded 不适用 at the finish and queued like any answer.
#[test]
fn an_inspection_asks_only_the_items_that_apply_to_its_site() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let input = SiteInput {
        name: "石宝镇恒通冷冻食品厂".into(),
        industry: "industrial".into(),
        lat: 30.4215,
        lon: 108.1803,
        radius_m: Some(120.0),
        township_id: "500233107".into(),
        department_id: None,
        address: None,
        contact_name: None,
        contact_phone: None,
        attributes: vec!["liquid_ammonia".into()],
    };
    // An attribute the industry does not declare is refused and nothing is queued.
    let before = store.inner().outbox_len().unwrap();
    let err = store
        .add_site(SiteInput {
            attributes: vec!["elevator".into()],
            ..input.clone()
        })
        .unwrap_err();
    assert!(err.to_string().contains("没有场所属性 elevator"), "{err}");
    assert_eq!(store.inner().outbox_len().unwrap(), before);

    let site = store.add_site(input).unwrap();
    assert_eq!(site.attributes, vec!["liquid_ammonia".to_string()]);
    assert_eq!(site.attribute_labels, vec!["使用液氨制冷".to_string()]);
    let full = store.checklist("industrial".into()).unwrap();
    assert!(full.conditions.iter().any(|c| c.code == "dust_explosion"));

    let insp = store
        .start_inspection(InspectionKind::RoutineCheck, site.id.clone(), vec![])
        .unwrap();
    let asked = store.inspection_checklist(insp.id.clone()).unwrap();
    let ids: Vec<&str> = asked.items.iter().map(|i| i.id.as_str()).collect();
    assert!(ids.contains(&"IND-012"), "ammonia items are asked");
    assert!(!ids.contains(&"IND-003"), "dust items are not");
    assert!(asked.items.len() < full.items.len());
    assert_eq!(insp.total_items as usize, asked.items.len());
    let ammonia = asked.items.iter().find(|i| i.id == "IND-012").unwrap();
    assert_eq!(ammonia.condition.as_deref(), Some("使用液氨制冷"));
    assert!(asked
        .items
        .iter()
        .any(|i| i.verified && i.verification.starts_with("已核对")));

    for item in &asked.items {
        store
            .record_item(insp.id.clone(), item.id.clone(), ItemOutcome::Pass, None)
            .unwrap();
    }
    let done = store.finish_inspection(insp.id.clone()).unwrap();
    assert!(done.finished_at.is_some());
    assert_eq!(done.answered_items, done.total_items);
    assert_eq!(done.total_items as usize, asked.items.len());
    let dust = done
        .results
        .iter()
        .find(|r| r.item_id == "IND-003")
        .unwrap();
    assert_eq!(dust.outcome, ItemOutcome::NotApplicable);
    assert!(dust.note.as_deref().unwrap().contains("粉尘爆炸"));

    // The server gets every answer, the 不适用 ones before the finish.
    let ops: Vec<_> = store
        .inner()
        .outbox()
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_id == insp.id)
        .collect();
    assert_eq!(ops.len(), 1 + full.items.len() + 1);
    assert_eq!(ops.last().unwrap().op, "finish");
    assert!(ops.iter().any(|e| e.op == "record_item"
        && e.payload.contains("IND-003")
        && e.payload.contains("not_applicable")));
}
