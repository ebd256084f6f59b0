//! The reminder delivery log and leases, in PostgreSQL.

use chrono::{DateTime, Utc};
use postgres::types::ToSql;

use anjian_storage::{Delivery, DeliveryLog, Lease, Result};

use crate::{db, PgTx};

const COLUMNS: &str = "key, channel, rule_id, unit_id, person_id, record, title, body, due_at, \
                       state, attempts, next_attempt_at, sent_at, last_error";

fn row(r: &postgres::Row) -> Delivery {
    Delivery {
        key: r.get(0),
        channel: r.get(1),
        rule_id: r.get(2),
        unit_id: r.get(3),
        person_id: r.get(4),
        record: r.get(5),
        title: r.get(6),
        body: r.get(7),
        due_at: r.get(8),
        state: r.get(9),
        attempts: r.get(10),
        next_attempt_at: r.get(11),
        sent_at: r.get(12),
        last_error: r.get(13),
    }
}

/// A delivery's values in the order of `COLUMNS`.
fn values(d: &Delivery) -> [&(dyn ToSql + Sync); 14] {
    [
        &d.key,
        &d.channel,
        &d.rule_id,
        &d.unit_id,
        &d.person_id,
        &d.record,
        &d.title,
        &d.body,
        &d.due_at,
        &d.state,
        &d.attempts,
        &d.next_attempt_at,
        &d.sent_at,
        &d.last_error,
    ]
}

impl DeliveryLog for PgTx<'_, '_> {
    fn insert_delivery(&mut self, d: &Delivery) -> Result<bool> {
        let n = self
            .tx
            .execute(
                &format!(
                    "INSERT INTO reminder_deliveries ({COLUMNS}) VALUES \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT (key, channel) DO NOTHING"
                ),
                &values(d),
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn update_delivery(&mut self, d: &Delivery) -> Result<()> {
        let [key, channel, .., state, attempts, next, sent, error] = values(d);
        self.tx
            .execute(
                "UPDATE reminder_deliveries SET state = $3, attempts = $4, next_attempt_at = $5, \
             sent_at = $6, last_error = $7 WHERE key = $1 AND channel = $2",
                &[key, channel, state, attempts, next, sent, error],
            )
            .map_err(db)?;
        Ok(())
    }

    fn pending_deliveries(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Delivery>> {
        let rows = self
            .tx
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM reminder_deliveries WHERE state = 'pending' \
                     AND next_attempt_at <= $1 ORDER BY next_attempt_at, key, channel LIMIT $2"
                ),
                &[&now, &limit],
            )
            .map_err(db)?;
        Ok(rows.iter().map(row).collect())
    }

    fn list_deliveries(&mut self, units: Option<&[String]>, limit: i64) -> Result<Vec<Delivery>> {
        let units: Option<Vec<String>> = units.map(<[String]>::to_vec);
        let rows = self
            .tx
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM reminder_deliveries WHERE $1::TEXT[] IS NULL \
                     OR unit_id = ANY($1) ORDER BY due_at DESC, key, channel LIMIT $2"
                ),
                &[&units, &limit],
            )
            .map_err(db)?;
        Ok(rows.iter().map(row).collect())
    }

    fn take_lease(&mut self, lease: &Lease<'_>) -> Result<bool> {
        let n = self
            .tx
            .execute(
                "INSERT INTO leases (name, holder, until_at) VALUES ($1, $2, $4) \
                 ON CONFLICT (name) DO UPDATE SET holder = $2, until_at = $4 \
                 WHERE leases.holder = $2 OR leases.until_at <= $3",
                &[&lease.name, &lease.holder, &lease.now, &lease.until],
            )
            .map_err(db)?;
        Ok(n == 1)
    }
}
