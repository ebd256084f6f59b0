//! 投诉建议 on the phone: sent in the signed-in person's name (kept with the pulled records so
//! it shows at once, queued as `feedback/submit`), and read back with 县安委办's reply once a
//! sync has brought it.

use rusqlite::params;

use anjian_domain::feedback::{Feedback, FeedbackKind};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::entity;
use anjian_domain::sync::ops::OpBody;

use crate::error::Result;
use crate::store::{enqueue, json, new_id, Store};

impl Store {
    /// Sends a complaint or suggestion; refused in Chinese when empty or too long.
    pub fn send_feedback(
        &self,
        kind: FeedbackKind,
        content: &str,
        contact: Option<&str>,
    ) -> Result<Feedback> {
        let me = self.actor()?;
        let target = Target {
            owner_id: Some(&me.person_id),
            ..Target::default()
        };
        policy::check(&me, Act::SendFeedback, &target)?;
        let mut f = Feedback::new(new_id(), kind, content, contact)?;
        f.sent_by = me.person_id.clone();
        f.sent_by_name = me.name.clone();
        f.unit_id = me.unit_id.clone();
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO pulled_records (entity, id, version, data) VALUES (?1, ?2, 0, ?3)",
            )?
            .execute(params![entity::FEEDBACK, f.id, json(&f)?])?;
            enqueue(tx, &new_id(), &f.id, &OpBody::SubmitFeedback(f.clone()))
        })?;
        Ok(f)
    }

    /// My complaints and suggestions, newest first (not yet sent ones first of all).
    pub fn my_feedback(&self) -> Result<Vec<Feedback>> {
        let me = self.actor()?;
        let mut v: Vec<Feedback> = crate::sync_engine::pulled(self, entity::FEEDBACK)?
            .into_iter()
            .filter(|f: &Feedback| f.sent_by == me.person_id)
            .collect();
        v.sort_by(|a, b| {
            a.received_at
                .is_some()
                .cmp(&b.received_at.is_some())
                .then(b.received_at.cmp(&a.received_at))
                .then(b.id.cmp(&a.id))
        });
        Ok(v)
    }
}
