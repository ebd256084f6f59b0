//! Who may see what: the rules are the domain's (`anjian_domain::access`); this is the
//! signed-in person behind a request and its principals.

use anjian_domain::access;
pub use anjian_domain::access::{
    hazard_audience, inspection_audience, is_secret, patrol_audience, person, site, site_audience,
    unit, unit_record_audience, ALL, COUNTY,
};
use anjian_domain::org::{Actor, Person, Role};

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub person: Person,
    pub username: String,
    /// Principals granted by engagements (委托技术服务) active today: the engaged sites of a
    /// third party's or an expert's engagements (`site:<id>`), loaded when they sign in.
    pub engaged: Vec<String>,
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
        access::is_county_level(&self.actor())
    }

    /// 县安委办 staff administer units, people, sites and checklists.
    pub fn is_admin(&self) -> bool {
        self.has_role(Role::SafetyOfficeStaff)
    }

    pub fn principals(&self) -> Vec<String> {
        let mut out = access::principals(&self.actor());
        out.extend(self.engaged.iter().cloned());
        out
    }

    pub fn can_see(&self, audience: &[String]) -> bool {
        access::can_see(&self.actor(), audience)
            || audience.iter().any(|p| self.engaged.contains(p))
    }
}
