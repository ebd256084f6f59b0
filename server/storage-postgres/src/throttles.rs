//! Throttling state shared by every instance, in PostgreSQL.

use chrono::{DateTime, Utc};

use anjian_storage::{Result, Throttles};

use crate::{db, PgTx};

impl Throttles for PgTx<'_, '_> {
    fn get_throttle(
        &mut self,
        kind: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let row = self
            .tx
            .query_opt(
                "SELECT value FROM throttles WHERE kind = $1 AND key = $2 AND expires_at > $3",
                &[&kind, &key, &now],
            )
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn put_throttle(
        &mut self,
        kind: &str,
        key: &str,
        value: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        max_rows: i64,
    ) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO throttles (kind, key, value, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, key) DO UPDATE SET value = $3, expires_at = $4",
                &[&kind, &key, &value, &expires_at],
            )
            .map_err(db)?;
        self.tx
            .execute(
                "DELETE FROM throttles WHERE kind = $1 AND expires_at <= $2",
                &[&kind, &now],
            )
            .map_err(db)?;
        self.tx
            .execute(
                "DELETE FROM throttles WHERE kind = $1 AND key IN (SELECT key FROM throttles \
                 WHERE kind = $1 ORDER BY expires_at DESC OFFSET $2)",
                &[&kind, &max_rows.max(1)],
            )
            .map_err(db)?;
        Ok(())
    }

    fn delete_throttle(&mut self, kind: &str, key: &str) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM throttles WHERE kind = $1 AND key = $2",
                &[&kind, &key],
            )
            .map_err(db)?;
        Ok(())
    }

    fn count_throttles(&mut self, kind: &str) -> Result<i64> {
        Ok(self
            .tx
            .query_one("SELECT count(*) FROM throttles WHERE kind = $1", &[&kind])
            .map_err(db)?
            .get(0))
    }
}
