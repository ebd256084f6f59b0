//! Inspections on the phone: start one (alone or jointly with other bodies) with the checklist
//! of the site's industry and the items that apply to the site, record an item, finish. Each is
//! checked against the access policy as the server will check it, and queued with its typed
//! operation in the same transaction as its rows.

use anjian_domain::checklist::Industry;
use anjian_domain::enforcement::FieldActivity;
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome, ItemResult};
use anjian_domain::org::Actor;
use anjian_domain::sync::ops::{FinishInspection, OpBody, RecordItem};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::rows;
use crate::store::{enqueue, from_json, new_id, not_found, parse_time, Store};

impl Store {
    /// Starts an inspection of a site with the checklist of the site's industry.
    pub fn start_inspection(
        &self,
        kind: InspectionKind,
        site_id: &str,
        participants: Vec<String>,
    ) -> Result<Inspection> {
        self.start_joint_inspection(kind, site_id, participants, vec![])
    }

    /// Starts an inspection, joint (联合检查) with the other enforcement bodies named: one visit
    /// to the enterprise, counted once for each body.
    pub fn start_joint_inspection(
        &self,
        kind: InspectionKind,
        site_id: &str,
        participants: Vec<String>,
        joint_unit_ids: Vec<String>,
    ) -> Result<Inspection> {
        self.start_visit(kind, site_id, participants, joint_unit_ids, None, None)
    }

    pub(crate) fn load_inspection(c: &Connection, id: &str) -> Result<Inspection> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            [Option<String>; 7],
        );
        let row: Option<Row> = c
            .query_row(
                "SELECT kind, site_id, industry, checklist_version, leader, participants, started_at, finished_at,
                 activity, in_name_of, certificate_number, joint_unit_ids, campaign_id, officers, complaint_id
                 FROM inspections WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?,
                        [r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?])),
            )
            .optional()?;
        let (kind, site_id, industry, version, leader, participants, started, finished, legal) =
            row.ok_or_else(|| not_found("检查", id))?;
        let [activity, in_name_of, certificate_number, joint, campaign_id, officers, complaint_id] =
            legal;
        let mut stmt = c.prepare(
            "SELECT item_id, outcome, note, recorded_at FROM inspection_results WHERE inspection_id = ?1",
        )?;
        let mut results = std::collections::BTreeMap::new();
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (item_id, outcome, note, at) = row?;
            results.insert(
                item_id,
                ItemResult {
                    outcome: ItemOutcome::from_code(&outcome)?,
                    note,
                    recorded_at: parse_time(&at)?,
                },
            );
        }
        Ok(Inspection {
            received: None,
            id: id.to_string(),
            kind: InspectionKind::from_code(&kind)?,
            site_id,
            industry: Industry::from_code(&industry)?,
            checklist_version: version,
            leader: from_json(&leader)?,
            participants: from_json(&participants)?,
            started_at: parse_time(&started)?,
            finished_at: finished.as_deref().map(parse_time).transpose()?,
            results,
            activity: activity
                .as_deref()
                .map(FieldActivity::from_code)
                .transpose()?,
            in_name_of,
            certificate_number,
            officers: officers
                .as_deref()
                .map(from_json)
                .transpose()?
                .unwrap_or_default(),
            joint_unit_ids: joint
                .as_deref()
                .map(from_json::<Vec<String>>)
                .transpose()?
                .unwrap_or_default(),
            engagement_id: None,
            commissioned_by: None,
            campaign_id,
            complaint_id,
        })
    }

    pub fn inspection(&self, id: &str) -> Result<Inspection> {
        self.read(|c| Self::load_inspection(c, id))
    }

    pub fn inspections(&self, site_id: Option<&str>) -> Result<Vec<Inspection>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id FROM inspections WHERE (?1 IS NULL OR site_id = ?1) ORDER BY started_at DESC",
            )?;
            let ids: Vec<String> = stmt
                .query_map([site_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            ids.iter().map(|id| Self::load_inspection(c, id)).collect()
        })
    }

    /// Whether `who` is on a pulled patrol plan with `site_id` still to visit.
    pub fn on_patrol_plan(&self, who: &Actor, site_id: &str) -> Result<bool> {
        let plans: Vec<anjian_domain::patrol::PatrolPlan> =
            crate::sync_engine::pulled(self, anjian_domain::sync::entity::PATROL_PLAN)?;
        Ok(plans.iter().any(|p| {
            p.team.contains(&who.person_id)
                && p.targets
                    .iter()
                    .any(|t| t.site_id == site_id && t.visited_inspection_id.is_none())
        }))
    }

    /// Records one item's result. The check and the write happen under the writer lock.
    pub fn record_item(
        &self,
        inspection_id: &str,
        item_id: &str,
        outcome: ItemOutcome,
        note: Option<String>,
    ) -> Result<Inspection> {
        self.actor()?;
        self.write(|tx| {
            let mut insp = Self::load_inspection(tx, inspection_id)?;
            let at = Utc::now();
            insp.record(
                &self.checklists().for_inspection(&insp),
                item_id,
                outcome,
                note,
                at,
            )?;
            let result = &insp.results[item_id];
            rows::upsert_result(tx, inspection_id, item_id, result)?;
            let body = OpBody::RecordItem(RecordItem {
                item_id: item_id.to_string(),
                result: result.clone(),
            });
            enqueue(tx, &new_id(), inspection_id, &body)?;
            Ok(insp)
        })
    }

    pub fn finish_inspection(&self, inspection_id: &str) -> Result<Inspection> {
        self.actor()?;
        self.write(|tx| {
            let mut insp = Self::load_inspection(tx, inspection_id)?;
            let at = Utc::now();
            // A 行政检查 needs its signed 现场检查记录 showing every result.
            let list = self.checklists().for_inspection(&insp);
            let attributes = Self::inspection_site_attributes(tx, &insp, &list)?;
            let record = Self::record_to_finish(tx, &insp, &list, &attributes)?;
            let answered: Vec<String> = insp.results.keys().cloned().collect();
            insp.finish_at_site(&list, &attributes, at)?;
            // The items that do not apply to the site were answered 不适用 by the domain: they
            // go to the server as answers like any other, before the finish.
            for (item_id, result) in &insp.results {
                if answered.contains(item_id) {
                    continue;
                }
                rows::upsert_result(tx, inspection_id, item_id, result)?;
                let body = OpBody::RecordItem(RecordItem {
                    item_id: item_id.clone(),
                    result: result.clone(),
                });
                enqueue(tx, &new_id(), inspection_id, &body)?;
            }
            rows::upsert_inspection(tx, &insp)?;
            let body = OpBody::FinishInspection(FinishInspection {
                finished_at: Some(at),
                inspection_record_id: record,
            });
            enqueue(tx, &new_id(), inspection_id, &body)?;
            Ok(insp)
        })
    }
}
