//! The reminders due at an instant, from the records and the rules.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::text;
use super::{Audience, Reminder, ReminderRule, ReminderRules, Trigger};
use crate::hazard::{china_date, HazardAction, HazardStatus};
use crate::ledger::HazardDoc;
use crate::month::YearMonth;
use crate::month_end::SubmissionStatus;
use crate::org::{Person, Role, Unit, UnitKind};
use crate::patrol::PatrolPlan;
use crate::sync::entity;
use crate::task::{PartState, WorkTask};

/// What the rules read: the records as they are now.
#[derive(Default)]
pub struct ReminderInput<'a> {
    pub units: &'a [Unit],
    pub people: &'a [Person],
    pub hazards: &'a [HazardDoc],
    pub tasks: &'a [WorkTask],
    /// 月底报送 of the months that matter now (this month and the last), every unit's items.
    pub month_end: &'a [(YearMonth, Vec<SubmissionStatus>)],
    /// Patrol plans (secret: their reminders go to the team only).
    pub patrols: &'a [PatrolPlan],
    /// Published months and when they were published.
    pub publications: &'a [(YearMonth, DateTime<Utc>)],
}

/// Who is who: the heads of each unit and the office's staff.
struct People<'a> {
    heads: HashMap<&'a str, Vec<&'a str>>,
    deputies: HashMap<&'a str, Vec<&'a str>>,
    office: Vec<(&'a str, &'a str)>,
    unit_names: HashMap<&'a str, &'a str>,
}

impl<'a> People<'a> {
    fn new(input: &ReminderInput<'a>) -> People<'a> {
        let mut heads: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut deputies: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut office = Vec::new();
        let mut people: Vec<&Person> = input.people.iter().collect();
        people.sort_by(|a, b| a.id.cmp(&b.id));
        for p in people {
            if p.roles.contains(&Role::UnitHead) {
                heads.entry(&p.unit_id).or_default().push(&p.id);
            }
            if p.roles.contains(&Role::UnitDeputyHead) {
                deputies.entry(&p.unit_id).or_default().push(&p.id);
            }
            if p.roles.contains(&Role::SafetyOfficeStaff) {
                office.push((p.id.as_str(), p.unit_id.as_str()));
            }
        }
        People {
            heads,
            deputies,
            office,
            unit_names: input
                .units
                .iter()
                .map(|u| (u.id.as_str(), u.name.as_str()))
                .collect(),
        }
    }

    fn unit_name(&self, id: &str) -> String {
        self.unit_names.get(id).map_or(id, |n| n).to_string()
    }

    /// The people `to` names for a record of `unit`, each with the unit their reminder is
    /// about (the office's staff are reminded about the unit concerned too).
    fn resolve(&self, to: &[Audience], unit: &str, named: &[(Audience, &'a str)]) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for a in to {
            match a {
                Audience::UnitHead => out.extend(self.heads.get(unit).into_iter().flatten()),
                Audience::UnitDeputyHead => {
                    out.extend(self.deputies.get(unit).into_iter().flatten())
                }
                Audience::Office => out.extend(self.office.iter().map(|(p, _)| *p)),
                _ => out.extend(named.iter().filter(|(n, _)| n == a).map(|(_, p)| *p)),
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert(*p));
        out
    }
}

/// One firing of a rule for a record, before it is addressed to people.
struct Fire<'a> {
    entity: &'static str,
    record_id: String,
    unit_id: &'a str,
    occurrence: String,
    send_at: DateTime<Utc>,
    title: &'static str,
    text: String,
    link: String,
    named: Vec<(Audience, &'a str)>,
}

/// One rule's round at an instant: the rule, who is who, and the times its reminders are
/// judged by.
struct Round<'r, 'p> {
    rule: &'r ReminderRule,
    people: &'r People<'p>,
    schedule: &'r super::Schedule,
    now: DateTime<Utc>,
    /// Events before this are forgotten.
    oldest: DateTime<Utc>,
    /// The day (China time) and when its deadline reminders go out.
    today: NaiveDate,
    digest: DateTime<Utc>,
    /// The rule's days before (due) or after (overdue) a deadline.
    days: i64,
}

impl Round<'_, '_> {
    /// When a reminder of an event at `at` goes out: once released from quiet hours, while
    /// recent enough; none when it is not due yet.
    fn event_due(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let released = self.schedule.release(at);
        (at >= self.oldest && released <= self.now).then_some(released)
    }

    /// Days from today to `deadline` (negative once it has passed).
    fn left(&self, deadline: NaiveDate) -> i64 {
        (deadline - self.today).num_days()
    }
}

/// The reminders due at `now` under `rules`: each event reminded once it happened (held back
/// through quiet hours, forgotten after `lookback_days`), each deadline reminded at the digest
/// time of the days the rules name. Sorted by when they fell due, then key. The caller drops
/// the keys it has already sent.
pub fn due(rules: &ReminderRules, input: &ReminderInput<'_>, now: DateTime<Utc>) -> Vec<Reminder> {
    let s = &rules.schedule;
    if s.is_quiet(now) {
        return Vec::new();
    }
    let people = People::new(input);
    let today = china_date(now);
    let digest = s.digest_at(now);
    let digest_due = now >= digest;
    let oldest = now - Duration::days(s.lookback_days);
    let mut out = Vec::new();
    for rule in &rules.rule {
        let r = Round {
            rule,
            people: &people,
            schedule: s,
            now,
            oldest,
            today,
            digest,
            days: rule.days.unwrap_or(0),
        };
        let mut fires: Vec<Fire> = Vec::new();
        match rule.trigger {
            Trigger::HazardAssigned | Trigger::HazardSubmitted | Trigger::HazardRejected => {
                hazard_events(&r, input.hazards, &mut fires)
            }
            Trigger::HazardDue | Trigger::HazardOverdue if digest_due => {
                hazard_deadlines(&r, input.hazards, &mut fires)
            }
            Trigger::TaskAssigned | Trigger::TaskReturned => {
                task_events(&r, input.tasks, &mut fires)
            }
            Trigger::TaskDue | Trigger::TaskOverdue if digest_due => {
                task_deadlines(&r, input.tasks, &mut fires)
            }
            Trigger::MonthEndDue | Trigger::MonthEndMissed if digest_due => {
                month_end(&r, input.month_end, &mut fires)
            }
            Trigger::PatrolAssigned => {
                for p in input.patrols {
                    if p.is_done() || p.window_end < today {
                        continue;
                    }
                    fires.push(Fire {
                        entity: entity::PATROL_PLAN,
                        record_id: p.id.clone(),
                        unit_id: &p.organiser_unit_id,
                        occurrence: "plan".into(),
                        send_at: now,
                        title: "暗访巡查任务提醒",
                        text: text::patrol(p),
                        link: "/patrols".into(),
                        named: p
                            .team
                            .iter()
                            .map(|t| (Audience::Team, t.as_str()))
                            .collect(),
                    });
                }
            }
            Trigger::ScoresPublished => {
                for (month, at) in input.publications {
                    let Some(send_at) = r.event_due(*at) else {
                        continue;
                    };
                    for u in input
                        .units
                        .iter()
                        .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
                    {
                        fires.push(Fire {
                            entity: "assessment_publication",
                            record_id: month.to_string(),
                            unit_id: &u.id,
                            occurrence: month.to_string(),
                            send_at,
                            title: "月度考核结果发布",
                            text: text::published(*month),
                            link: format!("/assessment?month={month}"),
                            named: vec![],
                        });
                    }
                }
            }
            _ => {}
        }
        for f in fires {
            address(rule, f, &people, &mut out);
        }
    }
    out.sort_by(|a, b| a.send_at.cmp(&b.send_at).then_with(|| a.key.cmp(&b.key)));
    out
}

fn address(rule: &ReminderRule, f: Fire<'_>, people: &People<'_>, out: &mut Vec<Reminder>) {
    let record = f.record_id;
    for person in people.resolve(&rule.to, f.unit_id, &f.named) {
        out.push(Reminder {
            key: format!(
                "{}|{}:{}|{}|{}",
                rule.id, f.entity, record, person, f.occurrence
            ),
            rule_id: rule.id.clone(),
            trigger: rule.trigger,
            entity: f.entity.to_string(),
            record_id: record.clone(),
            person_id: person.to_string(),
            unit_id: f.unit_id.to_string(),
            group: rule.group,
            occurrence: f.occurrence.clone(),
            title: f.title.to_string(),
            text: f.text.clone(),
            link: f.link.clone(),
            send_at: f.send_at,
        });
    }
}

fn hazard_events<'a>(r: &Round, hazards: &'a [HazardDoc], fires: &mut Vec<Fire<'a>>) {
    let (rule, people) = (r.rule, r.people);
    for doc in hazards {
        let h = &doc.hazard;
        if h.status == HazardStatus::Closed {
            continue;
        }
        // Only the latest event of the kind counts, and only while it still stands.
        let Some(ev) = doc.events.iter().rev().find(|e| {
            matches!(
                (rule.trigger, &e.action),
                (Trigger::HazardAssigned, Some(HazardAction::Assign { .. }))
                    | (
                        Trigger::HazardSubmitted,
                        Some(HazardAction::SubmitRectification { .. })
                    )
                    | (Trigger::HazardRejected, Some(HazardAction::Reject { .. }))
            )
        }) else {
            continue;
        };
        if rule.trigger == Trigger::HazardSubmitted && h.status != HazardStatus::Submitted {
            continue;
        }
        let Some(send_at) = r.event_due(ev.at) else {
            continue;
        };
        let unit = h.rectifying_unit();
        let (title, text, named) = match &ev.action {
            Some(HazardAction::Assign { deadline, .. }) => (
                "隐患交办提醒",
                text::hazard_assigned(h, &people.unit_name(unit), *deadline),
                vec![],
            ),
            Some(HazardAction::SubmitRectification { .. }) => (
                "隐患验收提醒",
                text::hazard_submitted(h, &people.unit_name(unit)),
                vec![(Audience::Verifier, h.raised_by.person_id.as_str())],
            ),
            Some(HazardAction::Reject { reason }) => {
                let rectifier = doc
                    .events
                    .iter()
                    .rev()
                    .find(|e| matches!(e.action, Some(HazardAction::SubmitRectification { .. })))
                    .map(|e| e.actor.person_id.as_str());
                (
                    "隐患验收退回提醒",
                    text::hazard_rejected(h, reason),
                    rectifier
                        .map(|p| (Audience::Rectifier, p))
                        .into_iter()
                        .collect(),
                )
            }
            _ => continue,
        };
        fires.push(Fire {
            entity: entity::HAZARD,
            record_id: h.id.clone(),
            unit_id: unit,
            occurrence: ev.id.clone(),
            send_at,
            title,
            text,
            link: format!("/hazards/{}", h.id),
            named,
        });
    }
}

fn hazard_deadlines<'a>(r: &Round, hazards: &'a [HazardDoc], fires: &mut Vec<Fire<'a>>) {
    let (people, days) = (r.people, r.days);
    for doc in hazards {
        let h = &doc.hazard;
        if h.status == HazardStatus::Closed {
            continue;
        }
        let Some(deadline) = h.deadline() else {
            continue;
        };
        let left = r.left(deadline);
        let (title, text) = match r.rule.trigger {
            Trigger::HazardDue if left == days => (
                "隐患整改到期提醒",
                text::hazard_due(h, &people.unit_name(h.rectifying_unit()), deadline, left),
            ),
            Trigger::HazardOverdue if -left >= days.max(1) => (
                "隐患逾期提醒",
                text::hazard_overdue(h, &people.unit_name(h.rectifying_unit()), deadline, -left),
            ),
            _ => continue,
        };
        fires.push(Fire {
            entity: entity::HAZARD,
            record_id: h.id.clone(),
            unit_id: h.rectifying_unit(),
            occurrence: r.today.to_string(),
            send_at: r.digest,
            title,
            text,
            link: format!("/hazards/{}", h.id),
            named: vec![],
        });
    }
}

fn task_events<'a>(r: &Round, tasks: &'a [WorkTask], fires: &mut Vec<Fire<'a>>) {
    let (rule, people) = (r.rule, r.people);
    for t in tasks {
        for part in &t.parts {
            let (at, title, text, occurrence) = match (rule.trigger, part.state) {
                (Trigger::TaskAssigned, PartState::Pending) => match t.assigned_at {
                    Some(at) => (
                        at,
                        "工作任务交办提醒",
                        text::task_assigned(t, &people.unit_name(&part.unit_id)),
                        "assigned".to_string(),
                    ),
                    None => continue,
                },
                (Trigger::TaskReturned, PartState::Returned) => match part.reviewed_at {
                    Some(at) => (
                        at,
                        "工作任务退回提醒",
                        text::task_returned(t, part.return_reason.as_deref().unwrap_or("")),
                        format!("returned-{}", at.timestamp()),
                    ),
                    None => continue,
                },
                _ => continue,
            };
            let Some(send_at) = r.event_due(at) else {
                continue;
            };
            fires.push(Fire {
                entity: entity::WORK_TASK,
                record_id: t.id.clone(),
                unit_id: &part.unit_id,
                occurrence,
                send_at,
                title,
                text,
                link: "/tasks".into(),
                named: vec![],
            });
        }
    }
}

fn task_deadlines<'a>(r: &Round, tasks: &'a [WorkTask], fires: &mut Vec<Fire<'a>>) {
    let due = r.rule.trigger == Trigger::TaskDue;
    for t in tasks {
        let left = r.left(t.deadline);
        let fires_today = if due {
            left == r.days
        } else {
            -left >= r.days.max(1)
        };
        if !fires_today {
            continue;
        }
        for part in &t.parts {
            if !matches!(part.state, PartState::Pending | PartState::Returned) {
                continue;
            }
            let unit = r.people.unit_name(&part.unit_id);
            let (title, text) = if due {
                ("工作任务到期提醒", text::task_due(t, &unit, left))
            } else {
                ("工作任务逾期提醒", text::task_overdue(t, &unit, -left))
            };
            fires.push(Fire {
                entity: entity::WORK_TASK,
                record_id: t.id.clone(),
                unit_id: &part.unit_id,
                occurrence: r.today.to_string(),
                send_at: r.digest,
                title,
                text,
                link: "/tasks".into(),
                named: vec![],
            });
        }
    }
}

fn month_end<'a>(
    r: &Round,
    months: &'a [(YearMonth, Vec<SubmissionStatus>)],
    fires: &mut Vec<Fire<'a>>,
) {
    for (month, statuses) in months {
        for s in statuses.iter().filter(|s| s.submitted_at.is_none()) {
            let left = r.left(s.due);
            let unit = r.people.unit_name(&s.unit_id);
            let (title, text) = match r.rule.trigger {
                Trigger::MonthEndDue if left == r.days => (
                    "月底报送提醒",
                    text::month_end_due(*month, &s.label, s.due, left),
                ),
                // The morning after the due date: once.
                Trigger::MonthEndMissed if left == -1 => (
                    "月底报送逾期提醒",
                    text::month_end_missed(*month, &unit, &s.label, s.due),
                ),
                _ => continue,
            };
            fires.push(Fire {
                entity: entity::MONTH_END,
                record_id: format!("{}/{month}/{}", s.unit_id, s.kind.code()),
                unit_id: &s.unit_id,
                occurrence: format!("{month}:{}", s.kind.code()),
                send_at: r.digest,
                title,
                text,
                link: format!("/month-end?month={month}"),
                named: vec![],
            });
        }
    }
}
