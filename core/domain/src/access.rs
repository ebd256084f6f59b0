//! Who may see what. Every record carries an audience of principals; every person holds a set
//! of principals. A record is visible when the two meet. Pure, so the server and the phone
//! decide the same way.
//!
//! - `county`: county-level bodies (county leaders, 县安委办, 县政府督查办)
//! - `unit:<id>`: members of a township or department
//! - `site:<id>`: an enterprise's own contacts
//! - `person:<id>`: one person (patrol teams, the leader of a secret patrol)
//! - `all`: every signed-in person (the organisation tree)

use crate::county::{COUNTY_GOVERNMENT_ID, SAFETY_OFFICE_ID, SUPERVISION_OFFICE_ID};
use crate::hazard::Hazard;
use crate::inspection::{Inspection, InspectionKind};
use crate::org::{Actor, Role};
use crate::patrol::PatrolPlan;
use crate::site::Site;

pub const ALL: &str = "all";
pub const COUNTY: &str = "county";

pub fn unit(id: &str) -> String {
    format!("unit:{id}")
}
pub fn site(id: &str) -> String {
    format!("site:{id}")
}
pub fn person(id: &str) -> String {
    format!("person:{id}")
}

/// County leaders and the county offices see everything that is not secret.
pub fn is_county_level(who: &Actor) -> bool {
    [
        COUNTY_GOVERNMENT_ID,
        SAFETY_OFFICE_ID,
        SUPERVISION_OFFICE_ID,
    ]
    .contains(&who.unit_id.as_str())
        || who.roles.iter().any(|r| {
            matches!(
                r,
                Role::CountyHead
                    | Role::CountyDeputyHead
                    | Role::CountyOtherLeader
                    | Role::SafetyOfficeStaff
                    | Role::SupervisionStaff
            )
        })
}

/// An enterprise's own contact: their "unit" is their site.
pub fn is_site_contact(who: &Actor) -> bool {
    who.roles.contains(&Role::SiteContact)
}

pub fn principals(who: &Actor) -> Vec<String> {
    let mut out = vec![ALL.to_string(), person(&who.person_id)];
    if is_site_contact(who) {
        out.push(site(&who.unit_id));
    } else {
        out.push(unit(&who.unit_id));
    }
    if is_county_level(who) {
        out.push(COUNTY.to_string());
    }
    out
}

pub fn can_see(who: &Actor, audience: &[String]) -> bool {
    let mine = principals(who);
    audience.iter().any(|p| mine.contains(p))
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

pub fn site_audience(s: &Site) -> Vec<String> {
    let mut v = vec![COUNTY.to_string(), unit(&s.township_id), site(&s.id)];
    if let Some(d) = &s.department_id {
        v.push(unit(d));
    }
    dedup(v)
}

/// Whether an inspection is still secret: an unannounced patrol not yet finished.
pub fn is_secret(i: &Inspection) -> bool {
    i.kind == InspectionKind::UnannouncedPatrol && i.finished_at.is_none()
}

pub fn inspection_audience(i: &Inspection, site: &Site) -> Vec<String> {
    let leader = vec![person(&i.leader.person_id), unit(&i.leader.unit_id)];
    if is_secret(i) {
        // Only the patrol team's own side sees a patrol in progress.
        return dedup(vec![person(&i.leader.person_id)]);
    }
    let mut v = [site_audience(site), leader].concat();
    // A 技术服务's engaging department receives its findings.
    if let Some(d) = &i.commissioned_by {
        v.push(unit(d));
    }
    dedup(v)
}

pub fn hazard_audience(
    h: &Hazard,
    site: Option<&Site>,
    source: Option<&Inspection>,
) -> Vec<String> {
    if let Some(i) = source.filter(|i| is_secret(i)) {
        return dedup(vec![
            person(&i.leader.person_id),
            person(&h.raised_by.person_id),
        ]);
    }
    let mut v = vec![
        COUNTY.to_string(),
        unit(&h.unit_id),
        person(&h.raised_by.person_id),
    ];
    if let Some(a) = &h.assigned_unit_id {
        v.push(unit(a));
    }
    if let Some(r) = &h.referral {
        v.push(unit(&r.to_unit_id));
    }
    if let Some(s) = site {
        v.extend(site_audience(s));
    }
    dedup(v)
}

pub fn patrol_audience(p: &PatrolPlan) -> Vec<String> {
    let mut v: Vec<String> = p.team.iter().map(|id| person(id)).collect();
    if p.is_done() {
        v.push(COUNTY.to_string());
        v.push(unit(&p.organiser_unit_id));
    }
    dedup(v)
}

/// Records of a unit itself (meetings, investments, accountability): the unit and the county.
pub fn unit_record_audience(unit_id: &str) -> Vec<String> {
    dedup(vec![COUNTY.to_string(), unit(unit_id)])
}
