//! Every rule of the hazard workflow (四改), including the refusals.

use anjian_domain::checklist::{ChecklistRegistry, Industry};
use anjian_domain::hazard::*;
use anjian_domain::org::{Actor, Role};
use anjian_domain::DomainError;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

fn actor(id: &str, role: Role) -> Actor {
    Actor {
        person_id: id.into(),
        name: format!("人员{id}"),
        unit_id: "township-zhongzhou".into(),
        roles: vec![role],
    }
}

fn inspector() -> Actor {
    actor("insp", Role::Inspector)
}
fn office() -> Actor {
    actor("office", Role::SafetyOfficeStaff)
}
fn rectifier() -> Actor {
    actor("rect", Role::SiteContact)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

fn draft(item: Option<&str>) -> HazardDraft {
    HazardDraft {
        id: "h1".into(),
        number: "YH-20261128-0001".into(),
        site_id: Some("site-1".into()),
        unit_id: "township-zhongzhou".into(),
        description: "液化气钢瓶存放于地下室".into(),
        location: None,
        source: item.map(|i| HazardSource {
            inspection_id: "insp-1".into(),
            industry: Industry::Gas,
            item_id: i.into(),
        }),
        level: None,
        level_reason: None,
        needs_hardware: false,
    }
}

/// GAS-022 is a major item, GAS-012 a general one.
fn major() -> Hazard {
    Hazard::raise(
        draft(Some("GAS-022")),
        &ChecklistRegistry::new(),
        &inspector(),
        now(),
    )
    .unwrap()
}
fn general() -> Hazard {
    Hazard::raise(
        draft(Some("GAS-012")),
        &ChecklistRegistry::new(),
        &inspector(),
        now(),
    )
    .unwrap()
}

fn full_plan() -> FiveImplementations {
    FiveImplementations {
        target: Some("钢瓶全部移出地下室".into()),
        measures: Some("设置地面专用气瓶间".into()),
        deadline: Some(NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()),
        responsible: Some("王强".into()),
        funding: Some(Funding {
            amount_fen: 1_200_000,
            source: "企业自筹".into(),
        }),
    }
}

fn evidence() -> Vec<String> {
    vec!["sha256:after-1".into()]
}

#[test]
fn level_is_derived_from_the_checklist_item() {
    assert_eq!(major().level, HazardLevel::Major);
    assert_eq!(general().level, HazardLevel::General);
    let free = Hazard::raise(draft(None), &ChecklistRegistry::new(), &inspector(), now()).unwrap();
    assert_eq!(free.level, HazardLevel::General);
    assert_eq!(free.derived_level, None);
    assert_eq!(free.status, HazardStatus::Registered);
    assert_eq!(free.version, 1);
}

#[test]
fn overriding_the_derived_level_needs_a_reason() {
    let mut d = draft(Some("GAS-022"));
    d.level = Some(HazardLevel::General);
    assert_eq!(
        Hazard::raise(d.clone(), &ChecklistRegistry::new(), &inspector(), now()),
        Err(DomainError::ReclassifyReasonRequired)
    );
    d.level_reason = Some("现场已当场移出，经三人以上集体研判".into());
    let h = Hazard::raise(d, &ChecklistRegistry::new(), &inspector(), now()).unwrap();
    assert_eq!(h.level, HazardLevel::General);
    assert_eq!(h.derived_level, Some(HazardLevel::Major));
}

#[test]
fn raising_refuses_blank_description_and_unknown_item() {
    let mut d = draft(None);
    d.description = "   ".into();
    assert_eq!(
        Hazard::raise(d, &ChecklistRegistry::new(), &inspector(), now()),
        Err(DomainError::MissingField("隐患描述"))
    );
    assert!(matches!(
        Hazard::raise(
            draft(Some("GAS-404")),
            &ChecklistRegistry::new(),
            &inspector(),
            now()
        ),
        Err(DomainError::UnknownChecklistItem { .. })
    ));
}

#[test]
fn general_hazard_closes_on_the_spot_only_with_an_after_photo() {
    let h = general();
    let no_photo = HazardAction::CloseOnSpot {
        note: "已更换软管".into(),
        after_evidence: vec![" ".into()],
    };
    assert_eq!(
        h.apply(&no_photo, &inspector(), now()),
        Err(DomainError::AfterPhotoRequired("即查即改"))
    );
    let ok = HazardAction::CloseOnSpot {
        note: "已更换软管".into(),
        after_evidence: evidence(),
    };
    let closed = h.apply(&ok, &inspector(), now()).unwrap();
    assert_eq!(closed.status, HazardStatus::Closed);
    assert_eq!(closed.closed_at, Some(now()));
    assert_eq!(closed.version, 2);
    // Terminal: nothing moves a closed hazard.
    assert!(matches!(
        closed.apply(&HazardAction::StartRectification, &inspector(), now()),
        Err(DomainError::WrongStatus {
            status: "已销号",
            ..
        })
    ));
}

#[test]
fn major_hazard_cannot_close_on_the_spot() {
    let action = HazardAction::CloseOnSpot {
        note: "已处理".into(),
        after_evidence: evidence(),
    };
    assert_eq!(
        major().apply(&action, &inspector(), now()),
        Err(DomainError::MajorCannotCloseOnSpot)
    );
}

#[test]
fn major_hazard_cannot_move_on_until_all_five_implementations_are_set() {
    let h = major();
    let err = h
        .apply(&HazardAction::StartRectification, &rectifier(), now())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "重大隐患须“五落实”齐全后才能开始整改，尚缺：整改目标、整改措施、整改时限、整改责任、整改资金"
    );
    // Partial plans accumulate; the refusal names exactly what is still missing.
    let mut partial = full_plan();
    partial.funding = None;
    partial.responsible = None;
    let h = h
        .apply(
            &HazardAction::UpdatePlan { plan: partial },
            &rectifier(),
            now(),
        )
        .unwrap();
    assert_eq!(
        h.apply(&HazardAction::StartRectification, &rectifier(), now()),
        Err(DomainError::FiveImplementationsIncomplete {
            action: "开始整改",
            missing: "整改责任、整改资金".into()
        })
    );
    let rest = FiveImplementations {
        responsible: Some("王强".into()),
        funding: full_plan().funding,
        ..Default::default()
    };
    let h = h
        .apply(
            &HazardAction::UpdatePlan { plan: rest },
            &rectifier(),
            now(),
        )
        .unwrap();
    assert!(h.plan.is_complete());
    let h = h
        .apply(&HazardAction::StartRectification, &rectifier(), now())
        .unwrap();
    assert_eq!(h.status, HazardStatus::Rectifying);
}

#[test]
fn plan_refuses_negative_funding_and_blank_fields() {
    let mut plan = full_plan();
    plan.funding = Some(Funding {
        amount_fen: -1,
        source: "自筹".into(),
    });
    assert!(matches!(
        major().apply(&HazardAction::UpdatePlan { plan }, &rectifier(), now()),
        Err(DomainError::InvalidValue {
            field: "整改资金",
            ..
        })
    ));
    let plan = FiveImplementations {
        target: Some("  ".into()),
        ..Default::default()
    };
    assert_eq!(
        major().apply(&HazardAction::UpdatePlan { plan }, &rectifier(), now()),
        Err(DomainError::MissingField("整改目标"))
    );
}

#[test]
fn hardware_hazard_needs_one_plan_per_hazard_and_temporary_measures() {
    let mut d = draft(Some("GAS-012"));
    d.needs_hardware = true;
    let h = Hazard::raise(d, &ChecklistRegistry::new(), &inspector(), now()).unwrap();
    assert_eq!(
        h.apply(&HazardAction::StartRectification, &rectifier(), now()),
        Err(DomainError::HardwarePlanIncomplete(
            "一患一策、临时防控措施".into()
        ))
    );
    let h = h
        .apply(
            &HazardAction::SetHardwarePlan {
                plan: "先加装报警器，再改造管线".into(),
            },
            &rectifier(),
            now(),
        )
        .unwrap();
    assert_eq!(
        h.apply(&HazardAction::StartRectification, &rectifier(), now()),
        Err(DomainError::HardwarePlanIncomplete("临时防控措施".into()))
    );
    let h = h
        .apply(
            &HazardAction::SetTemporaryMeasures {
                measures: "关闭总阀，专人值守".into(),
            },
            &rectifier(),
            now(),
        )
        .unwrap();
    assert_eq!(
        h.apply(&HazardAction::StartRectification, &rectifier(), now())
            .unwrap()
            .status,
        HazardStatus::Rectifying
    );
}

#[test]
fn assignment_needs_an_assigning_role_and_a_future_deadline() {
    let h = general();
    let deadline = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    let assign = HazardAction::Assign {
        unit_id: "township-shibao".into(),
        deadline,
    };
    assert!(matches!(
        h.apply(&assign, &inspector(), now()),
        Err(DomainError::NotPermitted {
            action: "交办", ..
        })
    ));
    let past = HazardAction::Assign {
        unit_id: "township-shibao".into(),
        deadline: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    assert_eq!(
        h.apply(&past, &office(), now()),
        Err(DomainError::DeadlineInPast(
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
        ))
    );
    let assigned = h.apply(&assign, &office(), now()).unwrap();
    assert_eq!(assigned.status, HazardStatus::Assigned);
    assert_eq!(assigned.rectifying_unit(), "township-shibao");
    assert_eq!(assigned.deadline(), Some(deadline));
    // Re-assignment is allowed until rectification starts, not after.
    let again = assigned.apply(&assign, &office(), now()).unwrap();
    let started = again
        .apply(&HazardAction::StartRectification, &rectifier(), now())
        .unwrap();
    assert!(matches!(
        started.apply(&assign, &office(), now()),
        Err(DomainError::WrongStatus {
            status: "整改中",
            action: "交办"
        })
    ));
}

fn submitted_major() -> Hazard {
    let h = major()
        .apply(
            &HazardAction::UpdatePlan { plan: full_plan() },
            &rectifier(),
            now(),
        )
        .unwrap()
        .apply(&HazardAction::StartRectification, &rectifier(), now())
        .unwrap();
    let no_photo = HazardAction::SubmitRectification {
        note: "已完成".into(),
        after_evidence: vec![],
    };
    assert_eq!(
        h.apply(&no_photo, &rectifier(), now()),
        Err(DomainError::AfterPhotoRequired("提交整改"))
    );
    h.apply(
        &HazardAction::SubmitRectification {
            note: "钢瓶已移至地面气瓶间".into(),
            after_evidence: evidence(),
        },
        &rectifier(),
        now(),
    )
    .unwrap()
}

#[test]
fn submission_only_from_rectifying() {
    let submit = HazardAction::SubmitRectification {
        note: "完成".into(),
        after_evidence: evidence(),
    };
    assert!(matches!(
        general().apply(&submit, &rectifier(), now()),
        Err(DomainError::WrongStatus {
            status: "已登记",
            ..
        })
    ));
    let h = submitted_major();
    assert_eq!(h.status, HazardStatus::Submitted);
    assert_eq!(h.rectified_by.as_deref(), Some("rect"));
}

#[test]
fn verification_by_someone_other_than_the_rectifier() {
    let h = submitted_major();
    let verify = HazardAction::Verify { note: None };
    // The rectifier cannot verify their own work, even holding another role.
    let mut self_check = rectifier();
    self_check.roles.push(Role::Inspector);
    assert_eq!(
        h.apply(&verify, &self_check, now()),
        Err(DomainError::VerifierIsRectifier)
    );
    // A site contact cannot verify at all.
    assert!(matches!(
        h.apply(&verify, &actor("other-site", Role::SiteContact), now()),
        Err(DomainError::NotPermitted { .. })
    ));
    let closed = h.apply(&verify, &inspector(), now()).unwrap();
    assert_eq!(closed.status, HazardStatus::Closed);
    assert!(closed.closed_at.is_some());
}

#[test]
fn rejection_sends_it_back_with_a_reason() {
    let h = submitted_major();
    assert_eq!(
        h.apply(
            &HazardAction::Reject { reason: "".into() },
            &inspector(),
            now()
        ),
        Err(DomainError::MissingField("退回理由"))
    );
    assert_eq!(
        h.apply(
            &HazardAction::Reject {
                reason: "照片不清".into()
            },
            &rectifier(),
            now()
        ),
        Err(DomainError::VerifierIsRectifier)
    );
    let back = h
        .apply(
            &HazardAction::Reject {
                reason: "照片看不清气瓶间".into(),
            },
            &inspector(),
            now(),
        )
        .unwrap();
    assert_eq!(back.status, HazardStatus::Rectifying);
    assert_eq!(back.rejections, 1);
    // Verification only from 待验收.
    assert!(matches!(
        back.apply(&HazardAction::Verify { note: None }, &inspector(), now()),
        Err(DomainError::WrongStatus {
            status: "整改中",
            ..
        })
    ));
}

#[test]
fn overdue_is_derived_from_the_deadline() {
    let h = major()
        .apply(
            &HazardAction::UpdatePlan { plan: full_plan() },
            &rectifier(),
            now(),
        )
        .unwrap();
    let deadline = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
    assert!(!h.is_overdue(deadline));
    assert!(h.is_overdue(deadline + Duration::days(1)));
    let free = general();
    assert!(
        !free.is_overdue(deadline + Duration::days(400)),
        "no deadline, never overdue"
    );
    // Closed after the deadline counts as closed late, not overdue.
    let late = Utc.with_ymd_and_hms(2026, 12, 20, 2, 0, 0).unwrap();
    let closed = submitted_major()
        .apply(&HazardAction::Verify { note: None }, &inspector(), late)
        .unwrap();
    assert!(!closed.is_overdue(late.date_naive()));
    assert!(closed.closed_late());
}

#[test]
fn deadlines_are_china_calendar_days() {
    // 2026-11-27 20:00 UTC is already 2026-11-28 in China.
    let at = Utc.with_ymd_and_hms(2026, 11, 27, 20, 0, 0).unwrap();
    assert_eq!(
        china_date(at),
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    );
}

#[test]
fn reclassification_needs_a_reason_and_an_open_hazard() {
    let h = general();
    assert_eq!(
        h.apply(
            &HazardAction::Reclassify {
                level: HazardLevel::Major,
                reason: " ".into()
            },
            &inspector(),
            now()
        ),
        Err(DomainError::ReclassifyReasonRequired)
    );
    let up = h
        .apply(
            &HazardAction::Reclassify {
                level: HazardLevel::Major,
                reason: "专家组判定为重大隐患".into(),
            },
            &actor("expert", Role::Expert),
            now(),
        )
        .unwrap();
    assert_eq!(up.level, HazardLevel::Major);
    // Now a major hazard: 五落实 is needed to start.
    assert!(matches!(
        up.apply(&HazardAction::StartRectification, &rectifier(), now()),
        Err(DomainError::FiveImplementationsIncomplete { .. })
    ));
    assert!(matches!(
        submitted_major().apply(
            &HazardAction::Reclassify {
                level: HazardLevel::General,
                reason: "x".into()
            },
            &inspector(),
            now()
        ),
        Err(DomainError::WrongStatus {
            status: "待验收",
            ..
        })
    ));
}

#[test]
fn a_refusal_changes_nothing() {
    let h = major();
    let before = h.clone();
    let _ = h.apply(&HazardAction::StartRectification, &rectifier(), now());
    assert_eq!(h, before);
}

#[test]
fn hazard_keys_read_from_json_agree_with_the_hazard() {
    let mut h = major();
    h.plan = full_plan();
    h.assigned_unit_id = Some("dept-yjj".into());
    h.assigned_deadline = Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    for h in [general(), h] {
        let keys: HazardKeys = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert_eq!(keys.deadline(), h.deadline());
        assert_eq!(keys.rectifying_unit(), h.rectifying_unit());
        assert_eq!(
            (
                keys.id.as_str(),
                keys.number.as_str(),
                keys.level,
                keys.status,
                keys.version,
                keys.raised_at
            ),
            (
                h.id.as_str(),
                h.number.as_str(),
                h.level,
                h.status,
                h.version,
                h.raised_at
            )
        );
    }
}

#[test]
fn hazards_travel_without_empty_fields_and_read_back_whole() {
    let h = general();
    let text = serde_json::to_string(&h).unwrap();
    for absent in [
        "closed_at",
        "assigned_unit_id",
        "level_reason",
        "after_evidence",
        "null",
    ] {
        assert!(!text.contains(absent), "{absent} in {text}");
    }
    let back: Hazard = serde_json::from_str(&text).unwrap();
    assert_eq!(back, h);
    // Records written before (with explicit nulls) still read.
    let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
    old["closed_at"] = serde_json::Value::Null;
    old["after_evidence"] = serde_json::json!([]);
    assert_eq!(serde_json::from_value::<Hazard>(old).unwrap(), h);
}
