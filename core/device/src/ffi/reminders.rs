//! 提醒 on the phone: the reminders the server's engine addressed to me, received through sync
//! (records only their recipient pulls), newest first, for the app's notifications; marking
//! one read goes back to the server with the next sync.

use super::*;
use anjian_domain::reminders::{InAppReminder, IN_APP};

/// A reminder as the app shows it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReminderRecord {
    /// Stable: the app notifies once per id.
    pub id: String,
    pub title: String,
    pub text: String,
    /// `hazard`, `work_task`, `month_end_submission`, `patrol_plan`, `assessment_publication`.
    pub entity: String,
    pub record_id: String,
    /// When it fell due (RFC 3339).
    pub at: String,
    /// Marked read (on this phone or in the console).
    pub read: bool,
}

impl From<InAppReminder> for ReminderRecord {
    fn from(r: InAppReminder) -> Self {
        ReminderRecord {
            read: r.read_at.is_some(),
            at: r.at.to_rfc3339(),
            id: r.id,
            title: r.title,
            text: r.text,
            entity: r.entity,
            record_id: r.record_id,
        }
    }
}

#[uniffi::export]
impl AnjianStore {
    /// My reminders, newest first.
    pub fn my_reminders(&self) -> FfiResult<Vec<ReminderRecord>> {
        let mut list: Vec<InAppReminder> = crate::sync_engine::pulled(&self.inner, IN_APP)?;
        list.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
        Ok(list.into_iter().map(ReminderRecord::from).collect())
    }

    /// Marks one of my reminders read (sent with the next sync; the server keeps the first
    /// time).
    pub fn mark_reminder_read(&self, id: String) -> FfiResult<ReminderRecord> {
        Ok(self.inner.mark_reminder_read(&id)?.into())
    }
}
