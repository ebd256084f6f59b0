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

mod pull;
mod upload;

pub use pull::pulled;
use pull::{apply_change, pending};
pub use upload::CHUNK;

pub const PUSH_BATCH: usize = 100;
/// WAL pages between checkpoints while pulling (4 KiB pages: about 40 MB).
const PULL_CHECKPOINT_PAGES: i64 = 10_000;
pub const PULL_PAGE: i64 = 2000;

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

/// One sync run: its connection to the server, its tally and whom it tells how far it is;
/// handed through the push, the upload and the pull.
pub(crate) struct Run<'a> {
    http: Client,
    server: String,
    report: SyncReport,
    progress: &'a dyn Fn(Progress),
}

impl Run<'_> {
    /// Tells how many records of a phase are done (the push's and the pull's progress).
    fn records(&self, phase: Phase, done: u64, total: u64) {
        (self.progress)(Progress {
            phase,
            records_done: done,
            records_total: total,
            bytes_done: 0,
            bytes_total: 0,
            current_file: None,
        });
    }
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

/// A refused operation, shown in the "needs attention" list (需处理).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AttentionItem {
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub reason: String,
    pub at: String,
}

/// A file not yet on the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

/// The setting holding the county's public key for site codes (hex).
pub(crate) const SITE_CODE_KEY: &str = "site_code_key";

impl Store {
    pub(crate) fn get_setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| setting(c, key))
    }

    pub(crate) fn put_setting(&self, key: &str, value: &str) -> Result<()> {
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
        self.keep_session(&server, Some(username), resp)
    }

    /// Keeps the session a login answered with (the password login's and the unified
    /// identity's alike): the person becomes this device's profile, the token is saved, and
    /// the county's key for site codes is fetched.
    pub(crate) fn keep_session(
        &self,
        server: &str,
        username: Option<&str>,
        resp: Response,
    ) -> Result<Person> {
        let reply: LoginReply = resp.json().map_err(|e| StoreError::Invalid {
            field: "登录",
            reason: e.to_string(),
        })?;
        self.set_profile(&reply.person.actor())?;
        self.remember_own_person(&reply.person)?;
        self.write(|tx| {
            set_setting(tx, "server", server)?;
            set_setting(tx, "token", &reply.token)?;
            set_setting(tx, "token_expires", &reply.expires_at.to_rfc3339())?;
            match username {
                Some(u) => set_setting(tx, "username", u),
                None => Ok(()),
            }
        })?;
        // The county's public key for site codes (扫码入企), so scans verify offline. A
        // server without it leaves scanning unavailable, not the login.
        let key = client()
            .get(format!("{server}/v1/site-code/key"))
            .bearer_auth(&reply.token)
            .send()
            .ok()
            .filter(|r| r.status().is_success())
            .and_then(|r| r.json::<serde_json::Value>().ok())
            .and_then(|v| v["public_key"].as_str().map(str::to_string));
        if let Some(key) = key.filter(|k| anjian_domain::site_code::public_key_from_hex(k).is_ok())
        {
            self.put_setting(SITE_CODE_KEY, &key)?;
        }
        Ok(reply.person)
    }

    /// Records how far the device clock is from the server's (Date header), in seconds.
    pub(crate) fn note_clock(&self, resp: &Response) {
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
        let server = self
            .get_setting("server")?
            .ok_or_else(|| StoreError::Invalid {
                field: "服务器",
                reason: "尚未登录".into(),
            })?;
        let mut run = Run {
            http: client(),
            server,
            report: SyncReport {
                outcome: Outcome::Completed,
                pushed: 0,
                rejected: 0,
                uploaded_files: 0,
                uploaded_bytes: 0,
                pulled: 0,
            },
            progress,
        };
        let result = (|| -> std::result::Result<(), Stop> {
            self.push(&mut run)?;
            self.upload(opts, &mut run)?;
            self.pull(&mut run)?;
            Ok(())
        })();
        let mut report = run.report;
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

    fn push(&self, run: &mut Run<'_>) -> std::result::Result<(), Stop> {
        let total = self.outbox_len()?;
        let (http, server) = (&run.http, run.server.as_str());
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
                        run.report.rejected += 1;
                    } else {
                        run.report.pushed += 1;
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
            run.records(Phase::Push, run.report.pushed + run.report.rejected, total);
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
