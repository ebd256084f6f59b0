//! The reminder delivery log and the leases, written once for both backends over their
//! [`Sql`].

use chrono::{DateTime, Utc};

use crate::sql::{columns, placeholders, Arg, Cell, Sql};
use crate::Result;

/// One reminder's delivery on one channel: the delivery log the engine writes once per key
/// (so a reminder is sent once, across restarts and instances) and the office reads.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// The reminder's key (a person's), or its group key (a unit's chat).
    pub key: String,
    /// `in_app`, `dingtalk`, `wecom` or `sms`.
    pub channel: String,
    pub rule_id: String,
    pub unit_id: String,
    /// The person reminded; empty for a post to a unit's group chat.
    pub person_id: String,
    /// The record it is about, `entity:id`.
    pub record: String,
    pub title: String,
    /// The message (JSON: title, text, link), kept for retries.
    #[serde(skip)]
    pub body: String,
    /// When the reminder fell due.
    pub due_at: DateTime<Utc>,
    /// `pending` (to send or retry), `sent`, or `failed` (gave up).
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last failure, as the channel reported it.
    pub last_error: String,
}

/// The reminder delivery log and the leases that let one instance of several do leased work
/// (`server/src/reminders`), part of every transaction.
pub trait DeliveryLog: Sql {
    /// Logs a delivery unless its (key, channel) is logged already; whether it was new.
    fn insert_delivery(&mut self, d: &Delivery) -> Result<bool> {
        let n = self.run(
            &format!(
                "INSERT INTO reminder_deliveries ({COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (key, channel) DO NOTHING"
            ),
            &values(d),
        )?;
        Ok(n == 1)
    }

    /// Writes a delivery's state, attempts, next attempt, sent time and last error.
    fn update_delivery(&mut self, d: &Delivery) -> Result<()> {
        let [key, channel, .., state, attempts, next, sent, error] = values(d);
        self.run(
            "UPDATE reminder_deliveries SET state = $3, attempts = $4, next_attempt_at = $5, \
             sent_at = $6, last_error = $7 WHERE key = $1 AND channel = $2",
            &[key, channel, state, attempts, next, sent, error],
        )?;
        Ok(())
    }

    /// Pending deliveries whose next attempt is due at `now`, oldest first.
    fn pending_deliveries(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Delivery>> {
        self.rows(
            &format!(
                "SELECT {COLUMNS} FROM reminder_deliveries WHERE state = 'pending' \
                 AND next_attempt_at <= $1 ORDER BY next_attempt_at, key, channel LIMIT $2"
            ),
            &[Arg::Time(now), Arg::Int(limit)],
        )?
        .into_iter()
        .map(delivery)
        .collect()
    }

    /// The log, newest first: every unit's, or those of `units`.
    fn list_deliveries(&mut self, units: Option<&[String]>, limit: i64) -> Result<Vec<Delivery>> {
        let mut args = vec![Arg::Int(limit)];
        let filter = match units {
            None => String::new(),
            Some([]) => return Ok(Vec::new()),
            Some(units) => {
                args.extend(units.iter().map(|u| Arg::Text(u)));
                format!("WHERE unit_id IN ({})", placeholders(2, units.len()))
            }
        };
        self.rows(
            &format!(
                "SELECT {COLUMNS} FROM reminder_deliveries {filter} \
                 ORDER BY due_at DESC, key, channel LIMIT $1"
            ),
            &args,
        )?
        .into_iter()
        .map(delivery)
        .collect()
    }

    /// Takes (or keeps) the lease until `lease.until` when it is free, expired or already
    /// `lease.holder`'s: with several server instances only the holder does the leased work.
    fn take_lease(&mut self, lease: &Lease<'_>) -> Result<bool> {
        let n = self.run(
            "INSERT INTO leases (name, holder, until_at) VALUES ($1, $2, $4) \
             ON CONFLICT (name) DO UPDATE SET holder = $2, until_at = $4 \
             WHERE leases.holder = $2 OR leases.until_at <= $3",
            &[
                Arg::Text(lease.name),
                Arg::Text(lease.holder),
                Arg::Time(lease.now),
                Arg::Time(lease.until),
            ],
        )?;
        Ok(n == 1)
    }
}

impl<T: Sql> DeliveryLog for T {}

const COLUMNS: &str = "key, channel, rule_id, unit_id, person_id, record, title, body, due_at, \
                       state, attempts, next_attempt_at, sent_at, last_error";

/// A delivery's values in the order of `COLUMNS`.
fn values(d: &Delivery) -> [Arg<'_>; 14] {
    [
        Arg::Text(&d.key),
        Arg::Text(&d.channel),
        Arg::Text(&d.rule_id),
        Arg::Text(&d.unit_id),
        Arg::Text(&d.person_id),
        Arg::Text(&d.record),
        Arg::Text(&d.title),
        Arg::Text(&d.body),
        Arg::Time(d.due_at),
        Arg::Text(&d.state),
        Arg::Int(d.attempts),
        Arg::Time(d.next_attempt_at),
        Arg::OptTime(d.sent_at),
        Arg::Text(&d.last_error),
    ]
}

/// A delivery from its row of `COLUMNS`.
fn delivery(row: Vec<Cell>) -> Result<Delivery> {
    let [key, channel, rule_id, unit_id, person_id, record, title, body, due_at, state, attempts, next_attempt_at, sent_at, last_error] =
        columns(row)?;
    Ok(Delivery {
        key: key.text()?,
        channel: channel.text()?,
        rule_id: rule_id.text()?,
        unit_id: unit_id.text()?,
        person_id: person_id.text()?,
        record: record.text()?,
        title: title.text()?,
        body: body.text()?,
        due_at: due_at.time()?,
        state: state.text()?,
        attempts: attempts.int()?,
        next_attempt_at: next_attempt_at.time()?,
        sent_at: sent_at.opt_time()?,
        last_error: last_error.text()?,
    })
}

/// A named lease asked for by one server instance (`DeliveryLog::take_lease`).
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub name: &'a str,
    /// The instance asking.
    pub holder: &'a str,
    /// When it asks: an earlier holder's lease that ended by then is free.
    pub now: DateTime<Utc>,
    /// Until when the lease is held once taken.
    pub until: DateTime<Utc>,
}
