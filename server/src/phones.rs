//! Whose phone numbers a caller may read. Person records reach everyone (names and units are
//! how people find each other), but a phone number only where the caller's role needs it:
//! their own; the county level, all; a unit's staff, their colleagues', the county offices'
//! and the safety contacts' of the sites in their scope; outsiders (an enterprise's safety
//! contact, a third-party assessor, an expert), only their own. One rule for
//! `GET /v1/people` and for the person records in a sync pull.

use anjian_domain::org::{Person, Role};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;

use crate::error::ApiResult;
use crate::records;
use crate::scope::Caller;
use crate::storage::Tx;

/// People outside the government's own staff: an enterprise's safety contact, a third-party
/// assessor, an expert. They see the organisation's names, not its phone numbers, and not
/// the office's notices.
pub fn is_outsider(caller: &Caller) -> bool {
    !caller.is_county_level()
        && caller.person.roles.iter().all(|r| {
            matches!(
                r,
                Role::SiteContact | Role::ThirdPartyAssessor | Role::Expert
            )
        })
}

/// The phone rule for one caller. The sites in the caller's scope are read only when a
/// safety contact's number is in question, once.
pub struct PhoneReach<'c> {
    caller: &'c Caller,
    sites_in_scope: Option<Vec<String>>,
}

impl<'c> PhoneReach<'c> {
    pub fn new(caller: &'c Caller) -> Self {
        PhoneReach {
            caller,
            sites_in_scope: None,
        }
    }

    /// Whether the caller may read `p`'s phone number.
    pub fn visible(&mut self, tx: &mut dyn Tx, p: &Person) -> ApiResult<bool> {
        let caller = self.caller;
        if p.id == caller.person.id || caller.is_county_level() {
            return Ok(true);
        }
        if is_outsider(caller) {
            return Ok(false);
        }
        let other = Caller {
            person: p.clone(),
            username: String::new(),
            engaged: Vec::new(),
        };
        if p.unit_id == caller.person.unit_id || (other.is_county_level() && !is_outsider(&other)) {
            return Ok(true);
        }
        if !p.roles.contains(&Role::SiteContact) {
            return Ok(false);
        }
        if self.sites_in_scope.is_none() {
            let sites: Vec<Site> = records::visible(tx, entity::SITE, caller)?;
            self.sites_in_scope = Some(sites.into_iter().map(|s| s.id).collect());
        }
        Ok(self
            .sites_in_scope
            .as_ref()
            .is_some_and(|ids| ids.contains(&p.unit_id)))
    }

    /// `p` as the caller may read it: without the phone number unless the rule allows it.
    pub fn redact(&mut self, tx: &mut dyn Tx, p: &mut Person) -> ApiResult<()> {
        if p.phone.is_some() && !self.visible(tx, p)? {
            p.phone = None;
        }
        Ok(())
    }
}
