//! 提醒 on the phone: marking one read here at once, queued as `reminder/read` so the server
//! (which keeps the first time) and the console's bell agree.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};

use anjian_domain::policy::{self, Act, Target};
use anjian_domain::reminders::{InAppReminder, IN_APP};
use anjian_domain::sync::ops::{OpBody, ReadReminder};

use crate::error::Result;
use crate::store::{enqueue, from_json, json, new_id, not_found, Store};

impl Store {
    /// Marks my reminder `id` read (once: a second call changes nothing and sends nothing).
    pub fn mark_reminder_read(&self, id: &str) -> Result<InAppReminder> {
        let me = self.actor()?;
        // The phone holds only the signed-in person's reminders (their audience is them).
        policy::check(
            &me,
            Act::ReadReminder,
            &Target {
                owner_id: Some(&me.person_id),
                ..Target::default()
            },
        )?;
        self.write(|tx| {
            let data: Option<String> = tx
                .query_row(
                    "SELECT data FROM pulled_records WHERE entity = ?1 AND id = ?2",
                    params![IN_APP, id],
                    |r| r.get(0),
                )
                .optional()?;
            let mut r: InAppReminder = from_json(&data.ok_or_else(|| not_found("提醒", id))?)?;
            if r.read_at.is_some() {
                return Ok(r);
            }
            r.read_at = Some(Utc::now());
            tx.execute(
                "UPDATE pulled_records SET data = ?3 WHERE entity = ?1 AND id = ?2",
                params![IN_APP, id, json(&r)?],
            )?;
            enqueue(tx, &new_id(), id, &OpBody::ReadReminder(ReadReminder {}))?;
            Ok(r)
        })
    }
}
