//! Two error enums: a rich internal one, and the small public one the app shows.

use anjian_domain::{DomainError, ErrorKind};

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Evidence(#[from] anjian_evidence::EvidenceError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("database schema version {found} is newer than this app supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("no profile: the device has no signed-in person")]
    NoProfile,
    #[error("invalid input {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// Another sync of this store is running.
    #[error("a sync is already running")]
    SyncRunning,
    /// The server could not be reached (the message is for the user).
    #[error("offline: {0}")]
    Offline(String),
    /// The server refused the saved token.
    #[error("login expired")]
    LoginExpired,
    /// A sign-in was refused (the message is for the user): an identity not linked, the
    /// provider's refusal, a redirect that is not this phone's sign-in.
    #[error("refused: {0}")]
    Refused(String),
    /// A sign-in through the unified identity expired or was already used (the message is
    /// for the user).
    #[error("sign-in expired: {0}")]
    SignInExpired(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The errors the app sees; each carries a Chinese message it can show as is.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum AnjianError {
    /// The input broke a rule; nothing was changed.
    #[error("{0}")]
    InvalidInput(String),
    /// The workflow does not allow this now (wrong status, missing 五落实, wrong person).
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    NotFound(String),
    /// No signed-in person on this device.
    #[error("{0}")]
    NotSignedIn(String),
    /// Local storage failed; the message says what the user can do.
    #[error("{0}")]
    Storage(String),
    /// The server is out of reach; nothing was changed, try again with signal.
    #[error("{0}")]
    Offline(String),
}

impl From<StoreError> for AnjianError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Domain(e) => {
                let message = e.to_string();
                match e.kind() {
                    ErrorKind::NotFound => AnjianError::NotFound(message),
                    ErrorKind::NotPermitted | ErrorKind::Conflict => {
                        AnjianError::NotAllowed(message)
                    }
                    ErrorKind::Invalid => AnjianError::InvalidInput(message),
                }
            }
            StoreError::Evidence(e) => AnjianError::InvalidInput(e.to_string()),
            StoreError::Offline(message) => AnjianError::Offline(message),
            StoreError::Refused(message) => AnjianError::NotAllowed(message),
            StoreError::SignInExpired(message) => AnjianError::NotSignedIn(message),
            StoreError::LoginExpired => {
                AnjianError::NotSignedIn("登录已失效，请重新登录（本机记录不会丢失）".into())
            }
            StoreError::SyncRunning => {
                AnjianError::NotAllowed("正在同步，请等本次同步结束后再试".into())
            }
            StoreError::Invalid { field, reason } => {
                AnjianError::InvalidInput(format!("{field}无效：{reason}"))
            }
            StoreError::NoProfile => {
                AnjianError::NotSignedIn("请先登录：本机尚未设置检查人员".into())
            }
            StoreError::SchemaTooNew { .. } => {
                AnjianError::Storage("本机数据由更新版本的应用创建，请升级应用后再打开".into())
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DiskFull =>
            {
                AnjianError::Storage("手机存储空间已满，本次记录未保存，请清理空间后重试".into())
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                AnjianError::Storage("操作已取消".into())
            }
            other => AnjianError::Storage(format!("本地数据读写失败，请重试（{other}）")),
        }
    }
}
