//! The access policy: who may do what, on which records. docs/security.md carries the table.

use anjian_domain::hazard::{HazardDraft, HazardSource};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::org::{Actor, Role};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::site::{GeoPoint, Site, SiteLocation};
use chrono::Utc;

fn actor(id: &str, unit: &str, role: Role) -> Actor {
    Actor {
        person_id: id.into(),
        name: id.into(),
        unit_id: unit.into(),
        roles: vec![role],
    }
}

fn site(id: &str, township: &str, department: Option<&str>) -> Site {
    Site {
        id: id.into(),
        name: "液化气供应站".into(),
        industry: "gas".into(),
        location: SiteLocation {
            point: GeoPoint {
                lat: 30.42,
                lon: 108.18,
            },
            radius_m: Some(80.0),
            polygon: None,
        },
        township_id: township.into(),
        department_id: department.map(str::to_string),
        address: None,
        contact_name: None,
        contact_phone: None,
    }
}

#[test]
fn inspection_kinds_follow_the_notice() {
    let s = site("s1", "town-a", Some("dept-gas"));
    let kinds = |a: &Actor, plan: bool| policy::inspection_kinds(a, &s, plan);
    use InspectionKind::*;
    assert_eq!(
        kinds(&actor("o", "safety-office", Role::SafetyOfficeStaff), false).len(),
        4
    );
    assert_eq!(
        kinds(&actor("d", "supervision", Role::SupervisionStaff), false),
        vec![RandomCheck]
    );
    assert_eq!(
        kinds(&actor("h", "county-gov", Role::CountyHead), false),
        vec![LeaderSupervision, RandomCheck]
    );
    // A township's inspector: routine checks and assessments in the township, nothing elsewhere.
    assert_eq!(
        kinds(&actor("i", "town-a", Role::Inspector), false),
        vec![RoutineCheck, ProfessionalAssessment]
    );
    assert!(kinds(&actor("i", "town-b", Role::Inspector), false).is_empty());
    // The sector's department too (属事).
    assert!(kinds(&actor("g", "dept-gas", Role::Inspector), false).contains(&RoutineCheck));
    // A patrol member of another township only with a plan naming the site.
    assert!(kinds(&actor("p", "town-b", Role::PatrolMember), false).is_empty());
    assert_eq!(
        kinds(&actor("p", "town-b", Role::PatrolMember), true),
        vec![UnannouncedPatrol]
    );
    // Outsiders inspect nothing (third parties only where engaged: not recorded yet).
    assert!(kinds(&actor("c", "s1", Role::SiteContact), false).is_empty());
    assert!(kinds(&actor("t", "third", Role::ThirdPartyAssessor), false).is_empty());
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
