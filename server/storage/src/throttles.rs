//! Short-lived state every server instance shares, written once for both backends over
//! their [`Sql`].

use chrono::{DateTime, Utc};

use crate::sql::{Arg, Sql};
use crate::Result;

/// Short-lived state every server instance shares: login throttling and the public
/// complaint limiter (`server/src/ratelimit.rs`). One value per (kind, key) with an
/// expiry; expired rows are never returned, and each kind keeps a bounded number of rows.
pub trait Throttles: Sql {
    /// The value of (kind, key) unless it expired at `now`.
    fn get_throttle(
        &mut self,
        kind: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        self.text(
            "SELECT value FROM throttles WHERE kind = $1 AND key = $2 AND expires_at > $3",
            &[Arg::Text(kind), Arg::Text(key), Arg::Time(now)],
        )
    }

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
    ) -> Result<()> {
        self.run(
            "INSERT INTO throttles (kind, key, value, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kind, key) DO UPDATE SET value = $3, expires_at = $4",
            &[
                Arg::Text(kind),
                Arg::Text(key),
                Arg::Text(value),
                Arg::Time(expires_at),
            ],
        )?;
        self.run(
            "DELETE FROM throttles WHERE kind = $1 AND expires_at <= $2",
            &[Arg::Text(kind), Arg::Time(now)],
        )?;
        // Every row beyond the first `max_rows` by expiry (the LIMIT only because SQLite
        // takes no OFFSET without one).
        self.run(
            "DELETE FROM throttles WHERE kind = $1 AND key IN (SELECT key FROM throttles \
             WHERE kind = $1 ORDER BY expires_at DESC LIMIT $3 OFFSET $2)",
            &[
                Arg::Text(kind),
                Arg::Int(max_rows.max(1)),
                Arg::Int(i64::MAX),
            ],
        )?;
        Ok(())
    }

    fn delete_throttle(&mut self, kind: &str, key: &str) -> Result<()> {
        self.run(
            "DELETE FROM throttles WHERE kind = $1 AND key = $2",
            &[Arg::Text(kind), Arg::Text(key)],
        )?;
        Ok(())
    }

    /// Rows of a kind (live or not yet pruned).
    fn count_throttles(&mut self, kind: &str) -> Result<i64> {
        self.count(
            "SELECT count(*) FROM throttles WHERE kind = $1",
            &[Arg::Text(kind)],
        )
    }
}

impl<T: Sql> Throttles for T {}
