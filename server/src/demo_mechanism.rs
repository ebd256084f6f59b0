//! The demo county's 改作风 records, beside `demo_activity`: 县安委办 has acted on some of the
//! talks the rules suggest for the seeded activity (overdue hazards, missed duty, late
//! month-end items), with varied outcomes, and left the rest as open suggestions.

use chrono::{DateTime, Duration, Utc};

use anjian_domain::accountability::{AccountabilityOutcome, Suggestion};
use anjian_domain::hazard::china_date;
use anjian_domain::month::YearMonth;
use anjian_domain::org::Person;
use anjian_domain::records::AccountabilityRecord;
use anjian_domain::sync::entity;

use crate::error::ApiResult;
use crate::monthly::County;
use crate::records;
use crate::storage::Tx;

/// Records some of today's suggestions as decided by `office` in the last days; returns how
/// many.
pub fn seed_accountability(
    tx: &mut dyn Tx,
    office: &Person,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let today = china_date(now);
    let county = County::load(tx)?;
    let suggestions = county.accountability_suggestions(None, today);
    // One of each rule, strongest first, at most four.
    let mut picked: Vec<&Suggestion> = Vec::new();
    for s in &suggestions {
        if picked.len() < 4 && !picked.iter().any(|p| p.rule_id == s.rule_id) {
            picked.push(s);
        }
    }
    let outcomes = [
        AccountabilityOutcome::CircularCriticism,
        AccountabilityOutcome::RectificationPledge,
        AccountabilityOutcome::WrittenSelfCriticism,
        AccountabilityOutcome::RectificationPledge,
    ];
    let first = YearMonth::of(today).first_day();
    let dir = county.directory();
    let mut n = 0;
    for (i, s) in picked.into_iter().enumerate() {
        let decided_on = (today - Duration::days(i as i64 + 1)).max(first).min(today);
        let mut rec = AccountabilityRecord {
            id: format!("demo-acc-{}", i + 1),
            kind: s.kind,
            unit_id: s.unit_id.clone(),
            person_id: s.person_id.clone(),
            person_name: s.person_id.as_deref().map(|p| dir.person(p)),
            reason: s.summary.clone(),
            reasons: s.reasons.clone(),
            outcome: Some(outcomes[i % outcomes.len()]),
            decided_by: county
                .unit(&office.unit_id)
                .map_or("县安委办".to_string(), |u| u.name.clone()),
            decided_on,
            hazard_ids: vec![],
            suggestion_id: Some(s.id.clone()),
            recorded_by: Some(office.id.clone()),
            received_at: Some(now - Duration::days(i as i64 + 1)),
        };
        rec.validate(today)?;
        records::save_unit_record(tx, entity::ACCOUNTABILITY, &rec.id, &rec.unit_id, &rec)?;
        n += 1;
    }
    Ok(n)
}
