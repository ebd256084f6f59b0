//! The embedded default: SQLite through rusqlite, WAL, one writer connection (immediate
//! transactions: writers are serialised, so change numbers commit in order) and a pool of
//! reader connections for requests that only read.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{
    params, params_from_iter, Connection, OpenFlags, OptionalExtension, Transaction,
    TransactionBehavior,
};
use serde_json::Value;

use anjian_storage::{
    schema, Account, AppliedOp, AuditEntry, AuditQuery, Blob, ChangeRow, RecordText, Result,
    StorageError, StoredRecord, Tx, Upload,
};

mod deliveries;
mod identities;
mod throttles;

pub struct SqliteDb {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    pub path: PathBuf,
}

/// This backend's errors as storage errors (the interface names no database crate).
fn db(e: rusqlite::Error) -> StorageError {
    StorageError::backend("sqlite", e)
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A row read as a tuple of its columns.
fn tuple<T>(r: &rusqlite::Row<'_>) -> rusqlite::Result<T>
where
    T: for<'a> TryFrom<&'a rusqlite::Row<'a>, Error = rusqlite::Error>,
{
    T::try_from(r)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StorageError::Other(format!("bad timestamp {s}: {e}")))
}

impl SqliteDb {
    pub fn open(path: &Path) -> Result<SqliteDb> {
        let migrations = schema::migrations(&schema::SQLITE);
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db)?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)?;
        if found > migrations.len() as i64 {
            return Err(StorageError::SchemaTooNew(found));
        }
        conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        {
            let tx =
                Transaction::new_unchecked(&conn, TransactionBehavior::Immediate).map_err(db)?;
            let current: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(db)?;
            for sql in &migrations[current.min(migrations.len() as i64) as usize..] {
                tx.execute_batch(sql).map_err(db)?;
            }
            tx.pragma_update(None, "user_version", migrations.len() as i64)
                .map_err(db)?;
            tx.commit().map_err(db)?;
        }
        Ok(SqliteDb {
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            path: path.to_path_buf(),
        })
    }

    /// Copies the database at `from` into the new file `to` as one consistent snapshot while
    /// the server keeps serving (SQLite's `VACUUM INTO`, which also compacts the copy).
    pub fn backup_file(from: &Path, to: &Path) -> Result<()> {
        let conn =
            Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db)?;
        let target = to
            .to_str()
            .ok_or_else(|| StorageError::Other(format!("not a UTF-8 path: {}", to.display())))?;
        conn.execute("VACUUM INTO ?1", [target]).map_err(db)?;
        Ok(())
    }

    /// Runs read-only work on a reader connection (taken from the pool or opened).
    pub fn read<T, E>(&self, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .map_err(db)?;
                c.busy_timeout(std::time::Duration::from_secs(10))
                    .map_err(db)?;
                c
            }
        };
        let out = {
            let tx = conn.transaction().map_err(db)?;
            let mut wrapped = SqliteTx { tx: &tx };
            work(&mut wrapped)
        };
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }

    pub fn transact<T, E>(&self, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let mut wrapped = SqliteTx { tx: &tx };
        let out = work(&mut wrapped)?;
        tx.commit().map_err(db)?;
        Ok(out)
    }
}

struct SqliteTx<'a> {
    tx: &'a Transaction<'a>,
}

fn placeholders(n: usize, start: usize) -> String {
    (0..n)
        .map(|i| format!("?{}", start + i))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx for SqliteTx<'_> {
    fn get_record(&mut self, entity: &str, id: &str) -> Result<Option<StoredRecord>> {
        let row: Option<(i64, String, bool)> = self
            .tx
            .query_row(
                "SELECT version, data, deleted FROM records WHERE entity = ?1 AND id = ?2",
                params![entity, id],
                tuple,
            )
            .optional()
            .map_err(db)?;
        let Some((version, data, deleted)) = row else {
            return Ok(None);
        };
        Ok(Some(StoredRecord {
            entity: entity.into(),
            id: id.into(),
            version,
            data: serde_json::from_str(&data)?,
            audience: self.record_audience(entity, id)?,
            deleted,
        }))
    }

    fn record_audience(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT principal FROM record_audience WHERE entity = ?1 AND id = ?2")
            .map_err(db)?;
        let rows = stmt
            .query_map(params![entity, id], |r| r.get(0))
            .map_err(db)?;
        Ok(rows.collect::<rusqlite::Result<_>>().map_err(db)?)
    }

    fn take_earlier_changes(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT DISTINCT a.principal FROM changes c JOIN change_audience a ON a.seq = c.seq
             WHERE c.entity = ?1 AND c.id = ?2",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![entity, id], |r| r.get(0))
            .map_err(db)?;
        let principals = rows
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(db)?;
        self.tx.prepare_cached(
            "DELETE FROM change_audience WHERE seq IN (SELECT seq FROM changes WHERE entity = ?1 AND id = ?2)",
        ).map_err(db)?
        .execute(params![entity, id]).map_err(db)?;
        self.tx
            .prepare_cached("DELETE FROM changes WHERE entity = ?1 AND id = ?2")
            .map_err(db)?
            .execute(params![entity, id])
            .map_err(db)?;
        Ok(principals)
    }

    fn next_change_seq(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_row(
                "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value",
                [],
                |r| r.get(0),
            )
            .map_err(db)?)
    }

    fn write_record(&mut self, record: &StoredRecord, data: &str, seq: i64) -> Result<()> {
        self.tx.prepare_cached(
            "INSERT INTO records (entity, id, version, data, deleted, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (entity, id) DO UPDATE SET version = excluded.version, data = excluded.data,
             deleted = excluded.deleted, seq = excluded.seq",
        ).map_err(db)?
        .execute(params![record.entity, record.id, record.version, data, record.deleted, seq]).map_err(db)?;
        self.tx
            .prepare_cached("DELETE FROM record_audience WHERE entity = ?1 AND id = ?2")
            .map_err(db)?
            .execute(params![record.entity, record.id])
            .map_err(db)?;
        for p in &record.audience {
            self.tx.prepare_cached(
                "INSERT OR IGNORE INTO record_audience (entity, id, principal) VALUES (?1, ?2, ?3)",
            ).map_err(db)?
            .execute(params![record.entity, record.id, p]).map_err(db)?;
        }
        Ok(())
    }

    fn log_change(&mut self, record: &StoredRecord, data: Option<&str>, seq: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO changes (seq, entity, id, version, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(db)?
            .execute(params![seq, record.entity, record.id, record.version, data])
            .map_err(db)?;
        Ok(())
    }

    fn log_change_audience(&mut self, seq: i64, principal: &str, removal: bool) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO change_audience (principal, seq, removal) VALUES (?1, ?2, ?3)",
            )
            .map_err(db)?
            .execute(params![principal, seq, removal])
            .map_err(db)?;
        Ok(())
    }

    fn list_record_texts(
        &mut self,
        entity: &str,
        principals: Option<&[String]>,
    ) -> Result<Vec<RecordText>> {
        let rows: Vec<(String, i64, String)> = match principals {
            None => {
                let mut stmt = self.tx.prepare_cached(
                    "SELECT id, version, data FROM records WHERE entity = ?1 AND deleted = 0 ORDER BY id",
                ).map_err(db)?;
                let rows = stmt.query_map([entity], tuple).map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            }
            Some(ps) => {
                let sql = format!(
                    "SELECT r.id, r.version, r.data FROM records r WHERE r.entity = ?1 AND r.deleted = 0
                     AND EXISTS (SELECT 1 FROM record_audience a WHERE a.entity = r.entity AND a.id = r.id
                     AND a.principal IN ({})) ORDER BY r.id",
                    placeholders(ps.len(), 2)
                );
                let mut stmt = self.tx.prepare(&sql).map_err(db)?;
                let args = std::iter::once(entity.to_string()).chain(ps.iter().cloned());
                let rows = stmt.query_map(params_from_iter(args), tuple).map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, version, data)| RecordText { id, version, data })
            .collect())
    }

    fn changes_after(
        &mut self,
        principals: &[String],
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChangeRow>> {
        let sql = format!(
            "SELECT c.seq, c.entity, c.id, c.version, c.data, MIN(a.removal)
             FROM changes c CROSS JOIN change_audience a INDEXED BY change_audience_seq ON a.seq = c.seq
             WHERE c.seq > ?1 AND a.principal IN ({})
             GROUP BY c.seq ORDER BY c.seq LIMIT ?2",
            placeholders(principals.len(), 3)
        );
        let mut stmt = self.tx.prepare(&sql).map_err(db)?;
        let args: Vec<rusqlite::types::Value> = [after.into(), limit.into()]
            .into_iter()
            .chain(principals.iter().map(|p| p.clone().into()))
            .collect();
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, entity, id, version, data, removal) = row.map_err(db)?;
            out.push(ChangeRow {
                seq,
                entity,
                id,
                version,
                data: match (removal, data) {
                    (false, Some(d)) => Some(d),
                    _ => None,
                },
                removal,
            });
        }
        Ok(out)
    }

    fn max_seq(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_row(
                "SELECT value FROM counters WHERE name = 'change_seq'",
                [],
                |r| r.get(0),
            )
            .map_err(db)?)
    }

    fn renew_log_id(&mut self) -> Result<i64> {
        let sql = format!(
            "UPDATE counters SET value = {} WHERE name = 'log_id'",
            schema::SQLITE.random_log_id
        );
        self.tx.execute(&sql, []).map_err(db)?;
        self.log_id()
    }

    fn log_id(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_row(
                "SELECT value FROM counters WHERE name = 'log_id'",
                [],
                |r| r.get(0),
            )
            .map_err(db)?)
    }

    fn applied_op(&mut self, op_id: &str) -> Result<Option<AppliedOp>> {
        let row: Option<(String, String)> = self
            .tx
            .query_row(
                "SELECT person_id, result FROM applied_ops WHERE op_id = ?1",
                [op_id],
                tuple,
            )
            .optional()
            .map_err(db)?;
        row.map(|(person_id, r)| {
            Ok(AppliedOp {
                person_id,
                result: serde_json::from_str(&r)?,
            })
        })
        .transpose()
    }

    fn record_applied_op(&mut self, op_id: &str, person_id: &str, result: &Value) -> Result<()> {
        self.tx.execute(
            "INSERT INTO applied_ops (op_id, person_id, result, applied_at) VALUES (?1, ?2, ?3, ?4)",
            params![op_id, person_id, serde_json::to_string(result)?, ts(Utc::now())],
        ).map_err(db)?;
        Ok(())
    }

    fn get_account(&mut self, username: &str) -> Result<Option<Account>> {
        let row: Option<AccountRow> = self
            .tx
            .query_row(
                &format!("{ACCOUNT_COLUMNS} WHERE username = ?1"),
                [username],
                tuple::<AccountRow>,
            )
            .optional()
            .map_err(db)?;
        row.map(account_of).transpose()
    }

    fn list_accounts(&mut self) -> Result<Vec<Account>> {
        let mut stmt = self
            .tx
            .prepare(&format!("{ACCOUNT_COLUMNS} ORDER BY username"))
            .map_err(db)?;
        let rows = stmt.query_map([], tuple::<AccountRow>).map_err(db)?;
        rows.map(|r| account_of(r.map_err(db)?)).collect()
    }

    fn put_account(&mut self, a: &Account) -> Result<()> {
        self.tx.execute(
            "INSERT INTO accounts (username, person_id, password_hash, failed_logins, locked_until, disabled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (username) DO UPDATE SET person_id = excluded.person_id,
             password_hash = excluded.password_hash, failed_logins = excluded.failed_logins,
             locked_until = excluded.locked_until, disabled = excluded.disabled",
            params![
                a.username,
                a.person_id,
                a.password_hash,
                a.failed_logins,
                a.locked_until.map(ts),
                a.disabled
            ],
        ).map_err(db)?;
        Ok(())
    }

    fn count_accounts(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
            .map_err(db)?)
    }

    fn put_token(
        &mut self,
        token_hash: &str,
        username: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO tokens (token_hash, username, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, username, ts(expires_at)],
            )
            .map_err(db)?;
        Ok(())
    }

    fn token_user(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT username FROM tokens WHERE token_hash = ?1 AND expires_at > ?2",
                params![token_hash, ts(now)],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?)
    }

    fn delete_token(&mut self, token_hash: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM tokens WHERE token_hash = ?1", [token_hash])
            .map_err(db)?;
        Ok(())
    }

    fn delete_tokens_of(&mut self, username: &str, keep: Option<&str>) -> Result<u64> {
        let n = self
            .tx
            .execute(
                "DELETE FROM tokens WHERE username = ?1 AND token_hash IS NOT ?2",
                params![username, keep],
            )
            .map_err(db)?;
        Ok(n as u64)
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log (at, actor, action, target, client, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            ).map_err(db)?
            .execute(params![ts(e.at), e.actor, e.action, e.target, e.client, e.detail]).map_err(db)?;
        Ok(())
    }

    fn list_audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT id, at, actor, action, target, client, detail FROM audit_log
             WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR action = ?2)
             AND (?3 IS NULL OR actor = ?3 OR target = ?3)
             ORDER BY id DESC LIMIT ?4",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![q.before_id, q.action, q.username, q.limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, action, target, client, detail) = row.map_err(db)?;
            out.push(AuditEntry {
                id,
                at: parse_ts(&at)?,
                actor,
                action,
                target,
                client,
                detail,
            });
        }
        Ok(out)
    }

    fn put_upload(&mut self, u: &Upload) -> Result<()> {
        debug_assert!(u.received == 0 && u.parts.is_empty(), "a new upload");
        self.tx.execute(
            "INSERT INTO uploads (id, length, metadata, sha256, created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![u.id, u.length, u.metadata, u.sha256, u.created_by, ts(u.expires_at)],
        ).map_err(db)?;
        Ok(())
    }

    fn get_upload(&mut self, id: &str) -> Result<Option<Upload>> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1");
        let row = self
            .tx
            .query_row(&sql, [id], tuple::<UploadRow>)
            .optional()
            .map_err(db)?;
        row.map(into_upload).transpose()
    }

    fn delete_upload(&mut self, id: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM uploads WHERE id = ?1", [id])
            .map_err(db)?;
        Ok(())
    }

    fn expired_uploads(&mut self, now: DateTime<Utc>) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare("SELECT id FROM uploads WHERE expires_at <= ?1")
            .map_err(db)?;
        let rows = stmt.query_map([ts(now)], |r| r.get(0)).map_err(db)?;
        Ok(rows.collect::<rusqlite::Result<_>>().map_err(db)?)
    }

    fn uploads_by(&mut self, created_by: &str) -> Result<Vec<Upload>> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE created_by = ?1");
        let mut stmt = self.tx.prepare(&sql).map_err(db)?;
        let rows = stmt
            .query_map([created_by], tuple::<UploadRow>)
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(into_upload(row.map_err(db)?)?);
        }
        Ok(out)
    }

    fn advance_upload(&mut self, id: &str, from: i64, to: i64, part: &str) -> Result<bool> {
        let n = self
            .tx
            .execute(
                "UPDATE uploads SET received = ?3, parts = parts || ' ' || ?4 WHERE id = ?1 AND received = ?2",
                params![id, from, to, part],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn get_setting(&mut self, name: &str) -> Result<Option<String>> {
        self.tx
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)
    }

    fn init_setting(&mut self, name: &str, value: &str) -> Result<String> {
        self.tx
            .execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                [name, value],
            )
            .map_err(db)?;
        Ok(self.get_setting(name)?.unwrap_or_default())
    }

    fn touch_upload(&mut self, id: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.tx
            .execute(
                "UPDATE uploads SET expires_at = ?2 WHERE id = ?1",
                params![id, ts(expires_at)],
            )
            .map_err(db)?;
        Ok(())
    }

    fn put_blob(&mut self, b: &Blob) -> Result<()> {
        self.tx.execute(
            "INSERT INTO blobs (sha256, size, uploaded_by, audience, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (sha256) DO UPDATE SET audience = excluded.audience",
            params![b.sha256, b.size, b.uploaded_by, serde_json::to_string(&b.audience)?, ts(Utc::now())],
        ).map_err(db)?;
        Ok(())
    }

    fn get_blob(&mut self, sha256: &str) -> Result<Option<Blob>> {
        let row: Option<(String, i64, String, String)> = self
            .tx
            .query_row(
                "SELECT sha256, size, uploaded_by, audience FROM blobs WHERE sha256 = ?1",
                [sha256],
                tuple,
            )
            .optional()
            .map_err(db)?;
        row.map(|(sha256, size, uploaded_by, audience)| {
            Ok(Blob {
                sha256,
                size,
                uploaded_by,
                audience: serde_json::from_str(&audience)?,
            })
        })
        .transpose()
    }

    fn uploaded_on(&mut self, person_id: &str, day: &str) -> Result<i64> {
        Ok(self
            .tx
            .query_row(
                "SELECT bytes FROM upload_days WHERE person_id = ?1 AND day = ?2",
                [person_id, day],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?
            .unwrap_or(0))
    }

    fn add_uploaded(&mut self, person_id: &str, day: &str, bytes: i64) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM upload_days WHERE person_id = ?1 AND day < ?2",
                [person_id, day],
            )
            .map_err(db)?;
        self.tx
            .execute(
                "INSERT INTO upload_days (person_id, day, bytes) VALUES (?1, ?2, ?3)
             ON CONFLICT (person_id, day) DO UPDATE SET bytes = upload_days.bytes + excluded.bytes",
                params![person_id, day, bytes],
            )
            .map_err(db)?;
        Ok(())
    }
}

const ACCOUNT_COLUMNS: &str =
    "SELECT username, person_id, password_hash, failed_logins, locked_until, disabled FROM accounts";

type AccountRow = (String, String, String, i64, Option<String>, bool);

fn account_of(
    (username, person_id, password_hash, failed_logins, locked, disabled): AccountRow,
) -> Result<Account> {
    Ok(Account {
        username,
        person_id,
        password_hash,
        failed_logins,
        locked_until: locked.as_deref().map(parse_ts).transpose()?,
        disabled,
    })
}

const UPLOAD_COLUMNS: &str =
    "id, length, metadata, sha256, created_by, expires_at, received, parts";

type UploadRow = (String, i64, String, String, String, String, i64, String);

fn into_upload(row: UploadRow) -> Result<Upload> {
    let (id, length, metadata, sha256, created_by, expires, received, parts) = row;
    Ok(Upload {
        id,
        length,
        metadata,
        sha256,
        created_by,
        expires_at: parse_ts(&expires)?,
        received,
        parts,
    })
}
