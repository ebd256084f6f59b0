//! 工作任务交办 in the one apply path: 县安委办 assigns a task to units (each must exist), a
//! unit submits its proof (its files attached to the task first), the office accepts or
//! returns it. Times and who acted are the server's; a task is seen by the county and by the
//! units it is assigned to.

use chrono::Utc;

use anjian_domain::access::unit_record_audience;
use anjian_domain::evidence::{EvidenceRecord, EvidenceTarget};
use anjian_domain::hazard::china_date;
use anjian_domain::org::Unit;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::{entity, Operation};
use anjian_domain::task::{ReviewTask, SubmitTaskProof, WorkTask};

use super::apply::{applied, refuse, ApplyError, Outcome};
use crate::error::{ApiError, ApiResult};
use crate::records;
use crate::scope::Caller;
use crate::storage::{StoredRecord, Tx};

fn audience(task: &WorkTask) -> Vec<String> {
    let mut v: Vec<String> = task
        .unit_ids
        .iter()
        .flat_map(|u| unit_record_audience(u))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Stores a task with its audience (the county and its units).
pub fn save_task(tx: &mut dyn Tx, task: &WorkTask) -> ApiResult<i64> {
    let previous = tx
        .get_record(entity::WORK_TASK, &task.id)?
        .map_or(0, |r| r.version);
    tx.put_record(&StoredRecord {
        entity: entity::WORK_TASK.to_string(),
        id: task.id.clone(),
        version: previous + 1,
        data: serde_json::to_value(task).map_err(ApiError::internal)?,
        audience: audience(task),
        deleted: false,
    })
    .map_err(ApiError::from)
}

pub(super) fn assign(
    tx: &mut dyn Tx,
    caller: &Caller,
    op: &Operation,
    mut task: WorkTask,
) -> Outcome {
    policy::check(&caller.actor(), Act::AssignTask, &Target::default())?;
    let now = Utc::now();
    task.id = op.entity_id.clone();
    task.prepare(china_date(now))?;
    for u in &task.unit_ids {
        if records::load::<Unit>(tx, entity::UNIT, u)?.is_none() {
            return Err(refuse(format!("未找到承办单位：{u}")));
        }
    }
    if tx.get_record(entity::WORK_TASK, &task.id)?.is_some() {
        return Err(refuse(format!("任务 {} 已存在", task.id)));
    }
    task.assigned_by = caller.person.id.clone();
    task.assigned_at = Some(now);
    save_task(tx, &task)?;
    applied(&task)
}

/// A task the caller may read; anything else reads as not found.
fn visible_task(tx: &mut dyn Tx, caller: &Caller, id: &str) -> Result<WorkTask, ApplyError> {
    match records::load::<WorkTask>(tx, entity::WORK_TASK, id)? {
        Some((rec, t)) if caller.can_see(&rec.audience) => Ok(t),
        _ => Err(refuse(format!("未找到工作任务：{id}"))),
    }
}

pub(super) fn submit(tx: &mut dyn Tx, caller: &Caller, id: &str, p: SubmitTaskProof) -> Outcome {
    let mut task = visible_task(tx, caller, id)?;
    policy::check(
        &caller.actor(),
        Act::SubmitTask,
        &Target {
            unit_id: Some(&p.unit_id),
            ..Target::default()
        },
    )?;
    // Proof files are evidence attached to this task by this unit before the submission.
    for e in &p.evidence {
        let ok = records::load::<EvidenceRecord>(tx, entity::EVIDENCE, e)?.is_some_and(|(_, r)| {
            matches!(&r.target, EvidenceTarget::WorkTask { task_id, unit_id } if task_id == id && *unit_id == p.unit_id)
        });
        if !ok {
            return Err(refuse(format!(
                "办理佐证 {e} 未登记在该任务下（须先上传文件记录）"
            )));
        }
    }
    task.submit(&p, &caller.person.id, Utc::now())?;
    save_task(tx, &task)?;
    applied(&task)
}

pub(super) fn review(tx: &mut dyn Tx, caller: &Caller, id: &str, r: ReviewTask) -> Outcome {
    let mut task = visible_task(tx, caller, id)?;
    policy::check(&caller.actor(), Act::AssignTask, &Target::default())?;
    task.review(&r, &caller.person.id, Utc::now())?;
    save_task(tx, &task)?;
    applied(&task)
}
