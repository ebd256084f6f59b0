//! The anjian server: accounts and org-scoped access, sync, resumable evidence upload, and
//! the county office's views. Embedded SQLite and a data folder by default; PostgreSQL when
//! `DATABASE_URL` is set.

pub mod account_rules;
pub mod accountability;
pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod blobstore;
pub mod demo;
pub mod demo_activity;
pub mod demo_complaints;
pub mod demo_mechanism;
pub mod demo_parties;
pub mod error;
pub mod import;
pub mod legacy_uploads;
pub mod listen;
pub mod metrics;
pub mod monthly;
pub mod oidc;
pub mod parties;
pub mod phones;
pub mod proof;
pub mod proxies;
pub mod ratelimit;
pub mod records;
pub mod reminders;
pub mod scope;
pub mod security_headers;
pub mod site_code;
pub mod storage;
pub mod sync;
pub mod tus;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Duration;

use anjian_domain::checklist::ChecklistRegistry;

use crate::error::ApiError;
use crate::storage::{Db, StorageError, Tx};

/// How the server is started.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL instead of the embedded SQLite file.
    pub database_url: Option<String>,
    pub demo: bool,
    /// With `demo`: also seed last month's and this month's activity into the new county.
    pub demo_activity: bool,
    pub token_ttl: Duration,
    /// Largest request body outside uploads.
    pub max_body_bytes: usize,
    pub request_timeout: std::time::Duration,
    /// Header-read timeout, connection cap, slow-body rule.
    pub conn_limits: listen::ConnLimits,
    /// Login throttling and concurrent password hashing.
    pub login_limits: ratelimit::LoginLimits,
    /// `/metrics` on the main address needs `Authorization: Bearer <this>`; without it (and
    /// without `metrics_listen`) `/metrics` is not served.
    pub metrics_token: Option<String>,
    /// A separate address (e.g. loopback) serving only `/metrics`, without a token.
    pub metrics_listen: Option<SocketAddr>,
    /// Per-user tus limits: open uploads and their declared bytes.
    pub upload_quota: tus::UploadQuota,
    /// Run the reminder engine (off until the office turns it on: `anjian reminders` shows
    /// what it would send).
    pub reminders: bool,
    /// The console's address as people open it, for links in chat messages.
    pub public_url: Option<String>,
    /// Hosts a unit's group chat robot may post to besides the 钉钉 and 企业微信 robot hosts
    /// (`ANJIAN_WEBHOOK_HOSTS`, comma-separated: a county's own relay, loopback in tests).
    pub webhook_hosts: Vec<String>,
    /// Reminders by SMS (`ANJIAN_SMS_*`): none, off.
    pub sms: Option<reminders::sms::SmsConfig>,
    /// Where evidence files and upload parts are kept: the data folder, or S3.
    pub blobs: blobstore::BlobConfig,
    /// Sign-in through a province's unified identity (OpenID Connect), besides the built-in
    /// accounts.
    pub oidc: Option<oidc::OidcConfig>,
}

impl Config {
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Config {
        Config {
            listen,
            data_dir,
            database_url: None,
            demo: false,
            demo_activity: false,
            token_ttl: Duration::hours(4),
            max_body_bytes: 8 * 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(60),
            conn_limits: listen::ConnLimits::default(),
            login_limits: ratelimit::LoginLimits::default(),
            metrics_token: None,
            metrics_listen: None,
            upload_quota: tus::UploadQuota::default(),
            reminders: false,
            public_url: None,
            webhook_hosts: Vec::new(),
            sms: None,
            blobs: blobstore::BlobConfig::default(),
            oidc: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    pub data_dir: Arc<PathBuf>,
    /// Evidence files and the parts of unfinished uploads.
    pub blobs: blobstore::BlobStore,
    pub token_ttl: Duration,
    pub metrics: Arc<metrics::Metrics>,
    pub login: Arc<ratelimit::LoginGuard>,
    pub upload_quota: tus::UploadQuota,
    pub site_codes: Arc<site_code::SiteCodes>,
    /// The checklist versions this server knows: compiled, and published by the office
    /// (loaded from the database at start).
    pub checklists: ChecklistRegistry,
    /// Wakes the reminder engine after a change was applied.
    pub reminder_wake: Arc<tokio::sync::Notify>,
    /// The unified identity provider, when configured.
    pub identity: Option<Arc<oidc::IdentityProvider>>,
    /// Extra hosts a group chat robot may post to (`Config::webhook_hosts`).
    pub webhook_hosts: Arc<Vec<String>>,
}

impl AppState {
    /// Runs write work in one transaction on a blocking thread.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.transact(work)).await?
    }

    /// Runs read-only work on a blocking thread.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.read(work)).await?
    }

    /// Makes the checklist versions the office published (stored in the database) known to
    /// this server, in publication order. Run once at start, before serving.
    pub async fn load_checklists(&self) -> Result<usize, ApiError> {
        let checklists = self.checklists.clone();
        self.read(move |tx| records::publish_stored_checklists(tx, &checklists))
            .await
    }
}

/// Opens the database named by the config (creating the data folder).
pub fn open_db(config: &Config) -> Result<Db, StorageError> {
    std::fs::create_dir_all(&config.data_dir)?;
    match &config.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Db::Postgres(storage::postgres::PgDb::open(url)?))
        }
        Some(other) => Err(StorageError::Other(format!(
            "DATABASE_URL must start with postgres:// (got {other})"
        ))),
        None => Ok(Db::Sqlite(storage::sqlite::SqliteDb::open(
            &config.data_dir.join("anjian-server.db"),
        )?)),
    }
}

/// [`open_db`] from async code (the PostgreSQL client blocks).
pub async fn open_db_async(config: &Config) -> Result<Db, StorageError> {
    let config = config.clone();
    tokio::task::spawn_blocking(move || open_db(&config))
        .await
        .map_err(|e| StorageError::Other(e.to_string()))?
}

/// The state every request shares, read from the database at start (on any runtime).
pub async fn state(config: &Config, db: Db) -> std::io::Result<AppState> {
    let blobs = blobstore::BlobStore::open(&config.blobs, &config.data_dir)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let db = Arc::new(db);
    let site_codes = site_code::SiteCodes::load_or_create(db.clone(), &config.data_dir).await?;
    let state = AppState {
        db,
        data_dir: Arc::new(config.data_dir.clone()),
        blobs,
        token_ttl: config.token_ttl,
        metrics: Arc::new(metrics::Metrics::default()),
        login: Arc::new(ratelimit::LoginGuard::new(config.login_limits.clone())),
        upload_quota: config.upload_quota,
        site_codes: Arc::new(site_codes),
        checklists: ChecklistRegistry::new(),
        reminder_wake: Arc::new(tokio::sync::Notify::new()),
        identity: match &config.oidc {
            Some(c) => Some(Arc::new(
                oidc::IdentityProvider::new(c.clone()).map_err(std::io::Error::other)?,
            )),
            None => None,
        },
        webhook_hosts: Arc::new(config.webhook_hosts.clone()),
    };
    legacy_uploads::migrate(&state).await;
    Ok(state)
}

/// Seeds the demo county into an empty store (with its activity when the config asks for
/// it), in one transaction; `None` when the store already holds accounts.
pub async fn seed_demo(
    state: &AppState,
    config: &Config,
) -> Result<
    Option<(
        Vec<demo::DemoAccount>,
        Option<demo_activity::ActivitySummary>,
    )>,
    ApiError,
> {
    let with_activity = config.demo_activity;
    let seeded = state
        .write(move |tx| {
            let Some(accounts) = demo::seed_if_empty(tx)? else {
                return Ok(None);
            };
            let activity = if with_activity {
                Some(demo_activity::seed(tx, chrono::Utc::now())?)
            } else {
                None
            };
            Ok(Some((accounts, activity)))
        })
        .await?;
    let Some((accounts, activity)) = seeded else {
        return Ok(None);
    };
    let summary = match activity {
        Some((summary, files)) => {
            for (sha, bytes) in files {
                state
                    .blobs
                    .put_blob(&sha, bytes.into())
                    .await
                    .map_err(ApiError::internal)?;
            }
            Some(summary)
        }
        None => None,
    };
    Ok(Some((accounts, summary)))
}

/// Runs the server until Ctrl-C or SIGTERM; in-flight requests finish first.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let db = open_db_async(&config).await?;
    let state = state(&config, db).await?;
    let published = state.load_checklists().await.map_err(|e| e.message)?;
    if published > 0 {
        tracing::info!(
            published,
            "checklist versions published by the office loaded"
        );
    }
    if config.demo {
        match seed_demo(&state, &config).await.map_err(|e| e.message)? {
            Some((accounts, activity)) => {
                demo::print_accounts(&accounts);
                if let Some(a) = activity {
                    demo::print_activity(&a);
                }
            }
            None => tracing::info!("demo: store not empty, nothing seeded"),
        }
    }
    let app = api::router(state.clone(), &config);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(
        listen = %listener.local_addr()?,
        backend = state.db.backend_name(),
        data = %config.data_dir.display(),
        "anjian server listening"
    );
    if let Some(addr) = config.metrics_listen {
        let metrics_listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(listen = %metrics_listener.local_addr()?, "metrics listening");
        let metrics_app = api::metrics_router(state.clone());
        let limits = config.conn_limits.clone();
        tokio::spawn(async move {
            let _ = listen::serve(
                metrics_listener,
                metrics_app,
                limits,
                std::future::pending::<()>(),
            )
            .await;
        });
    }
    tus::spawn_expiry(state.clone());
    if config.reminders {
        let url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen));
        let sms = config.sms.as_ref().map(|c| c.provider());
        tracing::info!(sms = sms.is_some(), "reminder engine running");
        let engine = reminders::Engine::new(url, sms);
        reminders::spawn(engine, state.db.clone(), state.reminder_wake.clone());
    }
    listen::serve(listener, app, config.conn_limits.clone(), shutdown_signal()).await?;
    tracing::info!("anjian server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Writes a file atomically: temp file in the same folder, fsync, rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
