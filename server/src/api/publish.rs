//! Publishing (freezing) a month's assessment: 县安委办 fixes the scores of a month that has
//! ended, so the notice and every later look show the same numbers even when late records
//! arrive. The frozen copy is kept as a record no phone pulls (no audience); reads are
//! limited like the live assessment (the county level sees every unit, a unit its own line).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_domain::assessment::MonthlyAssessment;
use anjian_domain::hazard::china_date;
use anjian_domain::month::YearMonth;
use anjian_domain::org::Role;

use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::monthly::County;
use crate::scope::Caller;
use crate::storage::{StoredRecord, Tx};
use crate::AppState;

/// The store's entity name for frozen assessments (never sent to phones).
pub const PUBLICATION: &str = "assessment_publication";

/// A month's assessment as published.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Publication {
    /// "2026-10"
    pub month: String,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    pub published_by_name: String,
    /// The scores as they stood when published.
    pub assessment: MonthlyAssessment,
}

/// One line of the list of published months.
#[derive(Serialize, ToSchema)]
pub struct PublicationSummary {
    pub month: String,
    pub published_at: DateTime<Utc>,
    pub published_by_name: String,
}

fn parse_month(m: &str) -> ApiResult<YearMonth> {
    m.parse()
        .map_err(|e: anjian_domain::DomainError| ApiError::invalid(e.to_string()))
}

/// Limits a publication to what the caller may see.
fn scoped(mut p: Publication, caller: &Caller) -> Publication {
    if !caller.is_county_level() {
        p.assessment
            .scores
            .retain(|s| s.unit_id == caller.person.unit_id);
    }
    p
}

/// Publishes (freezes) the assessment of a month that has ended; 县安委办 only, once per month.
#[utoipa::path(post, path = "/v1/assessments/{month}/publish", params(("month" = String, Path, description = "2026-10", pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")), responses((status = 201, body = Publication), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(month): Path<String>,
) -> ApiResult<(StatusCode, Json<Publication>)> {
    if !caller.has_role(Role::SafetyOfficeStaff) {
        return Err(ApiError::forbidden("只有县安委办可以发布月度考核结果"));
    }
    let month = parse_month(&month)?;
    let today = china_date(Utc::now());
    if month.last_day() >= today {
        return Err(ApiError::invalid(format!(
            "{month} 尚未结束，月末之后才能发布该月考核结果"
        )));
    }
    let publication = state
        .write(move |tx| {
            let previous = tx.get_record(PUBLICATION, &month.to_string())?;
            if let Some(rec) = previous.as_ref().filter(|r| !r.deleted) {
                let p: Publication =
                    serde_json::from_value(rec.data.clone()).map_err(ApiError::internal)?;
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "already_published",
                    format!(
                        "{month} 的考核结果已于 {} 由{}发布，不能重复发布",
                        china_date(p.published_at),
                        p.published_by_name
                    ),
                ));
            }
            let county = County::load(tx)?;
            let p = Publication {
                month: month.to_string(),
                published_at: Utc::now(),
                published_by: caller.person.id.clone(),
                published_by_name: caller.person.name.clone(),
                assessment: county.live_assessment(month, today),
            };
            audit::record(
                tx,
                &caller.username,
                audit::ASSESSMENT_PUBLISHED,
                &month.to_string(),
                None,
                format!("发布 {month} 月度考核结果"),
            )?;
            tx.put_record(&StoredRecord {
                entity: PUBLICATION.into(),
                id: month.to_string(),
                version: previous.map_or(1, |r| r.version + 1),
                data: serde_json::to_value(&p).map_err(ApiError::internal)?,
                // No audience: kept for the office, never in a phone's pull.
                audience: Vec::new(),
                deleted: false,
            })?;
            Ok(p)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(publication)))
}

/// Every published month's frozen assessment (for the readers of the assessment).
pub fn frozen(tx: &mut dyn Tx) -> ApiResult<HashMap<YearMonth, MonthlyAssessment>> {
    let mut out = HashMap::new();
    for rec in tx.list_records(PUBLICATION, None)? {
        if rec.deleted {
            continue;
        }
        let p: Publication = serde_json::from_value(rec.data).map_err(ApiError::internal)?;
        if let Ok(m) = p.month.parse::<YearMonth>() {
            out.insert(m, p.assessment);
        }
    }
    Ok(out)
}

/// Why a record of `month` is refused: its assessment is published (frozen) and not re-opened.
pub fn closed_for(tx: &mut dyn Tx, month: YearMonth) -> ApiResult<Option<String>> {
    Ok(match tx.get_record(PUBLICATION, &month.to_string())? {
        Some(rec) if !rec.deleted => Some(format!(
            "{month} 的考核结果已发布，该月报送已截止；如需补报，须由县安委办重新开启该月"
        )),
        _ => None,
    })
}

/// The store's entity name for re-openings (kept forever, never sent to phones).
pub const REOPENING: &str = "assessment_reopening";

#[derive(Deserialize, ToSchema)]
pub struct ReopenRequest {
    /// Why the month is re-opened (补报、更正), kept with the audit entry.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// A published month re-opened: who, when, why, and the publication it replaced.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Reopening {
    pub month: String,
    pub reopened_at: DateTime<Utc>,
    pub reopened_by: String,
    pub reopened_by_name: String,
    pub reason: String,
    /// The publication as it stood.
    pub previous: Publication,
}

/// Re-opens a published month (县安委办 only, with a reason, audited): its frozen scores are
/// set aside (kept with the re-opening), records of the month are accepted again, and the
/// month is published anew when ready.
#[utoipa::path(post, path = "/v1/assessments/{month}/reopen", params(("month" = String, Path, description = "2026-10", pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")), request_body = ReopenRequest, responses((status = 200, body = Reopening), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(month): Path<String>,
    Json(req): Json<ReopenRequest>,
) -> ApiResult<Json<Reopening>> {
    if !caller.has_role(Role::SafetyOfficeStaff) {
        return Err(ApiError::forbidden("只有县安委办可以重新开启已发布的月份"));
    }
    let month = parse_month(&month)?;
    let reason = req.reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::invalid("须说明重新开启的理由"));
    }
    if reason.chars().count() > 500 {
        return Err(ApiError::invalid("理由不能超过 500 字"));
    }
    let r = state
        .write(move |tx| {
            let rec = match tx.get_record(PUBLICATION, &month.to_string())? {
                Some(rec) if !rec.deleted => rec,
                _ => {
                    return Err(ApiError::not_found(format!(
                        "{month} 的考核结果尚未发布，无需重新开启"
                    )))
                }
            };
            let previous: Publication =
                serde_json::from_value(rec.data.clone()).map_err(ApiError::internal)?;
            let now = Utc::now();
            let r = Reopening {
                month: month.to_string(),
                reopened_at: now,
                reopened_by: caller.person.id.clone(),
                reopened_by_name: caller.person.name.clone(),
                reason: reason.clone(),
                previous,
            };
            audit::record(
                tx,
                &caller.username,
                audit::ASSESSMENT_REOPENED,
                &month.to_string(),
                None,
                reason,
            )?;
            tx.put_record(&StoredRecord {
                entity: REOPENING.into(),
                id: format!("{month}@{}", now.to_rfc3339()),
                version: 1,
                data: serde_json::to_value(&r).map_err(ApiError::internal)?,
                audience: Vec::new(),
                deleted: false,
            })?;
            tx.put_record(&StoredRecord {
                version: rec.version + 1,
                deleted: true,
                audience: Vec::new(),
                ..rec
            })?;
            Ok(r)
        })
        .await?;
    Ok(Json(r))
}

/// The published (frozen) assessment of a month, limited to the caller's scope; 404 when the
/// month has not been published.
#[utoipa::path(get, path = "/v1/assessments/{month}/published", params(("month" = String, Path, description = "2026-10", pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")), responses((status = 200, body = Publication), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn published(
    State(state): State<AppState>,
    caller: Caller,
    Path(month): Path<String>,
) -> ApiResult<Json<Publication>> {
    let month = parse_month(&month)?;
    let p = state
        .read(
            move |tx| match tx.get_record(PUBLICATION, &month.to_string())? {
                Some(rec) if !rec.deleted => {
                    serde_json::from_value::<Publication>(rec.data).map_err(ApiError::internal)
                }
                _ => Err(ApiError::not_found(format!("{month} 的考核结果尚未发布"))),
            },
        )
        .await?;
    Ok(Json(scoped(p, &caller)))
}

/// The months whose assessment has been published, newest first.
#[utoipa::path(get, path = "/v1/assessments/published", responses((status = 200, body = Vec<PublicationSummary>), (status = 401, body = ErrorBody)))]
pub async fn publications(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<PublicationSummary>>> {
    let mut list: Vec<PublicationSummary> = state
        .read(|tx| {
            tx.list_records(PUBLICATION, None)?
                .into_iter()
                .filter(|r| !r.deleted)
                .map(|r| {
                    let p: Publication =
                        serde_json::from_value(r.data).map_err(ApiError::internal)?;
                    Ok(PublicationSummary {
                        month: p.month,
                        published_at: p.published_at,
                        published_by_name: p.published_by_name,
                    })
                })
                .collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    list.sort_by(|a, b| b.month.cmp(&a.month));
    Ok(Json(list))
}
