//! 工作任务交办 and 改机制 on the phone: my unit's tasks with their status, my unit's proof of
//! one, and my unit's 改机制 records.
//! Proof files are attached first with `attachDocument` / `attachPhoto` to
//! `EvidenceTarget.WorkTask` (the task id and my unit id).

use super::*;
use anjian_domain::mechanism::{MechanismKind, MechanismRecord};
use anjian_domain::task::WorkTask;

/// A task as my unit sees it: what is asked, by when, and where my unit's part stands.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TaskRecord {
    pub id: String,
    pub title: String,
    pub content: String,
    /// YYYY-MM-DD
    pub deadline: String,
    /// 待办 / 已提交 / 已办结 / 已退回 / 逾期
    pub status_label: String,
    /// Sent after the deadline.
    pub late: bool,
    pub proof_text: Option<String>,
    pub evidence: Vec<String>,
    /// Why 县安委办 returned it.
    pub return_reason: Option<String>,
}

fn task_record(t: WorkTask, unit_id: &str) -> TaskRecord {
    let today = anjian_domain::hazard::china_date(chrono::Utc::now());
    let part = t.part(unit_id).cloned();
    TaskRecord {
        status_label: part
            .as_ref()
            .map_or("", |p| p.status(t.deadline, today).label())
            .to_string(),
        late: part.as_ref().is_some_and(|p| p.late),
        proof_text: part.as_ref().and_then(|p| p.proof_text.clone()),
        evidence: part.as_ref().map_or(vec![], |p| p.evidence.clone()),
        return_reason: part.and_then(|p| p.return_reason),
        id: t.id,
        title: t.title,
        content: t.content,
        deadline: t.deadline.to_string(),
    }
}

#[uniffi::export]
impl AnjianStore {
    /// The tasks 县安委办 assigned to my unit, soonest deadline first.
    pub fn my_unit_tasks(&self) -> FfiResult<Vec<TaskRecord>> {
        let me = self.inner.actor()?;
        Ok(self
            .inner
            .unit_tasks(&me.unit_id)?
            .into_iter()
            .map(|t| task_record(t, &me.unit_id))
            .collect())
    }

    /// Reports how my unit handled a task (办理情况 and the evidence ids of its files);
    /// refused with the reason when it is already submitted or 办结.
    pub fn submit_task_proof(
        &self,
        task_id: String,
        text: String,
        evidence: Vec<String>,
    ) -> FfiResult<TaskRecord> {
        let me = self.inner.actor()?;
        let t = self.inner.submit_task_proof(&task_id, &text, evidence)?;
        Ok(task_record(t, &me.unit_id))
    }
}

/// A 改机制 kind as users say it (属地属事职责清单修订 ...), for the app's choices.
#[uniffi::export]
pub fn mechanism_kind_label(kind: MechanismKind) -> String {
    kind.label().to_string()
}

/// A 改机制 record as the app fills it in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MechanismInput {
    pub kind: MechanismKind,
    pub title: String,
    pub content: String,
    /// YYYY-MM-DD
    pub effective_on: String,
    pub document_number: Option<String>,
    /// The hazards (and inspections) that caused it; 举一反三 needs one.
    pub hazard_ids: Vec<String>,
    pub inspection_ids: Vec<String>,
}

/// A 改机制 record of my unit as the app lists it: what was filled in, with its id and the
/// kind as users say it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MechanismItem {
    pub id: String,
    pub kind_label: String,
    pub record: MechanismInput,
}

impl From<MechanismRecord> for MechanismItem {
    fn from(m: MechanismRecord) -> Self {
        MechanismItem {
            kind_label: m.kind.label().to_string(),
            id: m.id,
            record: MechanismInput {
                kind: m.kind,
                title: m.title,
                content: m.content,
                effective_on: m.effective_on.to_string(),
                document_number: m.document_number,
                hazard_ids: m.hazard_ids,
                inspection_ids: m.inspection_ids,
            },
        }
    }
}

#[uniffi::export]
impl AnjianStore {
    /// Records a 改机制 record of my unit; its document goes to
    /// `EvidenceTarget.MechanismRecord` with `attachDocument`.
    pub fn record_mechanism_change(&self, input: MechanismInput) -> FfiResult<MechanismItem> {
        let m = MechanismRecord {
            id: String::new(),
            kind: input.kind,
            unit_id: String::new(),
            title: input.title,
            content: input.content,
            effective_on: parse_date(&input.effective_on, "印发日期")?,
            document_number: input.document_number,
            hazard_ids: input.hazard_ids,
            inspection_ids: input.inspection_ids,
            recorded_by: None,
            received_at: None,
        };
        Ok(self.inner.record_mechanism(m)?.into())
    }

    /// My unit's 改机制 records known on this phone, newest first.
    pub fn my_unit_mechanism_records(&self) -> FfiResult<Vec<MechanismItem>> {
        let me = self.inner.actor()?;
        Ok(self
            .inner
            .unit_mechanisms(&me.unit_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
