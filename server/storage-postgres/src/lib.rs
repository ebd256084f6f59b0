//! PostgreSQL, for a county that outgrows one machine. Same records, same rules: every write
//! transaction first locks the change counter row, so writers are serialised and change
//! numbers are handed out inside the writing transaction (a pull cursor never skips a row
//! that commits late, the trap of plain sequences).

use std::sync::Mutex;

use chrono::Utc;
use postgres::{Client, NoTls, Transaction};
use serde_json::Value;

use anjian_storage::{
    schema, AppliedOp, ChangeRow, RecordText, Result, StorageError, StoredRecord, Tx,
};

mod sql;

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
}
