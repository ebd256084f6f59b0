//! Push and pull. Each pushed operation is applied in its own transaction together with its
//! idempotency key, so a retried batch returns the stored results and applies nothing twice.
//! Hazard transitions are checked against the server's current row with the same domain
//! rules the phone uses.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::fmt::Write as _;

use anjian_domain::assessment::{IndicatorSet, SelfAssessment};
use anjian_domain::evidence::EvidenceRecord;
use anjian_domain::hazard::{Hazard, HazardAction, HazardDraft, HazardEvent};
use anjian_domain::inspection::{Inspection, ItemOutcome, ItemResult};
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::records::{AccountabilityRecord, HardwareInvestment, Meeting};
use anjian_domain::rotation::DutyReport;
use anjian_domain::site::Site;
use anjian_domain::sync::{encode_cursor, entity, Cursor, OpResult, OpStatus, Operation};
use anjian_domain::DomainError;

use crate::error::{ApiError, ApiResult};
use crate::records::{self, HazardDoc};
use crate::scope::{self, Caller};
use crate::storage::Tx;

/// Why an operation was refused, with the server's row when there is one.
struct Refusal {
    reason: String,
    current: Option<Value>,
}

impl From<DomainError> for Refusal {
    fn from(e: DomainError) -> Self {
        Refusal {
            reason: e.to_string(),
            current: None,
        }
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal {
            reason: e.message,
            current: None,
        }
    }
}

fn refuse(reason: impl Into<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        current: None,
    }
}

fn parse<T: serde::de::DeserializeOwned>(payload: &Value, what: &str) -> Result<T, Refusal> {
    serde_json::from_value(payload.clone()).map_err(|e| refuse(format!("{what}数据格式错误：{e}")))
}

/// Applies one operation in the caller's transaction. `Err` means a storage failure (the
/// transaction is rolled back and the push answers 500); refusals are results.
pub fn apply_op(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> ApiResult<OpResult> {
    if let Some(stored) = tx.applied_op(&op.op_id)? {
        let mut result: OpResult = serde_json::from_value(stored).map_err(ApiError::internal)?;
        if result.status == OpStatus::Applied {
            result.status = OpStatus::AlreadyApplied;
        }
        return Ok(result);
    }
    let outcome = match (op.entity.as_str(), op.op.as_str()) {
        (entity::SITE, "create") => create_site(tx, caller, op),
        (entity::INSPECTION, "start") => start_inspection(tx, caller, op),
        (entity::INSPECTION, "record_item") => record_item(tx, caller, op),
        (entity::INSPECTION, "finish") => finish_inspection(tx, caller, op),
        (entity::HAZARD, "raise") => raise_hazard(tx, caller, op),
        (entity::HAZARD, "transition") => transition(tx, caller, op),
        (entity::MEETING, "create") => create_unit_record::<Meeting>(tx, caller, op, |m| {
            m.validate()?;
            Ok(m.unit_id.clone())
        }),
        (entity::HARDWARE_INVESTMENT, "create") => {
            create_unit_record::<HardwareInvestment>(tx, caller, op, |h| {
                h.validate()?;
                Ok(h.unit_id.clone())
            })
        }
        (entity::ACCOUNTABILITY, "create") => {
            create_unit_record::<AccountabilityRecord>(tx, caller, op, |a| {
                a.validate()?;
                Ok(a.unit_id.clone())
            })
        }
        (entity::DUTY_REPORT, "create") => create_unit_record::<DutyReport>(tx, caller, op, |r| {
            r.validate()?;
            Ok(r.unit_id.clone())
        }),
        (entity::SELF_ASSESSMENT, "create") => {
            create_unit_record::<SelfAssessment>(tx, caller, op, |s| {
                s.validate(IndicatorSet::standard())?;
                Ok(s.unit_id.clone())
            })
        }
        (entity::EVIDENCE, "attach") => attach_evidence(tx, caller, op),
        (e, o) => Err(refuse(format!("不支持的操作：{e}/{o}"))),
    };
    let result = match outcome {
        Ok((status, current)) => OpResult {
            op_id: op.op_id.clone(),
            status,
            reason: None,
            current,
        },
        Err(r) => OpResult {
            op_id: op.op_id.clone(),
            status: OpStatus::Rejected,
            reason: Some(r.reason),
            current: r.current,
        },
    };
    // Refusals are recorded too: the same op retried gets the same answer.
    tx.record_applied_op(
        &op.op_id,
        &caller.person.id,
        &serde_json::to_value(&result).map_err(ApiError::internal)?,
    )?;
    Ok(result)
}

type OpOutcome = Result<(OpStatus, Option<Value>), Refusal>;

fn applied<T: serde::Serialize>(value: &T) -> OpOutcome {
    Ok((OpStatus::Applied, serde_json::to_value(value).ok()))
}

fn require_site_access(caller: &Caller, site: &Site) -> Result<(), Refusal> {
    if caller.can_see(&scope::site_audience(site)) {
        Ok(())
    } else {
        Err(refuse(format!(
            "无权在“{}”开展工作：不在本单位属地或属事范围",
            site.name
        )))
    }
}

fn create_site(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let mut site: Site = parse(&op.payload, "场所")?;
    site.id = op.entity_id.clone();
    site.validate()?;
    if !caller.is_county_level()
        && caller.person.unit_id != site.township_id
        && site.department_id.as_deref() != Some(caller.person.unit_id.as_str())
    {
        return Err(refuse("只能登记本单位属地或属事范围内的场所"));
    }
    if tx
        .get_record(entity::SITE, &site.id)
        .map_err(ApiError::from)?
        .is_some()
    {
        return Err(refuse(format!("场所编号 {} 已存在", site.id)));
    }
    records::save_site(tx, &site)?;
    applied(&site)
}

fn start_inspection(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let mut insp: Inspection = parse(&op.payload, "检查")?;
    insp.id = op.entity_id.clone();
    let site = records::site(tx, &insp.site_id)?;
    require_site_access(caller, &site).or_else(|e| {
        // Unannounced patrols and county-level checks may visit any site.
        if caller.is_county_level()
            || insp.kind == anjian_domain::inspection::InspectionKind::UnannouncedPatrol
        {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    if tx
        .get_record(entity::INSPECTION, &insp.id)
        .map_err(ApiError::from)?
        .is_some()
    {
        return Err(refuse(format!("检查 {} 已存在", insp.id)));
    }
    // The server decides who leads: the signed-in person, not what the device claims.
    insp.leader = caller.actor();
    insp.finished_at = None;
    insp.results.clear();
    insp.checklist_version = insp.checklist().version.clone();
    records::save_inspection(tx, &insp)?;
    applied(&insp)
}

fn load_own_inspection(tx: &mut dyn Tx, caller: &Caller, id: &str) -> Result<Inspection, Refusal> {
    let (_, insp) = records::load::<Inspection>(tx, entity::INSPECTION, id)?
        .ok_or_else(|| refuse(format!("未找到检查：{id}")))?;
    if insp.leader.person_id != caller.person.id {
        return Err(Refusal {
            reason: "只有带队检查人员可以修改本次检查".into(),
            current: serde_json::to_value(&insp).ok(),
        });
    }
    Ok(insp)
}

#[derive(Deserialize)]
struct RecordItemPayload {
    item_id: String,
    result: ItemResult,
}

fn record_item(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let payload: RecordItemPayload = parse(&op.payload, "检查结果")?;
    let mut insp = load_own_inspection(tx, caller, &op.entity_id)?;
    let r = payload.result;
    insp.record(&payload.item_id, r.outcome, r.note, r.recorded_at)
        .map_err(|e| Refusal {
            reason: e.to_string(),
            current: serde_json::to_value(&insp).ok(),
        })?;
    records::save_inspection(tx, &insp)?;
    applied(&insp)
}

#[derive(Deserialize)]
struct FinishPayload {
    finished_at: Option<DateTime<Utc>>,
}

fn finish_inspection(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let payload: FinishPayload = parse(&op.payload, "检查")?;
    let mut insp = load_own_inspection(tx, caller, &op.entity_id)?;
    let was_secret = scope::is_secret(&insp);
    insp.finish(payload.finished_at.unwrap_or_else(Utc::now))
        .map_err(|e| Refusal {
            reason: e.to_string(),
            current: serde_json::to_value(&insp).ok(),
        })?;
    records::save_inspection(tx, &insp)?;
    if was_secret {
        reveal_patrol_visit(tx, &insp)?;
    }
    applied(&insp)
}

/// A recorded patrol visit: the findings become visible to the visited units, and the
/// plan's target is marked visited.
fn reveal_patrol_visit(tx: &mut dyn Tx, insp: &Inspection) -> ApiResult<()> {
    for rec in tx.list_records(entity::HAZARD, None)? {
        let doc: HazardDoc = serde_json::from_value(rec.data).map_err(ApiError::internal)?;
        if doc
            .hazard
            .source
            .as_ref()
            .is_some_and(|s| s.inspection_id == insp.id)
        {
            records::save_hazard(tx, &doc)?;
        }
    }
    for rec in tx.list_records(entity::PATROL_PLAN, None)? {
        let mut plan: PatrolPlan = serde_json::from_value(rec.data).map_err(ApiError::internal)?;
        if plan.team.contains(&insp.leader.person_id) && plan.mark_visited(&insp.site_id, &insp.id)
        {
            records::save_patrol(tx, &plan)?;
        }
    }
    Ok(())
}

fn raise_hazard(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let sent: Hazard = parse(&op.payload, "隐患")?;
    if tx
        .get_record(entity::HAZARD, &op.entity_id)
        .map_err(ApiError::from)?
        .is_some()
    {
        return Err(refuse(format!("隐患 {} 已存在", op.entity_id)));
    }
    let site = match &sent.site_id {
        Some(id) => Some(records::site(tx, id)?),
        None => None,
    };
    if let Some(src) = &sent.source {
        let (_, insp) = records::load::<Inspection>(tx, entity::INSPECTION, &src.inspection_id)?
            .ok_or_else(|| refuse(format!("未找到隐患来源检查：{}", src.inspection_id)))?;
        let failed = insp
            .results
            .get(&src.item_id)
            .is_some_and(|r| r.outcome == ItemOutcome::Fail);
        if !failed || insp.industry != src.industry {
            return Err(refuse(format!(
                "检查项 {} 在该次检查中未判定为不合格",
                src.item_id
            )));
        }
        let insp_site = records::site(tx, &insp.site_id)?;
        if insp.leader.person_id != caller.person.id
            && !caller.can_see(&scope::inspection_audience(&insp, &insp_site))
        {
            return Err(refuse("无权登记该次检查的隐患"));
        }
    } else if let Some(s) = &site {
        if !caller.is_county_level() {
            require_site_access(caller, s)?;
        }
    } else if !caller.is_county_level() && caller.person.unit_id != sent.unit_id {
        return Err(refuse("只能登记本单位的隐患"));
    }
    // Re-derive everything from the draft under the server's rules and the real caller.
    let draft = HazardDraft {
        id: op.entity_id.clone(),
        number: sent.number.clone(),
        site_id: sent.site_id.clone(),
        unit_id: sent.unit_id.clone(),
        description: sent.description.clone(),
        location: sent.location,
        source: sent.source.clone(),
        level: Some(sent.level),
        level_reason: sent.level_reason.clone(),
        needs_hardware: sent.needs_hardware,
    };
    let actor = caller.actor();
    let at = sent.raised_at;
    let hazard = Hazard::raise(draft, &actor, at)?;
    let event = HazardEvent {
        id: op.op_id.clone(),
        hazard_id: hazard.id.clone(),
        action: None,
        actor,
        at,
        from: None,
        to: hazard.status,
        version: hazard.version,
    };
    let doc = HazardDoc {
        hazard,
        events: vec![event],
    };
    records::save_hazard(tx, &doc)?;
    applied(&doc)
}

fn transition(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let sent: HazardEvent = parse(&op.payload, "隐患操作")?;
    let Some(action) = sent.action.clone() else {
        return Err(refuse("隐患操作缺少动作"));
    };
    let (rec, mut doc) = records::load::<HazardDoc>(tx, entity::HAZARD, &op.entity_id)?
        .ok_or_else(|| refuse(format!("未找到隐患：{}", op.entity_id)))?;
    if !caller.can_see(&rec.audience) {
        return Err(refuse("无权处理该隐患：不在本单位职责范围"));
    }
    let event_id = op.op_id.clone();
    if doc.events.iter().any(|e| e.id == event_id) {
        return Ok((OpStatus::AlreadyApplied, serde_json::to_value(&doc).ok()));
    }
    let current = doc.hazard.clone();
    let now = Utc::now();
    match current.apply(&action, &caller.actor(), now) {
        Ok(next) => {
            if matches!(action, HazardAction::Verify { .. }) {
                let missing = missing_after_files(tx, &current)?;
                if !missing.is_empty() {
                    return Err(Refusal {
                        reason: format!(
                            "整改后照片尚未全部上传到服务器（还差 {} 个文件），暂不能验收",
                            missing.len()
                        ),
                        current: serde_json::to_value(&doc).ok(),
                    });
                }
            }
            doc.events.push(HazardEvent {
                id: event_id,
                hazard_id: next.id.clone(),
                action: Some(action),
                actor: caller.actor(),
                at: now,
                from: Some(current.status),
                to: next.status,
                version: next.version,
            });
            doc.hazard = next;
            records::save_hazard(tx, &doc)?;
            applied(&doc)
        }
        Err(err) => {
            // The same status change already made (e.g. verified from another device): no-op.
            let moves_status = sent.from.is_some_and(|f| f != sent.to);
            if moves_status
                && current.status == sent.to
                && current.target_status(&action) == current.status
            {
                return Ok((OpStatus::AlreadyApplied, serde_json::to_value(&doc).ok()));
            }
            Err(Refusal {
                reason: err.to_string(),
                current: serde_json::to_value(&doc).ok(),
            })
        }
    }
}

/// An evidence record: who may see it follows what it proves.
fn attach_evidence(tx: &mut dyn Tx, caller: &Caller, op: &Operation) -> OpOutcome {
    let mut rec: EvidenceRecord = parse(&op.payload, "证据")?;
    rec.id = op.entity_id.clone();
    rec.captured_by = caller.person.id.clone();
    if rec.sha256.len() != 64 || !rec.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refuse("证据文件的 sha256 无效"));
    }
    let (target_entity, target_id) = rec.target.key();
    let target = tx
        .get_record(target_entity, target_id)
        .map_err(ApiError::from)?
        .filter(|r| !r.deleted)
        .ok_or_else(|| refuse(format!("证据关联的对象不存在：{target_id}")))?;
    if !caller.can_see(&target.audience) {
        return Err(refuse("无权为该对象上传证据"));
    }
    if tx
        .get_record(entity::EVIDENCE, &rec.id)
        .map_err(ApiError::from)?
        .is_some()
    {
        return Err(refuse(format!("证据 {} 已存在", rec.id)));
    }
    records::save_evidence(tx, &rec, target.audience)?;
    applied(&rec)
}

/// Evidence files named by a hazard's after-photos that the server does not have yet.
pub fn missing_after_files(tx: &mut dyn Tx, hazard: &Hazard) -> ApiResult<Vec<String>> {
    let mut missing = Vec::new();
    for id in &hazard.after_evidence {
        match records::load::<EvidenceRecord>(tx, entity::EVIDENCE, id)? {
            None => missing.push(id.clone()),
            Some((_, rec)) => {
                let needed = rec.upload_sha256.clone().unwrap_or(rec.sha256.clone());
                if tx.get_blob(&needed)?.is_none() {
                    missing.push(needed);
                }
            }
        }
    }
    Ok(missing)
}

fn create_unit_record<T>(
    tx: &mut dyn Tx,
    caller: &Caller,
    op: &Operation,
    check: impl Fn(&T) -> Result<String, DomainError>,
) -> OpOutcome
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let value: T = parse(&op.payload, "记录")?;
    let unit_id = check(&value)?;
    if !caller.is_county_level() && caller.person.unit_id != unit_id {
        return Err(refuse("只能登记本单位的记录"));
    }
    if tx
        .get_record(&op.entity, &op.entity_id)
        .map_err(ApiError::from)?
        .is_some()
    {
        return Err(refuse(format!("记录 {} 已存在", op.entity_id)));
    }
    records::save_unit_record(tx, &op.entity, &op.entity_id, &unit_id, &value)?;
    applied(&value)
}

/// One page of changes after `after`, as the caller sees them.
/// One page of changes after `after`, as the caller sees it, already encoded: each record's
/// stored JSON goes out as it is (a `PullResponse` on the wire), never decoded and encoded
/// again on the way.
pub fn pull(tx: &mut dyn Tx, caller: &Caller, from: Cursor, limit: i64) -> ApiResult<PulledPage> {
    // A cursor of another change log (a replaced server), or past the end of this one (a
    // server restored from an older backup): the device must start over, keeping its own work.
    let log = tx.log_id()?;
    let after = from.seq;
    if from.log.is_some_and(|l| l != log) || after > tx.max_seq()? {
        return Err(ApiError::new(
            axum::http::StatusCode::GONE,
            "cursor_gone",
            "服务器数据已变更（如从备份恢复），需要从头重新同步；本机未上传的记录会保留",
        ));
    }
    let rows = tx.changes_after(&caller.principals(), after, limit + 1)?;
    let has_more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let cursor = rows.last().map(|r| r.seq).unwrap_or(after);
    let size: usize = rows
        .iter()
        .map(|r| r.data.as_ref().map_or(0, String::len) + 128)
        .sum();
    let mut body = String::with_capacity(size + 64);
    body.push_str("{\"changes\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let kind = if r.removal { "remove" } else { "upsert" };
        let _ = write!(
            body,
            "{{\"seq\":{},\"entity\":{},\"entity_id\":{},\"kind\":\"{kind}\",\"version\":{}",
            r.seq,
            json_string(&r.entity),
            json_string(&r.id),
            r.version
        );
        if let Some(d) = &r.data {
            body.push_str(",\"data\":");
            body.push_str(d);
        }
        body.push('}');
    }
    let _ = write!(
        body,
        "],\"cursor\":{},\"has_more\":{has_more}}}",
        json_string(&encode_cursor(log, cursor))
    );
    Ok(PulledPage {
        body,
        count: rows.len(),
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// An encoded pull page and how many changes it carries.
pub struct PulledPage {
    pub body: String,
    pub count: usize,
}
