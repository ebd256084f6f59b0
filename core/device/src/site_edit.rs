//! Correcting a site from the phone (a township inspector finds a new contact, a wrong
//! address or position, an attribute the checklist asks about): checked against the access
//! policy as the server checks it, applied to the local copy at once and queued as
//! `site/edit` with only the fields changed. A refusal brings the server's row back.

use anjian_domain::checklist::Industry;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::site::{Site, SiteEdit};
use anjian_domain::sync::ops::OpBody;

use crate::error::Result;
use crate::rows;
use crate::store::{enqueue, json, new_id, Store};

impl Store {
    /// Whether the signed-in person may correct this site (the app offers the edit only then).
    pub fn may_edit_site(&self, id: &str) -> Result<bool> {
        let me = self.actor()?;
        let site = self.site(id)?;
        Ok(policy::permits(&me, Act::EditSite, &target(&site)))
    }

    /// Applies `edit` to the site and queues it; refused in Chinese when not permitted, empty
    /// or invalid (then nothing changes).
    pub fn edit_site(&self, id: &str, edit: SiteEdit) -> Result<Site> {
        let me = self.actor()?;
        let site = self.site(id)?;
        policy::check(&me, Act::EditSite, &target(&site))?;
        let edited = edit.applied_to(&site)?;
        if edit.attributes.is_some() {
            let industry = Industry::from_code(&edited.industry)?;
            edited.check_attributes(&self.checklists().current(industry))?;
        }
        self.write(|tx| {
            rows::upsert_site(tx, &edited, &json(&edited)?)?;
            enqueue(tx, &new_id(), id, &OpBody::EditSite(edit.clone()))
        })?;
        Ok(edited)
    }
}

fn target(site: &Site) -> Target<'_> {
    Target {
        site: Some(site),
        ..Target::default()
    }
}
