//! 投诉举报 on the phone: those the county handed over (交办) to my unit arrive with sync;
//! a 行政检查 of the site started from one states 投诉举报 as its 任务来源 on the record.

use anjian_domain::complaint::Complaint;
use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::sync::entity;

use rusqlite::OptionalExtension;

use crate::error::Result;
use crate::store::{not_found, Store};

impl Store {
    /// The 投诉举报 handed over to my unit, newest first; with a site, only about it.
    pub fn my_complaints(&self, site_id: Option<&str>) -> Result<Vec<Complaint>> {
        let me = self.actor()?;
        let mut v: Vec<Complaint> = crate::sync_engine::pulled(self, entity::COMPLAINT)?
            .into_iter()
            .filter(|c: &Complaint| c.assigned_unit_id.as_deref() == Some(me.unit_id.as_str()))
            .filter(|c| site_id.is_none_or(|s| c.site_id == s))
            .collect();
        v.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    /// The 行政检查 started from a complaint on this phone (the first), if any.
    pub fn complaint_inspection(&self, complaint_id: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT id FROM inspections WHERE complaint_id = ?1 ORDER BY started_at, id LIMIT 1",
                [complaint_id],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    /// Starts a 行政检查 of a complaint's site from it (joint with the bodies named): refused,
    /// with the server's reason, when it is not handed over to my unit or not a 行政检查.
    pub fn start_complaint_inspection(
        &self,
        complaint_id: &str,
        kind: InspectionKind,
        participants: Vec<String>,
        joint_unit_ids: Vec<String>,
    ) -> Result<Inspection> {
        let complaint = self
            .my_complaints(None)?
            .into_iter()
            .find(|c| c.id == complaint_id)
            .ok_or_else(|| not_found("投诉举报", complaint_id))?;
        let site_id = complaint.site_id.clone();
        self.start_visit(
            kind,
            &site_id,
            participants,
            joint_unit_ids,
            None,
            Some(&complaint),
        )
    }
}
