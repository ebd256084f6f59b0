//! Sign-in and sync: the background task, its observer, and the sync screen's state.

use super::*;

/// Where a sync is.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum SyncPhase {
    Push,
    Upload,
    Pull,
    Done,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub records_done: u64,
    pub records_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub current_file: Option<String>,
}

/// What the app hears from a sync (`start_sync`, or `sync_now` with an observer).
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
    /// The sync ended (completed, offline, login required or cancelled).
    fn on_finished(&self, result: SyncResult);
    /// Local storage failed during the sync (or the sync itself broke); the message is for
    /// the user. Every sync ends with exactly one `on_finished` or `on_failed`.
    fn on_failed(&self, message: String);
}

/// A running sync started with `start_sync`.
#[derive(uniffi::Object)]
pub struct SyncTask {
    store: Arc<Store>,
    finished: Arc<std::sync::atomic::AtomicBool>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[uniffi::export]
impl SyncTask {
    /// Stops this sync at its next step; what was done stays done, the rest stays queued.
    pub fn cancel(&self) {
        if !self.is_finished() {
            self.store.cancel_sync();
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Blocks until the sync has ended and its observer has been told. (Not `wait`: that
    /// name belongs to every JVM object.)
    pub fn join(&self) {
        let Ok(mut slot) = self.thread.lock() else {
            return;
        };
        // From the observer itself (on the sync thread) there is nothing to wait for.
        if slot
            .as_ref()
            .is_some_and(|t| t.thread().id() == std::thread::current().id())
        {
            return;
        }
        if let Some(t) = slot.take() {
            let _ = t.join();
        }
    }
}

impl From<crate::sync_engine::Progress> for SyncProgress {
    fn from(p: crate::sync_engine::Progress) -> Self {
        use crate::sync_engine::Phase;
        SyncProgress {
            phase: match p.phase {
                Phase::Push => SyncPhase::Push,
                Phase::Upload => SyncPhase::Upload,
                Phase::Pull => SyncPhase::Pull,
                Phase::Done => SyncPhase::Done,
            },
            records_done: p.records_done,
            records_total: p.records_total,
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
            current_file: p.current_file,
        }
    }
}

impl From<crate::sync_engine::SyncReport> for SyncResult {
    fn from(report: crate::sync_engine::SyncReport) -> Self {
        use crate::sync_engine::Outcome;
        SyncResult {
            outcome: match report.outcome {
                Outcome::Completed => SyncOutcome::Completed,
                Outcome::Offline(message) => SyncOutcome::Offline { message },
                Outcome::LoginRequired => SyncOutcome::LoginRequired,
                Outcome::Cancelled => SyncOutcome::Cancelled,
            },
            pushed: report.pushed,
            rejected: report.rejected,
            uploaded_files: report.uploaded_files,
            uploaded_bytes: report.uploaded_bytes,
            pulled: report.pulled,
        }
    }
}

#[derive(Debug, Clone, uniffi::Enum)]
pub enum SyncOutcome {
    Completed,
    /// The server is unreachable or failing; everything stays queued.
    Offline {
        message: String,
    },
    /// Log in again; nothing recorded is lost.
    LoginRequired,
    Cancelled,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncResult {
    pub outcome: SyncOutcome,
    pub pushed: u64,
    pub rejected: u64,
    pub uploaded_files: u64,
    pub uploaded_bytes: u64,
    pub pulled: u64,
}

/// What the sync screen shows.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub pending_changes: u64,
    pub pending_files: u64,
    pub pending_bytes: u64,
    pub needs_attention: u64,
    pub last_sync: Option<String>,
    /// The last failure, in Chinese (empty after a good sync).
    pub last_error: Option<String>,
    /// Device clock minus server clock, seconds; more than 300 either way is shown as wrong.
    pub clock_skew_seconds: Option<i64>,
    /// Consecutive failed syncs; the app backs off `min(2^n, 60)` minutes.
    pub failures: u32,
}

/// An operation the server refused, with its reason in Chinese (the engine's own record).
pub use crate::sync_engine::AttentionItem as AttentionRecord;

pub use crate::sync_engine::PendingFile;

#[uniffi::export]
impl AnjianStore {
    /// Logs in to the county server; the signed-in person becomes this device's profile.
    pub fn login(&self, server: String, username: String, password: String) -> FfiResult<Profile> {
        Ok(self.inner.login(&server, &username, &password)?.into())
    }

    /// Push, upload, pull, on the calling thread (call it from a background thread; or use
    /// `start_sync`, which runs it on the store's sync thread).
    /// `include_originals`: the network is unmetered, or the user asked for originals now.
    pub fn sync_now(
        &self,
        include_originals: bool,
        observer: Option<Arc<dyn SyncObserver>>,
    ) -> FfiResult<SyncResult> {
        let outcome = self.inner.sync(
            crate::sync_engine::SyncOptions { include_originals },
            &|p| {
                if let Some(o) = &observer {
                    o.on_progress(p.into());
                }
            },
        );
        match outcome {
            Ok(report) => {
                let result: SyncResult = report.into();
                if let Some(o) = &observer {
                    o.on_finished(result.clone());
                }
                Ok(result)
            }
            Err(e) => {
                let e = AnjianError::from(e);
                if let Some(o) = &observer {
                    o.on_failed(e.to_string());
                }
                Err(e)
            }
        }
    }

    /// Starts a sync on a background thread and returns at once: progress and the end come
    /// to `observer`; the handle cancels it. Refused (NotAllowed) while another sync of this
    /// store runs, so a tap on 同步 during an automatic sync cannot start a second one.
    pub fn start_sync(
        &self,
        include_originals: bool,
        observer: Arc<dyn SyncObserver>,
    ) -> FfiResult<Arc<SyncTask>> {
        self.inner.claim_sync()?;
        let store = Arc::clone(&self.inner);
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = Arc::clone(&finished);
        let spawned = std::thread::Builder::new()
            .name("anjian-sync".into())
            .spawn(move || {
                // A panic in the sync still ends in a report to the observer.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let _release = crate::sync_engine::ReleaseOnDrop(&store);
                    store.sync_claimed(
                        crate::sync_engine::SyncOptions { include_originals },
                        &|p| observer.on_progress(p.into()),
                    )
                }));
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                match outcome {
                    Ok(Ok(report)) => observer.on_finished(report.into()),
                    Ok(Err(e)) => observer.on_failed(AnjianError::from(e).to_string()),
                    Err(_) => observer
                        .on_failed("同步意外中断，未上传的记录都已保留，请稍后重试".to_string()),
                }
            });
        match spawned {
            Ok(thread) => Ok(Arc::new(SyncTask {
                store: Arc::clone(&self.inner),
                finished,
                thread: std::sync::Mutex::new(Some(thread)),
            })),
            Err(e) => {
                self.inner.release_sync();
                Err(AnjianError::Storage(format!("无法启动同步：{e}")))
            }
        }
    }

    /// Stops a running sync at its next step (from any thread).
    pub fn cancel_sync(&self) {
        self.inner.cancel_sync();
    }

    pub fn sync_status(&self) -> FfiResult<SyncStatus> {
        let s = &self.inner;
        let files = s.pending_files(true)?;
        let setting = |k: &str| -> FfiResult<Option<String>> {
            Ok(s.sync_setting(k)?.filter(|v| !v.is_empty()))
        };
        Ok(SyncStatus {
            signed_in: setting("token")?.is_some(),
            pending_changes: s.outbox_len()?,
            pending_files: files.len() as u64,
            pending_bytes: files.iter().map(|f| f.size).sum(),
            needs_attention: s.attention()?.len() as u64,
            last_sync: setting("last_sync")?,
            last_error: setting("last_error")?,
            clock_skew_seconds: setting("clock_skew_s")?.and_then(|v| v.parse().ok()),
            failures: setting("failures")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        })
    }

    /// Operations the server refused ("needs attention").
    pub fn attention(&self) -> FfiResult<Vec<AttentionRecord>> {
        Ok(self.inner.attention()?)
    }

    pub fn dismiss_attention(&self, op_id: String) -> FfiResult<()> {
        Ok(self.inner.dismiss_attention(&op_id)?)
    }

    /// Evidence files not yet on the server (what verification is waiting for).
    pub fn pending_files(&self) -> FfiResult<Vec<PendingFile>> {
        Ok(self.inner.pending_files(true)?)
    }
}

#[uniffi::export]
impl AnjianStore {
    /// Operations recorded here and not yet accepted by the server.
    pub fn pending_changes(&self) -> FfiResult<u64> {
        Ok(self.inner.outbox_len()?)
    }
}
