//! Typed access to the stored records: each save computes the record's audience from the
//! scope rules, so no code path can store a record without deciding who sees it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use anjian_domain::inspection::Inspection;
pub use anjian_domain::ledger::HazardDoc;
use anjian_domain::org::{Person, Unit};
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::site::Site;
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult};
use crate::scope;
use crate::storage::{StoredRecord, Tx};

pub fn load<T: DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: &str,
    id: &str,
) -> ApiResult<Option<(StoredRecord, T)>> {
    match tx.get_record(entity, id)? {
        Some(rec) if !rec.deleted => {
            let value = serde_json::from_value(rec.data.clone()).map_err(ApiError::internal)?;
            Ok(Some((rec, value)))
        }
        _ => Ok(None),
    }
}

/// Stores a record with its audience (the next version unless given).
pub(crate) fn put<T: Serialize>(
    tx: &mut dyn Tx,
    entity: &str,
    id: &str,
    value: &T,
    audience: Vec<String>,
    version: Option<i64>,
) -> ApiResult<i64> {
    let previous = tx.get_record(entity, id)?.map(|r| r.version).unwrap_or(0);
    let record = StoredRecord {
        entity: entity.to_string(),
        id: id.to_string(),
        version: version.unwrap_or(previous + 1),
        data: serde_json::to_value(value).map_err(ApiError::internal)?,
        audience,
        deleted: false,
    };
    Ok(tx.put_record(&record)?)
}

/// The organisation tree is visible to every signed-in person.
pub fn save_unit(tx: &mut dyn Tx, u: &Unit) -> ApiResult<i64> {
    u.validate()?;
    put(tx, entity::UNIT, &u.id, u, vec![scope::ALL.into()], None)
}

/// Every live record of an organisation entity (readable by every signed-in person).
fn organisation<T: DeserializeOwned>(tx: &mut dyn Tx, entity: &str) -> ApiResult<Vec<T>> {
    decoded(tx, entity, None)
}

/// Every unit of the organisation tree.
pub fn units(tx: &mut dyn Tx) -> ApiResult<Vec<Unit>> {
    organisation(tx, entity::UNIT)
}

/// Every person of the organisation.
pub fn people(tx: &mut dyn Tx) -> ApiResult<Vec<Person>> {
    organisation(tx, entity::PERSON)
}

pub fn save_person(tx: &mut dyn Tx, p: &Person) -> ApiResult<i64> {
    p.validate()?;
    put(tx, entity::PERSON, &p.id, p, vec![scope::ALL.into()], None)
}

pub fn save_site(tx: &mut dyn Tx, s: &Site) -> ApiResult<i64> {
    s.validate()?;
    put(tx, entity::SITE, &s.id, s, scope::site_audience(s), None)
}

pub fn site(tx: &mut dyn Tx, id: &str) -> ApiResult<Site> {
    load::<Site>(tx, entity::SITE, id)?
        .map(|(_, s)| s)
        .ok_or_else(|| ApiError::not_found(format!("未找到场所：{id}")))
}

pub fn save_inspection(tx: &mut dyn Tx, i: &Inspection) -> ApiResult<i64> {
    let site = site(tx, &i.site_id)?;
    put(
        tx,
        entity::INSPECTION,
        &i.id,
        i,
        scope::inspection_audience(i, &site),
        None,
    )
}

/// A 投诉举报: the county reads it (not the departments complained about); once handed over,
/// the body it went to as well (whose phones pull it).
pub fn save_complaint(tx: &mut dyn Tx, c: &anjian_domain::complaint::Complaint) -> ApiResult<i64> {
    let mut audience = vec![anjian_domain::access::COUNTY.to_string()];
    audience.extend(
        c.assigned_unit_id
            .as_deref()
            .map(anjian_domain::access::unit),
    );
    put(tx, entity::COMPLAINT, &c.id, c, audience, None)
}

pub fn save_hazard(tx: &mut dyn Tx, doc: &HazardDoc) -> ApiResult<i64> {
    let h = &doc.hazard;
    let site = match &h.site_id {
        Some(id) => load::<Site>(tx, entity::SITE, id)?.map(|(_, s)| s),
        None => None,
    };
    let source = match &h.source {
        Some(src) => {
            load::<Inspection>(tx, entity::INSPECTION, &src.inspection_id)?.map(|(_, i)| i)
        }
        None => None,
    };
    let audience = scope::hazard_audience(h, site.as_ref(), source.as_ref());
    put(
        tx,
        entity::HAZARD,
        &h.id,
        doc,
        audience,
        Some(h.version as i64),
    )
}

pub fn save_patrol(tx: &mut dyn Tx, p: &PatrolPlan) -> ApiResult<i64> {
    p.validate()?;
    put(
        tx,
        entity::PATROL_PLAN,
        &p.id,
        p,
        scope::patrol_audience(p),
        None,
    )
}

/// A checklist version published by 县安委办: every signed-in person (and phone) gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistDoc {
    pub checklist: anjian_domain::checklist::Checklist,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub published_by: String,
}

impl ChecklistDoc {
    pub fn id(&self) -> String {
        format!(
            "{}@{}",
            self.checklist.industry.code(),
            self.checklist.version
        )
    }
}

pub fn save_checklist(tx: &mut dyn Tx, doc: &ChecklistDoc) -> ApiResult<i64> {
    put(
        tx,
        entity::CHECKLIST,
        &doc.id(),
        doc,
        vec![scope::ALL.into()],
        None,
    )
}

/// Makes every stored checklist version known to `checklists`, in publication order.
pub fn publish_stored_checklists(
    tx: &mut dyn Tx,
    checklists: &anjian_domain::checklist::ChecklistRegistry,
) -> ApiResult<usize> {
    let mut docs: Vec<ChecklistDoc> = decoded(tx, entity::CHECKLIST, None)?;
    docs.sort_by_key(|d| d.published_at);
    let n = docs.len();
    for d in docs {
        checklists.publish(d.checklist)?;
    }
    Ok(n)
}

/// Evidence is seen by whoever sees what it proves.
pub fn save_evidence(
    tx: &mut dyn Tx,
    rec: &anjian_domain::evidence::EvidenceRecord,
    audience: Vec<String>,
) -> ApiResult<i64> {
    put(tx, entity::EVIDENCE, &rec.id, rec, audience, None)
}

/// Meetings, hardware investments and accountability records belong to one unit.
pub fn save_unit_record<T: Serialize>(
    tx: &mut dyn Tx,
    entity: &str,
    id: &str,
    unit_id: &str,
    value: &T,
) -> ApiResult<i64> {
    put(
        tx,
        entity,
        id,
        value,
        scope::unit_record_audience(unit_id),
        None,
    )
}

/// All live records of an entity the caller may see, decoded.
pub fn visible<T: DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: &str,
    caller: &scope::Caller,
) -> ApiResult<Vec<T>> {
    decoded(tx, entity, Some(&caller.principals()))
}

/// All live records of an entity (those `principals` see, or all with `None`), each decoded
/// once from its stored text straight into `T`.
pub fn decoded<T: DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: &str,
    principals: Option<&[String]>,
) -> ApiResult<Vec<T>> {
    tx.list_record_texts(entity, principals)?
        .iter()
        .map(|r| serde_json::from_str(&r.data).map_err(ApiError::internal))
        .collect()
}
