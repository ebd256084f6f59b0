//! The reminders' words, in the notice's terms. Patrol plans name no target (the text may
//! travel over a chat service; the plan itself stays secret).

use chrono::NaiveDate;

use crate::hazard::{Hazard, HazardLevel};
use crate::month::YearMonth;
use crate::patrol::PatrolPlan;
use crate::task::WorkTask;

/// A description cut to a line.
fn short(text: &str) -> String {
    const MAX: usize = 40;
    let t = text.trim();
    if t.chars().count() <= MAX {
        t.to_string()
    } else {
        format!("{}…", t.chars().take(MAX).collect::<String>())
    }
}

fn hazard_line(h: &Hazard) -> String {
    format!("{}{}“{}”", h.level.label(), h.number, short(&h.description))
}

pub fn hazard_assigned(h: &Hazard, unit: &str, deadline: NaiveDate) -> String {
    let plan = if h.level == HazardLevel::Major {
        "请落实五落实（责任、措施、资金、时限、预案），按期整改到位"
    } else {
        "请按期整改到位"
    };
    format!(
        "{}已交办{unit}整改，整改期限 {deadline}。{plan}。",
        hazard_line(h)
    )
}

pub fn hazard_submitted(h: &Hazard, unit: &str) -> String {
    format!(
        "{}已由{unit}提交整改，待你验收销号（验收须由整改人以外的人员进行）。",
        hazard_line(h)
    )
}

pub fn hazard_rejected(h: &Hazard, reason: &str) -> String {
    format!(
        "{}验收未通过，已退回整改。退回理由：{}。",
        hazard_line(h),
        short(reason)
    )
}

pub fn hazard_due(h: &Hazard, unit: &str, deadline: NaiveDate, days_left: i64) -> String {
    let when = if days_left == 0 {
        "今天到期".to_string()
    } else {
        format!("还有{days_left}天到期")
    };
    format!(
        "{unit}：{}整改期限为 {deadline}，{when}，请抓紧整改并提交验收。",
        hazard_line(h)
    )
}

pub fn hazard_overdue(h: &Hazard, unit: &str, deadline: NaiveDate, days: i64) -> String {
    format!(
        "{unit}：{}已逾期{days}天未整改（整改期限 {deadline}），请立即督促整改。",
        hazard_line(h)
    )
}

pub fn task_assigned(t: &WorkTask, unit: &str) -> String {
    format!(
        "县安委办向{unit}交办工作任务“{}”，办理时限 {}，请按时办结并报送办理情况。",
        short(&t.title),
        t.deadline
    )
}

pub fn task_returned(t: &WorkTask, reason: &str) -> String {
    format!(
        "工作任务“{}”的办理情况被退回。退回理由：{}。请重新办理后报送。",
        short(&t.title),
        short(reason)
    )
}

pub fn task_due(t: &WorkTask, unit: &str, days_left: i64) -> String {
    let when = if days_left == 0 {
        "今天到期".to_string()
    } else {
        format!("还有{days_left}天到期")
    };
    format!(
        "{unit}：工作任务“{}”办理时限 {}，{when}。",
        short(&t.title),
        t.deadline
    )
}

pub fn task_overdue(t: &WorkTask, unit: &str, days: i64) -> String {
    format!(
        "{unit}：工作任务“{}”已逾期{days}天未办结（办理时限 {}）。",
        short(&t.title),
        t.deadline
    )
}

pub fn month_end_due(month: YearMonth, label: &str, due: NaiveDate, days_left: i64) -> String {
    let when = if days_left == 0 {
        "今天截止".to_string()
    } else {
        format!("还有{days_left}天截止")
    };
    format!(
        "月底报送：{}{label}须于 {due} 前报送县安委办，{when}。",
        month.label()
    )
}

pub fn month_end_missed(month: YearMonth, unit: &str, label: &str, due: NaiveDate) -> String {
    format!(
        "月底报送：{unit}{}{label}逾期未报送（报送期限 {due}）。",
        month.label()
    )
}

pub fn patrol(p: &PatrolPlan) -> String {
    format!(
        "你已列入暗访巡查“{}”工作组，时间 {} 至 {}，共{}个暗访对象。请在应用中查看计划，注意保密。",
        short(&p.title),
        p.window_start,
        p.window_end,
        p.targets.len()
    )
}

pub fn published(month: YearMonth) -> String {
    format!(
        "{}月度考核结果已发布，请查看本单位得分、排名及扣分原因。",
        month.label()
    )
}
