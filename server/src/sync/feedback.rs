//! 投诉建议 sent from a phone: in the sender's own name, dated by the server, seen only by the
//! sender and the county level (`crate::api::feedback`).

use chrono::Utc;

use anjian_domain::feedback::Feedback;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::{entity, Operation};

use super::apply::{applied, exists, refuse, Outcome};
use crate::records;
use crate::scope::Caller;
use crate::storage::Tx;

pub(super) fn submit(tx: &mut dyn Tx, caller: &Caller, op: &Operation, mut f: Feedback) -> Outcome {
    policy::check(
        &caller.actor(),
        Act::SendFeedback,
        &Target {
            owner_id: Some(&caller.person.id),
            ..Target::default()
        },
    )?;
    f.id = op.entity_id.clone();
    f.validate()?;
    if exists(tx, entity::FEEDBACK, &f.id)? {
        return Err(refuse(format!("投诉建议 {} 已存在", f.id)));
    }
    // Who, from which unit and when are the server's; a reply comes only from 县安委办.
    f.sent_by = caller.person.id.clone();
    f.sent_by_name = caller.person.name.clone();
    f.unit_id = caller.person.unit_id.clone();
    f.received_at = Some(Utc::now());
    f.reply = None;
    let audience = crate::api::feedback::audience(&f.sent_by);
    records::put(tx, entity::FEEDBACK, &f.id, &f, audience, None)?;
    applied(&f)
}
