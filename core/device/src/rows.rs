//! One write per table of the phone's store, used alike by the person's own edits and by
//! changes pulled from the server, so a record is stored the same way whichever way it came.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::Deserialize;
use serde_json::value::RawValue;

use anjian_domain::hazard::{Hazard, HazardEvent, HazardKeys};
use anjian_domain::inspection::{Inspection, ItemResult};
use anjian_domain::org::Unit;
use anjian_domain::site::Site;

use crate::error::Result;
use crate::store::json;

fn raw(text: String) -> Result<Box<RawValue>> {
    Ok(RawValue::from_string(text)?)
}

/// Inserts or replaces a site; `data` is its JSON (as received, or as just written).
pub(crate) fn upsert_site(tx: &Connection, s: &Site, data: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sites (id, name, industry, township_id, department_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, industry = excluded.industry,
         township_id = excluded.township_id, department_id = excluded.department_id, data = excluded.data",
    )?
    .execute(params![s.id, s.name, s.industry, s.township_id, s.department_id, data])?;
    Ok(())
}

pub(crate) fn upsert_unit(tx: &Connection, u: &Unit, data: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO units (id, name, kind, parent_id, data) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         parent_id = excluded.parent_id, data = excluded.data",
    )?
    .execute(params![u.id, u.name, json(&u.kind)?, u.parent_id, data])?;
    Ok(())
}

/// Inserts or updates an inspection's row (its results are [`upsert_result`]'s).
pub(crate) fn upsert_inspection(tx: &Connection, i: &Inspection) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO inspections (id, kind, site_id, industry, checklist_version, leader, participants, started_at, finished_at,
                                  activity, in_name_of, certificate_number, joint_unit_ids, campaign_id, officers, complaint_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT(id) DO UPDATE SET finished_at = excluded.finished_at, leader = excluded.leader,
         activity = excluded.activity, in_name_of = excluded.in_name_of,
         certificate_number = excluded.certificate_number, joint_unit_ids = excluded.joint_unit_ids,
         campaign_id = excluded.campaign_id, officers = excluded.officers,
         complaint_id = excluded.complaint_id,
         participants = excluded.participants",
    )?
    .execute(params![
        i.id,
        i.kind.code(),
        i.site_id,
        i.industry.code(),
        i.checklist_version,
        json(&i.leader)?,
        json(&i.participants)?,
        i.started_at.to_rfc3339(),
        i.finished_at.map(|t| t.to_rfc3339()),
        i.activity.map(|a| a.code()),
        i.in_name_of,
        i.certificate_number,
        (!i.joint_unit_ids.is_empty())
            .then(|| json(&i.joint_unit_ids))
            .transpose()?,
        i.campaign_id,
        (!i.officers.is_empty())
            .then(|| json(&i.officers))
            .transpose()?,
        i.complaint_id
    ])?;
    Ok(())
}

pub(crate) fn upsert_result(
    tx: &Connection,
    inspection_id: &str,
    item_id: &str,
    r: &ItemResult,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO inspection_results (inspection_id, item_id, outcome, note, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(inspection_id, item_id) DO UPDATE SET outcome = excluded.outcome,
         note = excluded.note, recorded_at = excluded.recorded_at",
    )?
    .execute(params![inspection_id, item_id, r.outcome.code(), r.note, r.recorded_at.to_rfc3339()])?;
    Ok(())
}

/// An inspection with all its results.
pub(crate) fn upsert_inspection_with_results(tx: &Connection, i: &Inspection) -> Result<()> {
    upsert_inspection(tx, i)?;
    for (item_id, r) in &i.results {
        upsert_result(tx, &i.id, item_id, r)?;
    }
    Ok(())
}

/// A hazard's row: its indexed columns and its JSON.
pub(crate) struct HazardRow {
    pub id: String,
    number: String,
    unit_id: String,
    rectifying_unit_id: String,
    site_id: Option<String>,
    level: String,
    status: &'static str,
    deadline: Option<String>,
    pub version: i64,
    raised_at: String,
    json: Box<RawValue>,
    /// The events that came with it (a pulled record carries its whole history).
    events: Vec<EventRow>,
}

/// A hazard event's row.
pub(crate) struct EventRow {
    id: String,
    hazard_id: String,
    version: i64,
    at: String,
    json: Box<RawValue>,
}

impl EventRow {
    pub fn of(e: &HazardEvent) -> Result<EventRow> {
        Ok(EventRow {
            id: e.id.clone(),
            hazard_id: e.hazard_id.clone(),
            version: e.version as i64,
            at: e.at.to_rfc3339(),
            json: raw(json(e)?)?,
        })
    }
}

impl HazardRow {
    fn from_keys(h: HazardKeys, json: Box<RawValue>, events: Vec<EventRow>) -> Result<HazardRow> {
        Ok(HazardRow {
            rectifying_unit_id: h.rectifying_unit().to_string(),
            deadline: h.deadline().map(|d| d.to_string()),
            level: crate::store::json(&h.level)?,
            status: h.status.code(),
            version: h.version as i64,
            raised_at: h.raised_at.to_rfc3339(),
            id: h.id,
            number: h.number,
            unit_id: h.unit_id,
            site_id: h.site_id,
            json,
            events,
        })
    }

    /// A hazard as this device just wrote it, with the events to add.
    pub fn of(h: &Hazard, events: &[HazardEvent]) -> Result<HazardRow> {
        let text = json(h)?;
        let keys: HazardKeys = serde_json::from_str(&text)?;
        let events = events.iter().map(EventRow::of).collect::<Result<_>>()?;
        HazardRow::from_keys(keys, raw(text)?, events)
    }

    /// Reads a pulled hazard record (`{hazard, events}`): only the indexed columns are
    /// decoded; the JSON itself is kept as received.
    pub fn parse(data: &str) -> Result<HazardRow> {
        #[derive(Deserialize)]
        struct Doc {
            hazard: Box<RawValue>,
            events: Vec<Box<RawValue>>,
        }
        #[derive(Deserialize)]
        struct EventKeys {
            id: String,
            hazard_id: String,
            version: u64,
            at: DateTime<Utc>,
        }
        let doc: Doc = serde_json::from_str(data)?;
        let h: HazardKeys = serde_json::from_str(doc.hazard.get())?;
        let events = doc
            .events
            .into_iter()
            .map(|json| {
                let e: EventKeys = serde_json::from_str(json.get())?;
                Ok(EventRow {
                    id: e.id,
                    hazard_id: e.hazard_id,
                    version: e.version as i64,
                    at: e.at.to_rfc3339(),
                    json,
                })
            })
            .collect::<Result<_>>()?;
        HazardRow::from_keys(h, doc.hazard, events)
    }
}

/// How a hazard row meets the one already stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HazardWrite {
    /// A pulled record: replaces an older version only, and brings its whole history.
    Pulled,
    /// The server's answer to this device's own operation: the truth, whatever the version.
    ServerTruth,
    /// This device's own edit: the new row, and its events added to the history.
    Local,
}

/// Writes a hazard's row and its events. Returns whether anything changed.
pub(crate) fn upsert_hazard(tx: &Connection, h: &HazardRow, how: HazardWrite) -> Result<bool> {
    let force = how != HazardWrite::Pulled;
    // One statement: insert, or replace an older version (any version when forced).
    let changed = tx
        .prepare_cached(
            "INSERT INTO hazards (id, number, unit_id, rectifying_unit_id, site_id, level, status, deadline, version, raised_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT(id) DO UPDATE SET rectifying_unit_id = excluded.rectifying_unit_id, level = excluded.level,
             status = excluded.status, deadline = excluded.deadline, version = excluded.version, data = excluded.data
             WHERE ?12 OR excluded.version > hazards.version",
        )?
        .execute(params![
            h.id,
            h.number,
            h.unit_id,
            h.rectifying_unit_id,
            h.site_id,
            h.level,
            h.status,
            h.deadline,
            h.version,
            h.raised_at,
            h.json.get(),
            force
        ])?;
    if changed == 0 {
        return Ok(false);
    }
    if how != HazardWrite::Local {
        // A record from the server carries its whole history: it replaces ours.
        tx.prepare_cached("DELETE FROM hazard_events WHERE hazard_id = ?1")?
            .execute([&h.id])?;
    }
    for e in &h.events {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO hazard_events (id, hazard_id, version, at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![e.id, e.hazard_id, e.version, e.at, e.json.get()])?;
    }
    Ok(true)
}
