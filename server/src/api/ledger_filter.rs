//! The console ledger's filter: the query, checked once, and whether a line passes it.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use anjian_domain::hazard::{Hazard, HazardLevel, HazardStatus};
use anjian_domain::inspection::InspectionKind;

use super::console_reads::{code_of, LedgerRow};
use crate::error::{ApiError, ApiResult};

#[derive(Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// The rectifying unit.
    pub unit: Option<String>,
    /// The township (属地) of the hazard's site.
    pub township: Option<String>,
    /// Checklist industry code.
    pub industry: Option<String>,
    #[param(pattern = "^(general|major)$")]
    pub level: Option<String>,
    #[param(pattern = "^(registered|assigned|rectifying|submitted|closed|open)$")]
    /// A status, or `open` for every status but closed.
    pub status: Option<String>,
    /// The kind of inspection that found it.
    #[param(
        pattern = "^(leader_supervision|routine_check|unannounced_patrol|random_check|professional_assessment)$"
    )]
    pub kind: Option<String>,
    /// Only hazards open past their deadline.
    #[serde(default)]
    pub overdue: bool,
    /// 移交: `pending` (referred, waiting for the competent unit to accept), `accepted`, or
    /// `any` (every referred hazard).
    #[param(pattern = "^(pending|accepted|any)$")]
    pub referral: Option<String>,
    /// Raised on or after this day (China time).
    pub from: Option<NaiveDate>,
    /// Raised on or before this day (China time).
    pub to: Option<NaiveDate>,
    /// Words in the number, description or site name.
    pub q: Option<String>,
    /// `deadline` (default: overdue first, then by deadline), `raised_at`, `number`, `status`, `level`, `unit`.
    #[param(pattern = "^(deadline|raised_at|number|status|level|unit)$")]
    pub sort: Option<String>,
    /// Descending order.
    #[serde(default)]
    pub desc: bool,
    /// Page number from 1.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Lines per page, 1 to 500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<usize>,
}

pub(crate) struct Filter {
    status: Option<Option<HazardStatus>>,
    level: Option<HazardLevel>,
    kind: Option<InspectionKind>,
}

pub(crate) fn parse_filter(q: &LedgerQuery) -> ApiResult<Filter> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some("open") => Some(None),
        Some(s) => Some(Some(HazardStatus::from_code(s)?)),
    };
    let level = match q.level.as_deref() {
        None | Some("") => None,
        Some("general") => Some(HazardLevel::General),
        Some("major") => Some(HazardLevel::Major),
        Some(other) => return Err(ApiError::invalid(format!("隐患等级无效：{other}"))),
    };
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(
            serde_json::from_value::<InspectionKind>(serde_json::Value::String(k.into()))
                .map_err(|_| ApiError::invalid(format!("检查类别无效：{k}")))?,
        ),
    };
    if !matches!(
        q.referral.as_deref(),
        None | Some("" | "pending" | "accepted" | "any")
    ) {
        return Err(ApiError::invalid(
            "移交状态无效：须为 pending、accepted 或 any",
        ));
    }
    if let (Some(f), Some(t)) = (q.from, q.to) {
        if f > t {
            return Err(ApiError::invalid("起始日期不能晚于截止日期"));
        }
    }
    if let Some(s) = &q.sort {
        if !["deadline", "raised_at", "number", "status", "level", "unit"].contains(&s.as_str()) {
            return Err(ApiError::invalid(format!("排序字段无效：{s}")));
        }
    }
    Ok(Filter {
        status,
        level,
        kind,
    })
}

pub(crate) fn matches(q: &LedgerQuery, f: &Filter, h: &Hazard, row: &LedgerRow) -> bool {
    let nonempty = |o: &Option<String>| o.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(s) = f.status {
        match s {
            None if h.status == HazardStatus::Closed => return false,
            Some(s) if h.status != s => return false,
            _ => {}
        }
    }
    if f.level.is_some_and(|l| h.level != l) {
        return false;
    }
    if let Some(k) = f.kind {
        if row.source_kind.as_deref() != Some(code_of(&k).as_str()) {
            return false;
        }
    }
    if nonempty(&q.unit).is_some_and(|u| row.hazard.rectifying_unit_id != u) {
        return false;
    }
    if nonempty(&q.township).is_some_and(|t| row.township_id.as_deref() != Some(t.as_str())) {
        return false;
    }
    if nonempty(&q.industry).is_some_and(|i| row.industry.as_deref() != Some(i.as_str())) {
        return false;
    }
    if q.overdue && !row.hazard.overdue {
        return false;
    }
    let referred = h.referral.as_ref().map(|r| r.is_pending());
    match (q.referral.as_deref(), referred) {
        (Some("pending"), Some(true)) | (Some("accepted"), Some(false)) => {}
        (Some("any"), Some(_)) => {}
        (Some("pending" | "accepted" | "any"), _) => return false,
        _ => {}
    }
    if q.from.is_some_and(|d| row.raised_on < d) || q.to.is_some_and(|d| row.raised_on > d) {
        return false;
    }
    if let Some(words) = nonempty(&q.q) {
        let hay = format!(
            "{} {} {}",
            row.hazard.number,
            row.hazard.description,
            row.site_name.as_deref().unwrap_or("")
        );
        if !words.split_whitespace().all(|w| hay.contains(w)) {
            return false;
        }
    }
    true
}
