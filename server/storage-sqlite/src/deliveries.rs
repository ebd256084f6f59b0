//! The reminder delivery log and leases, in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::params;
use rusqlite::types::Value;

use anjian_storage::{Delivery, DeliveryLog, Lease, Result};

use crate::{db, parse_ts, ts, SqliteTx};

const COLUMNS: &str = "key, channel, rule_id, unit_id, person_id, record, title, body, due_at, \
                       state, attempts, next_attempt_at, sent_at, last_error";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Delivery, [String; 2], Option<String>)> {
    let due: String = r.get(8)?;
    let next: String = r.get(11)?;
    let sent: Option<String> = r.get(12)?;
    Ok((
        Delivery {
            key: r.get(0)?,
            channel: r.get(1)?,
            rule_id: r.get(2)?,
            unit_id: r.get(3)?,
            person_id: r.get(4)?,
            record: r.get(5)?,
            title: r.get(6)?,
            body: r.get(7)?,
            due_at: DateTime::<Utc>::UNIX_EPOCH,
            state: r.get(9)?,
            attempts: r.get(10)?,
            next_attempt_at: DateTime::<Utc>::UNIX_EPOCH,
            sent_at: None,
            last_error: r.get(13)?,
        },
        [due, next],
        sent,
    ))
}

fn finish(rows: Vec<(Delivery, [String; 2], Option<String>)>) -> Result<Vec<Delivery>> {
    rows.into_iter()
        .map(|(mut d, [due, next], sent)| {
            d.due_at = parse_ts(&due)?;
            d.next_attempt_at = parse_ts(&next)?;
            d.sent_at = sent.as_deref().map(parse_ts).transpose()?;
            Ok(d)
        })
        .collect()
}

/// A delivery's values in the order of `COLUMNS`.
fn values(d: &Delivery) -> [Value; 14] {
    [
        d.key.clone().into(),
        d.channel.clone().into(),
        d.rule_id.clone().into(),
        d.unit_id.clone().into(),
        d.person_id.clone().into(),
        d.record.clone().into(),
        d.title.clone().into(),
        d.body.clone().into(),
        ts(d.due_at).into(),
        d.state.clone().into(),
        d.attempts.into(),
        ts(d.next_attempt_at).into(),
        d.sent_at.map(ts).into(),
        d.last_error.clone().into(),
    ]
}

impl DeliveryLog for SqliteTx<'_> {
    fn insert_delivery(&mut self, d: &Delivery) -> Result<bool> {
        let n = self
            .tx
            .execute(
                &format!(
                    "INSERT INTO reminder_deliveries ({COLUMNS}) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
                     ON CONFLICT (key, channel) DO NOTHING"
                ),
                rusqlite::params_from_iter(values(d)),
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn update_delivery(&mut self, d: &Delivery) -> Result<()> {
        let [key, channel, .., state, attempts, next, sent, error] = values(d);
        self.tx
            .execute(
                "UPDATE reminder_deliveries SET state = ?3, attempts = ?4, next_attempt_at = ?5, \
             sent_at = ?6, last_error = ?7 WHERE key = ?1 AND channel = ?2",
                params![key, channel, state, attempts, next, sent, error],
            )
            .map_err(db)?;
        Ok(())
    }

    fn pending_deliveries(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Delivery>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM reminder_deliveries WHERE state = 'pending' \
                 AND next_attempt_at <= ?1 ORDER BY next_attempt_at, key, channel LIMIT ?2"
            ))
            .map_err(db)?;
        let rows = stmt
            .query_map(params![ts(now), limit], row)
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        finish(rows)
    }

    fn list_deliveries(&mut self, units: Option<&[String]>, limit: i64) -> Result<Vec<Delivery>> {
        let units_json = units.map(|u| serde_json::to_string(u).expect("strings"));
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM reminder_deliveries WHERE ?1 IS NULL \
                 OR unit_id IN (SELECT value FROM json_each(?1)) \
                 ORDER BY due_at DESC, key, channel LIMIT ?2"
            ))
            .map_err(db)?;
        let rows = stmt
            .query_map(params![units_json, limit], row)
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        finish(rows)
    }

    fn take_lease(&mut self, lease: &Lease<'_>) -> Result<bool> {
        let n = self
            .tx
            .execute(
                "INSERT INTO leases (name, holder, until_at) VALUES (?1, ?2, ?4) \
                 ON CONFLICT (name) DO UPDATE SET holder = ?2, until_at = ?4 \
                 WHERE leases.holder = ?2 OR leases.until_at <= ?3",
                params![lease.name, lease.holder, ts(lease.now), ts(lease.until)],
            )
            .map_err(db)?;
        Ok(n == 1)
    }
}
