//! Who may see what. Every record carries an audience of principals; every caller holds a set
//! of principals. A record is visible when the two meet.
//!
//! - `county`: county-level bodies (county leaders, 县安委办, 县政府督查办)
//! - `unit:<id>`: members of a township or department
//! - `site:<id>`: an enterprise's own contacts
//! - `person:<id>`: one person (patrol teams, the leader of a secret patrol)
//! - `all`: every signed-in person (the organisation tree)

use anjian_domain::county::{COUNTY_GOVERNMENT_ID, SAFETY_OFFICE_ID, SUPERVISION_OFFICE_ID};
use anjian_domain::hazard::Hazard;
use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::org::{Actor, Person, Role};
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::site::Site;

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

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub person: Person,
    pub username: String,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        self.person.actor()
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.person.roles.contains(&role)
    }

    /// County leaders and the county offices see everything that is not secret.
    pub fn is_county_level(&self) -> bool {
        [
            COUNTY_GOVERNMENT_ID,
            SAFETY_OFFICE_ID,
            SUPERVISION_OFFICE_ID,
        ]
        .contains(&self.person.unit_id.as_str())
            || self.person.roles.iter().any(|r| {
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

    /// 县安委办 staff administer units, people, sites and checklists.
    pub fn is_admin(&self) -> bool {
        self.has_role(Role::SafetyOfficeStaff)
    }

    pub fn principals(&self) -> Vec<String> {
        let mut out = vec![ALL.to_string(), person(&self.person.id)];
        if self.has_role(Role::SiteContact) {
            out.push(site(&self.person.unit_id));
        } else {
            out.push(unit(&self.person.unit_id));
        }
        if self.is_county_level() {
            out.push(COUNTY.to_string());
        }
        out
    }

    pub fn can_see(&self, audience: &[String]) -> bool {
        let mine = self.principals();
        audience.iter().any(|p| mine.contains(p))
    }
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
    dedup([site_audience(site), leader].concat())
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
