//! 提醒约谈、追责问责 recorded by 县安委办 (the unit and person must exist, the month it is
//! dated in must not be published), and a unit's 改机制 records; who recorded them and when
//! are the server's.

use chrono::Utc;

use anjian_domain::hazard::china_date;
use anjian_domain::mechanism::MechanismRecord;
use anjian_domain::month::YearMonth;
use anjian_domain::org::{Person, Unit};
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::records::AccountabilityRecord;
use anjian_domain::sync::{entity, Operation};

use super::apply::{create_unit_record, refuse, Outcome};
use crate::records;
use crate::scope::Caller;
use crate::storage::Tx;

pub(super) fn create(
    tx: &mut dyn Tx,
    caller: &Caller,
    op: &Operation,
    mut a: AccountabilityRecord,
) -> Outcome {
    // The role first: a refusal to someone who may not record says nothing of the unit.
    policy::check(
        &caller.actor(),
        Act::Accountability,
        &Target {
            unit_id: Some(&a.unit_id),
            ..Target::default()
        },
    )?;
    let now = Utc::now();
    a.id = op.entity_id.clone();
    a.validate(china_date(now))?;
    if records::load::<Unit>(tx, entity::UNIT, &a.unit_id)?.is_none() {
        return Err(refuse(format!("未找到单位：{}", a.unit_id)));
    }
    if let Some(pid) = &a.person_id {
        match records::load::<Person>(tx, entity::PERSON, pid)? {
            Some((_, p)) if p.unit_id == a.unit_id => a.person_name = Some(p.name),
            _ => return Err(refuse("被约谈（问责）人不是该单位人员")),
        }
    }
    if let Some(reason) = crate::api::publish::closed_for(tx, YearMonth::of(a.decided_on))? {
        return Err(refuse(reason));
    }
    a.recorded_by = Some(caller.person.id.clone());
    a.received_at = Some(now);
    let unit = a.unit_id.clone();
    create_unit_record(tx, caller, op, &unit, Act::Accountability, &a)
}

/// 改机制 recorded by a unit (or the county level): the findings it links must be ones the
/// caller may read; who recorded it and when are the server's.
pub(super) fn create_mechanism(
    tx: &mut dyn Tx,
    caller: &Caller,
    op: &Operation,
    mut m: MechanismRecord,
) -> Outcome {
    policy::check(
        &caller.actor(),
        Act::UnitRecord,
        &Target {
            unit_id: Some(&m.unit_id),
            ..Target::default()
        },
    )?;
    let now = Utc::now();
    m.id = op.entity_id.clone();
    m.validate(china_date(now))?;
    let links = m
        .hazard_ids
        .iter()
        .map(|h| (entity::HAZARD, "关联隐患", h))
        .chain(
            m.inspection_ids
                .iter()
                .map(|i| (entity::INSPECTION, "关联检查", i)),
        );
    for (e, what, id) in links {
        match tx.get_record(e, id)? {
            Some(r) if !r.deleted && caller.can_see(&r.audience) => {}
            _ => return Err(refuse(format!("未找到{what}：{id}"))),
        }
    }
    m.recorded_by = Some(caller.person.id.clone());
    m.received_at = Some(now);
    let unit = m.unit_id.clone();
    create_unit_record(tx, caller, op, &unit, Act::UnitRecord, &m)
}
