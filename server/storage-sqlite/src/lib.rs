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
    schema, AppliedOp, ChangeRow, RecordText, Result, StorageError, StoredRecord, Tx,
};

mod sql;

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
}
