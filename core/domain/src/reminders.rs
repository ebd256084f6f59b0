//! 提醒: which events and deadlines remind whom and when, as data
//! (`data/reminder_rules.toml`), and the reminders due at a given instant, computed from the
//! records alone (no I/O, nothing stored twice). Each reminder has a stable key (rule, record,
//! recipient, occurrence): whoever sends them records the keys and so sends each one once.
//! Times are China time (UTC+8): quiet hours hold back what falls due at night, deadline
//! reminders go out at the morning digest time.

mod compute;
mod text;

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;

pub use compute::{due, pending, Pending, PendingReminder, ReminderInput};

/// What makes a rule fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    HazardAssigned,
    HazardSubmitted,
    HazardRejected,
    HazardDue,
    HazardOverdue,
    TaskAssigned,
    TaskReturned,
    TaskDue,
    TaskOverdue,
    MonthEndDue,
    MonthEndMissed,
    PatrolAssigned,
    ScoresPublished,
}

impl Trigger {
    /// Rules that count days (before a deadline, or past it).
    fn needs_days(self) -> bool {
        matches!(
            self,
            Trigger::HazardDue
                | Trigger::HazardOverdue
                | Trigger::TaskDue
                | Trigger::TaskOverdue
                | Trigger::MonthEndDue
        )
    }

    /// Who may be named in `to` for this trigger.
    fn admits(self, to: Audience) -> bool {
        match to {
            Audience::UnitHead | Audience::UnitDeputyHead | Audience::Office => {
                self != Trigger::PatrolAssigned
            }
            Audience::Verifier => self == Trigger::HazardSubmitted,
            Audience::Rectifier => self == Trigger::HazardRejected,
            Audience::Team => self == Trigger::PatrolAssigned,
        }
    }
}

/// Who a rule reminds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 主要负责人 of the unit concerned.
    UnitHead,
    /// 分管负责人 of the unit concerned.
    UnitDeputyHead,
    /// 县安委办工作人员.
    Office,
    /// Who raised the hazard (and verifies its rectification).
    Verifier,
    /// Who submitted the rectification.
    Rectifier,
    /// The patrol plan's team.
    Team,
}

/// Quiet hours and the daily digest, China time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    #[serde(with = "hhmm")]
    pub quiet_start: NaiveTime,
    #[serde(with = "hhmm")]
    pub quiet_end: NaiveTime,
    #[serde(with = "hhmm")]
    pub digest_time: NaiveTime,
    /// Events older than this many days are not reminded any more.
    pub lookback_days: i64,
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(&s, "%H:%M")
            .map_err(|_| serde::de::Error::custom(format!("时间“{s}”须为 HH:MM")))
    }
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

impl Schedule {
    /// Inside quiet hours (a window may run over midnight; equal ends mean none).
    pub fn is_quiet(&self, at: DateTime<Utc>) -> bool {
        let t = at.with_timezone(&china()).time();
        let (s, e) = (self.quiet_start, self.quiet_end);
        if s == e {
            false
        } else if s < e {
            t >= s && t < e
        } else {
            t >= s || t < e
        }
    }

    /// When something that falls due at `at` may be sent: then, or when quiet hours end.
    pub fn release(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        if !self.is_quiet(at) {
            return at;
        }
        let local = at.with_timezone(&china());
        let mut day = local.date_naive();
        loop {
            let end = china()
                .from_local_datetime(&day.and_time(self.quiet_end))
                .single()
                .expect("fixed offset")
                .with_timezone(&Utc);
            if end > at {
                return end;
            }
            day += Duration::days(1);
        }
    }

    /// Today's digest time (China date of `at`) as an instant.
    pub fn digest_at(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let day = at.with_timezone(&china()).date_naive();
        china()
            .from_local_datetime(&day.and_time(self.digest_time))
            .single()
            .expect("fixed offset")
            .with_timezone(&Utc)
    }
}

/// One line of the rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderRule {
    pub id: String,
    pub trigger: Trigger,
    /// Days before the deadline (`*_due`) or at least past it (`*_overdue`).
    #[serde(default)]
    pub days: Option<i64>,
    pub to: Vec<Audience>,
    /// Also posted to the unit's group chat robot.
    #[serde(default)]
    pub group: bool,
    /// Also sent by SMS to each person's phone, when the server has an SMS provider.
    #[serde(default)]
    pub sms: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderRules {
    pub version: String,
    pub schedule: Schedule,
    pub rule: Vec<ReminderRule>,
}

impl ReminderRules {
    pub fn from_toml(text: &str) -> Result<ReminderRules, DomainError> {
        let bad = |reason: String| DomainError::InvalidValue {
            field: "提醒规则",
            reason,
        };
        let rules: ReminderRules =
            toml::from_str(text).map_err(|e| bad(format!("格式错误：{e}")))?;
        let s = &rules.schedule;
        if !(0..=30).contains(&s.lookback_days) {
            return Err(bad("lookback_days 须在 0 到 30 之间".into()));
        }
        if s.is_quiet(s.digest_at(DateTime::<Utc>::UNIX_EPOCH)) {
            return Err(bad("每日提醒时间不能在免打扰时段内".into()));
        }
        let mut ids = HashSet::new();
        for r in &rules.rule {
            if r.id.trim().is_empty() || r.id.contains('|') {
                return Err(bad("规则编号不能为空，也不能含“|”".into()));
            }
            if !ids.insert(r.id.as_str()) {
                return Err(bad(format!("编号 {} 重复", r.id)));
            }
            match (r.trigger.needs_days(), r.days) {
                (true, Some(d)) if (0..=365).contains(&d) => {}
                (true, _) => return Err(bad(format!("规则 {} 须设置 days（0 到 365）", r.id))),
                (false, Some(_)) => return Err(bad(format!("规则 {} 不使用 days", r.id))),
                (false, None) => {}
            }
            if r.to.is_empty() {
                return Err(bad(format!("规则 {} 未设置提醒对象 to", r.id)));
            }
            if let Some(a) = r.to.iter().find(|a| !r.trigger.admits(**a)) {
                return Err(bad(format!("规则 {} 不能提醒 {a:?}", r.id)));
            }
            if r.group && r.trigger == Trigger::PatrolAssigned {
                return Err(bad("暗访巡查计划须保密，不能发到工作群".into()));
            }
        }
        Ok(rules)
    }

    /// The county's rules, compiled in.
    pub fn standard() -> &'static ReminderRules {
        static RULES: OnceLock<ReminderRules> = OnceLock::new();
        RULES.get_or_init(|| {
            ReminderRules::from_toml(include_str!("../data/reminder_rules.toml"))
                .expect("valid reminder rules")
        })
    }
}

/// One reminder to one person, due to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminder {
    /// `rule|entity:record|person|occurrence`: the same reminder always has the same key.
    pub key: String,
    pub rule_id: String,
    pub trigger: Trigger,
    /// The record it is about (`hazard`, `work_task`, `month_end`, `patrol_plan`,
    /// `assessment_publication`) and its id.
    pub entity: String,
    pub record_id: String,
    pub person_id: String,
    /// The unit concerned (its group chat gets the reminder when `group`).
    pub unit_id: String,
    pub group: bool,
    /// Also sent by SMS to the person's phone (when the server has an SMS provider).
    #[serde(default)]
    pub sms: bool,
    /// Which time this rule fires for the record (an event id, a date, a month).
    pub occurrence: String,
    pub title: String,
    pub text: String,
    /// Where the record is in the office's console (a path, e.g. `/hazards/ID`).
    pub link: String,
    /// When it became due (after quiet hours).
    pub send_at: DateTime<Utc>,
}

impl Reminder {
    /// The key of this reminder's post to its unit's group chat: one per rule, record, unit
    /// and occurrence, however many people of the unit it reminds.
    pub fn group_key(&self) -> Option<String> {
        self.group.then(|| {
            format!(
                "{}|{}:{}|unit:{}|{}",
                self.rule_id, self.entity, self.record_id, self.unit_id, self.occurrence
            )
        })
    }
}

/// A reminder as its recipient reads it in the app and the console (the in-app channel): a
/// record of entity [`IN_APP`] seen by that person only, so it reaches the phone through sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InAppReminder {
    pub id: String,
    pub title: String,
    pub text: String,
    /// The record's place in the console (a path).
    pub link: String,
    pub rule_id: String,
    pub entity: String,
    pub record_id: String,
    pub at: DateTime<Utc>,
    /// When the person marked it read.
    #[serde(default)]
    pub read_at: Option<DateTime<Utc>>,
}

/// The store's entity name of in-app reminders.
pub const IN_APP: &str = "reminder";

impl InAppReminder {
    /// The in-app form of a reminder; its id derives from the key.
    pub fn of(r: &Reminder, id: String) -> InAppReminder {
        InAppReminder {
            id,
            title: r.title.clone(),
            text: r.text.clone(),
            link: r.link.clone(),
            rule_id: r.rule_id.clone(),
            entity: r.entity.clone(),
            record_id: r.record_id.clone(),
            at: r.send_at,
            read_at: None,
        }
    }
}

#[cfg(test)]
mod tests;
