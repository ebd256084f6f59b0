//! 专项检查 on the phone: the approved plans my unit may inspect under, and starting a
//! 专项检查 of a site under one (the same rule as the server's apply path); likewise the
//! 投诉举报 handed over to my unit, and a 行政检查 started from one.

use super::*;
use anjian_domain::campaign::CampaignPlan;

/// An approved 专项检查 plan as the app lists it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CampaignRecord {
    pub id: String,
    /// 专项检查名称
    pub title: String,
    /// 检查范围和内容
    pub scope: String,
    /// Checklist industry codes within the campaign.
    pub industries: Vec<String>,
    /// The same, as the app shows them (燃气, 危险化学品, …).
    pub industry_names: Vec<String>,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD
    pub ends_on: String,
    /// The county government's approving document (批准文件).
    pub approved_by_document: String,
}

impl CampaignRecord {
    fn of(p: CampaignPlan, checklists: &checklist::ChecklistRegistry) -> Self {
        let industry_names = p
            .draft
            .industries
            .iter()
            .map(|c| {
                checklist::Industry::from_code(c)
                    .map_or_else(|_| c.clone(), |i| checklists.current(i).name.clone())
            })
            .collect();
        CampaignRecord {
            id: p.id,
            title: p.draft.title,
            scope: p.draft.scope,
            industries: p.draft.industries,
            industry_names,
            starts_on: p.draft.starts_on.to_string(),
            ends_on: p.draft.ends_on.to_string(),
            approved_by_document: p.approval.map(|a| a.document).unwrap_or_default(),
        }
    }
}

#[uniffi::export]
impl AnjianStore {
    /// The approved 专项检查 plans my unit carries out that run today; with a site, only
    /// those covering its industry. Plans arrive with sync.
    pub fn my_campaigns(&self, site_id: Option<String>) -> FfiResult<Vec<CampaignRecord>> {
        Ok(self
            .inner
            .my_campaigns(site_id.as_deref())?
            .into_iter()
            .map(|p| CampaignRecord::of(p, self.inner.checklists()))
            .collect())
    }

    /// Starts a 专项检查 of a site under an approved plan (a 行政检查 naming the plan);
    /// refused in Chinese outside the plan's period, industries or bodies.
    pub fn start_campaign_inspection(
        &self,
        campaign_id: String,
        kind: InspectionKind,
        site_id: String,
        participants: Vec<String>,
    ) -> FfiResult<InspectionRecord> {
        let i = self
            .inner
            .start_campaign_inspection(&campaign_id, kind, &site_id, participants)?;
        Ok(self.inspection_record(i))
    }
}

/// A 投诉举报 handed over (交办) to my unit, as the app lists it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ComplaintRecord {
    pub id: String,
    pub site_id: String,
    pub site_name: String,
    pub text: String,
    pub received_at: SystemTime,
    pub assigned_at: Option<SystemTime>,
    /// Who at 县安委办 handed it over.
    pub assigned_by: Option<String>,
    /// The 行政检查 started from it on this phone (opens on it).
    pub inspection_id: Option<String>,
    /// A 行政检查 was started from it, here or on a colleague's phone (as the server says).
    pub answered: bool,
}

#[uniffi::export]
impl AnjianStore {
    /// The 投诉举报 the county handed over to my unit, newest first; with a site, only about
    /// it. They arrive with sync.
    pub fn my_complaints(&self, site_id: Option<String>) -> FfiResult<Vec<ComplaintRecord>> {
        self.inner
            .my_complaints(site_id.as_deref())?
            .into_iter()
            .map(|c| {
                let here = self.inner.complaint_inspection(&c.id)?;
                Ok(ComplaintRecord {
                    answered: here.is_some() || c.inspection_id.is_some(),
                    inspection_id: here,
                    id: c.id,
                    site_id: c.site_id,
                    site_name: c.site_name,
                    text: c.text,
                    received_at: c.received_at.into(),
                    assigned_at: c.assigned_at.map(Into::into),
                    assigned_by: c.assigned_by,
                })
            })
            .collect()
    }

    /// Starts a 行政检查 of a complaint's site from it (任务来源 投诉举报), joint with the bodies
    /// named; refused in Chinese when it is not handed over to my unit.
    pub fn start_complaint_inspection(
        &self,
        complaint_id: String,
        kind: InspectionKind,
        participants: Vec<String>,
        joint_unit_ids: Vec<String>,
    ) -> FfiResult<InspectionRecord> {
        let i = self.inner.start_complaint_inspection(
            &complaint_id,
            kind,
            participants,
            joint_unit_ids,
        )?;
        Ok(self.inspection_record(i))
    }
}
