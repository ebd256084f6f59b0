//! The one apply path of pushed operations. Each operation is decoded into its typed
//! [`OpBody`], checked against the access policy (`anjian_domain::policy`) before any rule of
//! the workflow, then applied with the same domain functions the phone uses.
//!
//! Two kinds of failure, kept apart: a [`Refusal`] is a rule's answer, stored with the
//! operation's idempotency key and shown to the user (需处理); an internal failure (storage,
//! a record that cannot be read) rolls the transaction back and the push answers 500, so the
//! phone keeps the operation and sends it again.

use chrono::Utc;
use serde_json::Value;

use anjian_domain::assessment::IndicatorSet;
use anjian_domain::checklist::ChecklistRegistry;
use anjian_domain::evidence::{EvidenceRecord, EvidenceTarget};
use anjian_domain::hazard::{HazardAction, HazardDraft, HazardEvent};
use anjian_domain::inspection::Inspection;
use anjian_domain::ledger::{self, HazardDoc};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::received::{Receipt, TimeRules};
use anjian_domain::records::HardwareInvestment;
use anjian_domain::referral;
use anjian_domain::site::{Site, SiteEdit};
use anjian_domain::sync::ops::{check_reported_time, OpBody};
use anjian_domain::sync::{entity, OpResult, OpStatus, Operation};
use anjian_domain::DomainError;

use crate::error::{ApiError, ApiResult};
use crate::records;
use crate::scope::Caller;
use crate::storage::{StorageError, StoredRecord, Tx};

/// Why an operation was refused, with the server's row when the caller may read it.
#[derive(Debug)]
pub struct Refusal {
    reason: String,
    current: Option<Value>,
}

/// What stops an operation: a rule's refusal, or an internal failure to retry.
#[derive(Debug)]
pub enum ApplyError {
    Refused(Refusal),
    Internal(ApiError),
}

impl From<DomainError> for ApplyError {
    fn from(e: DomainError) -> Self {
        ApplyError::Refused(Refusal {
            reason: e.to_string(),
            current: None,
        })
    }
}

impl From<StorageError> for ApplyError {
    fn from(e: StorageError) -> Self {
        ApplyError::Internal(ApiError::from(e))
    }
}

/// Errors of the record helpers: a server error (storage, unreadable row) is internal; a
/// client error (not found, invalid) is that rule's answer.
impl From<ApiError> for ApplyError {
    fn from(e: ApiError) -> Self {
        if e.status.is_server_error() {
            ApplyError::Internal(e)
        } else {
            ApplyError::Refused(Refusal {
                reason: e.message,
                current: None,
            })
        }
    }
}

pub(super) fn refuse(reason: impl Into<String>) -> ApplyError {
    ApplyError::Refused(Refusal {
        reason: reason.into(),
        current: None,
    })
}

/// A refusal that shows the server's row, only to a caller who may read it.
pub(super) fn refuse_with<T: serde::Serialize>(
    caller: &Caller,
    audience: &[String],
    reason: impl Into<String>,
    row: &T,
) -> ApplyError {
    ApplyError::Refused(Refusal {
        reason: reason.into(),
        current: caller
            .can_see(audience)
            .then(|| serde_json::to_value(row).ok())
            .flatten(),
    })
}

pub(super) fn not_found(what: &str, id: &str) -> ApplyError {
    refuse(format!("未找到{what}：{id}"))
}

pub(super) type Applied = (OpStatus, Option<Value>);
pub(super) type Outcome = Result<Applied, ApplyError>;

pub(super) fn applied<T: serde::Serialize>(value: &T) -> Outcome {
    Ok((OpStatus::Applied, serde_json::to_value(value).ok()))
}

/// Applies one operation in the caller's transaction. `Err` is an internal failure (the
/// transaction is rolled back, the push answers 500 and the phone retries); refusals are
/// results, recorded with the operation's key so a retry gets the same answer.
pub fn apply_op(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    op: &Operation,
) -> ApiResult<OpResult> {
    if let Some(stored) = tx.applied_op(&op.op_id)? {
        // Keys are the caller's own: another person's key answers nothing of theirs.
        if stored.person_id != caller.person.id {
            return Ok(OpResult {
                op_id: op.op_id.clone(),
                status: OpStatus::Rejected,
                reason: Some("操作编号已被使用，请重新生成后提交".into()),
                current: None,
                received_at: Some(Utc::now()),
            });
        }
        let mut result: OpResult =
            serde_json::from_value(stored.result).map_err(ApiError::internal)?;
        if result.status == OpStatus::Applied {
            result.status = OpStatus::AlreadyApplied;
        }
        return Ok(result);
    }
    let received_at = Utc::now();
    let outcome = match op.body() {
        Err(e) => Err(ApplyError::from(e)),
        Ok(body) => apply_body(tx, checklists, caller, op, body),
    };
    let result = match outcome {
        Ok((status, current)) => OpResult {
            op_id: op.op_id.clone(),
            status,
            reason: None,
            current,
            received_at: Some(received_at),
        },
        Err(ApplyError::Refused(r)) => OpResult {
            op_id: op.op_id.clone(),
            status: OpStatus::Rejected,
            reason: Some(r.reason),
            current: r.current,
            received_at: Some(received_at),
        },
        Err(ApplyError::Internal(e)) => return Err(e),
    };
    tx.record_applied_op(
        &op.op_id,
        &caller.person.id,
        &serde_json::to_value(&result).map_err(ApiError::internal)?,
    )?;
    Ok(result)
}

/// Every operation, matched exhaustively: one added to `OpBody` must be handled here.
fn apply_body(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    op: &Operation,
    body: OpBody,
) -> Outcome {
    let id = op.entity_id.as_str();
    match body {
        OpBody::CreateSite(site) => create_site(tx, checklists, caller, id, site),
        OpBody::StartInspection(insp) => {
            super::inspections::start_inspection(tx, checklists, caller, id, insp)
        }
        OpBody::RecordItem(r) => super::inspections::record_item(tx, checklists, caller, id, r),
        OpBody::FinishInspection(f) => {
            super::inspections::finish_inspection(tx, checklists, caller, id, f)
        }
        OpBody::RaiseHazard(h) => raise_hazard(tx, checklists, caller, op, h),
        OpBody::ActOnHazard(e) => act_on_hazard(tx, caller, op, e),
        OpBody::AttachEvidence(e) => attach_evidence(tx, caller, id, e),
        OpBody::CreateMeeting(mut m) => {
            m.validate()?;
            let claims = [("召开时间", m.held_at)];
            m.received = Some(Receipt::stamp(Utc::now(), &claims, TimeRules::standard()));
            let unit = m.unit_id.clone();
            create_unit_record(tx, caller, op, &unit, Act::UnitRecord, &m)
        }
        OpBody::CreateHardwareInvestment(mut h) => {
            h.validate()?;
            // Dated by the server: received now, submitted only by its own step.
            h.received_at = Some(Utc::now());
            h.submitted_at = None;
            let unit = h.unit_id.clone();
            create_unit_record(tx, caller, op, &unit, Act::UnitRecord, &h)
        }
        OpBody::SubmitHardwareInvestment(_) => submit_investment(tx, caller, id),
        OpBody::SubmitMonthEnd(mut sub) => {
            let now = Utc::now();
            sub.id = id.to_string();
            sub.validate(now)?;
            if let Some(reason) = crate::api::publish::closed_for(tx, sub.month)? {
                return Err(refuse(reason));
            }
            // Who and when are the server's.
            sub.submitted_by = caller.person.id.clone();
            sub.submitted_at = Some(now);
            let unit = sub.unit_id.clone();
            create_unit_record(tx, caller, op, &unit, Act::UnitRecord, &sub)
        }
        OpBody::CreateAccountability(a) => super::accountability::create(tx, caller, op, a),
        OpBody::AssignTask(t) => super::tasks::assign(tx, caller, op, t),
        OpBody::SubmitTaskProof(p) => super::tasks::submit(tx, caller, id, p),
        OpBody::ReviewTask(r) => super::tasks::review(tx, caller, id, r),
        OpBody::CreateMechanism(m) => super::accountability::create_mechanism(tx, caller, op, m),
        OpBody::SubmitFeedback(f) => super::feedback::submit(tx, caller, op, f),
        OpBody::ReadReminder(_) => applied(&crate::reminders::api::mark_read_in(tx, caller, id)?),
        OpBody::EditSite(edit) => edit_site(tx, checklists, caller, id, edit),
        OpBody::CreateDutyReport(r) => {
            r.validate()?;
            if !r.files.is_empty() {
                return Err(refuse("述职文件须在登记述职后上传"));
            }
            if let Some(reason) = crate::api::publish::closed_for(tx, r.month)? {
                return Err(refuse(reason));
            }
            let unit = r.unit_id.clone();
            create_unit_record(tx, caller, op, &unit, Act::UnitRecord, &r)
        }
        OpBody::CreateSelfAssessment(mut s) => {
            s.validate(IndicatorSet::standard())?;
            // The total is the items'; who and when are the server's (月底报送).
            s.score = s.total();
            s.submitted_by = caller.person.id.clone();
            s.submitted_at = Utc::now();
            if let Some(reason) = crate::api::publish::closed_for(tx, s.month)? {
                return Err(refuse(reason));
            }
            let unit = s.unit_id.clone();
            create_unit_record(tx, caller, op, &unit, Act::UnitRecord, &s)
        }
    }
}

pub(super) fn exists(tx: &mut dyn Tx, entity: &str, id: &str) -> Result<bool, ApplyError> {
    Ok(tx.get_record(entity, id)?.is_some())
}

/// A live record the caller may read; anything else reads as not found (a refusal must not
/// tell a stranger that the record exists).
pub(super) fn visible<T: serde::de::DeserializeOwned>(
    tx: &mut dyn Tx,
    caller: &Caller,
    entity: &str,
    what: &str,
    id: &str,
) -> Result<(StoredRecord, T), ApplyError> {
    match records::load::<T>(tx, entity, id)? {
        Some((rec, v)) if caller.can_see(&rec.audience) => Ok((rec, v)),
        _ => Err(not_found(what, id)),
    }
}

fn create_site(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    id: &str,
    mut site: Site,
) -> Outcome {
    site.id = id.to_string();
    site.validate()?;
    let list = checklists.by_code(&site.industry)?;
    site.check_attributes(&list)?;
    policy::check(
        &caller.actor(),
        Act::CreateSite,
        &Target {
            site: Some(&site),
            ..Target::default()
        },
    )?;
    if exists(tx, entity::SITE, &site.id)? {
        return Err(refuse(format!("场所编号 {} 已存在", site.id)));
    }
    records::save_site(tx, &site)?;
    applied(&site)
}

/// Corrections to a site the caller may edit (the policy's 修改场所信息 on the stored site:
/// its own township's or department's, or the county office). A site the caller cannot see
/// reads as not found.
fn edit_site(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    id: &str,
    edit: SiteEdit,
) -> Outcome {
    let (rec, site) = visible::<Site>(tx, caller, entity::SITE, "场所", id)?;
    // Refused with the server's row, so the phone puts its copy back.
    let back = |e: DomainError| refuse_with(caller, &rec.audience, e.to_string(), &site);
    policy::check(
        &caller.actor(),
        Act::EditSite,
        &Target {
            site: Some(&site),
            ..Target::default()
        },
    )
    .map_err(back)?;
    let edited = edit.applied_to(&site).map_err(back)?;
    if edit.attributes.is_some() {
        let list = checklists.by_code(&edited.industry)?;
        edited.check_attributes(&list).map_err(back)?;
    }
    records::save_site(tx, &edited)?;
    applied(&edited)
}

fn raise_hazard(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    op: &Operation,
    sent: anjian_domain::hazard::Hazard,
) -> Outcome {
    let now = Utc::now();
    let mut site_id = sent.site_id.clone();
    let mut owner: Option<String> = None;
    let mut not_before = None;
    let mut referred_to: Option<String> = None;
    let mut source = None;
    if let Some(src) = &sent.source {
        let (_, insp) = visible::<Inspection>(
            tx,
            caller,
            entity::INSPECTION,
            "隐患来源检查",
            &src.inspection_id,
        )?;
        src.check(&insp)?;
        if site_id.as_deref().is_some_and(|s| s != insp.site_id) {
            return Err(refuse("隐患所在场所须与来源检查的场所一致"));
        }
        site_id = Some(insp.site_id.clone());
        owner = Some(insp.leader.person_id.clone());
        if let Some(dept) = &insp.commissioned_by {
            // 技术服务 findings are referred (移交) to the engaging department.
            referred_to = Some(dept.clone());
        }
        not_before = Some(insp.started_at);
        source = Some(insp);
    }
    let site = match &site_id {
        Some(id) => match records::load::<Site>(tx, entity::SITE, id)? {
            Some((rec, s)) if owner.is_some() || caller.can_see(&rec.audience) => Some(s),
            _ => return Err(not_found("场所", id)),
        },
        None => None,
    };
    let unit_id = referred_to.unwrap_or_else(|| sent.unit_id.clone());
    // The responsible unit is the site's township (属地) or its department (属事).
    if let Some(s) = &site {
        ledger::check_responsible_unit(&unit_id, s)?;
    }
    let target = Target {
        site: site.as_ref(),
        unit_id: Some(&unit_id),
        owner_id: owner.as_deref(),
        ..Target::default()
    };
    policy::check(&caller.actor(), Act::RaiseHazard, &target)?;
    check_reported_time("隐患发现时间", sent.raised_at, not_before, now)?;
    if exists(tx, entity::HAZARD, &op.entity_id)? {
        return Err(refuse(format!("隐患 {} 已存在", op.entity_id)));
    }
    // Re-derive everything from the draft under the server's rules and the real caller.
    let draft = HazardDraft {
        id: op.entity_id.clone(),
        number: sent.number.clone(),
        site_id,
        unit_id,
        description: sent.description.clone(),
        location: sent.location,
        source: sent.source.clone(),
        level: Some(sent.level),
        level_reason: sent.level_reason.clone(),
        needs_hardware: sent.needs_hardware,
    };
    let claims = [("发现时间", sent.raised_at)];
    let receipt = Receipt::stamp(now, &claims, TimeRules::standard());
    let mut doc = HazardDoc::raised(ledger::raise(
        draft,
        checklists,
        &caller.actor(),
        sent.raised_at,
        &op.op_id,
    )?);
    // 移交: a finding not made in a 行政检查 goes to the competent department.
    if let (Some(insp), Some(site)) = (&source, &site) {
        let units = records::units(tx)?;
        doc.hazard.referral = referral::referral_for(insp, site, &units, now);
    }
    doc.received = Some(receipt);
    records::save_hazard(tx, &doc)?;
    applied(&doc)
}

fn act_on_hazard(tx: &mut dyn Tx, caller: &Caller, op: &Operation, sent: HazardEvent) -> Outcome {
    let Some(action) = sent.action.clone() else {
        return Err(refuse("隐患操作缺少动作"));
    };
    let (rec, mut doc) = visible::<HazardDoc>(tx, caller, entity::HAZARD, "隐患", &op.entity_id)?;
    if doc.has_event(&op.op_id) {
        return Ok((OpStatus::AlreadyApplied, serde_json::to_value(&doc).ok()));
    }
    let site = match &doc.hazard.site_id {
        Some(id) => records::load::<Site>(tx, entity::SITE, id)?.map(|(_, s)| s),
        None => None,
    };
    let target = Target {
        site: site.as_ref(),
        hazard: Some(&doc.hazard),
        owner_id: Some(&doc.hazard.raised_by.person_id),
        ..Target::default()
    };
    let act = Act::for_hazard_action(&action);
    if let Err(e) = policy::check(&caller.actor(), act, &target) {
        return Err(refuse_with(caller, &rec.audience, e.to_string(), &doc));
    }
    if let HazardAction::CloseOnSpot { after_evidence, .. }
    | HazardAction::SubmitRectification { after_evidence, .. } = &action
    {
        if let Some(reason) = after_evidence_problem(tx, &doc.hazard.id, after_evidence)? {
            return Err(refuse_with(caller, &rec.audience, reason, &doc));
        }
    }
    let current = doc.hazard.clone();
    match ledger::act(
        &current,
        action.clone(),
        &caller.actor(),
        Utc::now(),
        &op.op_id,
    ) {
        Ok(step) => {
            if matches!(action, HazardAction::Verify { .. }) {
                let missing = missing_after_files(tx, &current)?;
                if !missing.is_empty() {
                    let reason = format!(
                        "整改后照片尚未全部上传到服务器（还差 {} 个文件），暂不能验收",
                        missing.len()
                    );
                    return Err(refuse_with(caller, &rec.audience, reason, &doc));
                }
            }
            doc.push(step);
            Receipt::update(&mut doc.received, Utc::now(), &[], TimeRules::standard());
            records::save_hazard(tx, &doc)?;
            applied(&doc)
        }
        // The same status change already made (e.g. verified from another device): no-op.
        Err(_) if ledger::already_made(&current, &sent, &action) => {
            Ok((OpStatus::AlreadyApplied, serde_json::to_value(&doc).ok()))
        }
        Err(err) => Err(refuse_with(caller, &rec.audience, err.to_string(), &doc)),
    }
}

/// Whether an inspection has its report file (评估报告) recorded.

/// After-photos must be evidence records attached to this hazard (sent before the action).
fn after_evidence_problem(
    tx: &mut dyn Tx,
    hazard_id: &str,
    ids: &[String],
) -> Result<Option<String>, ApplyError> {
    for id in ids {
        let attached = records::load::<EvidenceRecord>(tx, entity::EVIDENCE, id)?.is_some_and(
            |(_, e)| matches!(&e.target, EvidenceTarget::Hazard { hazard_id: h } if h == hazard_id),
        );
        if !attached {
            return Ok(Some(format!(
                "整改后照片 {id} 未登记在该隐患下（须先上传照片记录）"
            )));
        }
    }
    Ok(None)
}

/// An evidence record: who may see it follows what it proves.
fn attach_evidence(tx: &mut dyn Tx, caller: &Caller, id: &str, mut rec: EvidenceRecord) -> Outcome {
    rec.id = id.to_string();
    rec.captured_by = caller.person.id.clone();
    let is_sha = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_sha(&rec.sha256)
        || rec.upload_sha256.as_deref().is_some_and(|s| !is_sha(s))
        || rec.thumb_sha256.as_deref().is_some_and(|s| !is_sha(s))
    {
        return Err(refuse("证据文件的 sha256 无效"));
    }
    anjian_domain::site_document::check_evidence(&rec).map_err(|e| refuse(e.to_string()))?;
    let (target_entity, target_id) = rec.target.key();
    let target = match tx.get_record(target_entity, target_id)? {
        Some(r) if !r.deleted && caller.can_see(&r.audience) => r,
        _ => return Err(not_found("证据关联的对象", target_id)),
    };
    let mut facts = evidence_target_facts(&target);
    if let EvidenceTarget::WorkTask { unit_id, .. } = &rec.target {
        // A unit's proof of a task (no unit: the office's own attachment): the unit must be
        // one the task is assigned to.
        if !unit_id.is_empty() {
            let assigned = target.data["unit_ids"]
                .as_array()
                .is_some_and(|us| us.iter().any(|u| u.as_str() == Some(unit_id.as_str())));
            if !assigned {
                return Err(refuse("该任务未交办给该单位"));
            }
            facts.unit_id = Some(unit_id.clone());
        }
    }
    let site = match &facts.site_id {
        Some(id) => records::load::<Site>(tx, entity::SITE, id)?.map(|(_, s)| s),
        None => None,
    };
    let policy_target = Target {
        site: site.as_ref(),
        hazard: facts.hazard.as_ref(),
        unit_id: facts.unit_id.as_deref(),
        owner_id: facts.owner_id.as_deref(),
        ..Target::default()
    };
    policy::check(&caller.actor(), Act::AttachEvidence, &policy_target)?;
    // A document of a 行政检查 is signed by every officer of its team, and as an officer by
    // no one else (each under the name the team records); the result is told once finished.
    if let (Some(doc), entity::INSPECTION) = (&rec.document, target.entity.as_str()) {
        let insp: Inspection =
            serde_json::from_value(target.data.clone()).map_err(ApiError::internal)?;
        anjian_domain::site_document::check_officer_signatures(&insp, doc)
            .and_then(|()| anjian_domain::site_document::check_in_sequence(&insp, doc))
            .map_err(|e| refuse(e.to_string()))?;
    }
    if exists(tx, entity::EVIDENCE, &rec.id)? {
        return Err(refuse(format!("证据 {} 已存在", rec.id)));
    }
    let claims = [("拍摄时间", rec.captured_at)];
    rec.received = Some(Receipt::stamp(Utc::now(), &claims, TimeRules::standard()));
    records::save_evidence(tx, &rec, target.audience)?;
    applied(&rec)
}

/// What the policy needs to know of the record a piece of evidence proves.
#[derive(Default)]
struct EvidenceFacts {
    site_id: Option<String>,
    hazard: Option<anjian_domain::hazard::Hazard>,
    unit_id: Option<String>,
    owner_id: Option<String>,
}

fn evidence_target_facts(target: &StoredRecord) -> EvidenceFacts {
    let data = &target.data;
    let text = |v: &Value| v.as_str().map(str::to_string);
    match target.entity.as_str() {
        entity::HAZARD => {
            let doc: Option<HazardDoc> = serde_json::from_value(data.clone()).ok();
            let h = doc.map(|d| d.hazard);
            EvidenceFacts {
                site_id: h.as_ref().and_then(|h| h.site_id.clone()),
                owner_id: h.as_ref().map(|h| h.raised_by.person_id.clone()),
                hazard: h,
                unit_id: None,
            }
        }
        entity::INSPECTION => EvidenceFacts {
            site_id: text(&data["site_id"]),
            owner_id: text(&data["leader"]["person_id"]),
            ..EvidenceFacts::default()
        },
        _ => EvidenceFacts {
            unit_id: text(&data["unit_id"]),
            ..EvidenceFacts::default()
        },
    }
}

/// Evidence files named by a hazard's after-photos that the server does not have yet.
pub fn missing_after_files(
    tx: &mut dyn Tx,
    hazard: &anjian_domain::hazard::Hazard,
) -> ApiResult<Vec<String>> {
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

/// 月底报送 of a hardware investment's proof: every part the notice lists (合同、施工前中后照片、
/// 发票) must be attached; the proof is dated by when the server received the submission.
fn submit_investment(tx: &mut dyn Tx, caller: &Caller, id: &str) -> Outcome {
    let (rec, mut inv) =
        visible::<HardwareInvestment>(tx, caller, entity::HARDWARE_INVESTMENT, "设施投入", id)?;
    let target = Target {
        unit_id: Some(&inv.unit_id),
        ..Target::default()
    };
    if let Err(e) = policy::check(&caller.actor(), Act::UnitRecord, &target) {
        return Err(refuse_with(caller, &rec.audience, e.to_string(), &inv));
    }
    if let Some(at) = inv.submitted_at {
        let china = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
        let when = at.with_timezone(&china).format("%Y-%m-%d %H:%M");
        let reason = format!("该设施投入佐证已于 {when} 报送");
        return Err(refuse_with(caller, &rec.audience, reason, &inv));
    }
    let photos = crate::proof::ProofPhotos::load(tx, None)?;
    if let Some(reason) = photos.investment_status(&inv.id).refusal() {
        return Err(refuse_with(caller, &rec.audience, reason, &inv));
    }
    inv.submitted_at = Some(Utc::now());
    records::save_unit_record(tx, entity::HARDWARE_INVESTMENT, &inv.id, &inv.unit_id, &inv)?;
    applied(&inv)
}

pub(super) fn create_unit_record<T: serde::Serialize>(
    tx: &mut dyn Tx,
    caller: &Caller,
    op: &Operation,
    unit_id: &str,
    act: Act,
    value: &T,
) -> Outcome {
    let target = Target {
        unit_id: Some(unit_id),
        ..Target::default()
    };
    policy::check(&caller.actor(), act, &target)?;
    if exists(tx, &op.entity, &op.entity_id)? {
        return Err(refuse(format!("记录 {} 已存在", op.entity_id)));
    }
    records::save_unit_record(tx, &op.entity, &op.entity_id, unit_id, value)?;
    applied(value)
}
