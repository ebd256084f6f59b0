//! The reminder engine: what is due is computed from the records by the domain's rules
//! (`anjian_domain::reminders`, `data/reminder_rules.toml`), never stored as such; what was
//! sent is logged once per key and channel in the delivery log (both backends), so each
//! reminder goes out once across restarts, and a lease row lets one instance of several send.
//! In-app reminders are records seen by their recipient only (they reach the phone by sync);
//! group chats (钉钉, 企业微信) and SMS are sent after the transaction, retried with backoff.
//! Time is passed in (`tick(now)`): tests drive it with their own clock.

pub mod api;
pub mod channels;
pub mod sms;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use anjian_domain::access;
use anjian_domain::assessment::SelfAssessment;
use anjian_domain::hazard::china_date;
use anjian_domain::ledger::HazardDoc;
use anjian_domain::month::YearMonth;
use anjian_domain::month_end::{self, DueRules, MonthEndSubmission, SubmissionStatus, Submitted};
use anjian_domain::org::{Person, Unit, UnitKind};
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::records::HardwareInvestment;
use anjian_domain::reminders::{self, InAppReminder, Reminder, ReminderInput, ReminderRules};
use anjian_domain::rotation::DutyReport;
use anjian_domain::sync::entity;
use anjian_domain::task::WorkTask;

use crate::api::publish::{Publication, PUBLICATION};
use crate::error::ApiResult;
use crate::records;
use crate::storage::{Db, Delivery, Lease, Tx};

use channels::{ChannelConfig, ChannelKind, Outbox};
use sms::{SmsError, SmsMessage, SmsProvider};

/// The records the rules read, loaded at one instant.
pub struct Records {
    pub units: Vec<Unit>,
    pub people: Vec<Person>,
    pub hazards: Vec<HazardDoc>,
    pub tasks: Vec<WorkTask>,
    pub month_end: Vec<(YearMonth, Vec<SubmissionStatus>)>,
    pub patrols: Vec<PatrolPlan>,
    pub publications: Vec<(YearMonth, DateTime<Utc>)>,
}

fn every<T: DeserializeOwned>(tx: &mut dyn Tx, entity: &str) -> ApiResult<Vec<T>> {
    crate::records::decoded(tx, entity, None)
}

impl Records {
    pub fn load(tx: &mut dyn Tx, now: DateTime<Utc>) -> ApiResult<Records> {
        let units: Vec<Unit> = every(tx, entity::UNIT)?;
        let submissions: Vec<MonthEndSubmission> = every(tx, entity::MONTH_END)?;
        let self_assessments: Vec<SelfAssessment> = every(tx, entity::SELF_ASSESSMENT)?;
        let investments: Vec<HardwareInvestment> = every(tx, entity::HARDWARE_INVESTMENT)?;
        let reports: Vec<DutyReport> = every(tx, entity::DUTY_REPORT)?;
        let sent = Submitted {
            submissions: &submissions,
            self_assessments: &self_assessments,
            investments: &investments,
            reports: &reports,
        };
        let mut ids: Vec<&str> = units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
            .map(|u| u.id.as_str())
            .collect();
        ids.sort();
        let today = china_date(now);
        let this = YearMonth::of(today);
        let month_end = [this.prev(), this]
            .into_iter()
            .map(|m| {
                let s = month_end::statuses(DueRules::standard(), &ids, m, &sent, today);
                (m, s)
            })
            .collect();
        let publications = every::<Publication>(tx, PUBLICATION)?
            .into_iter()
            .filter_map(|p| Some((p.month.parse().ok()?, p.published_at)))
            .collect();
        Ok(Records {
            people: every(tx, entity::PERSON)?,
            hazards: every(tx, entity::HAZARD)?,
            tasks: every(tx, entity::WORK_TASK)?,
            patrols: every(tx, entity::PATROL_PLAN)?,
            month_end,
            publications,
            units,
        })
    }

    pub fn input(&self) -> ReminderInput<'_> {
        ReminderInput {
            units: &self.units,
            people: &self.people,
            hazards: &self.hazards,
            tasks: &self.tasks,
            month_end: &self.month_end,
            patrols: &self.patrols,
            publications: &self.publications,
        }
    }

    /// The reminders due at `now` under the county's rules.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<Reminder> {
        reminders::due(ReminderRules::standard(), &self.input(), now)
    }
}

/// The in-app record id of a reminder key.
pub fn in_app_id(key: &str) -> String {
    let h = Sha256::digest(key.as_bytes());
    format!("rm-{}", hex::encode(&h[..12]))
}

const LEASE: &str = "reminders";
/// How long a tick holds the lease (renewed every tick).
const LEASE_TIME: i64 = 300;
/// Deliveries sent per tick (each bounded by the channel's timeout).
const SEND_BATCH: i64 = 50;
/// After this many failed attempts a delivery is given up (`failed`).
pub const MAX_ATTEMPTS: i64 = 6;

/// Wait before the next attempt after `attempts` failures: 1 min, 5 min, 30 min, 2 h, 6 h.
pub fn backoff(attempts: i64) -> Duration {
    Duration::minutes(match attempts {
        ..=1 => 1,
        2 => 5,
        3 => 30,
        4 => 120,
        _ => 360,
    })
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// This instance held the lease (else it did nothing).
    pub leader: bool,
    /// New deliveries logged (in-app, group, SMS).
    pub queued: usize,
    pub sent: usize,
    pub failed: usize,
}

/// The engine of one server instance.
#[derive(Clone)]
pub struct Engine {
    /// This instance's name in the lease row.
    pub holder: String,
    /// Prefix of the console links in chat messages (`https://anjian.example.gov.cn`).
    pub public_url: String,
    pub outbox: Outbox,
    pub sms: Option<Arc<dyn SmsProvider>>,
    /// Keys this instance logged today (China date): not offered to the database again each
    /// minute. Emptied when the day changes; the delivery log stays the authority.
    logged: Arc<std::sync::Mutex<(chrono::NaiveDate, HashSet<String>)>>,
}

impl Engine {
    pub fn new(public_url: String, sms: Option<Arc<dyn SmsProvider>>) -> Engine {
        Engine {
            holder: uuid::Uuid::now_v7().to_string(),
            public_url,
            outbox: Outbox::new(),
            sms,
            logged: Arc::default(),
        }
    }

    /// One round at `now`: take the lease, log what is newly due (in-app reminders written
    /// in the same transaction), then send the pending group-chat and SMS deliveries.
    pub fn tick(&self, db: &Db, now: DateTime<Utc>) -> ApiResult<TickReport> {
        let sms = self.sms.is_some();
        let today = china_date(now);
        let known: HashSet<String> = {
            let mut logged = self.logged.lock().unwrap_or_else(|p| p.into_inner());
            if logged.0 != today {
                *logged = (today, HashSet::new());
            }
            logged.1.clone()
        };
        let mut fresh: Vec<String> = Vec::new();
        let queued = db.transact(|tx| -> ApiResult<Option<usize>> {
            if !tx.take_lease(&Lease {
                name: LEASE,
                holder: &self.holder,
                now,
                until: now + Duration::seconds(LEASE_TIME),
            })? {
                return Ok(None);
            }
            let records = Records::load(tx, now)?;
            let input = records.input();
            let due = reminders::pending(ReminderRules::standard(), &input, now);
            let channels = channels::configured(tx)?;
            let mut n = 0;
            // Worded only when not yet logged.
            let mut key = String::new();
            for p in due.iter() {
                p.write_key(&mut key);
                if known.contains(&key) {
                    continue;
                }
                let r = p.reminder();
                n += queue(tx, &r, &channels, sms && p.by_sms(), now)?;
                fresh.push(r.key);
            }
            Ok(Some(n))
        })?;
        // Committed: these keys are in the log.
        self.logged
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .extend(fresh);
        let Some(queued) = queued else {
            return Ok(TickReport::default());
        };
        let mut report = TickReport {
            leader: true,
            queued,
            ..Default::default()
        };
        // Quiet hours hold for retries too.
        if ReminderRules::standard().schedule.is_quiet(now) {
            return Ok(report);
        }
        let (pending, channels, people) = db.read(|tx| -> ApiResult<_> {
            Ok((
                tx.pending_deliveries(now, SEND_BATCH)?,
                channels::configured(tx)?,
                every::<Person>(tx, entity::PERSON)?,
            ))
        })?;
        for mut d in pending {
            let result = match d.channel.as_str() {
                "sms" => self.text(&d, &people, now),
                _ => match channels.get(&d.unit_id) {
                    Some(c) if c.kind.code() == d.channel => self
                        .outbox
                        .post(c, &d.body, &self.public_url, now)
                        .map_err(SmsError::Retry),
                    _ => Err(SmsError::Retry("该单位未配置此工作群机器人".to_string())),
                },
            };
            d.attempts += 1;
            match result {
                Ok(()) => {
                    d.state = "sent".into();
                    d.sent_at = Some(now);
                    d.last_error.clear();
                    report.sent += 1;
                }
                Err(e) => {
                    let (e, retry) = match e {
                        SmsError::Retry(e) => (e, true),
                        SmsError::Permanent(e) => (e, false),
                    };
                    d.last_error = e.chars().take(500).collect();
                    if !retry || d.attempts >= MAX_ATTEMPTS {
                        d.state = "failed".into();
                    } else {
                        d.next_attempt_at = now + backoff(d.attempts);
                    }
                    report.failed += 1;
                }
            }
            db.transact(|tx| -> ApiResult<()> { Ok(tx.update_delivery(&d)?) })?;
        }
        Ok(report)
    }

    /// Sends one SMS delivery to its person's phone. No provider (the county turned SMS off
    /// since it was logged) or no valid number fails it for good: retrying cannot help.
    fn text(&self, d: &Delivery, people: &[Person], now: DateTime<Utc>) -> Result<(), SmsError> {
        let Some(provider) = &self.sms else {
            return Err(SmsError::Permanent("未配置短信服务（ANJIAN_SMS_*）".into()));
        };
        let phone = people
            .iter()
            .find(|p| p.id == d.person_id)
            .and_then(|p| p.phone.as_deref());
        let phone = sms::mobile_number(phone).map_err(SmsError::Permanent)?;
        let body: channels::Body = serde_json::from_str(&d.body)
            .map_err(|e| SmsError::Permanent(format!("提醒内容无法读取：{e}")))?;
        let message = SmsMessage {
            phone,
            params: sms::template_params(&body.title, &body.text),
            out_id: in_app_id(&d.key),
        };
        provider.send(&message, now)
    }
}

/// Logs one reminder's deliveries; returns how many were new.
fn queue(
    tx: &mut dyn Tx,
    r: &Reminder,
    channels: &HashMap<String, ChannelConfig>,
    sms: bool,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let body = serde_json::json!({"title": r.title, "text": r.text, "link": r.link}).to_string();
    let delivery = |key: &str, channel: &str, person: &str, state: &str| Delivery {
        key: key.to_string(),
        channel: channel.to_string(),
        rule_id: r.rule_id.clone(),
        unit_id: r.unit_id.clone(),
        person_id: person.to_string(),
        record: format!("{}:{}", r.entity, r.record_id),
        title: r.title.clone(),
        body: body.clone(),
        due_at: r.send_at,
        state: state.to_string(),
        attempts: 0,
        next_attempt_at: now,
        sent_at: (state == "sent").then_some(now),
        last_error: String::new(),
    };
    let mut n = 0;
    if tx.insert_delivery(&delivery(&r.key, "in_app", &r.person_id, "sent"))? {
        let id = in_app_id(&r.key);
        let rec = InAppReminder::of(r, id.clone());
        records::put(
            tx,
            reminders::IN_APP,
            &id,
            &rec,
            vec![access::person(&r.person_id)],
            None,
        )?;
        n += 1;
    }
    if sms && tx.insert_delivery(&delivery(&r.key, "sms", &r.person_id, "pending"))? {
        n += 1;
    }
    if let (Some(gk), Some(c)) = (r.group_key(), channels.get(&r.unit_id)) {
        if tx.insert_delivery(&delivery(&gk, c.kind.code(), "", "pending"))? {
            n += 1;
        }
    }
    Ok(n)
}

/// Runs the engine in the background: every minute, and soon after a change was applied.
pub fn spawn(engine: Engine, db: Arc<Db>, wake: Arc<tokio::sync::Notify>) {
    tokio::spawn(async move {
        loop {
            let (e, d) = (engine.clone(), db.clone());
            match tokio::task::spawn_blocking(move || e.tick(&d, Utc::now())).await {
                Ok(Ok(r)) if r.queued + r.sent + r.failed > 0 => tracing::info!(
                    queued = r.queued,
                    sent = r.sent,
                    failed = r.failed,
                    "reminders"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e.message, "reminder tick failed"),
                Err(e) => tracing::warn!(error = %e, "reminder tick panicked"),
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                _ = wake.notified() => {
                    // Let a burst of pushes settle into one round.
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                }
            }
        }
    });
}

impl ChannelKind {
    pub fn code(self) -> &'static str {
        match self {
            ChannelKind::Dingtalk => "dingtalk",
            ChannelKind::Wecom => "wecom",
        }
    }
}
