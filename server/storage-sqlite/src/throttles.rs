//! Throttling state shared by every instance, in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use anjian_storage::{Result, Throttles};

use crate::{db, ts, SqliteTx};

impl Throttles for SqliteTx<'_> {
    fn get_throttle(
        &mut self,
        kind: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        self.tx
            .query_row(
                "SELECT value FROM throttles WHERE kind = ?1 AND key = ?2 AND expires_at > ?3",
                params![kind, key, ts(now)],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
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
                "INSERT INTO throttles (kind, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (kind, key) DO UPDATE SET value = ?3, expires_at = ?4",
                params![kind, key, value, ts(expires_at)],
            )
            .map_err(db)?;
        self.tx
            .execute(
                "DELETE FROM throttles WHERE kind = ?1 AND expires_at <= ?2",
                params![kind, ts(now)],
            )
            .map_err(db)?;
        self.tx
            .execute(
                "DELETE FROM throttles WHERE kind = ?1 AND key IN (SELECT key FROM throttles \
                 WHERE kind = ?1 ORDER BY expires_at DESC LIMIT -1 OFFSET ?2)",
                params![kind, max_rows.max(1)],
            )
            .map_err(db)?;
        Ok(())
    }

    fn delete_throttle(&mut self, kind: &str, key: &str) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM throttles WHERE kind = ?1 AND key = ?2",
                params![kind, key],
            )
            .map_err(db)?;
        Ok(())
    }

    fn count_throttles(&mut self, kind: &str) -> Result<i64> {
        self.tx
            .query_row(
                "SELECT count(*) FROM throttles WHERE kind = ?1",
                [kind],
                |r| r.get(0),
            )
            .map_err(db)
    }
}
