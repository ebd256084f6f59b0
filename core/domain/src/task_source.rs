//! 任务来源 of a 行政检查, printed on its 现场检查记录 (国办发〔2024〕54号 asks that every
//! inspection states why it was made): under an approved 专项检查 plan, from a 投诉举报 handed
//! over to the body, on a visit plan, after a finding referred (移交) or assigned (交办) to the
//! body, or as a daily check.

use serde::{Deserialize, Serialize};

use crate::hazard::Hazard;
use crate::inspection::Inspection;
use crate::patrol::PatrolPlan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskSource {
    /// A visit plan (the site is a target of a plan this inspection visited).
    Plan,
    /// An approved 专项检查 plan.
    Campaign,
    /// A 投诉举报 about the site handed over (交办) to the body.
    Complaint,
    /// A finding about the site referred (移交) or assigned (交办) to the body.
    Assignment,
    /// 日常检查.
    Daily,
}

impl TaskSource {
    pub fn label(self) -> &'static str {
        match self {
            TaskSource::Plan => "检查计划",
            TaskSource::Campaign => "专项检查",
            TaskSource::Complaint => "投诉举报",
            TaskSource::Assignment => "移交、交办",
            TaskSource::Daily => "日常检查",
        }
    }

    /// Why `insp` was made, from what the inspecting body holds: its campaign plan, the plans
    /// it visited a target of, and the earlier findings about the site (`hazards`) referred or
    /// assigned to the leader's unit by others.
    pub fn of(insp: &Inspection, hazards: &[Hazard], plans: &[PatrolPlan]) -> TaskSource {
        let body = insp.leader.unit_id.as_str();
        if insp.campaign_id.is_some() {
            return TaskSource::Campaign;
        }
        if insp.complaint_id.is_some() {
            return TaskSource::Complaint;
        }
        let planned = plans.iter().any(|p| {
            p.targets
                .iter()
                .any(|t| t.visited_inspection_id.as_deref() == Some(insp.id.as_str()))
        });
        if planned {
            return TaskSource::Plan;
        }
        let handed_over = hazards.iter().any(|h| {
            h.site_id.as_deref() == Some(insp.site_id.as_str())
                && h.raised_at < insp.started_at
                && h.unit_id != body
                && (h.referral.as_ref().is_some_and(|r| r.to_unit_id == body)
                    || h.assigned_unit_id.as_deref() == Some(body))
        });
        if handed_over {
            TaskSource::Assignment
        } else {
            TaskSource::Daily
        }
    }
}
