//! 专项检查 on the phone, and the one way a visit starts: of a site (the checklist of its
//! industry), joint with other enforcement bodies (联合检查), under an approved campaign
//! plan, or from a 投诉举报 handed over to my unit; each decided with the same domain rules the server applies before it is queued.

use chrono::Utc;

use anjian_domain::campaign::{self, CampaignPlan};
use anjian_domain::checklist::Industry;
use anjian_domain::complaint::{self, Complaint};
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::org::Person;
use anjian_domain::sync::entity;
use anjian_domain::sync::ops::OpBody;
use anjian_domain::team;

use crate::error::Result;
use crate::rows;
use crate::store::{enqueue, new_id, not_found, today, Store};

impl Store {
    /// The approved 专项检查 plans my unit carries out and that run today, soonest end first;
    /// with a site, only those whose industries include the site's.
    pub fn my_campaigns(&self, site_id: Option<&str>) -> Result<Vec<CampaignPlan>> {
        let me = self.actor()?;
        let industry = match site_id {
            Some(id) => Some(self.site(id)?.industry),
            None => None,
        };
        let today = china_date(Utc::now());
        let mut v: Vec<CampaignPlan> = crate::sync_engine::pulled(self, entity::CAMPAIGN_PLAN)?
            .into_iter()
            .filter(|p: &CampaignPlan| p.approval.is_some())
            .filter(|p| p.draft.unit_ids.contains(&me.unit_id))
            .filter(|p| p.draft.starts_on <= today && today <= p.draft.ends_on)
            .filter(|p| {
                industry
                    .as_ref()
                    .is_none_or(|i| p.draft.industries.contains(i))
            })
            .collect();
        v.sort_by(|a, b| a.draft.ends_on.cmp(&b.draft.ends_on).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    /// Starts a 专项检查 of a site under an approved plan: refused, with the server's reason,
    /// outside the plan's period, industries or bodies, or when it is not a 行政检查.
    pub fn start_campaign_inspection(
        &self,
        campaign_id: &str,
        kind: InspectionKind,
        site_id: &str,
        participants: Vec<String>,
    ) -> Result<Inspection> {
        let plans: Vec<CampaignPlan> = crate::sync_engine::pulled(self, entity::CAMPAIGN_PLAN)?;
        let plan = plans
            .into_iter()
            .find(|p| p.id == campaign_id)
            .ok_or_else(|| not_found("专项检查计划", campaign_id))?;
        self.start_visit(kind, site_id, participants, vec![], Some(&plan), None)
    }

    /// Starts a visit: the standing decided as the server decides it, joint bodies checked,
    /// and a 专项检查's plan checked, then queued.
    pub(crate) fn start_visit(
        &self,
        kind: InspectionKind,
        site_id: &str,
        participants: Vec<String>,
        joint_unit_ids: Vec<String>,
        plan: Option<&CampaignPlan>,
        complaint: Option<&Complaint>,
    ) -> Result<Inspection> {
        let leader = self.actor()?;
        let site = self.site(site_id)?;
        // The same decision as the server's: the notice's kind, the visit's legal nature, and
        // for a 行政检查 the unit's powers and a valid certificate.
        let standing = self.standing_for(&leader, kind, &site)?;
        let list = self
            .checklists()
            .current(Industry::from_code(&site.industry)?);
        let mut insp = Inspection::start(
            new_id(),
            kind,
            &site.id,
            &list,
            leader,
            participants,
            Utc::now(),
        )?;
        insp.activity = Some(standing.activity);
        insp.in_name_of = standing.in_name_of;
        insp.certificate_number = standing.certificate_number;
        insp.joint_unit_ids = joint_unit_ids;
        let units = self.units()?;
        insp.joint_unit_ids = anjian_domain::visits::check_joint(&insp, &site, &units)?;
        // A 行政检查's other officers, from the pulled people, as the server resolves them.
        let people: Vec<Person> = crate::sync_engine::pulled(self, entity::PERSON)?;
        insp.officers = team::of_inspection(&insp, &units, &people, &site, today())?;
        if !insp.officers.is_empty() {
            insp.participants = insp.officers.iter().map(|o| o.name.clone()).collect();
        }
        if let Some(plan) = plan {
            insp.campaign_id = Some(plan.id.clone());
            campaign::check_inspection(&insp, &site, Some(plan), china_date(insp.started_at))?;
        }
        if let Some(c) = complaint {
            insp.complaint_id = Some(c.id.clone());
            complaint::check_inspection(&insp, Some(c))?;
        }
        self.write(|tx| {
            rows::upsert_inspection(tx, &insp)?;
            enqueue(
                tx,
                &new_id(),
                &insp.id,
                &OpBody::StartInspection(insp.clone()),
            )
        })?;
        Ok(insp)
    }
}
