//! The reminders due at an instant, from the records and the rules. Computing what is due
//! reads the records and addresses each firing to its people, nothing more: a reminder's key
//! is written on demand and its Chinese words are formatted only when it is delivered
//! ([`PendingReminder::reminder`]), so a tick that finds everything already sent formats
//! nothing.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::text;
use super::{Audience, Reminder, ReminderRule, ReminderRules, Schedule, Trigger};
use crate::hazard::{china_date, Hazard, HazardAction, HazardStatus};
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

    fn unit_name<'s>(&'s self, id: &'s str) -> &'s str {
        self.unit_names.get(id).map_or(id, |n| n)
    }

    /// Adds to `out` the people `to` names for fire `fire` of a record of `unit`, each once
    /// (the office's staff are reminded about the unit concerned too).
    fn resolve(
        &self,
        to: &[Audience],
        unit: &str,
        named: &[(Audience, &'a str)],
        fire: u32,
        out: &mut Vec<(u32, &'a str)>,
    ) {
        let first = out.len();
        let mut add = |p: &'a str| {
            if !out[first..].iter().any(|(_, q)| *q == p) {
                out.push((fire, p));
            }
        };
        for a in to {
            match a {
                Audience::UnitHead => self
                    .heads
                    .get(unit)
                    .into_iter()
                    .flatten()
                    .for_each(|p| add(p)),
                Audience::UnitDeputyHead => self
                    .deputies
                    .get(unit)
                    .into_iter()
                    .flatten()
                    .for_each(|p| add(p)),
                Audience::Office => self.office.iter().for_each(|(p, _)| add(p)),
                _ => named
                    .iter()
                    .filter(|(n, _)| n == a)
                    .for_each(|(_, p)| add(p)),
            }
        }
    }
}

/// What a reminder says, as references to its record until it is delivered.
#[derive(Clone, Copy)]
enum Words<'a> {
    HazardAssigned(&'a Hazard, NaiveDate),
    HazardSubmitted(&'a Hazard),
    HazardRejected(&'a Hazard, &'a str),
    HazardDue(&'a Hazard, NaiveDate, i64),
    HazardOverdue(&'a Hazard, NaiveDate, i64),
    TaskAssigned(&'a WorkTask),
    TaskReturned(&'a WorkTask, &'a str),
    TaskDue(&'a WorkTask, i64),
    TaskOverdue(&'a WorkTask, i64),
    MonthEndDue(YearMonth, &'a SubmissionStatus, i64),
    MonthEndMissed(YearMonth, &'a SubmissionStatus),
    Patrol(&'a PatrolPlan),
    Published(YearMonth),
}

impl<'a> Words<'a> {
    fn entity(self) -> &'static str {
        match self {
            Words::HazardAssigned(..)
            | Words::HazardSubmitted(..)
            | Words::HazardRejected(..)
            | Words::HazardDue(..)
            | Words::HazardOverdue(..) => entity::HAZARD,
            Words::TaskAssigned(..)
            | Words::TaskReturned(..)
            | Words::TaskDue(..)
            | Words::TaskOverdue(..) => entity::WORK_TASK,
            Words::MonthEndDue(..) | Words::MonthEndMissed(..) => entity::MONTH_END,
            Words::Patrol(..) => entity::PATROL_PLAN,
            Words::Published(..) => "assessment_publication",
        }
    }

    /// Writes the record's id (a month-end item is its unit, month and kind).
    fn write_record(self, out: &mut String) {
        match self {
            Words::HazardAssigned(h, ..)
            | Words::HazardSubmitted(h)
            | Words::HazardRejected(h, _)
            | Words::HazardDue(h, ..)
            | Words::HazardOverdue(h, ..) => out.push_str(&h.id),
            Words::TaskAssigned(t)
            | Words::TaskReturned(t, _)
            | Words::TaskDue(t, _)
            | Words::TaskOverdue(t, _) => out.push_str(&t.id),
            Words::MonthEndDue(m, s, _) | Words::MonthEndMissed(m, s) => {
                let _ = write!(out, "{}/{m}/{}", s.unit_id, s.kind.code());
            }
            Words::Patrol(p) => out.push_str(&p.id),
            Words::Published(m) => {
                let _ = write!(out, "{m}");
            }
        }
    }

    fn record_id(self) -> Cow<'a, str> {
        match self {
            Words::HazardAssigned(h, ..)
            | Words::HazardSubmitted(h)
            | Words::HazardRejected(h, _)
            | Words::HazardDue(h, ..)
            | Words::HazardOverdue(h, ..) => Cow::Borrowed(&h.id),
            Words::TaskAssigned(t)
            | Words::TaskReturned(t, _)
            | Words::TaskDue(t, _)
            | Words::TaskOverdue(t, _) => Cow::Borrowed(&t.id),
            Words::Patrol(p) => Cow::Borrowed(&p.id),
            _ => {
                let mut s = String::new();
                self.write_record(&mut s);
                Cow::Owned(s)
            }
        }
    }

    fn title(self) -> &'static str {
        match self {
            Words::HazardAssigned(..) => "隐患交办提醒",
            Words::HazardSubmitted(..) => "隐患验收提醒",
            Words::HazardRejected(..) => "隐患验收退回提醒",
            Words::HazardDue(..) => "隐患整改到期提醒",
            Words::HazardOverdue(..) => "隐患逾期提醒",
            Words::TaskAssigned(..) => "工作任务交办提醒",
            Words::TaskReturned(..) => "工作任务退回提醒",
            Words::TaskDue(..) => "工作任务到期提醒",
            Words::TaskOverdue(..) => "工作任务逾期提醒",
            Words::MonthEndDue(..) => "月底报送提醒",
            Words::MonthEndMissed(..) => "月底报送逾期提醒",
            Words::Patrol(..) => "暗访巡查任务提醒",
            Words::Published(..) => "月度考核结果发布",
        }
    }

    /// The text, with the name of the unit concerned.
    fn text(self, unit: &str) -> String {
        match self {
            Words::HazardAssigned(h, deadline) => text::hazard_assigned(h, unit, deadline),
            Words::HazardSubmitted(h) => text::hazard_submitted(h, unit),
            Words::HazardRejected(h, reason) => text::hazard_rejected(h, reason),
            Words::HazardDue(h, deadline, left) => text::hazard_due(h, unit, deadline, left),
            Words::HazardOverdue(h, deadline, days) => {
                text::hazard_overdue(h, unit, deadline, days)
            }
            Words::TaskAssigned(t) => text::task_assigned(t, unit),
            Words::TaskReturned(t, reason) => text::task_returned(t, reason),
            Words::TaskDue(t, left) => text::task_due(t, unit, left),
            Words::TaskOverdue(t, days) => text::task_overdue(t, unit, days),
            Words::MonthEndDue(m, s, left) => text::month_end_due(m, &s.label, s.due, left),
            Words::MonthEndMissed(m, s) => text::month_end_missed(m, unit, &s.label, s.due),
            Words::Patrol(p) => text::patrol(p),
            Words::Published(m) => text::published(m),
        }
    }

    /// Where the record is in the office's console.
    fn link(self) -> String {
        match self {
            Words::HazardAssigned(h, ..)
            | Words::HazardSubmitted(h)
            | Words::HazardRejected(h, _)
            | Words::HazardDue(h, ..)
            | Words::HazardOverdue(h, ..) => format!("/hazards/{}", h.id),
            Words::TaskAssigned(_)
            | Words::TaskReturned(..)
            | Words::TaskDue(..)
            | Words::TaskOverdue(..) => "/tasks".into(),
            Words::MonthEndDue(m, ..) | Words::MonthEndMissed(m, _) => {
                format!("/month-end?month={m}")
            }
            Words::Patrol(_) => "/patrols".into(),
            Words::Published(m) => format!("/assessment?month={m}"),
        }
    }
}

/// Which time a rule fires for a record.
#[derive(Clone, Copy)]
enum Occurrence<'a> {
    /// An event (its id).
    Event(&'a str),
    /// A day's digest.
    Day(NaiveDate),
    Fixed(&'static str),
    /// A task part returned at this instant (seconds).
    Returned(i64),
    /// A month (and a month-end item's kind).
    Month(YearMonth, Option<&'static str>),
}

impl Occurrence<'_> {
    fn write(self, out: &mut String) {
        let _ = match self {
            Occurrence::Event(id) => out.write_str(id),
            Occurrence::Day(d) => write!(out, "{d}"),
            Occurrence::Fixed(s) => out.write_str(s),
            Occurrence::Returned(ts) => write!(out, "returned-{ts}"),
            Occurrence::Month(m, None) => write!(out, "{m}"),
            Occurrence::Month(m, Some(kind)) => write!(out, "{m}:{kind}"),
        };
    }
}

/// One firing of a rule for a record, before it is addressed to people.
#[derive(Clone, Copy)]
struct Fire<'a> {
    rule: &'a ReminderRule,
    unit_id: &'a str,
    occurrence: Occurrence<'a>,
    send_at: DateTime<Utc>,
    words: Words<'a>,
}

/// One rule's round at an instant: the rule and the times its reminders are judged by.
struct Round<'a> {
    rule: &'a ReminderRule,
    schedule: &'a Schedule,
    now: DateTime<Utc>,
    /// Events before this are forgotten.
    oldest: DateTime<Utc>,
    /// The day (China time) and when its deadline reminders go out.
    today: NaiveDate,
    digest: DateTime<Utc>,
    /// The rule's days before (due) or after (overdue) a deadline.
    days: i64,
}

impl<'a> Round<'a> {
    /// The fire of an event at `at`, once released from quiet hours, while recent enough;
    /// none when it is not due yet or forgotten.
    fn on_event(
        &self,
        at: DateTime<Utc>,
        unit_id: &'a str,
        occurrence: Occurrence<'a>,
        words: Words<'a>,
    ) -> Option<Fire<'a>> {
        let send_at = self.schedule.release(at);
        (at >= self.oldest && send_at <= self.now).then_some(Fire {
            rule: self.rule,
            unit_id,
            occurrence,
            send_at,
            words,
        })
    }

    /// The fire of today's digest about a deadline.
    fn on_digest(&self, unit_id: &'a str, words: Words<'a>) -> Fire<'a> {
        Fire {
            rule: self.rule,
            unit_id,
            occurrence: Occurrence::Day(self.today),
            send_at: self.digest,
            words,
        }
    }

    /// Days from today to `deadline` (negative once it has passed).
    fn left(&self, deadline: NaiveDate) -> i64 {
        (deadline - self.today).num_days()
    }

    /// Whether a deadline `left` days away is reminded today: exactly the rule's days before
    /// it (due), or at least that many (one at the least) after it (overdue).
    fn due_today(&self, left: i64) -> bool {
        left == self.days
    }

    fn overdue_today(&self, left: i64) -> bool {
        -left >= self.days.max(1)
    }
}

/// The reminders due at an instant, addressed but not yet worded.
pub struct Pending<'a> {
    people: People<'a>,
    fires: Vec<Fire<'a>>,
    /// (fire, person), by when they fell due.
    items: Vec<(u32, &'a str)>,
}

/// One reminder due to one person: its key on demand, its words when delivered.
#[derive(Clone, Copy)]
pub struct PendingReminder<'p, 'a> {
    people: &'p People<'a>,
    fire: &'p Fire<'a>,
    person: &'a str,
}

impl<'a> Pending<'a> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = PendingReminder<'_, 'a>> + '_ {
        self.items.iter().map(|(f, person)| PendingReminder {
            people: &self.people,
            fire: &self.fires[*f as usize],
            person,
        })
    }
}

impl PendingReminder<'_, '_> {
    pub fn person_id(&self) -> &str {
        self.person
    }

    /// The rule sends it by SMS too.
    pub fn by_sms(&self) -> bool {
        self.fire.rule.sms
    }

    /// Writes the key (`rule|entity:record|person|occurrence`) into `out`, cleared first.
    pub fn write_key(&self, out: &mut String) {
        out.clear();
        let f = self.fire;
        out.push_str(&f.rule.id);
        out.push('|');
        out.push_str(f.words.entity());
        out.push(':');
        f.words.write_record(out);
        out.push('|');
        out.push_str(self.person);
        out.push('|');
        f.occurrence.write(out);
    }

    pub fn key(&self) -> String {
        let mut k = String::new();
        self.write_key(&mut k);
        k
    }

    /// The reminder as it is delivered, worded.
    pub fn reminder(&self) -> Reminder {
        let f = self.fire;
        let mut occurrence = String::new();
        f.occurrence.write(&mut occurrence);
        Reminder {
            key: self.key(),
            rule_id: f.rule.id.clone(),
            trigger: f.rule.trigger,
            entity: f.words.entity().to_string(),
            record_id: f.words.record_id().into_owned(),
            person_id: self.person.to_string(),
            unit_id: f.unit_id.to_string(),
            group: f.rule.group,
            sms: f.rule.sms,
            occurrence,
            title: f.words.title().to_string(),
            text: f.words.text(self.people.unit_name(f.unit_id)),
            link: f.words.link(),
            send_at: f.send_at,
        }
    }
}

/// The reminders due at `now` under `rules`, worded, sorted by when they fell due, then key.
/// The caller drops the keys it has already sent (the engine uses [`pending`], which words
/// only what it delivers).
pub fn due(rules: &ReminderRules, input: &ReminderInput<'_>, now: DateTime<Utc>) -> Vec<Reminder> {
    let mut out: Vec<Reminder> = pending(rules, input, now)
        .iter()
        .map(|r| r.reminder())
        .collect();
    out.sort_by(|a, b| a.send_at.cmp(&b.send_at).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The reminders due at `now` under `rules`: each event reminded once it happened (held back
/// through quiet hours, forgotten after `lookback_days`), each deadline reminded at the digest
/// time of the days the rules name; in the order they fell due.
pub fn pending<'a>(
    rules: &'a ReminderRules,
    input: &ReminderInput<'a>,
    now: DateTime<Utc>,
) -> Pending<'a> {
    let s = &rules.schedule;
    let people = People::new(input);
    let mut fires: Vec<Fire> = Vec::new();
    if s.is_quiet(now) {
        return Pending {
            people,
            fires,
            items: Vec::new(),
        };
    }
    let today = china_date(now);
    let digest = s.digest_at(now);
    let digest_due = now >= digest;
    let oldest = now - Duration::days(s.lookback_days);
    let mut items: Vec<(u32, &'a str)> = Vec::new();
    for rule in &rules.rule {
        let r = Round {
            rule,
            schedule: s,
            now,
            oldest,
            today,
            digest,
            days: rule.days.unwrap_or(0),
        };
        let from = fires.len();
        let mut named: Vec<Vec<(Audience, &'a str)>> = Vec::new();
        match rule.trigger {
            Trigger::HazardAssigned | Trigger::HazardSubmitted | Trigger::HazardRejected => {
                hazard_events(&r, input.hazards, &mut fires, &mut named)
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
                        rule,
                        unit_id: &p.organiser_unit_id,
                        occurrence: Occurrence::Fixed("plan"),
                        send_at: now,
                        words: Words::Patrol(p),
                    });
                    named.push(
                        p.team
                            .iter()
                            .map(|t| (Audience::Team, t.as_str()))
                            .collect(),
                    );
                }
            }
            Trigger::ScoresPublished => {
                for (month, at) in input.publications {
                    let occurrence = Occurrence::Month(*month, None);
                    let words = Words::Published(*month);
                    fires.extend(
                        input
                            .units
                            .iter()
                            .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
                            .filter_map(|u| r.on_event(*at, &u.id, occurrence, words)),
                    );
                }
            }
            _ => {}
        }
        // `named` holds the people named by each fire that names any (in fire order); the
        // others name none.
        let mut named = named.into_iter();
        for (i, f) in fires.iter().enumerate().skip(from) {
            let names = if names_people(f.words) {
                named.next().unwrap_or_default()
            } else {
                Vec::new()
            };
            people.resolve(&rule.to, f.unit_id, &names, i as u32, &mut items);
        }
    }
    items.sort_by_key(|(f, _)| fires[*f as usize].send_at);
    Pending {
        people,
        fires,
        items,
    }
}

/// Fires that name their own people (the verifier, the rectifier, a patrol team).
fn names_people(w: Words<'_>) -> bool {
    matches!(
        w,
        Words::HazardSubmitted(..) | Words::HazardRejected(..) | Words::Patrol(..)
    )
}

fn hazard_events<'a>(
    r: &Round<'a>,
    hazards: &'a [HazardDoc],
    fires: &mut Vec<Fire<'a>>,
    named: &mut Vec<Vec<(Audience, &'a str)>>,
) {
    let rule = r.rule;
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
        // The people it names, pushed with the fire only when it is due.
        let (words, names) = match &ev.action {
            Some(HazardAction::Assign { deadline, .. }) => {
                (Words::HazardAssigned(h, *deadline), None)
            }
            Some(HazardAction::SubmitRectification { .. }) => (
                Words::HazardSubmitted(h),
                Some(vec![(Audience::Verifier, h.raised_by.person_id.as_str())]),
            ),
            Some(HazardAction::Reject { reason }) => {
                let rectifier = doc
                    .events
                    .iter()
                    .rev()
                    .find(|e| matches!(e.action, Some(HazardAction::SubmitRectification { .. })))
                    .map(|e| (Audience::Rectifier, e.actor.person_id.as_str()));
                (
                    Words::HazardRejected(h, reason),
                    Some(rectifier.into_iter().collect()),
                )
            }
            _ => continue,
        };
        let occurrence = Occurrence::Event(&ev.id);
        if let Some(fire) = r.on_event(ev.at, h.rectifying_unit(), occurrence, words) {
            fires.push(fire);
            named.extend(names);
        }
    }
}

fn hazard_deadlines<'a>(r: &Round<'a>, hazards: &'a [HazardDoc], fires: &mut Vec<Fire<'a>>) {
    for doc in hazards {
        let h = &doc.hazard;
        if h.status == HazardStatus::Closed {
            continue;
        }
        let Some(deadline) = h.deadline() else {
            continue;
        };
        let left = r.left(deadline);
        let words = match r.rule.trigger {
            Trigger::HazardDue if r.due_today(left) => Words::HazardDue(h, deadline, left),
            Trigger::HazardOverdue if r.overdue_today(left) => {
                Words::HazardOverdue(h, deadline, -left)
            }
            _ => continue,
        };
        fires.push(r.on_digest(h.rectifying_unit(), words));
    }
}

fn task_events<'a>(r: &Round<'a>, tasks: &'a [WorkTask], fires: &mut Vec<Fire<'a>>) {
    for t in tasks {
        for part in &t.parts {
            let (at, words, occurrence) = match (r.rule.trigger, part.state) {
                (Trigger::TaskAssigned, PartState::Pending) => match t.assigned_at {
                    Some(at) => (at, Words::TaskAssigned(t), Occurrence::Fixed("assigned")),
                    None => continue,
                },
                (Trigger::TaskReturned, PartState::Returned) => match part.reviewed_at {
                    Some(at) => (
                        at,
                        Words::TaskReturned(t, part.return_reason.as_deref().unwrap_or("")),
                        Occurrence::Returned(at.timestamp()),
                    ),
                    None => continue,
                },
                _ => continue,
            };
            fires.extend(r.on_event(at, &part.unit_id, occurrence, words));
        }
    }
}

fn task_deadlines<'a>(r: &Round<'a>, tasks: &'a [WorkTask], fires: &mut Vec<Fire<'a>>) {
    for t in tasks {
        let left = r.left(t.deadline);
        let words = match r.rule.trigger {
            Trigger::TaskDue if r.due_today(left) => Words::TaskDue(t, left),
            Trigger::TaskOverdue if r.overdue_today(left) => Words::TaskOverdue(t, -left),
            _ => continue,
        };
        fires.extend(
            t.parts
                .iter()
                .filter(|p| matches!(p.state, PartState::Pending | PartState::Returned))
                .map(|p| r.on_digest(&p.unit_id, words)),
        );
    }
}

fn month_end<'a>(
    r: &Round<'a>,
    months: &'a [(YearMonth, Vec<SubmissionStatus>)],
    fires: &mut Vec<Fire<'a>>,
) {
    for (month, statuses) in months {
        for s in statuses.iter().filter(|s| s.submitted_at.is_none()) {
            let left = r.left(s.due);
            let words = match r.rule.trigger {
                Trigger::MonthEndDue if r.due_today(left) => Words::MonthEndDue(*month, s, left),
                // The morning after the due date: once.
                Trigger::MonthEndMissed if left == -1 => Words::MonthEndMissed(*month, s),
                _ => continue,
            };
            fires.push(Fire {
                occurrence: Occurrence::Month(*month, Some(s.kind.code())),
                ..r.on_digest(&s.unit_id, words)
            });
        }
    }
}
