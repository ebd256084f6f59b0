//! `HEAD`/`GET /v1/blobs/{sha256}`: stored evidence by content hash, for callers allowed to
//! see it. `HEAD` lets a phone skip uploads the server already has.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use anjian_domain::evidence::EvidenceRecord;
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::records;
use crate::scope::Caller;
use crate::storage::Blob;
use crate::AppState;

async fn visible_blob(state: &AppState, caller: Caller, sha256: String) -> ApiResult<Blob> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::invalid("sha256 须为 64 位十六进制"));
    }
    let sha = sha256.to_lowercase();
    state
        .read(move |tx| {
            let Some(blob) = tx.get_blob(&sha)? else {
                return Err(ApiError::not_found("未找到该文件"));
            };
            if caller.can_see(&blob.audience) {
                return Ok(blob);
            }
            // Also visible to whoever may see a piece of evidence made of this file, when that
            // evidence was captured by the person who uploaded the file: naming someone
            // else's hash in one's own evidence record opens nothing.
            let evidence: Vec<EvidenceRecord> = records::visible(tx, entity::EVIDENCE, &caller)?;
            let named = |r: &EvidenceRecord| {
                r.captured_by == blob.uploaded_by
                    && (r.sha256 == sha
                        || r.upload_sha256.as_deref() == Some(sha.as_str())
                        || r.thumb_sha256.as_deref() == Some(sha.as_str()))
            };
            if evidence.iter().any(named) {
                Ok(blob)
            } else {
                Err(ApiError::not_found("未找到该文件"))
            }
        })
        .await
}

fn blob_headers(resp: &mut Response, blob: &Blob) {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(blob.size));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", blob.sha256)) {
        h.insert(header::ETAG, v);
    }
}

/// Whether the server has the file (and the caller may see it).
#[utoipa::path(head, path = "/v1/blobs/{sha256}", params(("sha256" = String, Path, pattern = "^[0-9a-fA-F]{64}$")), responses((status = 200), (status = 404, body = ErrorBody)))]
pub async fn head_blob(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
) -> ApiResult<Response> {
    let blob = visible_blob(&state, caller, sha256).await?;
    let mut resp = StatusCode::OK.into_response();
    blob_headers(&mut resp, &blob);
    Ok(resp)
}

// With `ANJIAN_BLOBS_PRESIGN_SECS` on object storage: a 307 redirect to a pre-signed URL of
// the store instead (opt-in; not in the API document the console is generated from).
/// The file's bytes.
#[utoipa::path(get, path = "/v1/blobs/{sha256}", params(("sha256" = String, Path, pattern = "^[0-9a-fA-F]{64}$")), responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn get_blob(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
) -> ApiResult<Response> {
    let blob = visible_blob(&state, caller, sha256).await?;
    // With object storage and redirects configured, the bytes come from the store directly.
    if let Some(url) = state
        .blobs
        .presigned_url(&blob.sha256)
        .await
        .map_err(ApiError::internal)?
    {
        let mut resp = StatusCode::TEMPORARY_REDIRECT.into_response();
        let location = HeaderValue::from_str(&url).map_err(ApiError::internal)?;
        resp.headers_mut().insert(header::LOCATION, location);
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(resp);
    }
    let stream = state
        .blobs
        .blob_stream(&blob.sha256)
        .await
        .map_err(ApiError::internal)?;
    let mut resp = Body::from_stream(stream).into_response();
    blob_headers(&mut resp, &blob);
    Ok(resp)
}
