//! 工作任务交办: 县安委办 assigns a task (a special campaign, a document to file, a problem
//! found by the county leaders' 督查) to one or more townships and departments with a
//! deadline; each unit submits its proof (text and files), the office accepts it (办结) or
//! returns it with a reason. The status of each unit's part is derived, never stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::hazard::china_date;
use crate::{required_text, DomainError};

/// How many units one task may go to, and how much text a part may carry.
pub const MAX_UNITS: usize = 100;
const MAX_TEXT: usize = 5000;
const MAX_FILES: usize = 50;

/// Where one unit's part stands, as stored: what was last done to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    Pending,
    Submitted,
    Accepted,
    Returned,
}

/// The status a user reads (待办 / 已提交 / 已办结 / 已退回 / 逾期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Todo,
    Submitted,
    Done,
    Returned,
    Overdue,
}

impl TaskStatus {
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Todo => "待办",
            TaskStatus::Submitted => "已提交",
            TaskStatus::Done => "已办结",
            TaskStatus::Returned => "已退回",
            TaskStatus::Overdue => "逾期",
        }
    }
}

/// One unit's part of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskPart {
    pub unit_id: String,
    pub state: PartState,
    /// 办理情况, as the unit wrote it.
    #[serde(default)]
    pub proof_text: Option<String>,
    /// Evidence ids of the proof files.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// When the server received the (latest) submission, and from whom.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub submitted_by: Option<String>,
    /// The first submission reached the server after the deadline.
    #[serde(default)]
    pub late: bool,
    #[serde(default)]
    pub reviewed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    /// Why the office returned it.
    #[serde(default)]
    pub return_reason: Option<String>,
}

impl TaskPart {
    fn new(unit_id: &str) -> TaskPart {
        TaskPart {
            unit_id: unit_id.to_string(),
            state: PartState::Pending,
            proof_text: None,
            evidence: vec![],
            submitted_at: None,
            submitted_by: None,
            late: false,
            reviewed_at: None,
            reviewed_by: None,
            return_reason: None,
        }
    }

    /// 待办 / 已提交 / 已办结 / 已退回, or 逾期 when still to do past the deadline.
    pub fn status(&self, deadline: NaiveDate, today: NaiveDate) -> TaskStatus {
        match self.state {
            PartState::Accepted => TaskStatus::Done,
            PartState::Submitted => TaskStatus::Submitted,
            PartState::Pending | PartState::Returned if today > deadline => TaskStatus::Overdue,
            PartState::Pending => TaskStatus::Todo,
            PartState::Returned => TaskStatus::Returned,
        }
    }
}

/// A task assigned by 县安委办.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkTask {
    pub id: String,
    pub title: String,
    /// 任务内容 and requirements.
    pub content: String,
    /// 办理时限 (China date, inclusive).
    pub deadline: NaiveDate,
    /// 承办单位. The assignment's own files (the 交办单, a notice) are evidence attached to
    /// `EvidenceTarget::WorkTask` with no unit.
    pub unit_ids: Vec<String>,
    /// Who assigned it and when the server received it (set by the server).
    #[serde(default)]
    pub assigned_by: String,
    #[serde(default)]
    pub assigned_at: Option<DateTime<Utc>>,
    /// One per unit, in `unit_ids` order (set by the server).
    #[serde(default)]
    pub parts: Vec<TaskPart>,
}

/// `work_task/submit`: a unit's proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitTaskProof {
    pub unit_id: String,
    pub text: String,
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// `work_task/review`: the office accepts a unit's proof, or returns it with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewTask {
    pub unit_id: String,
    pub accept: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

fn too_long(field: &'static str) -> DomainError {
    DomainError::InvalidValue {
        field,
        reason: "内容过长".into(),
    }
}

impl WorkTask {
    /// Checks what the office entered and sets one pending part per unit.
    pub fn prepare(&mut self, today: NaiveDate) -> Result<(), DomainError> {
        self.title = required_text(&self.title, "任务名称")?;
        self.content = required_text(&self.content, "任务内容")?;
        if self.title.chars().count() > 200 || self.content.chars().count() > MAX_TEXT {
            return Err(too_long("任务内容"));
        }
        if self.deadline < today {
            return Err(DomainError::InvalidValue {
                field: "办理时限",
                reason: "不能早于今天".into(),
            });
        }
        let mut units: Vec<String> = Vec::new();
        for u in &self.unit_ids {
            let u = u.trim();
            if !u.is_empty() && !units.iter().any(|x| x == u) {
                units.push(u.to_string());
            }
        }
        if units.is_empty() {
            return Err(DomainError::MissingField("承办单位"));
        }
        if units.len() > MAX_UNITS {
            return Err(too_long("承办单位"));
        }
        self.parts = units.iter().map(|u| TaskPart::new(u)).collect();
        self.unit_ids = units;
        Ok(())
    }

    pub fn part(&self, unit_id: &str) -> Option<&TaskPart> {
        self.parts.iter().find(|p| p.unit_id == unit_id)
    }

    fn part_mut(&mut self, unit_id: &str) -> Result<&mut TaskPart, DomainError> {
        self.parts
            .iter_mut()
            .find(|p| p.unit_id == unit_id)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "承办单位",
                reason: "该任务未交办给本单位".into(),
            })
    }

    /// A unit submits its proof: text is required; after the deadline it is accepted and
    /// flagged late. A part already 办结 or waiting for review is not submitted again.
    pub fn submit(
        &mut self,
        p: &SubmitTaskProof,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let text = required_text(&p.text, "办理情况")?;
        if text.chars().count() > MAX_TEXT || p.evidence.len() > MAX_FILES {
            return Err(too_long("办理情况"));
        }
        let deadline = self.deadline;
        let part = self.part_mut(&p.unit_id)?;
        match part.state {
            PartState::Accepted => {
                return Err(DomainError::InvalidValue {
                    field: "任务状态",
                    reason: "该任务已办结".into(),
                })
            }
            PartState::Submitted => {
                return Err(DomainError::InvalidValue {
                    field: "任务状态",
                    reason: "已提交，等待县安委办审核".into(),
                })
            }
            PartState::Pending | PartState::Returned => {}
        }
        if part.submitted_at.is_none() && china_date(now) > deadline {
            part.late = true;
        }
        part.state = PartState::Submitted;
        part.proof_text = Some(text);
        part.evidence = p.evidence.clone();
        part.submitted_at = Some(now);
        part.submitted_by = Some(by.to_string());
        part.return_reason = None;
        Ok(())
    }

    /// The office accepts or returns a submitted part (a return needs its reason).
    pub fn review(
        &mut self,
        r: &ReviewTask,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let reason = match (r.accept, r.reason.as_deref()) {
            (true, _) => None,
            (false, Some(x)) if !x.trim().is_empty() => Some(x.trim().to_string()),
            (false, _) => return Err(DomainError::MissingField("退回理由")),
        };
        let part = self.part_mut(&r.unit_id)?;
        if part.state != PartState::Submitted {
            return Err(DomainError::InvalidValue {
                field: "任务状态",
                reason: "该单位尚未提交办理情况".into(),
            });
        }
        part.state = if r.accept {
            PartState::Accepted
        } else {
            PartState::Returned
        };
        part.return_reason = reason;
        part.reviewed_at = Some(now);
        part.reviewed_by = Some(by.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(y: i32, m: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, 2, 0, 0).unwrap()
    }

    fn task() -> WorkTask {
        WorkTask {
            id: "t".into(),
            title: "燃气安全专项整治".into(),
            content: "排查辖区餐饮场所燃气报警装置安装情况，报送整治台账".into(),
            deadline: d(2026, 12, 10),
            unit_ids: vec!["a".into(), " a ".into(), "b".into()],
            assigned_by: String::new(),
            assigned_at: None,
            parts: vec![],
        }
    }

    fn proof(unit: &str) -> SubmitTaskProof {
        SubmitTaskProof {
            unit_id: unit.into(),
            text: "已排查餐饮场所42家，整改报警装置缺失3处".into(),
            evidence: vec!["ev-1".into()],
        }
    }

    #[test]
    fn each_unit_submits_and_the_office_accepts_or_returns_with_a_reason() {
        let mut w = task();
        w.prepare(d(2026, 12, 1)).unwrap();
        assert_eq!(w.unit_ids, vec!["a", "b"], "units trimmed and deduplicated");
        let today = d(2026, 12, 5);
        assert_eq!(
            w.part("a").unwrap().status(w.deadline, today),
            TaskStatus::Todo
        );
        w.submit(&proof("a"), "p-a", t(2026, 12, 5)).unwrap();
        assert_eq!(
            w.part("a").unwrap().status(w.deadline, today),
            TaskStatus::Submitted
        );
        let e = w.submit(&proof("a"), "p-a", t(2026, 12, 5)).unwrap_err();
        assert!(e.to_string().contains("等待县安委办审核"), "{e}");
        let e = w.submit(&proof("c"), "p-c", t(2026, 12, 5)).unwrap_err();
        assert!(e.to_string().contains("未交办给本单位"), "{e}");
        let back = ReviewTask {
            unit_id: "a".into(),
            accept: false,
            reason: None,
        };
        assert!(w
            .review(&back, "office", t(2026, 12, 6))
            .unwrap_err()
            .to_string()
            .contains("退回理由"));
        let back = ReviewTask {
            reason: Some("缺少整治台账".into()),
            ..back
        };
        w.review(&back, "office", t(2026, 12, 6)).unwrap();
        assert_eq!(
            w.part("a").unwrap().status(w.deadline, today),
            TaskStatus::Returned
        );
        assert_eq!(
            w.part("a").unwrap().status(w.deadline, d(2026, 12, 11)),
            TaskStatus::Overdue
        );
        w.submit(&proof("a"), "p-a", t(2026, 12, 7)).unwrap();
        let ok = ReviewTask {
            unit_id: "a".into(),
            accept: true,
            reason: None,
        };
        w.review(&ok, "office", t(2026, 12, 8)).unwrap();
        assert_eq!(
            w.part("a").unwrap().status(w.deadline, d(2027, 1, 1)),
            TaskStatus::Done
        );
        assert!(!w.part("a").unwrap().late);
        // b: nothing by the deadline, then sent late.
        assert_eq!(
            w.part("b").unwrap().status(w.deadline, d(2026, 12, 11)),
            TaskStatus::Overdue
        );
        w.submit(&proof("b"), "p-b", t(2026, 12, 12)).unwrap();
        assert!(w.part("b").unwrap().late);
        let mut empty = proof("b");
        empty.text = " ".into();
        assert!(w
            .submit(&empty, "p-b", t(2026, 12, 12))
            .unwrap_err()
            .to_string()
            .contains("办理情况"));
    }

    #[test]
    fn a_task_needs_a_title_content_units_and_a_deadline_not_past() {
        let mut w = task();
        assert!(w
            .prepare(d(2026, 12, 11))
            .unwrap_err()
            .to_string()
            .contains("办理时限"));
        let mut w = task();
        w.unit_ids = vec![" ".into()];
        assert!(w
            .prepare(d(2026, 12, 1))
            .unwrap_err()
            .to_string()
            .contains("承办单位"));
        let mut w = task();
        w.title = "".into();
        assert!(w
            .prepare(d(2026, 12, 1))
            .unwrap_err()
            .to_string()
            .contains("任务名称"));
    }
}
