//! Server storage: one synchronous transaction interface ([`Tx`]), implemented by a crate per
//! database (`anjian-storage-sqlite` through rusqlite, the embedded default;
//! `anjian-storage-postgres`). Domain rules run above it, so both backends enforce exactly the
//! same workflow.
//!
//! Records are stored generically (entity, id, version, JSON data) with an *audience*: the
//! principals allowed to see them (`county`, `unit:<id>`, `person:<id>`). Every write takes
//! the next change sequence number from a counter row inside the writing transaction, so a
//! pull cursor never skips a row that commits late. The change log is compacted as it is
//! written: a record's new change replaces its earlier ones, so a fresh device pulls each
//! record once, at its latest version, and the log grows with the records, not the edits.

use chrono::{DateTime, Utc};
use serde_json::Value;

pub mod schema;

/// A storage failure. Backend errors are carried without naming the backend's types, so this
/// interface depends on no database crate.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{backend}: {source}")]
    Backend {
        /// Which backend failed (`sqlite`, `postgres`).
        backend: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("database schema version {0} is newer than this server supports")]
    SchemaTooNew(i64),
    #[error("{0}")]
    Other(String),
}

impl StorageError {
    /// A backend's own error.
    pub fn backend(
        backend: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StorageError {
        StorageError::Backend {
            backend,
            source: Box::new(source),
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A record as stored: its JSON and who may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub entity: String,
    pub id: String,
    pub version: i64,
    pub data: Value,
    pub audience: Vec<String>,
    pub deleted: bool,
}

/// A live record's stored JSON text, not yet decoded: a reader decodes it once, straight into
/// the type it needs (a `Value` first and the type from it would decode it twice).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordText {
    pub id: String,
    pub version: i64,
    pub data: String,
}

/// One row of the change log, as a given caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub seq: i64,
    pub entity: String,
    pub id: String,
    pub version: i64,
    /// The stored JSON as is (the server wrote it: passed through without re-reading).
    pub data: Option<String>,
    /// The caller lost sight of the record (or it was deleted).
    pub removal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub username: String,
    pub person_id: String,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    /// Disabled by 县安委办: no login, no live session.
    pub disabled: bool,
}

/// One line of the audit log: logins, lockouts, account changes, administrative actions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Assigned by the database (ascending); 0 when appending.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The username (as typed, normalised) of whoever acted; empty when unknown.
    pub actor: String,
    /// `login_ok`, `login_failed`, `lockout`, `account_created`, `password_changed`, ...
    pub action: String,
    /// What the action was about (an account, a unit, a site, a file).
    pub target: String,
    /// The client address the request came from.
    pub client: String,
    pub detail: String,
}

/// Which audit entries to list: newest first, before an id, optionally one action or one
/// username (as actor or target).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub before_id: Option<i64>,
    pub action: Option<String>,
    pub username: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub id: String,
    pub length: i64,
    pub metadata: String,
    pub sha256: String,
    pub created_by: String,
    pub expires_at: DateTime<Utc>,
    /// Bytes received and stored so far (the tus offset).
    pub received: i64,
    /// The stored parts' names in offset order, space-separated (see [`Tx::advance_upload`]).
    pub parts: String,
}

impl Upload {
    /// The stored parts' names, in offset order.
    pub fn part_names(&self) -> impl Iterator<Item = &str> {
        self.parts.split_whitespace()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Blob {
    pub sha256: String,
    pub size: i64,
    pub uploaded_by: String,
    pub audience: Vec<String>,
}

/// An operation already applied: who sent it and the result they got.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedOp {
    pub person_id: String,
    pub result: Value,
}

/// One reminder's delivery on one channel: the delivery log the engine writes once per key
/// (so a reminder is sent once, across restarts and instances) and the office reads.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// The reminder's key (a person's), or its group key (a unit's chat).
    pub key: String,
    /// `in_app`, `dingtalk`, `wecom` or `sms`.
    pub channel: String,
    pub rule_id: String,
    pub unit_id: String,
    /// The person reminded; empty for a post to a unit's group chat.
    pub person_id: String,
    /// The record it is about, `entity:id`.
    pub record: String,
    pub title: String,
    /// The message (JSON: title, text, link), kept for retries.
    #[serde(skip)]
    pub body: String,
    /// When the reminder fell due.
    pub due_at: DateTime<Utc>,
    /// `pending` (to send or retry), `sent`, or `failed` (gave up).
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last failure, as the channel reported it.
    pub last_error: String,
}

/// The reminder delivery log and the leases that let one instance of several do leased work
/// (`server/src/reminders`), part of every transaction.
pub trait DeliveryLog {
    /// Logs a delivery unless its (key, channel) is logged already; whether it was new.
    fn insert_delivery(&mut self, d: &Delivery) -> Result<bool>;
    /// Writes a delivery's state, attempts, next attempt, sent time and last error.
    fn update_delivery(&mut self, d: &Delivery) -> Result<()>;
    /// Pending deliveries whose next attempt is due at `now`, oldest first.
    fn pending_deliveries(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Delivery>>;
    /// The log, newest first: every unit's, or those of `units`.
    fn list_deliveries(&mut self, units: Option<&[String]>, limit: i64) -> Result<Vec<Delivery>>;
    /// Takes (or keeps) the lease until `lease.until` when it is free, expired or already
    /// `lease.holder`'s: with several server instances only the holder does the leased work.
    fn take_lease(&mut self, lease: &Lease<'_>) -> Result<bool>;
}

/// A named lease asked for by one server instance (`DeliveryLog::take_lease`).
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub name: &'a str,
    /// The instance asking.
    pub holder: &'a str,
    /// When it asks: an earlier holder's lease that ended by then is free.
    pub now: DateTime<Utc>,
    /// Until when the lease is held once taken.
    pub until: DateTime<Utc>,
}

/// A sign-in through the identity provider, started and not yet finished.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginState {
    /// SHA-256 (hex) of the secret handle given to whoever started it (never stored as is).
    pub handle_hash: String,
    /// The `state` sent to the provider, which it sends back with the code.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (the provider saw only its SHA-256 challenge).
    pub pkce_verifier: String,
    /// Where the provider sends the browser back (the console's page or the app's link).
    pub redirect_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Accounts linked to identities of the unified identity provider, and the sign-ins in
/// progress (`server/src/oidc`), part of every transaction.
pub trait IdentityStore {
    /// The account linked to an identity (the value of the provider's linking claim).
    fn identity_account(&mut self, identity: &str) -> Result<Option<String>>;
    /// The identity an account is linked to.
    fn account_identity(&mut self, username: &str) -> Result<Option<String>>;
    /// Every link as (username, identity), by username.
    fn identity_links(&mut self) -> Result<Vec<(String, String)>>;
    /// Links an account to an identity (replacing its previous link), or unlinks it (`None`).
    /// The caller checks first that no other account holds the identity.
    fn set_identity(
        &mut self,
        username: &str,
        identity: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    fn put_login_state(&mut self, state: &LoginState) -> Result<()>;
    /// Removes and returns a sign-in in progress by its handle's hash, if not expired: each
    /// can be finished once.
    fn take_login_state(
        &mut self,
        handle_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<LoginState>>;
    /// Drops expired sign-ins in progress; returns how many live ones remain.
    fn prune_login_states(&mut self, now: DateTime<Utc>) -> Result<i64>;
}

/// Short-lived state every server instance shares: login throttling and the public
/// complaint limiter (`server/src/ratelimit.rs`). One value per (kind, key) with an
/// expiry; expired rows are never returned, and each kind keeps a bounded number of rows.
pub trait Throttles {
    /// The value of (kind, key) unless it expired at `now`.
    fn get_throttle(&mut self, kind: &str, key: &str, now: DateTime<Utc>)
        -> Result<Option<String>>;
    /// Upserts (kind, key); then drops the kind's rows expired at `now` and, beyond
    /// `max_rows`, those expiring soonest.
    fn put_throttle(
        &mut self,
        kind: &str,
        key: &str,
        value: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        max_rows: i64,
    ) -> Result<()>;
    fn delete_throttle(&mut self, kind: &str, key: &str) -> Result<()>;
    /// Rows of a kind (live or not yet pruned).
    fn count_throttles(&mut self, kind: &str) -> Result<i64>;
}

/// Everything the server does to its database, inside one transaction.
pub trait Tx: DeliveryLog + IdentityStore + Throttles {
    fn get_record(&mut self, entity: &str, id: &str) -> Result<Option<StoredRecord>>;
    /// Upserts a record (or its tombstone) and logs the change for every principal that sees
    /// it now, plus removals for principals that saw it before and no longer do. The log is
    /// compacted as it is written: the record's earlier changes are replaced by this one, their
    /// principals carried forward. Written once here, over the primitives each backend gives.
    fn put_record(&mut self, record: &StoredRecord) -> Result<i64> {
        let mut previous = self.record_audience(&record.entity, &record.id)?;
        previous.extend(self.take_earlier_changes(&record.entity, &record.id)?);
        let seq = self.next_change_seq()?;
        let data = serde_json::to_string(&record.data)?;
        self.write_record(record, &data, seq)?;
        self.log_change(record, (!record.deleted).then_some(data.as_str()), seq)?;
        for (principal, removal) in audience_rows(&previous, record) {
            self.log_change_audience(seq, &principal, removal)?;
        }
        Ok(seq)
    }

    // -- primitives of `put_record`, one query each, provided by every backend --

    /// Who may see the record now.
    fn record_audience(&mut self, entity: &str, id: &str) -> Result<Vec<String>>;
    /// Deletes the record's earlier changes from the log; returns the principals they went to.
    fn take_earlier_changes(&mut self, entity: &str, id: &str) -> Result<Vec<String>>;
    /// The next change number, from the counter row, inside the writing transaction.
    fn next_change_seq(&mut self) -> Result<i64>;
    /// Upserts the record's row (JSON `data`) and replaces its audience.
    fn write_record(&mut self, record: &StoredRecord, data: &str, seq: i64) -> Result<()>;
    /// Logs the change with its data (none for a tombstone).
    fn log_change(&mut self, record: &StoredRecord, data: Option<&str>, seq: i64) -> Result<()>;
    /// Sends a logged change to a principal, as the record or as its removal from their scope.
    fn log_change_audience(&mut self, seq: i64, principal: &str, removal: bool) -> Result<()>;
    /// Live records of an entity as stored text, ordered by id; `principals: None` means no
    /// scope restriction.
    fn list_record_texts(
        &mut self,
        entity: &str,
        principals: Option<&[String]>,
    ) -> Result<Vec<RecordText>>;
    /// Live records of an entity, parsed; `principals: None` means no scope restriction.
    fn list_records(
        &mut self,
        entity: &str,
        principals: Option<&[String]>,
    ) -> Result<Vec<StoredRecord>> {
        self.list_record_texts(entity, principals)?
            .into_iter()
            .map(|r| {
                Ok(StoredRecord {
                    entity: entity.into(),
                    id: r.id,
                    version: r.version,
                    data: serde_json::from_str(&r.data)?,
                    audience: Vec::new(),
                    deleted: false,
                })
            })
            .collect()
    }
    fn changes_after(
        &mut self,
        principals: &[String],
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChangeRow>>;
    fn max_seq(&mut self) -> Result<i64>;
    /// The change log's random id, drawn when the database was created.
    fn log_id(&mut self) -> Result<i64>;
    /// Draws a new change-log id (a database restored from a backup): every cursor handed
    /// out before is then of another log, and phones pull again from the start.
    fn renew_log_id(&mut self) -> Result<i64>;

    /// The stored result of an operation key, with who sent it.
    fn applied_op(&mut self, op_id: &str) -> Result<Option<AppliedOp>>;
    fn record_applied_op(&mut self, op_id: &str, person_id: &str, result: &Value) -> Result<()>;

    fn get_account(&mut self, username: &str) -> Result<Option<Account>>;
    fn put_account(&mut self, account: &Account) -> Result<()>;
    fn count_accounts(&mut self) -> Result<i64>;
    /// Every account, by username.
    fn list_accounts(&mut self) -> Result<Vec<Account>>;
    fn put_token(
        &mut self,
        token_hash: &str,
        username: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The username of a live token.
    fn token_user(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<String>>;
    fn delete_token(&mut self, token_hash: &str) -> Result<()>;
    /// Ends every session of a user except `keep` (a token hash); returns how many ended.
    fn delete_tokens_of(&mut self, username: &str, keep: Option<&str>) -> Result<u64>;

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<()>;
    fn list_audit(&mut self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;

    fn put_upload(&mut self, upload: &Upload) -> Result<()>;
    fn get_upload(&mut self, id: &str) -> Result<Option<Upload>>;
    fn delete_upload(&mut self, id: &str) -> Result<()>;
    fn expired_uploads(&mut self, now: DateTime<Utc>) -> Result<Vec<String>>;
    /// The open uploads a person created (for their quota).
    fn uploads_by(&mut self, created_by: &str) -> Result<Vec<Upload>>;
    /// Moves an upload's expiry (it was written to: idle time starts again).
    fn touch_upload(&mut self, id: &str, expires_at: DateTime<Utc>) -> Result<()>;
    /// Records a stored part: moves the offset from `from` to `to` and appends `part` to the
    /// part list, only if the offset is still `from` (false: another writer got there first).
    /// This compare-and-set is what keeps two instances from writing one upload at once.
    fn advance_upload(&mut self, id: &str, from: i64, to: i64, part: &str) -> Result<bool>;
    /// A value every server instance shares (the site-code key, say).
    fn get_setting(&mut self, name: &str) -> Result<Option<String>>;
    /// Stores a shared value unless one is already there; returns the value that holds.
    fn init_setting(&mut self, name: &str, value: &str) -> Result<String>;
    fn put_blob(&mut self, blob: &Blob) -> Result<()>;
    fn get_blob(&mut self, sha256: &str) -> Result<Option<Blob>>;
    /// Bytes a person's uploads declared on `day` (a China date, `YYYY-MM-DD`).
    fn uploaded_on(&mut self, person_id: &str, day: &str) -> Result<i64>;
    /// Adds to that count; the person's counts of earlier days are dropped.
    fn add_uploaded(&mut self, person_id: &str, day: &str, bytes: i64) -> Result<()>;
}

/// Principals whose change-log rows a record produces: every current member of its audience,
/// plus a removal for each former member that lost sight of it. The log keeps one change per
/// record (a new one deletes the earlier), so `previous` holds everyone the earlier changes
/// were logged for too: a removal is carried forward until a reader has had it.
pub fn audience_rows(previous: &[String], record: &StoredRecord) -> Vec<(String, bool)> {
    let mut rows: Vec<(String, bool)> = record
        .audience
        .iter()
        .map(|p| (p.clone(), record.deleted))
        .collect();
    for p in previous {
        if !record.audience.contains(p) {
            rows.push((p.clone(), true));
        }
    }
    rows.sort();
    rows.dedup_by(|a, b| a.0 == b.0);
    rows
}
