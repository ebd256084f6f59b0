//! The hazard ledger's records: a hazard with its history as it is stored and travels
//! ([`HazardDoc`]), each transition with the event it writes ([`Transition`]), the rule about
//! where a hazard may come from, and the ledger's one order. The server, the phone and the
//! demo county all go through these functions.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::ChecklistRegistry;
use crate::hazard::{Hazard, HazardAction, HazardDraft, HazardEvent, HazardSource, HazardStatus};
use crate::inspection::{Inspection, ItemOutcome};
use crate::org::Actor;
use crate::site::Site;
use crate::DomainError;

/// A hazard with its history, stored and synced as one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HazardDoc {
    pub hazard: Hazard,
    pub events: Vec<HazardEvent>,
    /// When the server received the hazard, and whether its 发现时间 is doubtful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<crate::received::Receipt>,
}

/// A hazard after one step of its workflow, and the event that records the step.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub hazard: Hazard,
    pub event: HazardEvent,
}

/// Raises a hazard: the new record and the event that opens its history (`event_id` is the
/// operation's idempotency key, so the phone's and the server's event share one id).
pub fn raise(
    draft: HazardDraft,
    checklists: &ChecklistRegistry,
    actor: &Actor,
    at: DateTime<Utc>,
    event_id: impl Into<String>,
) -> Result<Transition, DomainError> {
    let hazard = Hazard::raise(draft, checklists, actor, at)?;
    let event = HazardEvent {
        id: event_id.into(),
        hazard_id: hazard.id.clone(),
        action: None,
        actor: actor.clone(),
        at,
        from: None,
        to: hazard.status,
        version: hazard.version,
    };
    Ok(Transition { hazard, event })
}

/// One workflow action on `current` under the rules of 四改: the hazard after it and its event.
pub fn act(
    current: &Hazard,
    action: HazardAction,
    actor: &Actor,
    at: DateTime<Utc>,
    event_id: impl Into<String>,
) -> Result<Transition, DomainError> {
    let next = current.apply(&action, actor, at)?;
    let event = HazardEvent {
        id: event_id.into(),
        hazard_id: next.id.clone(),
        action: Some(action),
        actor: actor.clone(),
        at,
        from: Some(current.status),
        to: next.status,
        version: next.version,
    };
    Ok(Transition {
        hazard: next,
        event,
    })
}

impl HazardDoc {
    pub fn raised(t: Transition) -> HazardDoc {
        HazardDoc {
            hazard: t.hazard,
            events: vec![t.event],
            received: None,
        }
    }

    pub fn push(&mut self, t: Transition) {
        self.hazard = t.hazard;
        self.events.push(t.event);
    }

    pub fn has_event(&self, id: &str) -> bool {
        self.events.iter().any(|e| e.id == id)
    }
}

/// Whether `sent` (the event a device recorded) is a status change that was already made, by
/// the same action, from another device: the server answers "already applied", not a refusal.
pub fn already_made(current: &Hazard, sent: &HazardEvent, action: &HazardAction) -> bool {
    let moves_status = sent.from.is_some_and(|f| f != sent.to);
    moves_status && current.status == sent.to && current.target_status(action) == current.status
}

impl HazardSource {
    /// A hazard from a checklist item: the item must have failed in that inspection, of the
    /// same industry.
    pub fn check(&self, inspection: &Inspection) -> Result<(), DomainError> {
        let failed = inspection
            .results
            .get(&self.item_id)
            .is_some_and(|r| r.outcome == ItemOutcome::Fail);
        if !failed || inspection.industry != self.industry {
            return Err(DomainError::InvalidValue {
                field: "隐患来源",
                reason: format!("检查项 {} 在该次检查中未判定为不合格", self.item_id),
            });
        }
        Ok(())
    }
}

/// The unit responsible for a hazard at a site is the site's township (属地) or its
/// department (属事).
pub fn check_responsible_unit(unit_id: &str, site: &Site) -> Result<(), DomainError> {
    if unit_id == site.township_id || site.department_id.as_deref() == Some(unit_id) {
        Ok(())
    } else {
        Err(DomainError::InvalidValue {
            field: "责任单位",
            reason: "须为隐患所在场所的属地乡镇（街道）或属事部门".into(),
        })
    }
}

/// The ledger's order (隐患台账), the same on every screen: overdue first, then by deadline
/// (none last), then newest raised, then by number so equal rows never swap.
pub fn ledger_order(a: &Hazard, b: &Hazard, today: NaiveDate) -> Ordering {
    b.is_overdue(today)
        .cmp(&a.is_overdue(today))
        .then_with(|| match (a.deadline(), b.deadline()) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| b.raised_at.cmp(&a.raised_at))
        .then_with(|| a.number.cmp(&b.number))
        .then_with(|| a.id.cmp(&b.id))
}

/// Sorts hazards into the ledger's order.
pub fn sort_ledger(hazards: &mut [Hazard], today: NaiveDate) {
    hazards.sort_by(|a, b| ledger_order(a, b, today));
}

/// Whether a hazard is still open (anything but closed).
pub fn is_open(h: &Hazard) -> bool {
    h.status != HazardStatus::Closed
}
