//! Inspections in the one apply path: start (who may inspect which site, as which field
//! activity, under which plan or engagement), record an item, finish (a patrol visit is
//! revealed to the visited unit only then). Times and who acted are the server's.

use chrono::Utc;

use anjian_domain::campaign::{self, CampaignPlan};
use anjian_domain::checklist::ChecklistRegistry;
use anjian_domain::complaint::{self, Complaint};
use anjian_domain::enforcement::{FieldActivity, Officer};
use anjian_domain::engagement;
use anjian_domain::evidence::{EvidenceRecord, EvidenceTarget};
use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::ledger::HazardDoc;
use anjian_domain::org::Unit;
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::received::{Receipt, TimeRules};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;
use anjian_domain::sync::ops::{check_reported_time, FinishInspection, RecordItem};
use anjian_domain::DomainError;
use anjian_domain::{team, visits};

use super::apply::{applied, exists, not_found, refuse, refuse_with, visible, ApplyError, Outcome};
use crate::error::{ApiError, ApiResult};
use crate::records;
use crate::scope::{self, Caller};
use crate::storage::{StoredRecord, Tx};

/// Whether the caller is on the team of a patrol plan with this site still to visit.
fn on_patrol_plan(tx: &mut dyn Tx, caller: &Caller, site_id: &str) -> Result<bool, ApplyError> {
    let plans: Vec<PatrolPlan> = records::visible(tx, entity::PATROL_PLAN, caller)?;
    Ok(plans.iter().any(|p| {
        p.team.contains(&caller.person.id)
            && p.targets
                .iter()
                .any(|t| t.site_id == site_id && t.visited_inspection_id.is_none())
    }))
}

pub(super) fn start_inspection(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    id: &str,
    mut insp: Inspection,
) -> Outcome {
    insp.id = id.to_string();
    let Some((_, site)) = records::load::<Site>(tx, entity::SITE, &insp.site_id)? else {
        return Err(not_found("场所", &insp.site_id));
    };
    let on_plan =
        insp.kind == InspectionKind::UnannouncedPatrol && on_patrol_plan(tx, caller, &site.id)?;
    // The caller's own unit (its enforcement powers) and certificates, for a 行政检查.
    let unit = records::load::<Unit>(tx, entity::UNIT, &caller.person.unit_id)?.map(|(_, u)| u);
    // The engagements (委托) the caller is part of, for a 技术服务.
    let engagements = crate::parties::engagements_of(tx, &caller.person)?;
    let today = anjian_domain::hazard::china_date(Utc::now());
    let target = Target {
        engagements: Some((&engagements, today)),
        site: Some(&site),
        on_patrol_plan: on_plan,
        officer: unit.as_ref().map(|unit| Officer {
            unit,
            certificates: &caller.person.certificates,
            today: anjian_domain::hazard::china_date(Utc::now()),
        }),
        ..Target::default()
    };
    let standing =
        match policy::inspection_standing(&caller.actor(), insp.kind, insp.activity, &target) {
            Ok(s) => s,
            // Name neither the site nor its units: the caller may not be allowed to see them.
            Err(DomainError::NotPermitted { role, action }) => {
                let why = if crate::parties::is_engageable(&caller.person) {
                    engagement::refusal(&engagements, &caller.actor(), &site, today)
                } else {
                    "不在本人职责或本单位属地、属事范围".to_string()
                };
                return Err(refuse(format!("{role}无权在该场所{action}：{why}")));
            }
            Err(e) => return Err(refuse(e.to_string())),
        };
    check_reported_time("检查开始时间", insp.started_at, None, Utc::now())?;
    if exists(tx, entity::INSPECTION, &insp.id)? {
        return Err(refuse(format!("检查 {} 已存在", insp.id)));
    }
    // The server decides who leads: the signed-in person, not what the device claims.
    insp.leader = caller.actor();
    insp.activity = Some(standing.activity);
    insp.in_name_of = standing.in_name_of;
    insp.certificate_number = standing.certificate_number;
    // A 技术服务 under an engagement: its findings go to the engaging department.
    let commission = (standing.activity == FieldActivity::TechnicalSupport)
        .then(|| engagement::engagement_for(&engagements, &caller.actor(), &site, today))
        .flatten();
    insp.engagement_id = commission.map(|e| e.id.clone());
    insp.commissioned_by = commission.map(|e| e.department_id.clone());
    let units: Vec<Unit> = insp
        .joint_unit_ids
        .iter()
        .take(visits::MAX_JOINT + 1)
        .filter_map(|id| {
            records::load::<Unit>(tx, entity::UNIT, id)
                .ok()
                .flatten()
                .map(|(_, u)| u)
        })
        .collect();
    insp.joint_unit_ids = visits::check_joint(&insp, &site, &units)?;
    // A 行政检查's other officers: people of the bodies taking part, each certified.
    if standing.activity == FieldActivity::AdministrativeInspection {
        let bodies: Vec<Unit> = unit.into_iter().chain(units).collect();
        let people = records::people(tx)?;
        insp.officers = team::of_inspection(&insp, &bodies, &people, &site, today)?;
        insp.participants = insp.officers.iter().map(|o| o.name.clone()).collect();
    } else {
        insp.officers.clear();
    }
    // 专项检查: only under an approved plan, within its period, industries and bodies.
    if let Some(cid) = insp.campaign_id.clone() {
        let plan = records::load::<CampaignPlan>(tx, entity::CAMPAIGN_PLAN, &cid)?;
        let day = anjian_domain::hazard::china_date(insp.started_at);
        campaign::check_inspection(&insp, &site, plan.map(|(_, p)| p).as_ref(), day)?;
    }
    // 投诉举报: only a 行政检查 of its site by the body it was handed over to.
    if let Some(cid) = insp.complaint_id.clone() {
        let complaint = records::load::<Complaint>(tx, crate::site_code::COMPLAINT, &cid)?;
        complaint::check_inspection(&insp, complaint.as_ref().map(|(_, c)| c))?;
        // The county follows the complaint up through the first inspection started from it.
        if let Some((_, c)) = complaint.filter(|(_, c)| c.inspection_id.is_none()) {
            let followed = Complaint {
                inspection_id: Some(insp.id.clone()),
                ..c
            };
            records::save_complaint(tx, &followed)?;
        }
    }
    insp.finished_at = None;
    insp.results.clear();
    let claims = [("开始时间", insp.started_at)];
    insp.received = Some(Receipt::stamp(Utc::now(), &claims, TimeRules::standard()));
    insp.checklist_version = checklists.for_inspection(&insp).version.clone();
    records::save_inspection(tx, &insp)?;
    applied(&insp)
}

/// An inspection the caller leads (only the leader records its findings).
fn own_inspection(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
) -> Result<(StoredRecord, Inspection), ApplyError> {
    let (rec, insp) = visible::<Inspection>(tx, caller, entity::INSPECTION, "检查", id)?;
    let target = Target {
        owner_id: Some(&insp.leader.person_id),
        ..Target::default()
    };
    if !policy::permits(&caller.actor(), Act::RecordFindings, &target) {
        return Err(refuse_with(
            caller,
            &rec.audience,
            "只有带队检查人员可以修改本次检查",
            &insp,
        ));
    }
    Ok((rec, insp))
}

pub(super) fn record_item(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    id: &str,
    r: RecordItem,
) -> Outcome {
    let (rec, mut insp) = own_inspection(tx, caller, id)?;
    let res = r.result;
    let claims = [("检查项填写时间", res.recorded_at)];
    Receipt::update(
        &mut insp.received,
        Utc::now(),
        &claims,
        TimeRules::standard(),
    );
    check_reported_time(
        "检查项填写时间",
        res.recorded_at,
        Some(insp.started_at),
        Utc::now(),
    )?;
    let list = checklists.for_inspection(&insp);
    if let Err(e) = insp.record(&list, &r.item_id, res.outcome, res.note, res.recorded_at) {
        return Err(refuse_with(caller, &rec.audience, e.to_string(), &insp));
    }
    records::save_inspection(tx, &insp)?;
    applied(&insp)
}

pub(super) fn finish_inspection(
    tx: &mut dyn Tx,
    checklists: &ChecklistRegistry,
    caller: &Caller,
    id: &str,
    f: FinishInspection,
) -> Outcome {
    let (rec, mut insp) = own_inspection(tx, caller, id)?;
    let now = Utc::now();
    let at = f.finished_at.unwrap_or(now);
    let latest_answer = insp.results.values().map(|r| r.recorded_at).max();
    check_reported_time(
        "检查完成时间",
        at,
        Some(
            latest_answer
                .unwrap_or(insp.started_at)
                .max(insp.started_at),
        ),
        now,
    )?;
    if insp.engagement_id.is_some() && !has_report(tx, &insp.id)? {
        let reason = "受委托技术服务须先上传评估报告文件，才能完成";
        return Err(refuse_with(caller, &rec.audience, reason, &insp));
    }
    let was_secret = scope::is_secret(&insp);
    // A 行政检查 finishes only with its signed 现场检查记录, attached before.
    let record = match &f.inspection_record_id {
        Some(doc_id) => records::load::<EvidenceRecord>(tx, entity::EVIDENCE, doc_id)?
            .map(|(_, e)| e)
            .filter(|e| matches!(&e.target, EvidenceTarget::InspectionReport { inspection_id } if *inspection_id == insp.id)),
        None => None,
    };
    let infos: Vec<_> = record.iter().filter_map(|e| e.document.as_ref()).collect();
    // Only the items that apply to the site are required; the rest are recorded 不适用.
    let list = checklists.for_inspection(&insp);
    let attributes = records::load::<Site>(tx, entity::SITE, &insp.site_id)?
        .map(|(_, s)| list.declared_attributes(&s.attributes))
        .unwrap_or_default();
    if let Err(e) = anjian_domain::site_document::check_finish(&insp, &list, &attributes, &infos) {
        return Err(refuse_with(caller, &rec.audience, e.to_string(), &insp));
    }
    if let Err(e) = insp.finish_at_site(&list, &attributes, at) {
        return Err(refuse_with(caller, &rec.audience, e.to_string(), &insp));
    }
    Receipt::update(
        &mut insp.received,
        now,
        &[("完成时间", at)],
        TimeRules::standard(),
    );
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
fn has_report(tx: &mut dyn Tx, inspection_id: &str) -> Result<bool, ApplyError> {
    Ok(tx
        .list_records(entity::EVIDENCE, None)?
        .into_iter()
        .filter_map(|r| serde_json::from_value::<EvidenceRecord>(r.data).ok())
        .any(|e| {
            matches!(&e.target, EvidenceTarget::InspectionReport { inspection_id: i } if i == inspection_id)
        }))
}
