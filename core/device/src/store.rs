//! The offline store: one writer and one reader connection over a WAL database. Every user
//! change writes its rows and one outbox entry in the same immediate transaction, so a crash
//! leaves either both or neither.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anjian_domain::checklist::{Checklist, ChecklistRegistry, Industry};
use anjian_domain::hazard::{
    china_date, hazard_number, Hazard, HazardAction, HazardDraft, HazardEvent, HazardLevel,
    HazardStatus,
};
use anjian_domain::inspection::Inspection;
use anjian_domain::ledger;
use anjian_domain::org::{Actor, Role, Unit};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::referral;
use anjian_domain::site::Site;
use anjian_domain::sync::ops::OpBody;
use anjian_domain::DomainError;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{
    params, Connection, InterruptHandle, OptionalExtension, Transaction, TransactionBehavior,
};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::rows::{self, HazardRow, HazardWrite};
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
    /// When this device recorded it.
    pub created_at: Option<DateTime<Utc>>,
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
    /// The checklist versions this store knows (compiled, and pulled from the server).
    checklists: ChecklistRegistry,
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

/// Appends one operation to the outbox, inside the caller's transaction. The operation is
/// typed (`OpBody`); its wire envelope is written as the server reads it.
pub(crate) fn enqueue(tx: &Transaction, op_id: &str, entity_id: &str, body: &OpBody) -> Result<()> {
    let (entity, op) = body.kind().wire();
    tx.prepare_cached(
        "INSERT INTO outbox (op_id, entity, entity_id, op, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![op_id, entity, entity_id, op, json(&body.payload())?, Utc::now().to_rfc3339()])?;
    Ok(())
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
            checklists: ChecklistRegistry::new(),
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

    /// Makes the checklist versions pulled from the server known to this store, in
    /// publication order, so new inspections use the office's current version offline. The
    /// server checked them; one this build cannot take (a malformed or clashing version) is
    /// kept as a pulled record but not used, so it can never block a sync.
    pub(crate) fn publish_pulled_checklists(&self) -> Result<()> {
        let mut docs: Vec<serde_json::Value> = self.read(|c| {
            let mut stmt =
                c.prepare("SELECT data FROM pulled_records WHERE entity = 'checklist'")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })?;
        docs.sort_by(|a, b| a["published_at"].as_str().cmp(&b["published_at"].as_str()));
        for doc in docs {
            if let Ok(list) = serde_json::from_value::<Checklist>(doc["checklist"].clone()) {
                let _ = self.checklists.publish(list);
            }
        }
        Ok(())
    }

    /// The checklist versions this store knows.
    pub fn checklists(&self) -> &ChecklistRegistry {
        &self.checklists
    }

    /// The item ids of the checklist version an inspection was made with, in order.
    pub fn item_ids(&self, inspection: &Inspection) -> Vec<String> {
        let list = self.checklists.for_inspection(inspection);
        list.items.iter().map(|i| i.id.clone()).collect()
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

    pub fn actor(&self) -> Result<Actor> {
        self.profile()?.ok_or(StoreError::NoProfile)
    }

    /// Stores units received from the server (reference data: no outbox entry).
    pub fn upsert_units(&self, units: &[Unit]) -> Result<()> {
        for u in units {
            u.validate()?;
        }
        self.write(|tx| {
            for u in units {
                rows::upsert_unit(tx, u, &json(u)?)?;
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
        let industry = Industry::from_code(&site.industry)?;
        site.check_attributes(&self.checklists.current(industry))?;
        self.write(|tx| {
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM sites WHERE id = ?1)")?
                .query_row([&site.id], |r| r.get(0))?;
            if exists {
                return Err(DomainError::InvalidValue {
                    field: "场所编号",
                    reason: format!("{} 已存在", site.id),
                }
                .into());
            }
            rows::upsert_site(tx, &site, &json(&site)?)?;
            enqueue(tx, &new_id(), &site.id, &OpBody::CreateSite(site.clone()))
        })?;
        Ok(site)
    }

    pub fn site(&self, id: &str) -> Result<Site> {
        self.read(|c| Self::load_site(c, id))
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

    // ---- hazards --------------------------------------------------------------------------

    /// Raises a hazard. From a checklist item, the item must have failed in that inspection;
    /// the responsible unit defaults to the site's township (属地). Checked against the access
    /// policy as the server will check it.
    pub fn raise_hazard(&self, mut draft: HazardDraft) -> Result<Hazard> {
        let actor = self.actor()?;
        let at = Utc::now();
        if draft.id.trim().is_empty() {
            draft.id = new_id();
        }
        if draft.number.trim().is_empty() {
            draft.number = hazard_number(&draft.id, at);
        }
        self.write(|tx| {
            let mut owner = None;
            let mut source = None;
            if let Some(src) = &draft.source {
                let insp = Self::load_inspection(tx, &src.inspection_id)?;
                src.check(&insp)?;
                if draft.site_id.is_none() {
                    draft.site_id = Some(insp.site_id.clone());
                }
                owner = Some(insp.leader.person_id.clone());
                source = Some(insp);
            }
            let site = match &draft.site_id {
                Some(id) => Some(Self::load_site(tx, id)?),
                None => None,
            };
            if let Some(site) = &site {
                if draft.unit_id.trim().is_empty() {
                    draft.unit_id = site.township_id.clone();
                }
                if draft.location.is_none() {
                    draft.location = Some(site.location.point);
                }
                ledger::check_responsible_unit(&draft.unit_id, site)?;
            }
            let target = Target {
                site: site.as_ref(),
                unit_id: Some(&draft.unit_id),
                owner_id: owner.as_deref(),
                ..Target::default()
            };
            policy::check(&actor, Act::RaiseHazard, &target)?;
            let event_id = new_id();
            let mut raised = ledger::raise(draft, &self.checklists, &actor, at, &event_id)?;
            // 移交, as the server decides it: a finding not made in a 行政检查.
            if let (Some(insp), Some(site)) = (&source, &site) {
                let units: Vec<Unit> = tx
                    .prepare_cached("SELECT data FROM units")?
                    .query_map([], |r| r.get::<_, String>(0))?
                    .map(|r| from_json(&r?))
                    .collect::<Result<_>>()?;
                raised.hazard.referral = referral::referral_for(insp, site, &units, at);
            }
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM hazards WHERE id = ?1)")?
                .query_row([&raised.hazard.id], |r| r.get(0))?;
            if exists {
                return Err(DomainError::InvalidValue {
                    field: "隐患编号",
                    reason: format!("{} 已存在", raised.hazard.number),
                }
                .into());
            }
            let row = HazardRow::of(&raised.hazard, std::slice::from_ref(&raised.event))?;
            rows::upsert_hazard(tx, &row, HazardWrite::Local)?;
            let body = OpBody::RaiseHazard(raised.hazard.clone());
            enqueue(tx, &event_id, &raised.hazard.id, &body)?;
            Ok(raised.hazard)
        })
    }

    pub(crate) fn load_hazard(c: &Connection, id: &str) -> Result<Hazard> {
        let data: Option<String> = c
            .query_row("SELECT data FROM hazards WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        from_json(&data.ok_or_else(|| not_found("隐患", id))?)
    }

    /// The attributes of an inspection's site that its checklist version declares; none when
    /// the site is not on this device.
    pub(crate) fn inspection_site_attributes(
        c: &Connection,
        insp: &Inspection,
        list: &Checklist,
    ) -> Result<Vec<String>> {
        let data: Option<String> = c
            .query_row(
                "SELECT data FROM sites WHERE id = ?1",
                [&insp.site_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match data {
            Some(d) => list.declared_attributes(&from_json::<Site>(&d)?.attributes),
            None => Vec::new(),
        })
    }

    /// What an inspection asks at its site: its checklist version and the site's attributes.
    pub fn inspection_scope(
        &self,
        insp: &Inspection,
    ) -> Result<(std::sync::Arc<Checklist>, Vec<String>)> {
        let list = self.checklists.for_inspection(insp);
        let attributes = self.read(|c| Self::inspection_site_attributes(c, insp, &list))?;
        Ok((list, attributes))
    }

    pub(crate) fn load_site(c: &Connection, id: &str) -> Result<Site> {
        let data: Option<String> = c
            .query_row("SELECT data FROM sites WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        from_json(&data.ok_or_else(|| not_found("场所", id))?)
    }

    /// The policy's facts about a hazard: its site and who raised it.
    pub(crate) fn hazard_act_allowed(
        c: &Connection,
        actor: &Actor,
        hazard: &Hazard,
        act: Act,
    ) -> Result<()> {
        let site = match &hazard.site_id {
            Some(id) => Self::load_site(c, id).ok(),
            None => None,
        };
        let target = Target {
            site: site.as_ref(),
            hazard: Some(hazard),
            owner_id: Some(&hazard.raised_by.person_id),
            ..Target::default()
        };
        Ok(policy::check(actor, act, &target)?)
    }

    /// Whether `who` may do `act` on `hazard` (the app offers only these actions).
    pub fn hazard_act_permitted(&self, who: &Actor, hazard: &Hazard, act: Act) -> bool {
        self.read(|c| Ok(Self::hazard_act_allowed(c, who, hazard, act).is_ok()))
            .unwrap_or(false)
    }

    pub fn hazard(&self, id: &str) -> Result<Hazard> {
        self.read(|c| Self::load_hazard(c, id))
    }

    /// Applies one workflow action as the signed-in person: the policy and rule checks, the
    /// new row, the event and the outbox entry happen in one transaction; a refusal writes
    /// nothing.
    pub fn act_on_hazard(&self, hazard_id: &str, action: HazardAction) -> Result<Hazard> {
        let actor = self.actor()?;
        self.write(|tx| {
            let current = Self::load_hazard(tx, hazard_id)?;
            Self::hazard_act_allowed(tx, &actor, &current, Act::for_hazard_action(&action))?;
            if let HazardAction::CloseOnSpot { after_evidence, .. }
            | HazardAction::SubmitRectification { after_evidence, .. } = &action
            {
                Self::require_after_photos(tx, hazard_id, after_evidence)?;
            }
            let event_id = new_id();
            let step = ledger::act(&current, action, &actor, Utc::now(), &event_id)?;
            let row = HazardRow::of(&step.hazard, std::slice::from_ref(&step.event))?;
            rows::upsert_hazard(tx, &row, HazardWrite::Local)?;
            enqueue(tx, &event_id, hazard_id, &OpBody::ActOnHazard(step.event))?;
            Ok(step.hazard)
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

    /// The hazard ledger (隐患台账), in the ledger's one order (`ledger::ledger_order`).
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
                   AND (?7 = 0 OR status <> 'closed')",
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
            let mut hazards = rows
                .map(|r| from_json(&r?))
                .collect::<Result<Vec<Hazard>>>()?;
            // The one ledger order, shared with the server and the console.
            ledger::sort_ledger(&mut hazards, today);
            Ok(hazards)
        })
    }

    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, op_id, entity, entity_id, op, payload, created_at FROM outbox ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(OutboxEntry {
                    seq: r.get(0)?,
                    op_id: r.get(1)?,
                    entity: r.get(2)?,
                    entity_id: r.get(3)?,
                    op: r.get(4)?,
                    payload: r.get(5)?,
                    created_at: r
                        .get::<_, String>(6)
                        .ok()
                        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                        .map(|t| t.with_timezone(&Utc)),
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

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
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
