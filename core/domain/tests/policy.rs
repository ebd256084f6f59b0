//! The access policy: who may do what, on which records. docs/security.md carries the table.

use anjian_domain::checklist::ChecklistRegistry;
use anjian_domain::enforcement::{
    Certificate, EnforcementBasis, EnforcementBody, FieldActivity, Officer,
};
use anjian_domain::hazard::{HazardDraft, HazardSource};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::org::{Actor, Role, Unit, UnitKind};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::site::{Site, SiteLocation};
use chrono::{NaiveDate, Utc};

fn actor(id: &str, unit: &str, role: Role) -> Actor {
    Actor {
        person_id: id.into(),
        name: id.into(),
        unit_id: unit.into(),
        roles: vec![role],
    }
}

fn site(id: &str, township: &str, department: Option<&str>) -> Site {
    let location = SiteLocation::circle(30.42, 108.18, Some(80.0));
    Site {
        department_id: department.map(str::to_string),
        ..Site::new(id, "液化气供应站", "gas", location, township)
    }
}

fn unit(id: &str, kind: UnitKind, enforcement: Option<&[&str]>) -> Unit {
    Unit {
        id: id.into(),
        name: format!("单位{id}"),
        kind,
        parent_id: None,
        code: None,
        enforcement: enforcement.map(|industries| EnforcementBody {
            name_of_record: "忠县住房城乡建委".into(),
            basis: EnforcementBasis::Statutory,
            industries: industries.iter().map(|i| i.to_string()).collect(),
        }),
    }
}

fn cert(until: (i32, u32, u32), fields: &[&str]) -> Certificate {
    Certificate {
        number: "渝500233001".into(),
        issued_by: "重庆市人民政府".into(),
        valid_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        valid_until: NaiveDate::from_ymd_opt(until.0, until.1, until.2).unwrap(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    }
}

/// Each kind of person may carry out exactly the lawful activities (国办发〔2024〕54号) through
/// which the notice's 五查 are done, at a gas site of township town-a supervised by dept-gas.
#[test]
fn each_kind_of_person_may_carry_out_exactly_its_activities() {
    use FieldActivity::*;
    use InspectionKind::*;
    let s = site("s1", "town-a", Some("dept-gas"));
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let units = [
        unit("dept-gas", UnitKind::Department, Some(&["gas"])),
        unit("town-a", UnitKind::Township, None),
        unit("town-b", UnitKind::Township, None),
        unit("safety-office", UnitKind::SafetyCommitteeOffice, None),
        unit("supervision", UnitKind::SupervisionOffice, None),
        unit("county-gov", UnitKind::CountyGovernment, None),
        unit("third", UnitKind::ThirdPartyInstitution, None),
    ];
    let valid = [cert((2027, 12, 31), &["gas"])];
    let expired = [cert((2026, 5, 1), &["gas"])];
    let other_field = [cert((2027, 12, 31), &["fire"])];
    // What `who` may start, as what, with these certificates (and on a patrol plan or not).
    let standing = |who: &Actor, certs: &[Certificate], plan: bool, kind: InspectionKind| {
        let u = units.iter().find(|u| u.id == who.unit_id);
        let t = Target {
            site: Some(&s),
            on_patrol_plan: plan,
            officer: u.map(|unit| Officer {
                unit,
                certificates: certs,
                today,
            }),
            ..Target::default()
        };
        policy::inspection_standing(who, kind, None, &t)
    };
    let allowed =
        |who: &Actor, certs: &[Certificate], plan: bool| -> Vec<(InspectionKind, FieldActivity)> {
            InspectionKind::ALL
                .into_iter()
                .filter_map(|k| {
                    standing(who, certs, plan, k)
                        .ok()
                        .map(|st| (k, st.activity))
                })
                .collect()
        };
    let office = actor("o", "safety-office", Role::SafetyOfficeStaff);
    assert_eq!(
        allowed(&office, &[], false),
        vec![
            (LeaderSupervision, WorkSupervision),
            (UnannouncedPatrol, WorkSupervision)
        ],
        "安委办 supervises and patrols unannounced; it never inspects enterprises itself"
    );
    assert_eq!(
        allowed(
            &actor("d", "supervision", Role::SupervisionStaff),
            &[],
            false
        ),
        vec![(RandomCheck, WorkSupervision)]
    );
    assert_eq!(
        allowed(&actor("h", "county-gov", Role::CountyHead), &[], false),
        vec![
            (LeaderSupervision, WorkSupervision),
            (RandomCheck, WorkSupervision)
        ]
    );
    // A township without enforcement powers patrols and reports.
    assert_eq!(
        allowed(&actor("i", "town-a", Role::Inspector), &[], false),
        vec![(RoutineCheck, PatrolReport)]
    );
    assert!(allowed(&actor("i", "town-b", Role::Inspector), &[], false).is_empty());
    assert_eq!(
        allowed(&actor("p", "town-a", Role::PatrolMember), &[], false),
        vec![
            (RoutineCheck, PatrolReport),
            (UnannouncedPatrol, PatrolReport)
        ]
    );
    assert!(allowed(&actor("p", "town-b", Role::PatrolMember), &[], false).is_empty());
    assert_eq!(
        allowed(&actor("p", "town-b", Role::PatrolMember), &[], true),
        vec![(UnannouncedPatrol, PatrolReport)]
    );
    // The sector's enforcement body: 行政检查 only with a valid certificate for the industry,
    // in the body's name.
    let officer = actor("g", "dept-gas", Role::Inspector);
    assert_eq!(
        allowed(&officer, &valid, false),
        vec![
            (RoutineCheck, AdministrativeInspection),
            (ProfessionalAssessment, AdministrativeInspection)
        ]
    );
    let st = standing(&officer, &valid, false, RoutineCheck).unwrap();
    assert_eq!(st.in_name_of.as_deref(), Some("忠县住房城乡建委"));
    assert_eq!(st.certificate_number.as_deref(), Some("渝500233001"));
    for (certs, why) in [
        (
            &expired[..],
            "行政执法证 渝500233001 已于 2026-05-01 过期，不能开展行政检查",
        ),
        (&[][..], "未持有行政执法证，不能开展行政检查"),
        (
            &other_field[..],
            "所持行政执法证的执法领域不含该行业，不能开展行政检查",
        ),
    ] {
        assert!(allowed(&officer, certs, false).is_empty());
        let e = standing(&officer, certs, false, RoutineCheck).unwrap_err();
        assert_eq!(e.to_string(), why);
        assert!(!e.to_string().contains("液化气"), "names no site");
    }
    // Its head without a certificate may still patrol, never inspect.
    assert_eq!(
        allowed(&actor("gh", "dept-gas", Role::UnitHead), &[], false),
        vec![(UnannouncedPatrol, PatrolReport)]
    );
    // An officer of an enforcement body cannot call a 行政检查 something else.
    let t = Target {
        site: Some(&s),
        officer: Some(Officer {
            unit: &units[0],
            certificates: &valid,
            today,
        }),
        ..Target::default()
    };
    let e =
        policy::inspection_standing(&officer, RoutineCheck, Some(PatrolReport), &t).unwrap_err();
    assert!(e.to_string().contains("须以行政检查开展"), "{e}");
    let e = policy::inspection_standing(
        &office,
        LeaderSupervision,
        Some(AdministrativeInspection),
        &t,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "检查性质无效：督查不能以行政检查方式开展");
    // Experts give technical support under their department's commission.
    assert_eq!(
        allowed(&actor("e", "dept-gas", Role::Expert), &[], false),
        vec![(ProfessionalAssessment, TechnicalSupport)]
    );
    // Outsiders carry out nothing (third parties only where engaged: not recorded yet).
    assert!(allowed(&actor("c", "s1", Role::SiteContact), &[], false).is_empty());
    assert!(allowed(&actor("t", "third", Role::ThirdPartyAssessor), &[], false).is_empty());
    let e = standing(
        &actor("t", "third", Role::ThirdPartyAssessor),
        &[],
        false,
        RoutineCheck,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "第三方专业机构人员无权开展排查");
}

#[test]
fn hazard_acts_reach_the_right_people() {
    let s = site("s1", "town-a", None);
    let raiser = actor("i", "town-a", Role::Inspector);
    let h = anjian_domain::hazard::Hazard::raise(
        HazardDraft {
            id: "h1".into(),
            number: "YH-1".into(),
            site_id: Some("s1".into()),
            unit_id: "town-a".into(),
            description: "阀门锈蚀".into(),
            location: None,
            source: None::<HazardSource>,
            level: None,
            level_reason: None,
            needs_hardware: false,
        },
        &ChecklistRegistry::new(),
        &raiser,
        Utc::now(),
    )
    .unwrap();
    let t = Target {
        site: Some(&s),
        hazard: Some(&h),
        owner_id: Some("i"),
        ..Target::default()
    };
    let may = |a: &Actor, act| policy::permits(a, act, &t);
    let contact = actor("c", "s1", Role::SiteContact);
    let other_contact = actor("c2", "s2", Role::SiteContact);
    assert!(may(&contact, Act::Rectify));
    assert!(may(&contact, Act::PlanRectification));
    assert!(
        !may(&contact, Act::CloseOnSpot),
        "a contact never closes its own hazard"
    );
    assert!(!may(&contact, Act::Verify));
    assert!(!may(&other_contact, Act::Rectify));
    assert!(may(&raiser, Act::CloseOnSpot));
    assert!(may(
        &actor("o", "safety-office", Role::SafetyOfficeStaff),
        Act::Assign
    ));
    assert!(may(&actor("hd", "town-a", Role::UnitHead), Act::Assign));
    assert!(!may(&actor("hd", "town-b", Role::UnitHead), Act::Assign));
    assert!(!may(&actor("i2", "town-b", Role::Inspector), Act::Verify));
    let refusal = policy::check(&other_contact, Act::Rectify, &t).unwrap_err();
    assert!(refusal.to_string().contains("无权整改"), "{refusal}");
    assert!(
        !refusal.to_string().contains("液化气"),
        "a refusal names no record"
    );
}

#[test]
fn docs_security_carries_the_policy_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/security.md");
    let doc = std::fs::read_to_string(path).expect("docs/security.md");
    assert!(
        doc.contains(&policy::markdown_table()),
        "docs/security.md's policy table differs from core/domain/src/policy.rs; paste:\n{}",
        policy::markdown_table()
    );
}
