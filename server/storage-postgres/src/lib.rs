//! PostgreSQL, for a county that outgrows one machine. Same records, same rules: every write
//! transaction first locks the change counter row, so writers are serialised and change
//! numbers are handed out inside the writing transaction (a pull cursor never skips a row
//! that commits late, the trap of plain sequences).

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use postgres::{Client, NoTls, Transaction};
use serde_json::Value;

use anjian_storage::{
    schema, Account, AppliedOp, AuditEntry, AuditQuery, Blob, ChangeRow, RecordText, Result,
    StorageError, StoredRecord, Tx, Upload,
};

mod deliveries;
mod identities;
mod throttles;

/// This backend's errors as storage errors (the interface names no database crate).
fn db(e: postgres::Error) -> StorageError {
    StorageError::backend("postgres", e)
}

pub struct PgDb {
    url: String,
    pool: Mutex<Vec<Client>>,
}

impl PgDb {
    pub fn open(url: &str) -> Result<PgDb> {
        let migrations = schema::migrations(&schema::POSTGRES);
        let mut client = Client::connect(url, NoTls).map_err(db)?;
        {
            let mut tx = client.transaction().map_err(db)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_version (id INT PRIMARY KEY, version BIGINT NOT NULL);
                 LOCK TABLE schema_version IN EXCLUSIVE MODE;
                 INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;",
            ).map_err(db)?;
            let current: i64 = tx
                .query_one("SELECT version FROM schema_version WHERE id = 1", &[])
                .map_err(db)?
                .get(0);
            if current > migrations.len() as i64 {
                return Err(StorageError::SchemaTooNew(current));
            }
            for sql in &migrations[current as usize..] {
                tx.batch_execute(sql).map_err(db)?;
            }
            tx.execute(
                "UPDATE schema_version SET version = $1 WHERE id = 1",
                &[&(migrations.len() as i64)],
            )
            .map_err(db)?;
            tx.commit().map_err(db)?;
        }
        Ok(PgDb {
            url: url.to_string(),
            pool: Mutex::new(vec![client]),
        })
    }

    fn client(&self) -> Result<Client> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) if !c.is_closed() => Ok(c),
            _ => Ok(Client::connect(&self.url, NoTls).map_err(db)?),
        }
    }

    fn give_back(&self, client: Client) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 && !client.is_closed() {
            pool.push(client);
        }
    }

    fn run<T, E>(&self, write: bool, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let mut client = self.client()?;
        let out = (|| {
            let mut tx = client.transaction().map_err(db)?;
            if write {
                // Serialise writers: the counter row stays locked until commit.
                tx.execute(
                    "SELECT value FROM counters WHERE name = 'change_seq' FOR UPDATE",
                    &[],
                )
                .map_err(db)?;
            }
            let mut wrapped = PgTx { tx: &mut tx };
            let out = work(&mut wrapped)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })();
        self.give_back(client);
        out
    }

    pub fn transact<T, E>(&self, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        self.run(true, work)
    }

    pub fn read<T, E>(&self, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        self.run(false, work)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // The sync client blocks on its own runtime when dropped: never inside the server's.
        let clients = std::mem::take(&mut *self.pool.lock().unwrap_or_else(|p| p.into_inner()));
        let _ = std::thread::spawn(move || drop(clients)).join();
    }
}

struct PgTx<'a, 'b> {
    tx: &'a mut Transaction<'b>,
}

impl Tx for PgTx<'_, '_> {
    fn get_record(&mut self, entity: &str, id: &str) -> Result<Option<StoredRecord>> {
        let row = self
            .tx
            .query_opt(
                "SELECT version, data, deleted FROM records WHERE entity = $1 AND id = $2",
                &[&entity, &id],
            )
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.get(1);
        Ok(Some(StoredRecord {
            entity: entity.into(),
            id: id.into(),
            version: row.get(0),
            data: serde_json::from_str(&data)?,
            deleted: row.get(2),
            audience: self.record_audience(entity, id)?,
        }))
    }

    fn record_audience(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        let rows = self
            .tx
            .query(
                "SELECT principal FROM record_audience WHERE entity = $1 AND id = $2",
                &[&entity, &id],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn take_earlier_changes(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        let rows = self
            .tx
            .query(
                "SELECT DISTINCT a.principal FROM changes c JOIN change_audience a ON a.seq = c.seq
             WHERE c.entity = $1 AND c.id = $2",
                &[&entity, &id],
            )
            .map_err(db)?;
        self.tx.execute(
            "DELETE FROM change_audience WHERE seq IN (SELECT seq FROM changes WHERE entity = $1 AND id = $2)",
            &[&entity, &id],
        ).map_err(db)?;
        self.tx
            .execute(
                "DELETE FROM changes WHERE entity = $1 AND id = $2",
                &[&entity, &id],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn next_change_seq(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_one(
                "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value",
                &[],
            )
            .map_err(db)?
            .get(0))
    }

    fn write_record(&mut self, record: &StoredRecord, data: &str, seq: i64) -> Result<()> {
        self.tx.execute(
            "INSERT INTO records (entity, id, version, data, deleted, seq) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (entity, id) DO UPDATE SET version = excluded.version, data = excluded.data,
             deleted = excluded.deleted, seq = excluded.seq",
            &[&record.entity, &record.id, &record.version, &data, &record.deleted, &seq],
        ).map_err(db)?;
        self.tx
            .execute(
                "DELETE FROM record_audience WHERE entity = $1 AND id = $2",
                &[&record.entity, &record.id],
            )
            .map_err(db)?;
        for p in &record.audience {
            self.tx.execute(
                "INSERT INTO record_audience (entity, id, principal) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&record.entity, &record.id, p],
            ).map_err(db)?;
        }
        Ok(())
    }

    fn log_change(&mut self, record: &StoredRecord, data: Option<&str>, seq: i64) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO changes (seq, entity, id, version, data) VALUES ($1, $2, $3, $4, $5)",
                &[&seq, &record.entity, &record.id, &record.version, &data],
            )
            .map_err(db)?;
        Ok(())
    }

    fn log_change_audience(&mut self, seq: i64, principal: &str, removal: bool) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO change_audience (principal, seq, removal) VALUES ($1, $2, $3)",
                &[&principal, &seq, &removal],
            )
            .map_err(db)?;
        Ok(())
    }

    fn list_record_texts(
        &mut self,
        entity: &str,
        principals: Option<&[String]>,
    ) -> Result<Vec<RecordText>> {
        let rows = match principals {
            None => self.tx.query(
                "SELECT id, version, data FROM records WHERE entity = $1 AND NOT deleted ORDER BY id",
                &[&entity],
            ).map_err(db)?,
            Some(ps) => {
                let ps: Vec<String> = ps.to_vec();
                self.tx.query(
                    "SELECT r.id, r.version, r.data FROM records r WHERE r.entity = $1 AND NOT r.deleted
                     AND EXISTS (SELECT 1 FROM record_audience a WHERE a.entity = r.entity AND a.id = r.id
                     AND a.principal = ANY($2)) ORDER BY r.id",
                    &[&entity, &ps],
                ).map_err(db)?
            }
        };
        Ok(rows
            .iter()
            .map(|r| RecordText {
                id: r.get(0),
                version: r.get(1),
                data: r.get(2),
            })
            .collect())
    }

    fn changes_after(
        &mut self,
        principals: &[String],
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChangeRow>> {
        let ps: Vec<String> = principals.to_vec();
        let rows = self
            .tx
            .query(
                "SELECT c.seq, c.entity, c.id, c.version, c.data, bool_and(a.removal)
             FROM change_audience a JOIN changes c ON c.seq = a.seq
             WHERE a.seq > $1 AND a.principal = ANY($3)
             GROUP BY c.seq ORDER BY c.seq LIMIT $2",
                &[&after, &limit, &ps],
            )
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let removal: bool = r.get(5);
                let data: Option<String> = r.get(4);
                Ok(ChangeRow {
                    seq: r.get(0),
                    entity: r.get(1),
                    id: r.get(2),
                    version: r.get(3),
                    data: match (removal, data) {
                        (false, Some(d)) => Some(d),
                        _ => None,
                    },
                    removal,
                })
            })
            .collect()
    }

    fn max_seq(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_one("SELECT value FROM counters WHERE name = 'change_seq'", &[])
            .map_err(db)?
            .get(0))
    }

    fn renew_log_id(&mut self) -> Result<i64> {
        let sql = format!(
            "UPDATE counters SET value = {} WHERE name = 'log_id'",
            schema::POSTGRES.random_log_id
        );
        self.tx.execute(&sql, &[]).map_err(db)?;
        self.log_id()
    }

    fn log_id(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_one("SELECT value FROM counters WHERE name = 'log_id'", &[])
            .map_err(db)?
            .get(0))
    }

    fn applied_op(&mut self, op_id: &str) -> Result<Option<AppliedOp>> {
        let row = self
            .tx
            .query_opt(
                "SELECT person_id, result FROM applied_ops WHERE op_id = $1",
                &[&op_id],
            )
            .map_err(db)?;
        row.map(|r| {
            Ok(AppliedOp {
                person_id: r.get(0),
                result: serde_json::from_str(&r.get::<_, String>(1))?,
            })
        })
        .transpose()
    }

    fn record_applied_op(&mut self, op_id: &str, person_id: &str, result: &Value) -> Result<()> {
        self.tx.execute(
            "INSERT INTO applied_ops (op_id, person_id, result, applied_at) VALUES ($1, $2, $3, $4)",
            &[&op_id, &person_id, &serde_json::to_string(result)?, &Utc::now()],
        ).map_err(db)?;
        Ok(())
    }

    fn get_account(&mut self, username: &str) -> Result<Option<Account>> {
        let row = self
            .tx
            .query_opt(
                &format!("{ACCOUNT_COLUMNS} WHERE username = $1"),
                &[&username],
            )
            .map_err(db)?;
        Ok(row.as_ref().map(account_of))
    }

    fn list_accounts(&mut self) -> Result<Vec<Account>> {
        let rows = self
            .tx
            .query(&format!("{ACCOUNT_COLUMNS} ORDER BY username"), &[])
            .map_err(db)?;
        Ok(rows.iter().map(account_of).collect())
    }

    fn put_account(&mut self, a: &Account) -> Result<()> {
        self.tx.execute(
            "INSERT INTO accounts (username, person_id, password_hash, failed_logins, locked_until, disabled)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (username) DO UPDATE SET person_id = excluded.person_id,
             password_hash = excluded.password_hash, failed_logins = excluded.failed_logins,
             locked_until = excluded.locked_until, disabled = excluded.disabled",
            &[
                &a.username,
                &a.person_id,
                &a.password_hash,
                &a.failed_logins,
                &a.locked_until,
                &a.disabled,
            ],
        ).map_err(db)?;
        Ok(())
    }

    fn count_accounts(&mut self) -> Result<i64> {
        Ok(self
            .tx
            .query_one("SELECT count(*) FROM accounts", &[])
            .map_err(db)?
            .get(0))
    }

    fn put_token(
        &mut self,
        token_hash: &str,
        username: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO tokens (token_hash, username, expires_at) VALUES ($1, $2, $3)",
                &[&token_hash, &username, &expires_at],
            )
            .map_err(db)?;
        Ok(())
    }

    fn token_user(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_opt(
                "SELECT username FROM tokens WHERE token_hash = $1 AND expires_at > $2",
                &[&token_hash, &now],
            )
            .map_err(db)?
            .map(|r| r.get(0)))
    }

    fn delete_token(&mut self, token_hash: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM tokens WHERE token_hash = $1", &[&token_hash])
            .map_err(db)?;
        Ok(())
    }

    fn delete_tokens_of(&mut self, username: &str, keep: Option<&str>) -> Result<u64> {
        Ok(self
            .tx
            .execute(
                "DELETE FROM tokens WHERE username = $1 AND token_hash IS DISTINCT FROM $2",
                &[&username, &keep],
            )
            .map_err(db)?)
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<()> {
        self.tx.execute(
            "INSERT INTO audit_log (at, actor, action, target, client, detail) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&e.at, &e.actor, &e.action, &e.target, &e.client, &e.detail],
        ).map_err(db)?;
        Ok(())
    }

    fn list_audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let rows = self
            .tx
            .query(
                "SELECT id, at, actor, action, target, client, detail FROM audit_log
             WHERE ($1::BIGINT IS NULL OR id < $1) AND ($2::TEXT IS NULL OR action = $2)
             AND ($3::TEXT IS NULL OR actor = $3 OR target = $3)
             ORDER BY id DESC LIMIT $4",
                &[&q.before_id, &q.action, &q.username, &q.limit],
            )
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                target: r.get(4),
                client: r.get(5),
                detail: r.get(6),
            })
            .collect())
    }

    fn put_upload(&mut self, u: &Upload) -> Result<()> {
        self.tx.execute(
            "INSERT INTO uploads (id, length, metadata, sha256, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&u.id, &u.length, &u.metadata, &u.sha256, &u.created_by, &u.expires_at],
        ).map_err(db)?;
        Ok(())
    }

    fn get_upload(&mut self, id: &str) -> Result<Option<Upload>> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1");
        let row = self.tx.query_opt(&sql, &[&id]).map_err(db)?;
        Ok(row.as_ref().map(upload_row))
    }

    fn delete_upload(&mut self, id: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM uploads WHERE id = $1", &[&id])
            .map_err(db)?;
        Ok(())
    }

    fn expired_uploads(&mut self, now: DateTime<Utc>) -> Result<Vec<String>> {
        let rows = self
            .tx
            .query("SELECT id FROM uploads WHERE expires_at <= $1", &[&now])
            .map_err(db)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn uploads_by(&mut self, created_by: &str) -> Result<Vec<Upload>> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE created_by = $1");
        let rows = self.tx.query(&sql, &[&created_by]).map_err(db)?;
        Ok(rows.iter().map(upload_row).collect())
    }

    fn advance_upload(&mut self, id: &str, from: i64, to: i64, part: &str) -> Result<bool> {
        let n = self
            .tx
            .execute(
                "UPDATE uploads SET received = $3, parts = parts || ' ' || $4 WHERE id = $1 AND received = $2",
                &[&id, &from, &to, &part],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn get_setting(&mut self, name: &str) -> Result<Option<String>> {
        let row = self
            .tx
            .query_opt("SELECT value FROM settings WHERE name = $1", &[&name])
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn init_setting(&mut self, name: &str, value: &str) -> Result<String> {
        self.tx
            .execute(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .map_err(db)?;
        Ok(self.get_setting(name)?.unwrap_or_default())
    }

    fn touch_upload(&mut self, id: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.tx
            .execute(
                "UPDATE uploads SET expires_at = $2 WHERE id = $1",
                &[&id, &expires_at],
            )
            .map_err(db)?;
        Ok(())
    }

    fn put_blob(&mut self, b: &Blob) -> Result<()> {
        self.tx.execute(
            "INSERT INTO blobs (sha256, size, uploaded_by, audience, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (sha256) DO UPDATE SET audience = excluded.audience",
            &[&b.sha256, &b.size, &b.uploaded_by, &serde_json::to_string(&b.audience)?, &Utc::now()],
        ).map_err(db)?;
        Ok(())
    }

    fn get_blob(&mut self, sha256: &str) -> Result<Option<Blob>> {
        let row = self
            .tx
            .query_opt(
                "SELECT sha256, size, uploaded_by, audience FROM blobs WHERE sha256 = $1",
                &[&sha256],
            )
            .map_err(db)?;
        row.map(|r| {
            Ok(Blob {
                sha256: r.get(0),
                size: r.get(1),
                uploaded_by: r.get(2),
                audience: serde_json::from_str(&r.get::<_, String>(3))?,
            })
        })
        .transpose()
    }

    fn uploaded_on(&mut self, person_id: &str, day: &str) -> Result<i64> {
        Ok(self
            .tx
            .query_opt(
                "SELECT bytes FROM upload_days WHERE person_id = $1 AND day = $2",
                &[&person_id, &day],
            )
            .map_err(db)?
            .map_or(0, |r| r.get(0)))
    }

    fn add_uploaded(&mut self, person_id: &str, day: &str, bytes: i64) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM upload_days WHERE person_id = $1 AND day < $2",
                &[&person_id, &day],
            )
            .map_err(db)?;
        self.tx
            .execute(
                "INSERT INTO upload_days (person_id, day, bytes) VALUES ($1, $2, $3)
             ON CONFLICT (person_id, day) DO UPDATE SET bytes = upload_days.bytes + excluded.bytes",
                &[&person_id, &day, &bytes],
            )
            .map_err(db)?;
        Ok(())
    }
}

const ACCOUNT_COLUMNS: &str =
    "SELECT username, person_id, password_hash, failed_logins, locked_until, disabled FROM accounts";

fn account_of(r: &postgres::Row) -> Account {
    Account {
        username: r.get(0),
        person_id: r.get(1),
        password_hash: r.get(2),
        failed_logins: r.get(3),
        locked_until: r.get(4),
        disabled: r.get(5),
    }
}

const UPLOAD_COLUMNS: &str =
    "id, length, metadata, sha256, created_by, expires_at, received, parts";

fn upload_row(r: &postgres::Row) -> Upload {
    Upload {
        id: r.get(0),
        length: r.get(1),
        metadata: r.get(2),
        sha256: r.get(3),
        created_by: r.get(4),
        expires_at: r.get(5),
        received: r.get(6),
        parts: r.get(7),
    }
}
