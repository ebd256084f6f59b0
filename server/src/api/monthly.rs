//! 月述考 endpoints: duty records, the 述职 rotation and the reports given, self-assessments,
//! the monthly and annual assessment, 月清零, and the ledgers and notices as files. Scores
//! are computed over the whole county (ranks need everyone) and then limited to what the
//! caller may see: the county level sees every unit, a township or department its own.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use anjian_domain::assessment::{AnnualScore, MonthlyAssessment, SelfAssessment};
use anjian_domain::duty::PersonDuty;
use anjian_domain::hazard::{china_date, Hazard};
use anjian_domain::month::YearMonth;
use anjian_domain::month_end::SubmissionStatus;
use anjian_domain::rotation::{DutyReport, RotationSlot};
use anjian_domain::sync::{entity, OpStatus, Operation};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::monthly::{unit_scope, County, ExportFile, ExportParams};
use crate::scope::Caller;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// "2026-11"; default: this month.
    #[param(pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")]
    pub month: Option<String>,
    /// A unit id; township and department callers always get their own unit.
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct YearQuery {
    /// Default: this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

fn today() -> chrono::NaiveDate {
    china_date(Utc::now())
}

fn month_of(q: Option<&str>) -> ApiResult<YearMonth> {
    match q {
        Some(m) => m
            .parse()
            .map_err(|e: anjian_domain::DomainError| ApiError::invalid(e.to_string())),
        None => Ok(YearMonth::of(today())),
    }
}

async fn county(state: &AppState) -> ApiResult<County> {
    state.read(County::load).await
}

/// 履职纪实: each person's duties of the month, required vs done, with the records that count.
#[utoipa::path(get, path = "/v1/duty", params(MonthQuery), responses((status = 200, body = Vec<PersonDuty>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn duty(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Json<Vec<PersonDuty>>> {
    let month = month_of(q.month.as_deref())?;
    let unit = unit_scope(&caller, q.unit.as_deref())?;
    let c = county(&state).await?;
    if let Some(u) = &unit {
        c.unit(u)?;
    }
    let mut table = c.duty(unit.as_deref(), month, today());
    if unit.is_none() {
        table.retain(|p| !p.statuses.is_empty());
    }
    Ok(Json(table))
}

/// 月底报送: each item a township or department sends 县安委办 for the month (履职纪实, self-
/// assessment, investment proof, unit duty report), its due date (data), when it reached the
/// server, and late / overdue flags.
#[utoipa::path(get, path = "/v1/month-end", params(MonthQuery), responses((status = 200, body = Vec<SubmissionStatus>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn month_end(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Json<Vec<SubmissionStatus>>> {
    let month = month_of(q.month.as_deref())?;
    let unit = unit_scope(&caller, q.unit.as_deref())?;
    let c = county(&state).await?;
    if let Some(u) = &unit {
        c.unit(u)?;
    }
    Ok(Json(c.month_end(unit.as_deref(), month, today())))
}

/// The monthly assessment: scores per indicator, ranks, self-assessment beside the office's
/// score, 月清零.
#[utoipa::path(get, path = "/v1/assessments/{month}", params(("month" = String, Path, description = "2026-11", pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")), responses((status = 200, body = MonthlyAssessment), (status = 422, body = ErrorBody)))]
pub async fn assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(month): Path<String>,
) -> ApiResult<Json<MonthlyAssessment>> {
    let month = month_of(Some(&month))?;
    let mut a = county(&state).await?.assessment(month, today());
    if !caller.is_county_level() {
        a.scores.retain(|s| s.unit_id == caller.person.unit_id);
    }
    Ok(Json(a))
}

/// The annual target assessment: the months of the year and their mean.
#[utoipa::path(get, path = "/v1/assessments/annual/{year}", params(("year" = i32, Path, minimum = 2000, maximum = 2100)), responses((status = 200, body = Vec<AnnualScore>)))]
pub async fn annual(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
) -> ApiResult<Json<Vec<AnnualScore>>> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid(format!("年份 {year} 无效")));
    }
    let mut rows = county(&state).await?.annual(year, today());
    if !caller.is_county_level() {
        rows.retain(|s| s.unit_id == caller.person.unit_id);
    }
    Ok(Json(rows))
}

/// 月清零: a unit's enforcement findings still open at the end of the month.
#[utoipa::path(get, path = "/v1/month-clear", params(("month" = Option<String>, Query, description = "\"2026-11\"; default: this month.", pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$"), ("unit" = String, Query, description = "The unit (township and department callers: their own).")), responses((status = 200, body = Vec<Hazard>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn month_clear(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Json<Vec<Hazard>>> {
    let month = month_of(q.month.as_deref())?;
    let unit = unit_scope(&caller, q.unit.as_deref())?
        .ok_or_else(|| ApiError::invalid("请指定单位（unit）"))?;
    let c = county(&state).await?;
    c.unit(&unit)?;
    Ok(Json(c.month_clear(&unit, month, today())))
}

/// The executive meeting's 述职 schedule of a year: reported, planned and missed turns.
#[utoipa::path(get, path = "/v1/rotation", params(YearQuery), responses((status = 200, body = Vec<RotationSlot>)))]
pub async fn rotation(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Vec<RotationSlot>>> {
    let year = q.year.unwrap_or(today().year());
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid(format!("年份 {year} 无效")));
    }
    Ok(Json(county(&state).await?.rotation(year, today())))
}

/// Records through the same rules as a pushed operation (scope, validation), answering
/// 422 with the reason when refused.
async fn record<T: serde::Serialize>(
    state: &AppState,
    caller: Caller,
    entity: &'static str,
    id: String,
    value: &T,
) -> ApiResult<StatusCode> {
    if id.trim().is_empty() {
        return Err(ApiError::invalid("记录编号不能为空"));
    }
    let op = Operation {
        op_id: uuid::Uuid::now_v7().to_string(),
        entity: entity.to_string(),
        entity_id: id,
        op: "create".into(),
        payload: serde_json::to_value(value).map_err(ApiError::internal)?,
        device_time: None,
    };
    let checklists = state.checklists.clone();
    let result = state
        .write(move |tx| crate::sync::apply_op(tx, &checklists, &caller, &op))
        .await?;
    match result.status {
        OpStatus::Rejected => Err(ApiError::invalid(result.reason.unwrap_or_default())),
        _ => Ok(StatusCode::CREATED),
    }
}

/// Records a duty report given (at the executive meeting, the unit's meeting, or the annual
/// collective report), with its file.
#[utoipa::path(post, path = "/v1/duty-reports", request_body = DutyReport, responses((status = 201, body = DutyReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_duty_report(
    State(state): State<AppState>,
    caller: Caller,
    Json(report): Json<DutyReport>,
) -> ApiResult<(StatusCode, Json<DutyReport>)> {
    let status = record(
        &state,
        caller,
        entity::DUTY_REPORT,
        report.id.clone(),
        &report,
    )
    .await?;
    Ok((status, Json(report)))
}

/// Sends a unit's monthly self-assessment to 县安委办.
#[utoipa::path(post, path = "/v1/self-assessments", request_body = SelfAssessment, responses((status = 201, body = SelfAssessment), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_self_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Json(sa): Json<SelfAssessment>,
) -> ApiResult<(StatusCode, Json<SelfAssessment>)> {
    let status = record(&state, caller, entity::SELF_ASSESSMENT, sa.id.clone(), &sa).await?;
    Ok((status, Json(sa)))
}

/// Downloads a ledger (.xlsx) or notice (.docx): problem-ledger.xlsx, major-hazards.xlsx,
/// hardware-investment.xlsx, duty-records.xlsx, monthly-scores.xlsx, annual-assessment.xlsx,
/// assessment-notice.docx, patrol-notice.docx, month-end-submissions.xlsx, accountability.xlsx, tasks.xlsx, mechanism.xlsx,
/// inspections.xlsx (检查记录台账, with 时间核验).
#[utoipa::path(get, path = "/v1/exports/{file}", params(("file" = String, Path), ExportParams), responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
    Query(mut q): Query<ExportParams>,
) -> ApiResult<Response> {
    let kind = ExportFile::from_name(&file)
        .ok_or_else(|| ApiError::not_found(format!("没有这种文件：{file}")))?;
    if matches!(
        kind,
        ExportFile::AssessmentNotice | ExportFile::PatrolNotice
    ) && crate::phones::is_outsider(&caller)
    {
        return Err(ApiError::forbidden("通报仅限党政机关工作人员查看"));
    }
    if kind.per_unit() {
        q.unit = unit_scope(&caller, q.unit.as_deref())?;
    } else if kind == ExportFile::PatrolNotice && q.unit.is_some() {
        // A unit's 工作专班 notice: the county level, or the unit itself.
        q.unit = unit_scope(&caller, q.unit.as_deref())?;
    } else if !caller.is_county_level() && matches!(kind, ExportFile::Scores | ExportFile::Annual) {
        return Err(ApiError::forbidden("全县考核得分表仅限县级查看"));
    }
    let c = county(&state).await?;
    let bytes = tokio::task::spawn_blocking(move || c.export(kind, &q, today())).await??;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        kind.file_name(),
        percent(&format!(
            "{}.{}",
            kind.title(),
            kind.file_name().rsplit('.').next().unwrap_or("bin")
        ))
    );
    Ok((
        [
            (header::CONTENT_TYPE, kind.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Percent-encodes a file name for `filename*=UTF-8''…`.
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
