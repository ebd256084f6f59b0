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
//!
//! What is the same SQL in both dialects is written once here, over the one primitive each
//! backend gives ([`sql::Sql`]): accounts and sessions, the audit log, uploads and blobs,
//! reminder deliveries, identities, throttles, settings. Each backend keeps its own SQL only
//! for the record store and the change log, the sync path, tuned per database.

use chrono::{DateTime, Utc};
use serde_json::Value;

mod accounts;
mod deliveries;
mod identities;
pub mod schema;
pub mod sql;
mod throttles;
mod uploads;

pub use accounts::Accounts;
pub use deliveries::{Delivery, DeliveryLog, Lease};
pub use identities::{IdentityStore, LoginState};
pub use throttles::Throttles;
pub use uploads::Uploads;

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

/// Everything the server does to its database, inside one transaction.
pub trait Tx: Accounts + DeliveryLog + IdentityStore + Throttles + Uploads {
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

    /// A value every server instance shares (the site-code key, say).
    fn get_setting(&mut self, name: &str) -> Result<Option<String>> {
        let sql = "SELECT value FROM settings WHERE name = $1";
        self.text(sql, &[sql::Arg::Text(name)])
    }

    /// Stores a shared value unless one is already there; returns the value that holds.
    fn init_setting(&mut self, name: &str, value: &str) -> Result<String> {
        self.run(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[sql::Arg::Text(name), sql::Arg::Text(value)],
        )?;
        Ok(self.get_setting(name)?.unwrap_or_default())
    }
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
