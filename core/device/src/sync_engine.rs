//! The device's sync engine: log in, push the outbox in batches, upload evidence files
//! (thumbnails, then upload copies, then originals) with tus so a killed app resumes where it
//! stopped, then pull pages of changes, each page applied with its cursor in one transaction.
//! Refused operations go to a "needs attention" list and never block the rest.

use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::Ordering;
use std::time::Duration;

use anjian_domain::inspection::Inspection;
use anjian_domain::org::Person;
use anjian_domain::sync::{
    Change, ChangeKind, OpStatus, Operation, PullResponse, PushRequest, PushResponse,
    PROTOCOL_VERSION,
};
use base64::Engine;
use chrono::{DateTime, Utc};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;

use crate::error::{Result, StoreError};
use crate::evidence_store::upsert_evidence_row;
use crate::rows::{self, HazardRow, HazardWrite};
use crate::store::{from_json, Store};

pub const PUSH_BATCH: usize = 100;
/// WAL pages between checkpoints while pulling (4 KiB pages: about 40 MB).
const PULL_CHECKPOINT_PAGES: i64 = 10_000;
pub const PULL_PAGE: i64 = 2000;
/// Bytes per PATCH. Sent without a per-chunk checksum: the server keeps whatever arrives
/// before a connection drops, so a cut wastes almost nothing; the whole file's SHA-256 is
/// verified by the server on the last byte.
pub const CHUNK: usize = 1024 * 1024;

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Push,
    Upload,
    Pull,
    Done,
}

/// Progress reported to the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub phase: Phase,
    pub records_done: u64,
    pub records_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub current_file: Option<String>,
}

/// How a sync ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    /// The server could not be reached (or failed); everything stays queued.
    Offline(String),
    /// The token expired or was revoked: log in again; nothing is lost.
    LoginRequired,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub outcome: Outcome,
    pub pushed: u64,
    pub rejected: u64,
    pub uploaded_files: u64,
    pub uploaded_bytes: u64,
    pub pulled: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SyncOptions {
    /// Upload originals too (the platform says the network is unmetered, or the user asked).
    pub include_originals: bool,
}

/// A refused operation, shown in the "needs attention" list.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionItem {
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub reason: String,
    pub at: String,
}

/// A file not yet on the server.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingFile {
    pub sha256: String,
    pub path: String,
    pub size: u64,
    pub evidence_id: String,
    /// 0 thumbnail, 1 upload copy / document, 2 original photo.
    pub priority: i64,
    pub error: Option<String>,
}

enum Stop {
    Offline(String),
    LoginRequired,
    Cancelled,
    Store(StoreError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

impl From<rusqlite::Error> for Stop {
    fn from(e: rusqlite::Error) -> Self {
        Stop::Store(e.into())
    }
}

impl From<reqwest::Error> for Stop {
    fn from(e: reqwest::Error) -> Self {
        Stop::Offline(network_message(&e))
    }
}

pub(crate) fn network_message(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "连接服务器超时".into()
    } else if e.is_connect() {
        "无法连接服务器，请检查网络".into()
    } else {
        format!("网络中断（{e}）")
    }
}

#[derive(Deserialize)]
struct LoginReply {
    token: String,
    expires_at: DateTime<Utc>,
    person: Person,
}

#[derive(Deserialize)]
struct ErrorReply {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

pub(crate) fn client() -> Client {
    Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client")
}

fn setting(tx: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set_setting(tx: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Error text from the server's JSON body, or the status.
pub(crate) fn server_message(resp: Response) -> String {
    let status = resp.status();
    resp.json::<ErrorReply>()
        .map(|e| e.error.message)
        .unwrap_or_else(|_| format!("服务器返回 {status}"))
}

/// Releases the sync claim however the sync ends (a panic included).
pub struct ReleaseOnDrop<'a>(pub &'a Store);

impl Drop for ReleaseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.release_sync();
    }
}

impl Store {
    pub(crate) fn get_setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| setting(c, key))
    }

    fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| set_setting(tx, key, value))
    }

    /// Logs in and keeps the token; the signed-in person becomes this device's profile.
    pub fn login(&self, server: &str, username: &str, password: &str) -> Result<Person> {
        let server = server.trim_end_matches('/').to_string();
        let resp = client()
            .post(format!("{server}/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .map_err(|e| StoreError::Invalid {
                field: "服务器",
                reason: network_message(&e),
            })?;
        self.note_clock(&resp);
        if !resp.status().is_success() {
            return Err(StoreError::Invalid {
                field: "登录",
                reason: server_message(resp),
            });
        }
        let reply: LoginReply = resp.json().map_err(|e| StoreError::Invalid {
            field: "登录",
            reason: e.to_string(),
        })?;
        self.set_profile(&reply.person.actor())?;
        self.write(|tx| {
            set_setting(tx, "server", &server)?;
            set_setting(tx, "token", &reply.token)?;
            set_setting(tx, "token_expires", &reply.expires_at.to_rfc3339())?;
            set_setting(tx, "username", username)
        })?;
        Ok(reply.person)
    }

    /// Records how far the device clock is from the server's (Date header), in seconds.
    fn note_clock(&self, resp: &Response) {
        if let Some(date) = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
        {
            if let Ok(server) = DateTime::parse_from_rfc2822(date) {
                let skew = (Utc::now() - server.with_timezone(&Utc)).num_seconds();
                let _ = self.put_setting("clock_skew_s", &skew.to_string());
            }
        }
    }

    /// Cancels a running sync (it stops at the next batch or chunk; nothing is lost).
    pub fn cancel_sync(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    fn authed(&self, req: RequestBuilder) -> std::result::Result<RequestBuilder, Stop> {
        let token = self.get_setting("token")?.ok_or(Stop::LoginRequired)?;
        Ok(req.bearer_auth(token))
    }

    fn check_cancel(&self) -> std::result::Result<(), Stop> {
        if self.cancel.load(Ordering::SeqCst) {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Claims the store's one sync; refused while another runs. Release with
    /// [`Store::release_sync`] (or use [`Store::sync`], which does both).
    pub fn claim_sync(&self) -> Result<()> {
        self.syncing
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .map_err(|_| StoreError::SyncRunning)?;
        self.cancel.store(false, Ordering::SeqCst);
        Ok(())
    }

    pub fn release_sync(&self) {
        self.syncing.store(false, Ordering::SeqCst);
    }

    /// Push, upload, pull. Safe to interrupt at any point (a kill, a dropped connection):
    /// the next run continues without losing or duplicating anything. One at a time: a
    /// second call while one runs is refused with [`StoreError::SyncRunning`].
    pub fn sync(&self, opts: SyncOptions, progress: &dyn Fn(Progress)) -> Result<SyncReport> {
        self.claim_sync()?;
        let _release = ReleaseOnDrop(self);
        self.sync_claimed(opts, progress)
    }

    /// The sync itself, for a caller that holds the claim.
    pub fn sync_claimed(
        &self,
        opts: SyncOptions,
        progress: &dyn Fn(Progress),
    ) -> Result<SyncReport> {
        let mut report = SyncReport {
            outcome: Outcome::Completed,
            pushed: 0,
            rejected: 0,
            uploaded_files: 0,
            uploaded_bytes: 0,
            pulled: 0,
        };
        let server = self
            .get_setting("server")?
            .ok_or_else(|| StoreError::Invalid {
                field: "服务器",
                reason: "尚未登录".into(),
            })?;
        let http = client();
        let result = (|| -> std::result::Result<(), Stop> {
            self.push(&http, &server, &mut report, progress)?;
            self.upload(&http, &server, opts, &mut report, progress)?;
            self.pull(&http, &server, &mut report, progress)?;
            Ok(())
        })();
        report.outcome = match result {
            Ok(()) => Outcome::Completed,
            Err(Stop::Offline(m)) => Outcome::Offline(m),
            Err(Stop::LoginRequired) => Outcome::LoginRequired,
            Err(Stop::Cancelled) => Outcome::Cancelled,
            Err(Stop::Store(e)) => return Err(e),
        };
        let failures = match &report.outcome {
            Outcome::Completed => {
                self.put_setting("last_sync", &Utc::now().to_rfc3339())?;
                0
            }
            _ => {
                self.get_setting("failures")?
                    .and_then(|f| f.parse::<u32>().ok())
                    .unwrap_or(0)
                    + 1
            }
        };
        self.put_setting("failures", &failures.to_string())?;
        let message = match &report.outcome {
            Outcome::Completed => String::new(),
            Outcome::Offline(m) => m.clone(),
            Outcome::LoginRequired => "登录已失效，请重新登录（本机记录不会丢失）".into(),
            Outcome::Cancelled => "同步已取消".into(),
        };
        self.put_setting("last_error", &message)?;
        progress(Progress {
            phase: Phase::Done,
            records_done: report.pushed + report.pulled,
            records_total: report.pushed + report.pulled,
            bytes_done: report.uploaded_bytes,
            bytes_total: report.uploaded_bytes,
            current_file: None,
        });
        Ok(report)
    }

    fn send(&self, req: RequestBuilder) -> std::result::Result<Response, Stop> {
        let resp = req.send()?;
        self.note_clock(&resp);
        match resp.status() {
            StatusCode::UNAUTHORIZED => Err(Stop::LoginRequired),
            StatusCode::UPGRADE_REQUIRED => {
                Err(Stop::Offline("应用版本过旧，请升级后再同步".into()))
            }
            s if s.is_server_error() => Err(Stop::Offline(server_message(resp))),
            _ => Ok(resp),
        }
    }

    fn push(
        &self,
        http: &Client,
        server: &str,
        report: &mut SyncReport,
        progress: &dyn Fn(Progress),
    ) -> std::result::Result<(), Stop> {
        let total = self.outbox_len()?;
        let device_id = self.device_id()?;
        loop {
            self.check_cancel()?;
            let batch: Vec<crate::store::OutboxEntry> =
                self.outbox()?.into_iter().take(PUSH_BATCH).collect();
            if batch.is_empty() {
                return Ok(());
            }
            let ops = batch
                .iter()
                .map(|e| -> Result<Operation> {
                    Ok(Operation {
                        op_id: e.op_id.clone(),
                        entity: e.entity.clone(),
                        entity_id: e.entity_id.clone(),
                        op: e.op.clone(),
                        payload: serde_json::from_str(&e.payload)?,
                        device_time: e.created_at,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let req = PushRequest {
                protocol: PROTOCOL_VERSION,
                device_id: device_id.clone(),
                ops,
            };
            // Gzip the batch: JSON operations shrink several times on a weak link.
            let body = gzip(&serde_json::to_vec(&req).map_err(StoreError::from)?)
                .map_err(|e| Stop::Store(e.into()))?;
            let resp = self.send(
                self.authed(http.post(format!("{server}/v1/sync/push")))?
                    .header("Content-Type", "application/json")
                    .header("Content-Encoding", "gzip")
                    .body(body),
            )?;
            if !resp.status().is_success() {
                return Err(Stop::Offline(server_message(resp)));
            }
            let reply: PushResponse = resp.json()?;
            let by_id: std::collections::HashMap<&str, &crate::store::OutboxEntry> =
                batch.iter().map(|e| (e.op_id.as_str(), e)).collect();
            self.write(|tx| {
                for r in &reply.results {
                    let Some(entry) = by_id.get(r.op_id.as_str()) else { continue };
                    if r.status == OpStatus::Rejected {
                        tx.execute(
                            "INSERT OR REPLACE INTO attention (op_id, entity, entity_id, op, payload, reason, server_row, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            params![
                                entry.op_id,
                                entry.entity,
                                entry.entity_id,
                                entry.op,
                                entry.payload,
                                r.reason.clone().unwrap_or_default(),
                                r.current.as_ref().map(|c| c.to_string()),
                                Utc::now().to_rfc3339()
                            ],
                        )?;
                        report.rejected += 1;
                    } else {
                        report.pushed += 1;
                    }
                    tx.execute("DELETE FROM outbox WHERE op_id = ?1", [&entry.op_id])?;
                    // The server's row after this operation is the truth, once nothing else
                    // of this record waits to be pushed.
                    if let Some(current) = &r.current {
                        if !pending(tx, &entry.entity_id)? {
                            let change = Change {
                                seq: 0,
                                entity: entry.entity.clone(),
                                entity_id: entry.entity_id.clone(),
                                kind: ChangeKind::Upsert,
                                version: 0,
                                data: Some(serde_json::value::to_raw_value(current)?),
                            };
                            apply_change(tx, &change, None, true)?;
                        }
                    }
                }
                Ok(())
            })?;
            progress(Progress {
                phase: Phase::Push,
                records_done: report.pushed + report.rejected,
                records_total: total,
                bytes_done: 0,
                bytes_total: 0,
                current_file: None,
            });
        }
    }

    /// Files not yet on the server, in upload order.
    pub fn pending_files(&self, include_originals: bool) -> Result<Vec<PendingFile>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT sha256, path, size, evidence_id, priority, error FROM upload_queue
                 WHERE done = 0 AND (?1 OR priority < 2) ORDER BY priority, rowid",
            )?;
            let rows = stmt.query_map([include_originals], |r| {
                Ok(PendingFile {
                    sha256: r.get(0)?,
                    path: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    evidence_id: r.get(3)?,
                    priority: r.get(4)?,
                    error: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn upload(
        &self,
        http: &Client,
        server: &str,
        opts: SyncOptions,
        report: &mut SyncReport,
        progress: &dyn Fn(Progress),
    ) -> std::result::Result<(), Stop> {
        let files = self.pending_files(opts.include_originals)?;
        let bytes_total: u64 = files.iter().map(|f| f.size).sum();
        let mut bytes_done = 0u64;
        for (i, file) in files.iter().enumerate() {
            self.check_cancel()?;
            let report_progress = |done: u64| {
                progress(Progress {
                    phase: Phase::Upload,
                    records_done: i as u64,
                    records_total: files.len() as u64,
                    bytes_done: done,
                    bytes_total,
                    current_file: Some(file.path.clone()),
                })
            };
            let sent = self.upload_one(http, server, file, &|n| report_progress(bytes_done + n))?;
            bytes_done += file.size;
            report.uploaded_files += 1;
            report.uploaded_bytes += sent;
        }
        Ok(())
    }

    /// Uploads one file (HEAD first: the server may have it already). Returns bytes sent.
    fn upload_one(
        &self,
        http: &Client,
        server: &str,
        file: &PendingFile,
        progress: &dyn Fn(u64),
    ) -> std::result::Result<u64, Stop> {
        let head =
            self.send(self.authed(http.head(format!("{server}/v1/blobs/{}", file.sha256)))?)?;
        if head.status() == StatusCode::OK {
            self.write(|tx| {
                Ok(tx.execute(
                    "UPDATE upload_queue SET done = 1 WHERE sha256 = ?1",
                    [&file.sha256],
                )?)
            })?;
            return Ok(0);
        }
        let stored_url: Option<String> = self.read(|c| {
            Ok(c.query_row(
                "SELECT url FROM upload_queue WHERE sha256 = ?1",
                [&file.sha256],
                |r| r.get(0),
            )?)
        })?;
        let mut offset: Option<u64> = None;
        let mut url = stored_url;
        if let Some(u) = &url {
            let resp = self.send(
                self.authed(http.head(format!("{server}{u}")))?
                    .header("Tus-Resumable", "1.0.0"),
            )?;
            if resp.status() == StatusCode::OK {
                offset = resp
                    .headers()
                    .get("Upload-Offset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
            } else {
                url = None;
            }
        }
        let url = match (url, offset) {
            (Some(u), Some(_)) => u,
            _ => {
                let meta = format!(
                    "sha256 {},filename {}",
                    base64::engine::general_purpose::STANDARD.encode(&file.sha256),
                    base64::engine::general_purpose::STANDARD.encode(
                        std::path::Path::new(&file.path)
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default()
                    )
                );
                let resp = self.send(
                    self.authed(http.post(format!("{server}/v1/uploads")))?
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", file.size.to_string())
                        .header("Upload-Metadata", meta),
                )?;
                if resp.status() != StatusCode::CREATED {
                    let message = server_message(resp);
                    self.write(|tx| {
                        Ok(tx.execute(
                            "UPDATE upload_queue SET error = ?2 WHERE sha256 = ?1",
                            params![file.sha256, message],
                        )?)
                    })?;
                    return Err(Stop::Offline(message));
                }
                let location = resp
                    .headers()
                    .get("Location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                // Store the URL before sending bytes: a killed app resumes this upload.
                self.write(|tx| {
                    Ok(tx.execute(
                        "UPDATE upload_queue SET url = ?2 WHERE sha256 = ?1",
                        params![file.sha256, location],
                    )?)
                })?;
                offset = Some(0);
                location
            }
        };
        let mut offset = offset.unwrap_or(0);
        let mut f = std::fs::File::open(&file.path).map_err(|e| Stop::Store(e.into()))?;
        let mut sent = 0u64;
        let mut buf = vec![0u8; CHUNK];
        while offset < file.size {
            self.check_cancel()?;
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| Stop::Store(e.into()))?;
            let n = read_full(&mut f, &mut buf).map_err(|e| Stop::Store(e.into()))?;
            if n == 0 {
                return Err(Stop::Store(StoreError::Invalid {
                    field: "证据文件",
                    reason: format!("{} 比记录的短", file.path),
                }));
            }
            let chunk = &buf[..n];
            let resp = self.send(
                self.authed(http.patch(format!("{server}{url}")))?
                    .header("Tus-Resumable", "1.0.0")
                    .header("Upload-Offset", offset.to_string())
                    .header("Content-Type", "application/offset+octet-stream")
                    .body(chunk.to_vec()),
            )?;
            sent += n as u64;
            match resp.status() {
                StatusCode::NO_CONTENT => {
                    offset = resp
                        .headers()
                        .get("Upload-Offset")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(offset + n as u64);
                    progress(offset);
                }
                StatusCode::CONFLICT => {
                    // Out of step (an earlier chunk landed after all): ask where we are.
                    let head = self.send(
                        self.authed(http.head(format!("{server}{url}")))?
                            .header("Tus-Resumable", "1.0.0"),
                    )?;
                    offset = head
                        .headers()
                        .get("Upload-Offset")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                }
                s if s.as_u16() == 460 && offset + n as u64 >= file.size => {
                    // The whole file does not hash to its name: the local copy is damaged.
                    let message = server_message(resp);
                    self.write(|tx| {
                        Ok(tx.execute(
                            "UPDATE upload_queue SET error = ?2, url = NULL WHERE sha256 = ?1",
                            params![file.sha256, message],
                        )?)
                    })?;
                    return Ok(sent);
                }
                s if s.as_u16() == 460 => continue,
                StatusCode::NOT_FOUND | StatusCode::GONE => {
                    self.write(|tx| {
                        Ok(tx.execute(
                            "UPDATE upload_queue SET url = NULL WHERE sha256 = ?1",
                            [&file.sha256],
                        )?)
                    })?;
                    return Err(Stop::Offline("上传已过期，下次同步将重新上传".into()));
                }
                _ => return Err(Stop::Offline(server_message(resp))),
            }
        }
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE upload_queue SET done = 1, error = NULL WHERE sha256 = ?1",
                [&file.sha256],
            )?)
        })?;
        Ok(sent)
    }

    /// Fetches one page after `cursor`.
    fn fetch_page(
        &self,
        http: &Client,
        server: &str,
        cursor: &str,
    ) -> std::result::Result<PulledPage, Stop> {
        let resp = self.send(
            self.authed(http.get(format!("{server}/v1/sync/pull")))?
                .query(&[("cursor", cursor), ("limit", &PULL_PAGE.to_string())]),
        )?;
        if matches!(resp.status(), StatusCode::BAD_REQUEST | StatusCode::GONE) && !cursor.is_empty()
        {
            // The server cannot continue this cursor (malformed, or from another database):
            // start over from the beginning; the outbox and local evidence are kept, and
            // replayed records apply by version.
            drop(resp);
            self.put_setting("cursor", "")?;
            return self.fetch_page(http, server, "");
        }
        if !resp.status().is_success() {
            return Err(Stop::Offline(server_message(resp)));
        }
        let page: PullResponse = resp.json()?;
        Ok(PulledPage::prepare(page)?)
    }

    /// Pulls every page. While one page is applied (with its cursor, in one transaction), the
    /// next is already being fetched and parsed, so the network, the server and the device's
    /// database work side by side.
    fn pull(
        &self,
        http: &Client,
        server: &str,
        report: &mut SyncReport,
        progress: &dyn Fn(Progress),
    ) -> std::result::Result<(), Stop> {
        self.check_cancel()?;
        let cursor = self.get_setting("cursor")?.unwrap_or_default();
        let mut page = self.fetch_page(http, server, &cursor)?;
        // A large pull checkpoints the WAL every ~40 MB instead of every 4 MB: fewer fsyncs
        // of the database file while pages stream in; the default comes back afterwards.
        self.write(|tx| {
            Ok(tx.pragma_update(None, "wal_autocheckpoint", PULL_CHECKPOINT_PAGES)?)
        })?;
        let result = self.pull_pages(http, server, &mut page, report, progress);
        // The pull's own outcome comes first; a failed reset is reported only after success.
        let restored = self.write(|tx| Ok(tx.pragma_update(None, "wal_autocheckpoint", 1000)?));
        result?;
        Ok(restored?)
    }

    fn pull_pages(
        &self,
        http: &Client,
        server: &str,
        page: &mut PulledPage,
        report: &mut SyncReport,
        progress: &dyn Fn(Progress),
    ) -> std::result::Result<(), Stop> {
        loop {
            self.check_cancel()?;
            let (applied, next) = std::thread::scope(|scope| {
                let prefetch = page
                    .has_more
                    .then(|| scope.spawn(|| self.fetch_page(http, server, &page.cursor)));
                let applied = self.write(|tx| apply_page(tx, page));
                let next = prefetch.map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Stop::Offline("同步线程异常".into())))
                });
                (applied, next)
            });
            applied?;
            report.pulled += page.len() as u64;
            progress(Progress {
                phase: Phase::Pull,
                records_done: report.pulled,
                records_total: report.pulled + if page.has_more { PULL_PAGE as u64 } else { 0 },
                bytes_done: 0,
                bytes_total: 0,
                current_file: None,
            });
            match next {
                None => return Ok(()),
                Some(next) => *page = next?,
            }
        }
    }

    pub fn attention(&self) -> Result<Vec<AttentionItem>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT op_id, entity, entity_id, op, reason, at FROM attention ORDER BY at",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(AttentionItem {
                    op_id: r.get(0)?,
                    entity: r.get(1)?,
                    entity_id: r.get(2)?,
                    op: r.get(3)?,
                    reason: r.get(4)?,
                    at: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The user has seen a refused operation: drop it from the list.
    pub fn dismiss_attention(&self, op_id: &str) -> Result<()> {
        self.write(|tx| {
            Ok(tx
                .execute("DELETE FROM attention WHERE op_id = ?1", [op_id])
                .map(|_| ())?)
        })
    }

    /// Settings the status screen shows: last sync, last error, clock skew, failures.
    pub fn sync_setting(&self, key: &str) -> Result<Option<String>> {
        self.get_setting(key)
    }
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(bytes)?;
    enc.finish()
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

/// A pulled page, prepared on the fetching thread while the previous page is applied:
/// hazards (most of any working set) arrive with their columns read, so applying them is
/// only SQL.
pub(crate) struct PulledPage {
    cursor: String,
    has_more: bool,
    changes: Vec<(Change, Option<HazardRow>)>,
}

impl PulledPage {
    fn prepare(page: PullResponse) -> Result<PulledPage> {
        let changes = page
            .changes
            .into_iter()
            .map(|c| {
                let row = match (&c.data, c.entity.as_str(), c.kind) {
                    (Some(d), "hazard", ChangeKind::Upsert) => Some(HazardRow::parse(d.get())?),
                    _ => None,
                };
                Ok((c, row))
            })
            .collect::<Result<_>>()?;
        Ok(PulledPage {
            cursor: page.cursor,
            has_more: page.has_more,
            changes,
        })
    }

    fn len(&self) -> usize {
        self.changes.len()
    }
}

fn pending(tx: &Transaction, entity_id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE entity_id = ?1)")?
        .query_row([entity_id], |r| r.get(0))?)
}

/// Applies one pulled page and its cursor, in the caller's transaction. Records with local
/// changes still to push are left alone (they are pushed, then pulled again); older versions
/// never overwrite newer ones, so a replayed page changes nothing.
fn apply_page(tx: &Transaction, page: &PulledPage) -> Result<()> {
    // Records with operations waiting in the outbox (read once per page).
    let waiting: std::collections::HashSet<String> = {
        let mut stmt = tx.prepare_cached("SELECT DISTINCT entity_id FROM outbox")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (change, hazard) in &page.changes {
        if !waiting.contains(&change.entity_id) {
            apply_change(tx, change, hazard.as_ref(), false)?;
        }
    }
    set_setting(tx, "cursor", &page.cursor)?;
    Ok(())
}

/// Applies one change. `force` replaces the local row even when its version is not older:
/// used for the server's answer to this device's own operations, which is the truth.
fn apply_change(
    tx: &Transaction,
    change: &Change,
    prepared: Option<&HazardRow>,
    force: bool,
) -> Result<()> {
    let id = change.entity_id.as_str();
    if change.kind == ChangeKind::Remove {
        match change.entity.as_str() {
            "site" => {
                tx.prepare_cached("DELETE FROM sites WHERE id = ?1")?
                    .execute([id])?;
            }
            "hazard" => {
                tx.prepare_cached("DELETE FROM hazard_events WHERE hazard_id = ?1")?
                    .execute([id])?;
                tx.prepare_cached("DELETE FROM hazards WHERE id = ?1")?
                    .execute([id])?;
            }
            "inspection" => {
                tx.prepare_cached("DELETE FROM inspection_results WHERE inspection_id = ?1")?
                    .execute([id])?;
                tx.prepare_cached("DELETE FROM inspections WHERE id = ?1")?
                    .execute([id])?;
            }
            "evidence" => {
                tx.prepare_cached("DELETE FROM evidence WHERE id = ?1")?
                    .execute([id])?;
            }
            "unit" => {
                tx.prepare_cached("DELETE FROM units WHERE id = ?1")?
                    .execute([id])?;
            }
            other => {
                tx.prepare_cached("DELETE FROM pulled_records WHERE entity = ?1 AND id = ?2")?
                    .execute([other, id])?;
            }
        }
        return Ok(());
    }
    let Some(raw) = &change.data else {
        return Ok(());
    };
    let data = raw.get();
    match change.entity.as_str() {
        "site" => rows::upsert_site(tx, &serde_json::from_str(data)?, data)?,
        "unit" => rows::upsert_unit(tx, &serde_json::from_str(data)?, data)?,
        "inspection" => {
            let i: Inspection = serde_json::from_str(data)?;
            rows::upsert_inspection_with_results(tx, &i)?;
        }
        "hazard" => {
            let parsed;
            let h = match prepared {
                Some(h) => h,
                None => {
                    parsed = HazardRow::parse(data)?;
                    &parsed
                }
            };
            let how = if force {
                HazardWrite::ServerTruth
            } else {
                HazardWrite::Pulled
            };
            rows::upsert_hazard(tx, h, how)?;
        }
        "evidence" => {
            let rec: anjian_domain::evidence::EvidenceRecord = serde_json::from_str(data)?;
            upsert_evidence_row(tx, &rec)?;
        }
        other => {
            if other == "checklist" {
                // A version published by the office: new inspections use it from now on.
                crate::store::publish_checklist_doc(&serde_json::from_str(data)?);
            }
            tx.prepare_cached("INSERT INTO pulled_records (entity, id, version, data) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(entity, id) DO UPDATE SET version = excluded.version, data = excluded.data
                     WHERE excluded.version >= pulled_records.version")?.execute(params![other, id, change.version, data],
                )?;
        }
    }
    Ok(())
}

/// Records the device keeps as pulled (people, patrol plans, meetings of others...).
pub fn pulled<T: serde::de::DeserializeOwned>(store: &Store, entity: &str) -> Result<Vec<T>> {
    store.read(|c| {
        let mut stmt =
            c.prepare("SELECT data FROM pulled_records WHERE entity = ?1 ORDER BY id")?;
        let rows = stmt.query_map([entity], |r| r.get::<_, String>(0))?;
        rows.map(|r| from_json(&r?)).collect()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{channel, Receiver, Sender};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use crate::error::AnjianError;
    use crate::ffi::{AnjianStore, SyncObserver, SyncOutcome, SyncPhase, SyncProgress, SyncResult};

    /// Holds the sync at its last progress report until the test lets it go.
    struct Gate {
        entered: Mutex<Sender<()>>,
        go: Mutex<Receiver<()>>,
        ended: Mutex<Sender<Result<SyncResult, String>>>,
    }

    impl SyncObserver for Gate {
        fn on_progress(&self, p: SyncProgress) {
            if matches!(p.phase, SyncPhase::Done) {
                self.entered.lock().unwrap().send(()).unwrap();
                self.go.lock().unwrap().recv().unwrap();
            }
        }
        fn on_finished(&self, result: SyncResult) {
            self.ended.lock().unwrap().send(Ok(result)).unwrap();
        }
        fn on_failed(&self, message: String) {
            self.ended.lock().unwrap().send(Err(message)).unwrap();
        }
    }

    #[test]
    fn one_sync_at_a_time_on_the_background_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db").display().to_string();
        let store = AnjianStore::open(path).unwrap();
        // A server is known but nobody is signed in: the sync ends asking for a login.
        store
            .inner()
            .put_setting("server", "http://127.0.0.1:9")
            .unwrap();
        let (entered_tx, entered) = channel();
        let (go, go_rx) = channel();
        let (ended_tx, ended) = channel();
        let gate = Arc::new(Gate {
            entered: Mutex::new(entered_tx),
            go: Mutex::new(go_rx),
            ended: Mutex::new(ended_tx),
        });
        let task = store.start_sync(false, gate.clone()).unwrap();
        entered.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(!task.is_finished());

        // While it runs, neither a second background sync nor a foreground one starts.
        let Err(second) = store.start_sync(false, gate.clone()) else {
            panic!("a second sync started");
        };
        assert!(
            matches!(&second, AnjianError::NotAllowed(m) if m.contains("正在同步")),
            "{second:?}"
        );
        assert!(matches!(
            store.sync_now(false, None),
            Err(AnjianError::NotAllowed(_))
        ));

        go.send(()).unwrap();
        task.join();
        assert!(task.is_finished());
        let result = ended
            .recv_timeout(Duration::from_secs(30))
            .unwrap()
            .unwrap();
        assert!(
            matches!(result.outcome, SyncOutcome::LoginRequired),
            "{result:?}"
        );

        // The claim was released: the next sync runs (and is told the same).
        let task = store.start_sync(false, gate.clone()).unwrap();
        entered.recv_timeout(Duration::from_secs(30)).unwrap();
        go.send(()).unwrap();
        task.join();
        let result = ended
            .recv_timeout(Duration::from_secs(30))
            .unwrap()
            .unwrap();
        assert!(matches!(result.outcome, SyncOutcome::LoginRequired));
        assert_eq!(store.sync_status().unwrap().failures, 2);
    }
}
