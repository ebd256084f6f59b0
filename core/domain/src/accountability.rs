//! 改作风: reminder talks (提醒约谈) and accountability (追责问责) — why one was held (typed
//! reasons: overdue hazards, missed duty quotas, late month-end submissions), what it decided
//! (the outcome), and the rules (as data, `data/accountability_rules.toml`) that suggest one to
//! 县安委办.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::duty::{PersonDuty, QuotaState};
use crate::hazard::{Hazard, HazardLevel, HazardStatus};
use crate::month::YearMonth;
use crate::month_end::{SubmissionKind, SubmissionStatus};
use crate::org::{Person, Role};
use crate::records::{AccountabilityKind, AccountabilityRecord};

/// Why a talk or accountability was started, as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccountabilityReason {
    /// A hazard left open past its deadline.
    OverdueHazard {
        hazard_id: String,
        number: String,
        level: HazardLevel,
        deadline: NaiveDate,
        days_overdue: i64,
    },
    /// A person's duty quota (履职任务) missed in each of these months.
    MissedQuota {
        person_id: String,
        quota: String,
        months: Vec<YearMonth>,
    },
    /// A month-end submission (月底报送) sent late, or not at all.
    LateSubmission {
        month: YearMonth,
        kind: SubmissionKind,
        label: String,
        /// Not sent at all (逾期未报送), rather than sent late.
        missing: bool,
    },
    /// Anything else the office names.
    Other { text: String },
}

impl AccountabilityReason {
    /// How the reason reads in the ledger and the console.
    pub fn describe(&self, person: impl Fn(&str) -> String) -> String {
        match self {
            AccountabilityReason::OverdueHazard {
                number,
                level,
                deadline,
                days_overdue,
                ..
            } => format!(
                "{}{number}逾期{days_overdue}日未整改（整改时限 {deadline}）",
                level.label()
            ),
            AccountabilityReason::MissedQuota {
                person_id,
                quota,
                months,
            } => {
                let ms: Vec<String> = months.iter().map(|m| m.label()).collect();
                format!("{}“{quota}”{}未完成", person(person_id), ms.join("、"))
            }
            AccountabilityReason::LateSubmission {
                month,
                label,
                missing,
                ..
            } => format!(
                "{}{label}{}",
                month.label(),
                if *missing {
                    "逾期未报送"
                } else {
                    "逾期报送"
                }
            ),
            AccountabilityReason::Other { text } => text.clone(),
        }
    }

    /// Hazards the reason names (kept beside the record for links).
    pub fn hazard_id(&self) -> Option<&str> {
        match self {
            AccountabilityReason::OverdueHazard { hazard_id, .. } => Some(hazard_id),
            _ => None,
        }
    }
}

/// What the talk or accountability decided, in the terms of the notice and of common practice
/// (《中国共产党问责条例》, 《公职人员政务处分法》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountabilityOutcome {
    /// 作出整改承诺
    RectificationPledge,
    /// 责令书面检查
    WrittenSelfCriticism,
    /// 通报批评
    CircularCriticism,
    /// 诫勉
    Admonishment,
    /// 组织处理（调离岗位、停职检查等）
    OrganisationalHandling,
    /// 党纪政务处分
    DisciplinarySanction,
}

impl AccountabilityOutcome {
    pub const ALL: [AccountabilityOutcome; 6] = [
        AccountabilityOutcome::RectificationPledge,
        AccountabilityOutcome::WrittenSelfCriticism,
        AccountabilityOutcome::CircularCriticism,
        AccountabilityOutcome::Admonishment,
        AccountabilityOutcome::OrganisationalHandling,
        AccountabilityOutcome::DisciplinarySanction,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AccountabilityOutcome::RectificationPledge => "作出整改承诺",
            AccountabilityOutcome::WrittenSelfCriticism => "责令书面检查",
            AccountabilityOutcome::CircularCriticism => "通报批评",
            AccountabilityOutcome::Admonishment => "诫勉",
            AccountabilityOutcome::OrganisationalHandling => "组织处理",
            AccountabilityOutcome::DisciplinarySanction => "党纪政务处分",
        }
    }
}

/// What makes a rule fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    MajorHazardOverdue,
    HazardOverdue,
    QuotaMissed,
    MonthEndLate,
}

/// One line of the rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRule {
    pub id: String,
    pub label: String,
    pub trigger: Trigger,
    /// Days past the deadline (hazard triggers).
    #[serde(default)]
    pub days: Option<i64>,
    /// Months running (quota trigger).
    #[serde(default)]
    pub months: Option<u32>,
    pub kind: AccountabilityKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRules {
    pub version: String,
    pub rule: Vec<SuggestionRule>,
}

impl SuggestionRules {
    pub fn from_toml(text: &str) -> Result<SuggestionRules, String> {
        let rules: SuggestionRules =
            toml::from_str(text).map_err(|e| format!("约谈问责规则格式错误：{e}"))?;
        let mut ids = HashSet::new();
        for r in &rules.rule {
            if !ids.insert(r.id.as_str()) {
                return Err(format!("约谈问责规则错误：编号 {} 重复", r.id));
            }
            let ok = match r.trigger {
                Trigger::MajorHazardOverdue | Trigger::HazardOverdue => {
                    r.days.is_some_and(|d| (0..=3650).contains(&d)) && r.months.is_none()
                }
                Trigger::QuotaMissed => {
                    r.months.is_some_and(|m| (1..=12).contains(&m)) && r.days.is_none()
                }
                Trigger::MonthEndLate => r.days.is_none() && r.months.is_none(),
            };
            if !ok {
                return Err(format!(
                    "约谈问责规则错误：“{}”须按触发条件设置 days（隐患逾期天数）或 months（连续月数）",
                    r.label
                ));
            }
        }
        Ok(rules)
    }

    /// The county's rules, compiled in.
    pub fn standard() -> &'static SuggestionRules {
        static RULES: OnceLock<SuggestionRules> = OnceLock::new();
        RULES.get_or_init(|| {
            SuggestionRules::from_toml(include_str!("../data/accountability_rules.toml"))
                .expect("valid accountability rules")
        })
    }
}

/// A talk or accountability the rules suggest to 县安委办.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// Stable: the rule and what fired it. A record naming it ends the suggestion.
    pub id: String,
    pub rule_id: String,
    pub rule_label: String,
    pub kind: AccountabilityKind,
    pub unit_id: String,
    /// Who is talked to: the person who missed the quota, else the unit's principal head.
    pub person_id: Option<String>,
    pub reasons: Vec<AccountabilityReason>,
    /// The reasons as one text, ready to be the record's 事由.
    pub summary: String,
}

/// What the rules read.
pub struct SuggestionInput<'a> {
    pub hazards: &'a [Hazard],
    pub people: &'a [Person],
    /// Duty tables of the months before this one, most recent first (as many as the quota
    /// rules need).
    pub duty: &'a [(YearMonth, Vec<PersonDuty>)],
    /// 月底报送 of last month: the month and each unit's items.
    pub month_end: (YearMonth, &'a [SubmissionStatus]),
    /// Records already made: a suggestion they name is not shown again.
    pub records: &'a [AccountabilityRecord],
}

fn principal_of<'a>(people: &'a [Person], unit_id: &str) -> Option<&'a Person> {
    people
        .iter()
        .filter(|p| p.unit_id == unit_id && p.roles.contains(&Role::UnitHead))
        .min_by(|a, b| a.id.cmp(&b.id))
}

/// The suggestions of `rules` as of `today`: one per overdue hazard (the first matching rule,
/// so stronger rules come first in the file), one per person for quotas missed months running,
/// one per unit for last month's late submissions.
pub fn suggest(
    rules: &SuggestionRules,
    input: &SuggestionInput<'_>,
    today: NaiveDate,
) -> Vec<Suggestion> {
    let names: HashMap<&str, &str> = input
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let name = |id: &str| names.get(id).map_or(id.to_string(), |n| n.to_string());
    let done: HashSet<&str> = input
        .records
        .iter()
        .filter_map(|r| r.suggestion_id.as_deref())
        .collect();
    let mut out: Vec<Suggestion> = Vec::new();
    let mut hazards_taken: HashSet<&str> = HashSet::new();
    let push = |out: &mut Vec<Suggestion>,
                rule: &SuggestionRule,
                key: String,
                unit_id: &str,
                person_id: Option<String>,
                reasons: Vec<AccountabilityReason>| {
        let summary = reasons
            .iter()
            .map(|r| r.describe(name))
            .collect::<Vec<_>>()
            .join("；");
        out.push(Suggestion {
            id: format!("{}:{key}", rule.id),
            rule_id: rule.id.clone(),
            rule_label: rule.label.clone(),
            kind: rule.kind,
            unit_id: unit_id.to_string(),
            person_id,
            reasons,
            summary,
        });
    };
    for rule in &rules.rule {
        match rule.trigger {
            Trigger::MajorHazardOverdue | Trigger::HazardOverdue => {
                let days = rule.days.unwrap_or(0);
                let mut hs: Vec<&Hazard> = input
                    .hazards
                    .iter()
                    .filter(|h| h.status != HazardStatus::Closed)
                    .filter(|h| {
                        rule.trigger == Trigger::HazardOverdue || h.level == HazardLevel::Major
                    })
                    .filter(|h| {
                        h.deadline()
                            .is_some_and(|d| (today - d).num_days() > days.max(0))
                    })
                    .collect();
                hs.sort_by(|a, b| a.deadline().cmp(&b.deadline()).then(a.id.cmp(&b.id)));
                for h in hs {
                    if !hazards_taken.insert(h.id.as_str()) {
                        continue;
                    }
                    let deadline = h.deadline().expect("filtered on deadline");
                    let unit = h.rectifying_unit();
                    push(
                        &mut out,
                        rule,
                        h.id.clone(),
                        unit,
                        principal_of(input.people, unit).map(|p| p.id.clone()),
                        vec![AccountabilityReason::OverdueHazard {
                            hazard_id: h.id.clone(),
                            number: h.number.clone(),
                            level: h.level,
                            deadline,
                            days_overdue: (today - deadline).num_days(),
                        }],
                    );
                }
            }
            Trigger::QuotaMissed => {
                let months = rule.months.unwrap_or(2) as usize;
                if input.duty.len() < months {
                    continue;
                }
                let window = &input.duty[..months];
                // (person, quota) missed in each month of the window.
                let missed_in = |table: &[PersonDuty]| -> HashSet<(String, String)> {
                    table
                        .iter()
                        .flat_map(|p| {
                            p.statuses
                                .iter()
                                .filter(|s| s.state == QuotaState::Missed)
                                .map(|s| (p.person_id.clone(), s.quota.label.clone()))
                        })
                        .collect()
                };
                let mut common = missed_in(&window[0].1);
                for (_, t) in &window[1..] {
                    let other = missed_in(t);
                    common.retain(|k| other.contains(k));
                }
                let mut ms: Vec<YearMonth> = window.iter().map(|(m, _)| *m).collect();
                ms.sort();
                for p in &window[0].1 {
                    let mut quotas: Vec<&String> = common
                        .iter()
                        .filter(|(pid, _)| *pid == p.person_id)
                        .map(|(_, q)| q)
                        .collect();
                    if quotas.is_empty() {
                        continue;
                    }
                    quotas.sort();
                    quotas.dedup();
                    let reasons = quotas
                        .into_iter()
                        .map(|q| AccountabilityReason::MissedQuota {
                            person_id: p.person_id.clone(),
                            quota: q.clone(),
                            months: ms.clone(),
                        })
                        .collect();
                    let key = format!("{}:{}", p.person_id, window[0].0);
                    push(
                        &mut out,
                        rule,
                        key,
                        &p.unit_id,
                        Some(p.person_id.clone()),
                        reasons,
                    );
                }
            }
            Trigger::MonthEndLate => {
                let mut by_unit: Vec<(&str, Vec<&SubmissionStatus>)> = Vec::new();
                let (me_month, statuses) = input.month_end;
                for s in statuses.iter().filter(|s| s.late || s.overdue) {
                    match by_unit.iter_mut().find(|(u, _)| *u == s.unit_id) {
                        Some((_, v)) => v.push(s),
                        None => by_unit.push((s.unit_id.as_str(), vec![s])),
                    }
                }
                for (unit, items) in by_unit {
                    let reasons = items
                        .iter()
                        .map(|s| AccountabilityReason::LateSubmission {
                            month: me_month,
                            kind: s.kind,
                            label: s.label.clone(),
                            missing: s.submitted_at.is_none(),
                        })
                        .collect::<Vec<_>>();
                    push(
                        &mut out,
                        rule,
                        format!("{unit}:{me_month}"),
                        unit,
                        principal_of(input.people, unit).map(|p| p.id.clone()),
                        reasons,
                    );
                }
            }
        }
    }
    out.retain(|s| !done.contains(s.id.as_str()));
    out
}

/// Records of a unit decided in a month: what 月考 deducts for.
pub fn count_in_month(records: &[&AccountabilityRecord], month: YearMonth) -> usize {
    records
        .iter()
        .filter(|r| month.contains(r.decided_on))
        .count()
}
