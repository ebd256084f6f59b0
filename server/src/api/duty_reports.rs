//! 述职 as recorded: the reports a caller may see, and the report's file (its text, the
//! minutes) uploaded from the console. The file is stored content-addressed like evidence
//! (`GET /v1/blobs/{sha256}`), readable by whoever may read the report.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use anjian_domain::policy::{self, Act, Target};
use anjian_domain::rotation::{DutyReport, ReportFile};
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ratelimit::ClientAddr;
use crate::records;
use crate::scope::{self, Caller};
use crate::storage::Blob;
use crate::{audit, AppState};

/// A report file is a document or a scan of the minutes: at most 8 MiB.
pub const MAX_REPORT_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Files one report may carry.
pub const MAX_REPORT_FILES: usize = 20;
const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Deserialize, IntoParams)]
pub struct DutyReportQuery {
    /// Only this unit's reports.
    #[param(max_length = 64)]
    pub unit: Option<String>,
    /// Only this year's (by the month reported for).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// The duty reports (述职) recorded, newest first: county level sees every unit's, a unit its
/// own.
#[utoipa::path(get, path = "/v1/duty-reports", params(DutyReportQuery), responses((status = 200, body = Vec<DutyReport>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DutyReportQuery>,
) -> ApiResult<Json<Vec<DutyReport>>> {
    if let Some(y) = q.year {
        if !(2000..=2100).contains(&y) {
            return Err(ApiError::invalid(format!("年份 {y} 无效")));
        }
    }
    let mut out: Vec<DutyReport> = state
        .read(move |tx| records::visible(tx, entity::DUTY_REPORT, &caller))
        .await?;
    out.retain(|r| {
        q.unit.as_deref().is_none_or(|u| u == r.unit_id) && q.year.is_none_or(|y| r.month.year == y)
    });
    out.sort_by(|a, b| b.reported_on.cmp(&a.reported_on).then(a.id.cmp(&b.id)));
    Ok(Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FileQuery {
    /// The file's name as the user chose it (shown and used when downloading).
    #[param(
        min_length = 1,
        max_length = 120,
        pattern = r"^(?!\.{1,2}$)[^/\\\u0000-\u001f\u007f-\u009f]*\S[^/\\\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
}

/// A name to show and save under: no paths, no control characters, bounded.
fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("请给出文件名"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(format!(
            "文件名过长（最多 {MAX_NAME_CHARS} 个字符）"
        )));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
        || name == "."
        || name == ".."
    {
        return Err(ApiError::invalid("文件名含有不允许的字符"));
    }
    Ok(name.to_string())
}

fn content_type_of(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 100 && v.is_ascii())
        .unwrap_or("application/octet-stream")
        .to_string()
}

/// Adds a file (the report's text, the minutes) to a recorded 述职. Who may record the
/// unit's reports may add its files; the file is then readable by whoever reads the report.
/// The same file twice is stored once.
#[utoipa::path(post, path = "/v1/duty-reports/{id}/files", params(("id" = String, Path), FileQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes (at most 8 MiB)"), responses((status = 201, body = ReportFile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_file(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ReportFile>)> {
    let name = check_name(&q.name)?;
    if body.is_empty() {
        return Err(ApiError::invalid("文件是空的"));
    }
    if body.len() > MAX_REPORT_FILE_BYTES {
        return Err(ApiError::invalid(format!(
            "文件过大（最多 {} MB）",
            MAX_REPORT_FILE_BYTES / 1024 / 1024
        )));
    }
    // Refused before any byte is stored.
    let reader = caller.clone();
    let report_id = id.clone();
    state
        .read(move |tx| writable_report(tx, &reader, &report_id).map(|_| ()))
        .await?;
    let data = body.clone();
    let sha = tokio::task::spawn_blocking(move || hex::encode(Sha256::digest(&data))).await?;
    state
        .blobs
        .put_blob(&sha, body.clone())
        .await
        .map_err(ApiError::internal)?;
    let file = ReportFile {
        sha256: sha,
        name,
        content_type: content_type_of(&headers),
        size: body.len() as u64,
        uploaded_by: caller.person.id.clone(),
        uploaded_at: Utc::now(),
    };
    let saved = file.clone();
    state
        .write(move |tx| {
            let (rec, mut report) = writable_report(tx, &caller, &id)?;
            if report.files.iter().any(|f| f.sha256 == saved.sha256) {
                return Err(ApiError::invalid("这份文件已经上传过"));
            }
            if report.files.len() >= MAX_REPORT_FILES {
                return Err(ApiError::invalid(format!(
                    "每次述职最多 {MAX_REPORT_FILES} 个文件"
                )));
            }
            let mut audience = rec.audience.clone();
            audience.push(scope::person(&caller.person.id));
            if let Some(existing) = tx.get_blob(&saved.sha256)? {
                audience.extend(existing.audience);
            }
            audience.sort();
            audience.dedup();
            tx.put_blob(&Blob {
                sha256: saved.sha256.clone(),
                size: saved.size as i64,
                uploaded_by: caller.person.id.clone(),
                audience,
            })?;
            report.files.push(saved.clone());
            records::save_unit_record(
                tx,
                entity::DUTY_REPORT,
                &report.id,
                &report.unit_id,
                &report,
            )?;
            audit::record(
                tx,
                &caller.username,
                audit::REPORT_FILE_ADDED,
                &report.id,
                Some(client),
                format!("{}（{}）", saved.name, saved.sha256),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// The report, when the caller may see it and may record its unit's reports.
fn writable_report(
    tx: &mut dyn crate::storage::Tx,
    caller: &Caller,
    id: &str,
) -> ApiResult<(crate::storage::StoredRecord, DutyReport)> {
    let found = records::load::<DutyReport>(tx, entity::DUTY_REPORT, id)?
        .filter(|(rec, _)| caller.can_see(&rec.audience))
        .ok_or_else(|| ApiError::not_found(format!("未找到述职记录：{id}")))?;
    let target = Target {
        unit_id: Some(&found.1.unit_id),
        ..Target::default()
    };
    policy::check(&caller.actor(), Act::UnitRecord, &target)?;
    Ok(found)
}
