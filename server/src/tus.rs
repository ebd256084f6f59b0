//! tus 1.0 resumable upload (core, creation, creation-with-upload, checksum, termination,
//! expiration) for evidence files. The client declares the file's SHA-256 in
//! `Upload-Metadata` (key `sha256`); on the last byte the server hashes the file and refuses
//! a mismatch. Accepted files are stored content-addressed in the blob store.
//!
//! Nothing of an upload lives in one instance's memory or disk: its offset and the names of
//! its stored parts are in the database, the parts in the blob store (the data folder or S3),
//! so an upload started through one instance resumes through any other. Each part is
//! recorded by a compare-and-set on the offset, which is also what keeps two writers apart.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use axum::body::Body;
use axum::extract::{FromRequestParts, Path as UrlPath, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{Duration, Utc};
use futures_util::StreamExt;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::scope::{self, Caller};
use crate::storage::{Blob, Upload};
use crate::AppState;

pub const TUS_VERSION: &str = "1.0.0";
pub const MAX_SIZE: i64 = 1024 * 1024 * 1024;

/// What one person may hold open: uploads started and not finished, and the bytes they
/// declared. An upload not written to for `idle` expires (its part file is deleted). And
/// what one person may start in a day (China time): `max_daily_bytes` declared among the
/// uploads they created that day, finished or not.
#[derive(Debug, Clone, Copy)]
pub struct UploadQuota {
    pub max_open: usize,
    pub max_open_bytes: i64,
    pub idle: std::time::Duration,
    pub max_daily_bytes: i64,
}

impl Default for UploadQuota {
    fn default() -> Self {
        UploadQuota {
            max_open: 64,
            max_open_bytes: 4 * 1024 * 1024 * 1024,
            idle: std::time::Duration::from_secs(24 * 3600),
            // A long day of photos (a few hundred originals with their copies) is well
            // under 1 GiB; four leave room for a backlog of days sent at once.
            max_daily_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// Seconds until the next China midnight (when the daily quota starts again).
fn until_tomorrow(now: chrono::DateTime<Utc>) -> i64 {
    let tomorrow = anjian_domain::hazard::china_date(now) + Duration::days(1);
    let midnight = tomorrow.and_hms_opt(0, 0, 0).expect("midnight") - Duration::hours(8);
    (midnight.and_utc() - now).num_seconds().max(1)
}

fn idle_expiry(state: &AppState) -> chrono::DateTime<Utc> {
    Utc::now() + Duration::from_std(state.upload_quota.idle).unwrap_or(Duration::hours(24))
}
/// Chunks carrying a checksum are verified before they are kept; this bounds their size.
const MAX_CHECKSUM_CHUNK: usize = 64 * 1024 * 1024;
/// A request body is stored in parts of this size (and whatever came when it ended or
/// dropped), so a cut connection keeps all but the bytes of its last unfinished part.
pub(crate) const PART_BYTES: usize = 8 * 1024 * 1024;

fn tus_headers(headers: &mut HeaderMap) {
    headers.insert("Tus-Resumable", HeaderValue::from_static(TUS_VERSION));
}

fn tus_error(status: StatusCode, message: &str) -> Response {
    let mut resp = ApiError::new(status, "tus", message).into_response();
    tus_headers(resp.headers_mut());
    resp
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    match header(headers, "Tus-Resumable") {
        Some(TUS_VERSION) => Ok(()),
        _ => {
            let mut resp = tus_error(StatusCode::PRECONDITION_FAILED, "仅支持 tus 1.0.0 协议");
            resp.headers_mut()
                .insert("Tus-Version", HeaderValue::from_static(TUS_VERSION));
            Err(resp)
        }
    }
}

/// Parses `Upload-Metadata` (`key base64value,key2 base64value2`). Keys must be plain ASCII
/// tokens and values valid base64; anything else is refused.
pub fn parse_metadata(raw: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut parts = pair.splitn(2, ' ');
        let key = parts.next().unwrap_or_default();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            return Err(format!("元数据键无效：{key}"));
        }
        let value = match parts.next() {
            Some(v) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v.trim())
                    .map_err(|_| format!("元数据 {key} 不是有效的 base64"))?;
                String::from_utf8(bytes).map_err(|_| format!("元数据 {key} 不是 UTF-8 文本"))?
            }
            None => String::new(),
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Uploads being written through this instance right now: a second PATCH here is refused at
/// once (across instances the offset's compare-and-set refuses it when it stores a part).
fn busy() -> &'static Mutex<HashSet<String>> {
    static BUSY: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    BUSY.get_or_init(Default::default)
}

struct BusyGuard(String);
impl Drop for BusyGuard {
    fn drop(&mut self) {
        busy()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

fn lock_upload(id: &str) -> Option<BusyGuard> {
    let mut set = busy().lock().unwrap_or_else(|p| p.into_inner());
    set.insert(id.to_string())
        .then(|| BusyGuard(id.to_string()))
}

fn expires_header(upload: &Upload) -> HeaderValue {
    HeaderValue::from_str(
        &upload
            .expires_at
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
    )
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `OPTIONS /v1/uploads`: what this server supports.
#[utoipa::path(options, path = "/v1/uploads", security(()), responses((status = 204, description = "Tus-Version, Tus-Extension, Tus-Checksum-Algorithm, Tus-Max-Size")))]
pub async fn options() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    tus_headers(h);
    for (name, value) in [
        ("Tus-Version", TUS_VERSION),
        (
            "Tus-Extension",
            "creation,creation-with-upload,checksum,termination,expiration",
        ),
        ("Tus-Checksum-Algorithm", "sha1,sha256"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    h.insert("Tus-Max-Size", HeaderValue::from(MAX_SIZE));
    resp
}

/// `POST /v1/uploads`: creates an upload, optionally with its first bytes.
#[utoipa::path(post, path = "/v1/uploads", params(("Tus-Resumable" = String, Header, pattern = r"^1\.0\.0$"), ("Upload-Length" = i64, Header), ("Upload-Metadata" = String, Header, description = "须含 sha256")), request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"), responses((status = 201, description = "Location of the upload"), (status = 400, body = crate::error::ErrorBody), (status = 412, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(resp) = check_version(&headers) {
        return resp;
    }
    if header(&headers, "Upload-Defer-Length").is_some() {
        return tus_error(
            StatusCode::BAD_REQUEST,
            "不支持延后声明文件大小，请提供 Upload-Length",
        );
    }
    let Some(length) = header(&headers, "Upload-Length")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|l| *l >= 0)
    else {
        return tus_error(StatusCode::BAD_REQUEST, "缺少或无效的 Upload-Length");
    };
    if length > MAX_SIZE {
        return tus_error(StatusCode::PAYLOAD_TOO_LARGE, "文件超过服务器允许的大小");
    }
    let raw_meta = header(&headers, "Upload-Metadata")
        .unwrap_or("")
        .to_string();
    let meta = match parse_metadata(&raw_meta) {
        Ok(m) => m,
        Err(msg) => return tus_error(StatusCode::BAD_REQUEST, &msg),
    };
    let Some(sha256) = meta
        .iter()
        .find(|(k, _)| k == "sha256")
        .map(|(_, v)| v.trim().to_lowercase())
    else {
        return tus_error(
            StatusCode::BAD_REQUEST,
            "Upload-Metadata 须声明文件的 sha256",
        );
    };
    if !is_sha256_hex(&sha256) {
        return tus_error(StatusCode::BAD_REQUEST, "sha256 须为 64 位十六进制");
    }
    let upload = Upload {
        id: uuid::Uuid::now_v7().simple().to_string(),
        length,
        metadata: raw_meta,
        sha256,
        created_by: caller.person.id.clone(),
        expires_at: idle_expiry(&state),
        received: 0,
        parts: String::new(),
    };
    let stored = upload.clone();
    let quota = state.upload_quota;
    let admitted = state
        .write(move |tx| {
            let now = Utc::now();
            let open: Vec<Upload> = tx
                .uploads_by(&stored.created_by)?
                .into_iter()
                // Finished uploads keep their row (HEAD still answers) but hold nothing open.
                .filter(|u| u.expires_at > now && u.received < u.length)
                .collect();
            if open.len() >= quota.max_open {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "quota",
                    format!(
                        "未完成的上传过多（最多 {} 个），请先完成或取消已有的上传",
                        quota.max_open
                    ),
                ));
            }
            let declared: i64 = open.iter().map(|u| u.length).sum();
            if declared + stored.length > quota.max_open_bytes {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "quota",
                    format!(
                        "未完成的上传总量超过 {} MB，请先完成已有的上传",
                        quota.max_open_bytes / (1024 * 1024)
                    ),
                ));
            }
            let day = anjian_domain::hazard::china_date(now).to_string();
            let today = tx.uploaded_on(&stored.created_by, &day)?;
            if today + stored.length > quota.max_daily_bytes {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "daily_quota",
                    format!(
                        "今日上传已达上限（每人每天 {} MB），请明天再上传；未上传的照片仍保存在手机上",
                        quota.max_daily_bytes / (1024 * 1024)
                    ),
                ));
            }
            tx.add_uploaded(&stored.created_by, &day, stored.length)?;
            Ok(tx.put_upload(&stored)?)
        })
        .await;
    if let Err(e) = admitted {
        let daily = e.code == "daily_quota";
        let mut resp = e.into_response();
        tus_headers(resp.headers_mut());
        if daily {
            resp.headers_mut()
                .insert("Retry-After", HeaderValue::from(until_tomorrow(Utc::now())));
        }
        return resp;
    }
    let guard = lock_upload(&upload.id);
    let mut offset = 0;
    let mut upload = upload;
    if header(&headers, "Content-Type") == Some("application/offset+octet-stream") {
        match append(&state, &caller, &mut upload, 0, &headers, body).await {
            Ok(o) => offset = o,
            Err(resp) => return resp,
        }
    }
    drop(guard);
    let mut resp = StatusCode::CREATED.into_response();
    let h = resp.headers_mut();
    tus_headers(h);
    h.insert(
        "Location",
        HeaderValue::from_str(&format!("/v1/uploads/{}", upload.id)).expect("ascii id"),
    );
    h.insert("Upload-Offset", HeaderValue::from(offset));
    h.insert("Upload-Expires", expires_header(&upload));
    resp
}

async fn load_upload(state: &AppState, caller: &Caller, id: String) -> Result<Upload, Response> {
    let upload = state
        .read(move |tx| Ok(tx.get_upload(&id)?))
        .await
        .map_err(IntoResponse::into_response)?;
    match upload {
        Some(u) if u.created_by == caller.person.id && u.expires_at > Utc::now() => Ok(u),
        Some(u) if u.created_by == caller.person.id => {
            Err(tus_error(StatusCode::GONE, "上传已过期，请重新上传"))
        }
        _ => Err(tus_error(StatusCode::NOT_FOUND, "未找到该上传")),
    }
}

/// What every per-upload request starts with: the protocol version, the caller, and the
/// caller's own, live upload named in the path.
pub struct OwnUpload {
    caller: Caller,
    upload: Upload,
}

impl FromRequestParts<AppState> for OwnUpload {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        check_version(&parts.headers)?;
        let caller = Caller::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let UrlPath(id) = UrlPath::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let upload = load_upload(state, &caller, id).await?;
        Ok(OwnUpload { caller, upload })
    }
}

/// The upload's writer lock, or the refusal a second writer gets.
fn writer_lock(upload: &Upload) -> Result<BusyGuard, Response> {
    lock_upload(&upload.id)
        .ok_or_else(|| tus_error(StatusCode::CONFLICT, "该文件正在上传，请稍后重试"))
}

/// `HEAD /v1/uploads/{id}`: how far an upload got.
#[utoipa::path(head, path = "/v1/uploads/{id}", params(("id" = String, Path), ("Tus-Resumable" = String, Header, pattern = r"^1\.0\.0$")), responses((status = 200, description = "Upload-Offset, Upload-Length"), (status = 404, body = crate::error::ErrorBody), (status = 410, body = crate::error::ErrorBody), (status = 412, body = crate::error::ErrorBody, description = "Tus-Resumable is not 1.0.0")))]
pub async fn head(
    State(state): State<AppState>,
    OwnUpload { caller, upload }: OwnUpload,
) -> Response {
    let offset = upload.received;
    if offset == upload.length {
        // Every byte stored: make sure the blob is registered (an instance may have died
        // while finishing).
        if let Some(_guard) = lock_upload(&upload.id) {
            if let Err(resp) = finish(&state, &caller, &upload).await {
                return resp;
            }
        }
    }
    let mut resp = StatusCode::OK.into_response();
    let h = resp.headers_mut();
    tus_headers(h);
    h.insert("Upload-Offset", HeaderValue::from(offset));
    h.insert("Upload-Length", HeaderValue::from(upload.length));
    if let Ok(v) = HeaderValue::from_str(&upload.metadata) {
        h.insert("Upload-Metadata", v);
    }
    h.insert("Upload-Expires", expires_header(&upload));
    h.insert("Cache-Control", HeaderValue::from_static("no-store"));
    resp
}

/// `PATCH /v1/uploads/{id}`: appends bytes at the current offset.
#[utoipa::path(patch, path = "/v1/uploads/{id}", params(("id" = String, Path), ("Tus-Resumable" = String, Header, pattern = r"^1\.0\.0$"), ("Upload-Offset" = i64, Header), ("Upload-Checksum" = Option<String>, Header)), request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"), responses((status = 204, description = "new Upload-Offset"), (status = 404, body = crate::error::ErrorBody, description = "no such upload of the caller, or expired"), (status = 409, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody), (status = 460, body = crate::error::ErrorBody, description = "checksum mismatch"), (status = 412, body = crate::error::ErrorBody, description = "Tus-Resumable is not 1.0.0")))]
pub async fn patch(
    State(state): State<AppState>,
    OwnUpload { caller, upload }: OwnUpload,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if header(&headers, "Content-Type") != Some("application/offset+octet-stream") {
        return tus_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type 须为 application/offset+octet-stream",
        );
    }
    let Some(offset) = header(&headers, "Upload-Offset").and_then(|v| v.parse::<i64>().ok()) else {
        return tus_error(StatusCode::BAD_REQUEST, "缺少或无效的 Upload-Offset");
    };
    let _guard = match writer_lock(&upload) {
        Ok(guard) => guard,
        Err(resp) => return resp,
    };
    // Each stored part moves the expiry on: the idle time starts again.
    let mut upload = upload;
    let result = append(&state, &caller, &mut upload, offset, &headers, body).await;
    match result {
        Ok(new_offset) => {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            let h = resp.headers_mut();
            tus_headers(h);
            h.insert("Upload-Offset", HeaderValue::from(new_offset));
            h.insert("Upload-Expires", expires_header(&upload));
            resp
        }
        Err(resp) => resp,
    }
}

/// Parses an `Upload-Checksum` value (`sha1 <base64>` or `sha256 <base64>`).
pub fn parse_checksum_value(raw: &str) -> Result<(String, Vec<u8>), &'static str> {
    let (algo, value) = raw.split_once(' ').ok_or("Upload-Checksum 格式错误")?;
    if algo != "sha1" && algo != "sha256" {
        return Err("不支持的校验算法");
    }
    let digest = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| "Upload-Checksum 不是有效的 base64")?;
    Ok((algo.to_string(), digest))
}

fn parse_checksum(headers: &HeaderMap) -> Result<Option<(String, Vec<u8>)>, Response> {
    let Some(raw) = header(headers, "Upload-Checksum") else {
        return Ok(None);
    };
    parse_checksum_value(raw)
        .map(Some)
        .map_err(|m| tus_error(StatusCode::BAD_REQUEST, m))
}

/// Stores `bytes` as the upload's next part and records it (offset, part name, new
/// expiry) if no other writer moved the offset meanwhile; refuses with 409 if one did.
async fn store_part(state: &AppState, upload: &mut Upload, bytes: Vec<u8>) -> Result<(), Response> {
    if bytes.is_empty() {
        return Ok(());
    }
    let len = bytes.len() as i64;
    let from = upload.received;
    let name = state
        .blobs
        .put_part(&upload.id, from, bytes.into())
        .await
        .map_err(|e| ApiError::internal(e).into_response())?;
    let expires = idle_expiry(state);
    let (id, part) = (upload.id.clone(), name.clone());
    let recorded = state
        .write(move |tx| {
            let moved = tx.advance_upload(&id, from, from + len, &part)?;
            if moved {
                tx.touch_upload(&id, expires)?;
            }
            Ok(moved)
        })
        .await
        .map_err(IntoResponse::into_response)?;
    if !recorded {
        state.blobs.delete_part(&upload.id, &name).await;
        return Err(tus_error(
            StatusCode::CONFLICT,
            "该文件正在上传，请稍后重试",
        ));
    }
    upload.received = from + len;
    upload.expires_at = expires;
    upload.parts.push(' ');
    upload.parts.push_str(&name);
    Metrics::inc(&state.metrics.upload_bytes, len as u64);
    Ok(())
}

/// Appends a request body to an upload at `offset` and finishes the upload on its last byte.
/// Without a checksum the bytes are stored as parts as they arrive, so a dropped connection
/// keeps what came; with one, the chunk is verified first and discarded on a mismatch (460).
async fn append(
    state: &AppState,
    caller: &Caller,
    upload: &mut Upload,
    offset: i64,
    headers: &HeaderMap,
    body: Body,
) -> Result<i64, Response> {
    let checksum = parse_checksum(headers)?;
    let current = upload.received;
    if offset != current {
        return Err(tus_error(
            StatusCode::CONFLICT,
            &format!("偏移量不一致：服务器已有 {current} 字节"),
        ));
    }
    if current == upload.length {
        // Already complete: finish (idempotent) and report it.
        finish(state, caller, upload).await?;
        return Ok(current);
    }
    let mut stream = body.into_data_stream();
    let mut pending: Vec<u8> = Vec::new();
    let mut dropped = false;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            dropped = true;
            break;
        };
        if upload.received + (pending.len() + chunk.len()) as i64 > upload.length {
            if checksum.is_none() {
                store_part(state, upload, std::mem::take(&mut pending)).await?;
            }
            return Err(tus_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "上传内容超过声明的文件大小",
            ));
        }
        if checksum.is_some() && pending.len() + chunk.len() > MAX_CHECKSUM_CHUNK {
            return Err(tus_error(StatusCode::PAYLOAD_TOO_LARGE, "带校验的分片过大"));
        }
        pending.extend_from_slice(&chunk);
        if checksum.is_none() && pending.len() >= PART_BYTES {
            store_part(state, upload, std::mem::take(&mut pending)).await?;
        }
    }
    if let Some((algo, expected)) = checksum {
        if dropped {
            // An incomplete chunk cannot be verified: keep nothing of it.
            return Err(tus_error(
                StatusCode::BAD_REQUEST,
                "连接中断，分片未完整到达",
            ));
        }
        let actual = match algo.as_str() {
            "sha1" => Sha1::digest(&pending).to_vec(),
            _ => Sha256::digest(&pending).to_vec(),
        };
        if actual != expected {
            return Err(tus_error(
                StatusCode::from_u16(460).expect("valid"),
                "分片校验失败，已丢弃，请重传",
            ));
        }
    }
    store_part(state, upload, pending).await?;
    if upload.received == upload.length {
        finish(state, caller, upload).await?;
    }
    Ok(upload.received)
}

/// The last byte arrived: join the parts while hashing them, refuse a mismatch, store the
/// file content-addressed. Runs as its own task, so a client that disconnects (or a handler
/// dropped mid-way) cannot leave a complete upload unregistered; and it is idempotent, so
/// HEAD and PATCH can call it again after an instance died between the blob and its row.
async fn finish(state: &AppState, caller: &Caller, upload: &Upload) -> Result<(), Response> {
    let task = tokio::spawn(complete(state.clone(), caller.clone(), upload.clone()));
    match task.await {
        Ok(result) => result,
        Err(e) => Err(ApiError::internal(e).into_response()),
    }
}

async fn complete(state: AppState, caller: Caller, upload: Upload) -> Result<(), Response> {
    let internal = |e: crate::blobstore::Error| ApiError::internal(e).into_response();
    let parts: Vec<&str> = upload.part_names().collect();
    let joined = if parts.is_empty() {
        Err(None)
    } else {
        state
            .blobs
            .assemble(&upload.id, &parts, &upload.sha256)
            .await
            .map_err(Some)
    };
    match joined {
        Ok(Ok(())) => {}
        Ok(Err(hashed)) => {
            state.blobs.delete_upload(&upload.id).await;
            let id = upload.id.clone();
            let _ = state.write(move |tx| Ok(tx.delete_upload(&id)?)).await;
            Metrics::inc(&state.metrics.blobs_refused, 1);
            return Err(tus_error(
                StatusCode::from_u16(460).expect("valid"),
                &format!("文件内容与声明的 sha256 不符（实际 {hashed}），已拒收"),
            ));
        }
        // No parts (an empty file) or parts already joined and removed (by this or another
        // instance): the blob must be there.
        Err(None | Some(crate::blobstore::Error::NotFound { .. })) => {
            if upload.length == 0 {
                let empty = hex::encode(Sha256::digest([]));
                if upload.sha256 != empty {
                    return Err(tus_error(
                        StatusCode::from_u16(460).expect("valid"),
                        &format!("文件内容与声明的 sha256 不符（实际 {empty}），已拒收"),
                    ));
                }
                state
                    .blobs
                    .put_blob(&upload.sha256, Default::default())
                    .await
                    .map_err(internal)?;
            } else if !state
                .blobs
                .has_blob(&upload.sha256)
                .await
                .map_err(internal)?
            {
                return Err(tus_error(
                    StatusCode::CONFLICT,
                    "上传数据不完整，请重新上传",
                ));
            }
        }
        Err(Some(e)) => return Err(internal(e)),
    }
    let sha = upload.sha256.clone();
    let size = upload.length;
    let mut audience = vec![
        scope::COUNTY.to_string(),
        scope::person(&caller.person.id),
        scope::unit(&caller.person.unit_id),
    ];
    let uploader = caller.person.id.clone();
    state
        .write(move |tx| {
            if let Some(existing) = tx.get_blob(&sha)? {
                if audience.iter().all(|p| existing.audience.contains(p)) {
                    return Ok(());
                }
                audience.extend(existing.audience);
            }
            audience.sort();
            audience.dedup();
            tx.put_blob(&Blob {
                sha256: sha,
                size,
                uploaded_by: uploader,
                audience,
            })?;
            Ok(())
        })
        .await
        .map_err(IntoResponse::into_response)?;
    // The parts are no longer needed once the blob is recorded.
    state.blobs.delete_upload(&upload.id).await;
    // A photo's perceptual hashes, for finding it again as someone else's proof.
    let limit = anjian_evidence::photo::MAX_FILE_BYTES;
    let bytes = state
        .blobs
        .read_blob(&upload.sha256, limit)
        .await
        .ok()
        .flatten();
    let hashes = match bytes {
        Some(b) => tokio::task::spawn_blocking(move || crate::proof::hash_bytes(&b))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    if let Some(h) = hashes {
        let sha = upload.sha256.clone();
        state
            .write(move |tx| crate::proof::save_hashes(tx, &sha, &h))
            .await
            .map_err(IntoResponse::into_response)?;
    }
    Metrics::inc(&state.metrics.blobs_stored, 1);
    Ok(())
}

/// `DELETE /v1/uploads/{id}`: termination.
#[utoipa::path(delete, path = "/v1/uploads/{id}", params(("id" = String, Path), ("Tus-Resumable" = String, Header, pattern = r"^1\.0\.0$")), responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 412, body = crate::error::ErrorBody, description = "Tus-Resumable is not 1.0.0")))]
pub async fn terminate(
    State(state): State<AppState>,
    OwnUpload { upload, .. }: OwnUpload,
) -> Response {
    let _guard = match writer_lock(&upload) {
        Ok(guard) => guard,
        Err(resp) => return resp,
    };
    state.blobs.delete_upload(&upload.id).await;
    let id = upload.id.clone();
    if let Err(e) = state.write(move |tx| Ok(tx.delete_upload(&id)?)).await {
        return e.into_response();
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    tus_headers(resp.headers_mut());
    resp
}

/// Deletes expired uploads every ten minutes.
pub fn spawn_expiry(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = expire(&state).await {
                tracing::warn!(error = %e.message, "upload expiry failed");
            }
        }
    });
}

pub async fn expire(state: &AppState) -> ApiResult<usize> {
    let ids = state
        .write(|tx| {
            let ids = tx.expired_uploads(Utc::now())?;
            for id in &ids {
                tx.delete_upload(id)?;
            }
            Ok(ids)
        })
        .await?;
    for id in &ids {
        state.blobs.delete_upload(id).await;
    }
    Ok(ids.len())
}
