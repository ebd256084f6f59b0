//! The offline store: one writer and one reader connection over a WAL database. Every user
//! change writes its rows and one outbox entry in the same immediate transaction, so a crash
//! leaves either both or neither.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::{
    china_date, hazard_number, Hazard, HazardAction, HazardDraft, HazardEvent, HazardLevel,
    HazardStatus,
};
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome, ItemResult};
use anjian_domain::org::{Actor, Role, Unit};
use anjian_domain::records::{AccountabilityRecord, HardwareInvestment, Meeting};
use anjian_domain::site::Site;
use anjian_domain::DomainError;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{
    params, Connection, InterruptHandle, OptionalExtension, Transaction, TransactionBehavior,
};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::schema;

/// What happened while opening the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// Where an unreadable database was moved to; a fresh one was created in its place.
    pub recovered_from: Option<PathBuf>,
    pub schema_version: i64,
}

/// Which hazards a ledger view shows.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub status: Option<HazardStatus>,
    pub level: Option<HazardLevel>,
    /// The rectifying unit (assignee, else the responsible unit).
    pub unit_id: Option<String>,
    pub site_id: Option<String>,
    /// Only hazards open past their deadline on `today`.
    pub overdue_only: bool,
    /// Only hazards not yet closed (销号).
    pub open_only: bool,
}

/// One pending outbox operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub payload: String,
}

pub struct Store {
    /// The folder holding the database and `evidence/`.
    dir: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    interrupts: [InterruptHandle; 2],
    report: OpenReport,
    /// Set by `cancel_sync`; a running sync stops at its next step.
    pub(crate) cancel: std::sync::atomic::AtomicBool,
    /// Held while a sync runs: one sync per store at a time.
    pub(crate) syncing: std::sync::atomic::AtomicBool,
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_str(text)?)
}

pub(crate) fn not_found(what: &'static str, id: &str) -> StoreError {
    DomainError::NotFound {
        what,
        id: id.to_string(),
    }
    .into()
}

/// Appends one operation to the outbox, inside the caller's transaction.
pub(crate) fn enqueue<T: Serialize>(
    tx: &Transaction,
    op_id: &str,
    entity: &str,
    entity_id: &str,
    op: &str,
    payload: &T,
) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (op_id, entity, entity_id, op, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![op_id, entity, entity_id, op, json(payload)?, Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

/// Publishes a pulled checklist record (`{checklist, published_at, published_by}`). The
/// server checked it; one this build cannot take (a malformed or clashing version) is kept
/// as a pulled record but not used, so it can never block a sync.
pub(crate) fn publish_checklist_doc(doc: &serde_json::Value) {
    let list =
        serde_json::from_value::<anjian_domain::checklist::Checklist>(doc["checklist"].clone());
    if let Ok(list) = list {
        let _ = anjian_domain::checklist::publish(list);
    }
}

impl Store {
    /// Opens (or creates) the store at `path`. A file that is not a readable database is moved
    /// aside and reported in [`Store::report`]; a database newer than this code is refused
    /// and left untouched.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut recovered_from = None;
        let writer = match schema::open_writer(path) {
            Ok(conn) => conn,
            Err(err) if schema::is_unreadable(&err) => {
                let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
                recovered_from = Some(schema::move_aside(path, &stamp)?);
                schema::open_writer(path)?
            }
            Err(err) => return Err(err),
        };
        let reader = schema::open_reader(path)?;
        let interrupts = [writer.get_interrupt_handle(), reader.get_interrupt_handle()];
        let store = Store {
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            interrupts,
            cancel: std::sync::atomic::AtomicBool::new(false),
            syncing: std::sync::atomic::AtomicBool::new(false),
            report: OpenReport {
                recovered_from,
                schema_version: schema::SCHEMA_VERSION,
            },
        };
        store.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO device (id, device_id, created_at) VALUES (1, ?1, ?2)",
                params![new_id(), Utc::now().to_rfc3339()],
            )?;
            Ok(())
        })?;
        store.publish_pulled_checklists()?;
        Ok(store)
    }

    /// Makes the checklist versions pulled from the server known to this process, in
    /// publication order, so new inspections use the office's current version offline.
    fn publish_pulled_checklists(&self) -> Result<()> {
        let mut docs: Vec<serde_json::Value> = self.read(|c| {
            let mut stmt =
                c.prepare("SELECT data FROM pulled_records WHERE entity = 'checklist'")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })?;
        docs.sort_by(|a, b| a["published_at"].as_str().cmp(&b["published_at"].as_str()));
        for doc in docs {
            publish_checklist_doc(&doc);
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn report(&self) -> &OpenReport {
        &self.report
    }

    /// Interrupts whatever query is running on either connection.
    pub fn interrupt(&self) {
        for handle in &self.interrupts {
            handle.interrupt();
        }
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    pub fn device_id(&self) -> Result<String> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT device_id FROM device WHERE id = 1", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    // ---- profile and reference data -------------------------------------------------------

    /// Sets the person using this device (from login; local state, not synced).
    pub fn set_profile(&self, actor: &Actor) -> Result<()> {
        anjian_domain::required_text(&actor.person_id, "人员编号")?;
        anjian_domain::required_text(&actor.name, "姓名")?;
        if actor.roles.is_empty() {
            return Err(DomainError::MissingField("角色").into());
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO profile (id, person_id, name, unit_id, roles) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET person_id = excluded.person_id, name = excluded.name,
                 unit_id = excluded.unit_id, roles = excluded.roles",
                params![actor.person_id, actor.name, actor.unit_id, json(&actor.roles)?],
            )?;
            Ok(())
        })
    }

    pub fn profile(&self) -> Result<Option<Actor>> {
        self.read(|c| {
            let row = c
                .query_row(
                    "SELECT person_id, name, unit_id, roles FROM profile WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?)),
                )
                .optional()?;
            row.map(|(person_id, name, unit_id, roles)| {
                Ok(Actor {
                    person_id,
                    name,
                    unit_id,
                    roles: from_json::<Vec<Role>>(&roles)?,
                })
            })
            .transpose()
        })
    }

    pub(crate) fn actor(&self) -> Result<Actor> {
        self.profile()?.ok_or(StoreError::NoProfile)
    }

    /// Stores units received from the server (reference data: no outbox entry).
    pub fn upsert_units(&self, units: &[Unit]) -> Result<()> {
        for u in units {
            u.validate()?;
        }
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "INSERT INTO units (id, name, kind, parent_id, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                 parent_id = excluded.parent_id, data = excluded.data",
            )?;
            for u in units {
                stmt.execute(params![u.id, u.name, json(&u.kind)?, u.parent_id, json(u)?])?;
            }
            Ok(())
        })
    }

    pub fn units(&self) -> Result<Vec<Unit>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT data FROM units ORDER BY name")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })
    }

    // ---- sites ----------------------------------------------------------------------------

    /// Registers a site found in the field (synced to the server).
    pub fn add_site(&self, mut site: Site) -> Result<Site> {
        if site.id.trim().is_empty() {
            site.id = new_id();
        }
        site.name = site.name.trim().to_string();
        site.validate()?;
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO sites (id, name, industry, township_id, department_id, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    site.id,
                    site.name,
                    site.industry,
                    site.township_id,
                    site.department_id,
                    json(&site)?
                ],
            )?;
            if inserted == 0 {
                return Err(DomainError::InvalidValue {
                    field: "场所编号",
                    reason: format!("{} 已存在", site.id),
                }
                .into());
            }
            enqueue(tx, &new_id(), "site", &site.id, "create", &site)
        })?;
        Ok(site)
    }

    pub fn site(&self, id: &str) -> Result<Site> {
        self.read(|c| {
            let data: Option<String> = c
                .query_row("SELECT data FROM sites WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            from_json(&data.ok_or_else(|| not_found("场所", id))?)
        })
    }

    pub fn sites(&self, township_id: Option<&str>) -> Result<Vec<Site>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT data FROM sites WHERE (?1 IS NULL OR township_id = ?1) ORDER BY name",
            )?;
            let rows = stmt.query_map([township_id], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })
    }

    // ---- inspections ----------------------------------------------------------------------

    /// Starts an inspection of a site with the checklist of the site's industry.
    pub fn start_inspection(
        &self,
        kind: InspectionKind,
        site_id: &str,
        participants: Vec<String>,
    ) -> Result<Inspection> {
        let leader = self.actor()?;
        let site = self.site(site_id)?;
        let industry = Industry::from_code(&site.industry)?;
        let insp = Inspection::start(
            new_id(),
            kind,
            &site.id,
            industry,
            leader,
            participants,
            Utc::now(),
        )?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO inspections (id, kind, site_id, industry, checklist_version, leader, participants, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    insp.id,
                    insp.kind.code(),
                    insp.site_id,
                    insp.industry.code(),
                    insp.checklist_version,
                    json(&insp.leader)?,
                    json(&insp.participants)?,
                    insp.started_at.to_rfc3339()
                ],
            )?;
            enqueue(tx, &new_id(), "inspection", &insp.id, "start", &insp)
        })?;
        Ok(insp)
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
        );
        let row: Option<Row> = c
            .query_row(
                "SELECT kind, site_id, industry, checklist_version, leader, participants, started_at, finished_at
                 FROM inspections WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
            )
            .optional()?;
        let (kind, site_id, industry, version, leader, participants, started, finished) =
            row.ok_or_else(|| not_found("检查", id))?;
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
            insp.record(item_id, outcome, note, at)?;
            let result = &insp.results[item_id];
            tx.execute(
                "INSERT INTO inspection_results (inspection_id, item_id, outcome, note, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(inspection_id, item_id) DO UPDATE SET outcome = excluded.outcome,
                 note = excluded.note, recorded_at = excluded.recorded_at",
                params![inspection_id, item_id, outcome.code(), result.note, at.to_rfc3339()],
            )?;
            let payload = serde_json::json!({ "item_id": item_id, "result": result });
            enqueue(
                tx,
                &new_id(),
                "inspection",
                inspection_id,
                "record_item",
                &payload,
            )?;
            Ok(insp)
        })
    }

    pub fn finish_inspection(&self, inspection_id: &str) -> Result<Inspection> {
        self.actor()?;
        self.write(|tx| {
            let mut insp = Self::load_inspection(tx, inspection_id)?;
            let at = Utc::now();
            insp.finish(at)?;
            tx.execute(
                "UPDATE inspections SET finished_at = ?2 WHERE id = ?1",
                params![inspection_id, at.to_rfc3339()],
            )?;
            let payload = serde_json::json!({ "finished_at": at });
            enqueue(
                tx,
                &new_id(),
                "inspection",
                inspection_id,
                "finish",
                &payload,
            )?;
            Ok(insp)
        })
    }

    // ---- hazards --------------------------------------------------------------------------

    /// Raises a hazard. From a checklist item, the item must have failed in that inspection;
    /// the responsible unit defaults to the site's township (属地).
    pub fn raise_hazard(&self, mut draft: HazardDraft) -> Result<Hazard> {
        let actor = self.actor()?;
        let at = Utc::now();
        if draft.id.trim().is_empty() {
            draft.id = new_id();
        }
        if draft.number.trim().is_empty() {
            draft.number = hazard_number(&draft.id, at);
        }
        if let Some(site_id) = &draft.site_id {
            let site = self.site(site_id)?;
            if draft.unit_id.trim().is_empty() {
                draft.unit_id = site.township_id.clone();
            }
            if draft.location.is_none() {
                draft.location = Some(site.location.point);
            }
        }
        self.write(|tx| {
            if let Some(src) = &draft.source {
                let insp = Self::load_inspection(tx, &src.inspection_id)?;
                let failed = insp
                    .results
                    .get(&src.item_id)
                    .is_some_and(|r| r.outcome == ItemOutcome::Fail);
                if !failed || insp.industry != src.industry {
                    return Err(DomainError::InvalidValue {
                        field: "隐患来源",
                        reason: format!("检查项 {} 在该次检查中未判定为不合格", src.item_id),
                    }
                    .into());
                }
                if draft.site_id.is_none() {
                    draft.site_id = Some(insp.site_id.clone());
                }
            }
            let hazard = Hazard::raise(draft, &actor, at)?;
            let event = HazardEvent {
                id: new_id(),
                hazard_id: hazard.id.clone(),
                action: None,
                actor: actor.clone(),
                at,
                from: None,
                to: hazard.status,
                version: hazard.version,
            };
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO hazards (id, number, unit_id, rectifying_unit_id, site_id, level, status, deadline, version, raised_at, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    hazard.id,
                    hazard.number,
                    hazard.unit_id,
                    hazard.rectifying_unit(),
                    hazard.site_id,
                    json(&hazard.level)?,
                    hazard.status.code(),
                    hazard.deadline().map(|d| d.to_string()),
                    hazard.version as i64,
                    hazard.raised_at.to_rfc3339(),
                    json(&hazard)?
                ],
            )?;
            if inserted == 0 {
                return Err(DomainError::InvalidValue {
                    field: "隐患编号",
                    reason: format!("{} 已存在", hazard.number),
                }
                .into());
            }
            Self::insert_event(tx, &event)?;
            enqueue(tx, &event.id, "hazard", &hazard.id, "raise", &hazard)?;
            Ok(hazard)
        })
    }

    pub(crate) fn insert_event(tx: &Connection, event: &HazardEvent) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO hazard_events (id, hazard_id, version, at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![event.id, event.hazard_id, event.version as i64, event.at.to_rfc3339(), json(event)?],
        )?;
        Ok(())
    }

    pub(crate) fn load_hazard(c: &Connection, id: &str) -> Result<Hazard> {
        let data: Option<String> = c
            .query_row("SELECT data FROM hazards WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        from_json(&data.ok_or_else(|| not_found("隐患", id))?)
    }

    pub fn hazard(&self, id: &str) -> Result<Hazard> {
        self.read(|c| Self::load_hazard(c, id))
    }

    /// Applies one workflow action as the signed-in person: the rule check, the new row, the
    /// event and the outbox entry happen in one transaction; a refusal writes nothing.
    pub fn act_on_hazard(&self, hazard_id: &str, action: HazardAction) -> Result<Hazard> {
        let actor = self.actor()?;
        self.write(|tx| {
            let current = Self::load_hazard(tx, hazard_id)?;
            let at = Utc::now();
            let next = current.apply(&action, &actor, at)?;
            if let HazardAction::CloseOnSpot { after_evidence, .. }
            | HazardAction::SubmitRectification { after_evidence, .. } = &action
            {
                Self::require_after_photos(tx, hazard_id, after_evidence)?;
            }
            let event = HazardEvent {
                id: new_id(),
                hazard_id: next.id.clone(),
                action: Some(action),
                actor: actor.clone(),
                at,
                from: Some(current.status),
                to: next.status,
                version: next.version,
            };
            tx.execute(
                "UPDATE hazards SET rectifying_unit_id = ?2, level = ?3, status = ?4, deadline = ?5,
                 version = ?6, data = ?7 WHERE id = ?1 AND version = ?8",
                params![
                    next.id,
                    next.rectifying_unit(),
                    json(&next.level)?,
                    next.status.code(),
                    next.deadline().map(|d| d.to_string()),
                    next.version as i64,
                    json(&next)?,
                    current.version as i64
                ],
            )?;
            Self::insert_event(tx, &event)?;
            enqueue(tx, &event.id, "hazard", &next.id, "transition", &event)?;
            Ok(next)
        })
    }

    pub fn hazard_events(&self, hazard_id: &str) -> Result<Vec<HazardEvent>> {
        self.read(|c| {
            Self::load_hazard(c, hazard_id)?;
            let mut stmt =
                c.prepare("SELECT data FROM hazard_events WHERE hazard_id = ?1 ORDER BY version")?;
            let rows = stmt.query_map([hazard_id], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })
    }

    /// The hazard ledger (隐患台账): overdue first, then by deadline, then newest.
    pub fn ledger(&self, filter: &LedgerFilter, today: NaiveDate) -> Result<Vec<Hazard>> {
        let level = filter.level.map(|l| json(&l)).transpose()?;
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT data FROM hazards
                 WHERE (?1 IS NULL OR status = ?1)
                   AND (?2 IS NULL OR level = ?2)
                   AND (?3 IS NULL OR rectifying_unit_id = ?3)
                   AND (?4 IS NULL OR site_id = ?4)
                   AND (?5 = 0 OR (status <> 'closed' AND deadline < ?6))
                   AND (?7 = 0 OR status <> 'closed')
                 ORDER BY (status <> 'closed' AND deadline < ?6) DESC,
                          deadline IS NULL, deadline, raised_at DESC",
            )?;
            let rows = stmt.query_map(
                params![
                    filter.status.map(|s| s.code()),
                    level,
                    filter.unit_id,
                    filter.site_id,
                    filter.overdue_only,
                    today.to_string(),
                    filter.open_only
                ],
                |r| r.get::<_, String>(0),
            )?;
            rows.map(|r| from_json(&r?)).collect()
        })
    }

    // ---- meetings, hardware investment, accountability ---------------------------------------

    pub fn record_meeting(&self, mut meeting: Meeting) -> Result<Meeting> {
        self.actor()?;
        if meeting.id.trim().is_empty() {
            meeting.id = new_id();
        }
        meeting.validate()?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO meetings (id, unit_id, kind, held_at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![meeting.id, meeting.unit_id, json(&meeting.kind)?, meeting.held_at.to_rfc3339(), json(&meeting)?],
            )?;
            enqueue(tx, &new_id(), "meeting", &meeting.id, "create", &meeting)
        })?;
        Ok(meeting)
    }

    pub fn record_hardware_investment(
        &self,
        mut inv: HardwareInvestment,
    ) -> Result<HardwareInvestment> {
        self.actor()?;
        if inv.id.trim().is_empty() {
            inv.id = new_id();
        }
        inv.validate()?;
        if let Some(h) = &inv.hazard_id {
            self.hazard(h)?;
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO hardware_investments (id, unit_id, hazard_id, amount_fen, invested_on, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![inv.id, inv.unit_id, inv.hazard_id, inv.amount_fen, inv.invested_on.to_string(), json(&inv)?],
            )?;
            enqueue(tx, &new_id(), "hardware_investment", &inv.id, "create", &inv)
        })?;
        Ok(inv)
    }

    pub fn record_accountability(
        &self,
        mut rec: AccountabilityRecord,
    ) -> Result<AccountabilityRecord> {
        self.actor()?;
        if rec.id.trim().is_empty() {
            rec.id = new_id();
        }
        rec.validate()?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO accountability_records (id, unit_id, kind, decided_on, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![rec.id, rec.unit_id, json(&rec.kind)?, rec.decided_on.to_string(), json(&rec)?],
            )?;
            enqueue(tx, &new_id(), "accountability", &rec.id, "create", &rec)
        })?;
        Ok(rec)
    }

    // ---- outbox ---------------------------------------------------------------------------

    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, op_id, entity, entity_id, op, payload FROM outbox ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(OutboxEntry {
                    seq: r.get(0)?,
                    op_id: r.get(1)?,
                    entity: r.get(2)?,
                    entity_id: r.get(3)?,
                    op: r.get(4)?,
                    payload: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn outbox_len(&self) -> Result<u64> {
        self.read(|c| {
            Ok(c.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Invalid {
            field: "时间",
            reason: e.to_string(),
        })
}

/// Today in China, for overdue checks.
pub fn today() -> NaiveDate {
    china_date(Utc::now())
}
