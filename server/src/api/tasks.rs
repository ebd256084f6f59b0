//! 工作任务交办 as the office and the units read it: one row per task and unit with its derived
//! status (待办/已提交/已办结/已退回/逾期), in the caller's scope (county level every unit, a
//! township or department its own part), and the task list as a file.

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_domain::evidence::EvidenceTarget;
use anjian_domain::hazard::china_date;
use anjian_domain::sync::entity;
use anjian_domain::task::{PartState, TaskStatus, WorkTask};
use anjian_reports::table::{Cell, Table};
use anjian_reports::Directory;

use super::attached::{attached_files, task_part_key, AttachedFile};
use crate::error::{ApiResult, ErrorBody};
use crate::monthly::unit_scope;
use crate::records;
use crate::scope::Caller;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
pub struct TaskQuery {
    /// Only this unit's parts.
    pub unit: Option<String>,
    /// todo, submitted, done, returned or overdue.
    #[param(value_type = Option<String>, pattern = "^(todo|submitted|done|returned|overdue)$")]
    pub status: Option<TaskStatus>,
}

/// One unit's part of a task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskRow {
    pub task_id: String,
    pub title: String,
    pub content: String,
    pub deadline: NaiveDate,
    pub assigned_at: Option<DateTime<Utc>>,
    pub unit_id: String,
    pub state: PartState,
    pub status: TaskStatus,
    pub status_label: &'static str,
    /// The first submission reached the server after the deadline.
    pub late: bool,
    pub proof_text: Option<String>,
    pub evidence: Vec<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
    /// The unit's proof files (工作任务办理佐证), oldest first.
    pub files: Vec<AttachedFile>,
}

/// The rows of `tasks` of one unit (or all), newest task first.
pub fn rows(
    tasks: &[WorkTask],
    unit: Option<&str>,
    status: Option<TaskStatus>,
    today: NaiveDate,
) -> Vec<TaskRow> {
    let mut tasks: Vec<&WorkTask> = tasks.iter().collect();
    tasks.sort_by(|a, b| b.assigned_at.cmp(&a.assigned_at).then(a.id.cmp(&b.id)));
    tasks
        .into_iter()
        .flat_map(|t| {
            t.parts.iter().map(move |p| {
                let status = p.status(t.deadline, today);
                TaskRow {
                    task_id: t.id.clone(),
                    title: t.title.clone(),
                    content: t.content.clone(),
                    deadline: t.deadline,
                    assigned_at: t.assigned_at,
                    unit_id: p.unit_id.clone(),
                    state: p.state,
                    status,
                    status_label: status.label(),
                    late: p.late,
                    proof_text: p.proof_text.clone(),
                    evidence: p.evidence.clone(),
                    submitted_at: p.submitted_at,
                    reviewed_at: p.reviewed_at,
                    return_reason: p.return_reason.clone(),
                    files: Vec::new(),
                }
            })
        })
        .filter(|r| unit.is_none_or(|u| r.unit_id == u))
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect()
}

/// Tasks assigned by 县安委办 (工作任务交办), one row per task and unit, newest first.
#[utoipa::path(get, path = "/v1/tasks", params(TaskQuery), responses((status = 200, body = Vec<TaskRow>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn tasks(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<Vec<TaskRow>>> {
    let unit = unit_scope(&caller, q.unit.as_deref())?;
    let (list, mut files) = state
        .read(move |tx| {
            let list: Vec<WorkTask> = records::visible(tx, entity::WORK_TASK, &caller)?;
            let files = attached_files(tx, &caller, |t| match t {
                EvidenceTarget::WorkTask { task_id, unit_id } => {
                    Some(task_part_key(task_id, unit_id))
                }
                _ => None,
            })?;
            Ok((list, files))
        })
        .await?;
    let mut out = rows(&list, unit.as_deref(), q.status, china_date(Utc::now()));
    for r in &mut out {
        r.files = files
            .remove(&task_part_key(&r.task_id, &r.unit_id))
            .unwrap_or_default();
    }
    Ok(Json(out))
}

/// 工作任务清单 (tasks.xlsx).
pub fn task_ledger(rows: &[TaskRow], dir: &Directory, scope: &str) -> Table {
    Table::numbered(
        "工作任务清单",
        format!("{scope}工作任务交办清单"),
        &[
            ("任务名称", 22.0),
            ("任务内容", 36.0),
            ("交办时间", 17.0),
            ("办理时限", 12.0),
            ("承办单位", 18.0),
            ("状态", 10.0),
            ("办理情况", 36.0),
            ("提交时间", 17.0),
            ("退回理由", 20.0),
        ],
        rows,
        |r| {
            vec![
                Cell::text(&r.title),
                Cell::text(&r.content),
                Cell::china_time(r.assigned_at),
                Cell::Date(r.deadline),
                Cell::text(dir.unit(&r.unit_id)),
                Cell::text(if r.late {
                    format!("{}（逾期报送）", r.status_label)
                } else {
                    r.status_label.to_string()
                }),
                Cell::text(r.proof_text.clone().unwrap_or_default()),
                Cell::china_time(r.submitted_at),
                Cell::text(r.return_reason.clone().unwrap_or_default()),
            ]
        },
    )
}
