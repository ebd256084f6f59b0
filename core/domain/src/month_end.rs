//! 月底报送: what each township and department sends 县安委办 at the end of a month — the
//! 履职纪实 of its principal and deputy heads, its self-assessment, proof of hardware
//! investment, and its unit duty report — with due dates as data (`data/month_end.toml`), a
//! submit step dated by the server, and late flags.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::assessment::SelfAssessment;
use crate::hazard::china_date;
use crate::month::YearMonth;
use crate::records::HardwareInvestment;
use crate::rotation::{self, DutyReport};
use crate::{required_text, DomainError};

/// What is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SubmissionKind {
    /// 履职纪实 of the principal and deputy heads (清单化报送).
    DutyRecords,
    /// The unit's own monthly assessment (综合评估), per indicator.
    SelfAssessment,
    /// Proof of hardware investment (合同、施工前中后照片、发票).
    InvestmentProof,
    /// A responsible person's report at the unit's meeting (述职).
    UnitDutyReport,
}

impl SubmissionKind {
    pub fn code(self) -> &'static str {
        match self {
            SubmissionKind::DutyRecords => "duty_records",
            SubmissionKind::SelfAssessment => "self_assessment",
            SubmissionKind::InvestmentProof => "investment_proof",
            SubmissionKind::UnitDutyReport => "unit_duty_report",
        }
    }
}

/// One line of the due-date file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueRule {
    pub kind: SubmissionKind,
    pub label: String,
    pub days_after_month_end: i64,
}

impl DueRule {
    pub fn due(&self, month: YearMonth) -> NaiveDate {
        month.last_day() + Duration::days(self.days_after_month_end)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueRules {
    pub item: Vec<DueRule>,
}

impl DueRules {
    pub fn from_toml(text: &str) -> Result<DueRules, DomainError> {
        let rules: DueRules = toml::from_str(text).map_err(|e| DomainError::InvalidValue {
            field: "月底报送期限",
            reason: e.to_string(),
        })?;
        for r in &rules.item {
            if !(0..=31).contains(&r.days_after_month_end) {
                return Err(DomainError::InvalidValue {
                    field: "月底报送期限",
                    reason: format!("{}：月末后天数须在 0 至 31 之间", r.label),
                });
            }
        }
        Ok(rules)
    }

    /// The county's rules (`data/month_end.toml`).
    pub fn standard() -> &'static DueRules {
        static RULES: OnceLock<DueRules> = OnceLock::new();
        RULES.get_or_init(|| {
            DueRules::from_toml(include_str!("../data/month_end.toml")).expect("valid due dates")
        })
    }

    pub fn rule(&self, kind: SubmissionKind) -> Option<&DueRule> {
        self.item.iter().find(|r| r.kind == kind)
    }
}

/// A unit's submission of one item for a month. The server sets who and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthEndSubmission {
    pub id: String,
    pub unit_id: String,
    pub month: YearMonth,
    pub kind: SubmissionKind,
    /// What the unit says with it (e.g. “本月无设施设备类投入”).
    #[serde(default)]
    pub note: Option<String>,
    /// Evidence ids of the files sent (the signed 履职纪实 list, …).
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub submitted_by: String,
    /// Server time.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
}

impl MonthEndSubmission {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        required_text(&self.unit_id, "报送单位")?;
        if self.month.first_day() > china_date(now) {
            return Err(DomainError::InvalidValue {
                field: "报送月份",
                reason: format!("{} 尚未开始", self.month),
            });
        }
        Ok(())
    }
}

/// One unit's item of one month, as the office follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionStatus {
    pub unit_id: String,
    pub kind: SubmissionKind,
    pub label: String,
    pub due: NaiveDate,
    /// When it reached the server (the first time, for a late flag that cannot be undone).
    pub submitted_at: Option<DateTime<Utc>>,
    /// Sent after the due date.
    pub late: bool,
    /// Not sent and the due date has passed.
    pub overdue: bool,
    /// 已报送 / 逾期报送 / 逾期未报送 / 未到期.
    pub status_label: String,
}

/// Everything that counts as a unit's submissions.
pub struct Submitted<'a> {
    pub submissions: &'a [MonthEndSubmission],
    pub self_assessments: &'a [SelfAssessment],
    pub investments: &'a [HardwareInvestment],
    pub reports: &'a [DutyReport],
}

impl Submitted<'_> {
    /// When the unit first sent `kind` for `month`, by the server's clock where it kept one.
    pub fn first(
        &self,
        unit_id: &str,
        month: YearMonth,
        kind: SubmissionKind,
    ) -> Option<DateTime<Utc>> {
        let explicit = self
            .submissions
            .iter()
            .filter(|s| s.unit_id == unit_id && s.month == month && s.kind == kind)
            .filter_map(|s| s.submitted_at);
        let derived: Vec<DateTime<Utc>> = match kind {
            SubmissionKind::DutyRecords => Vec::new(),
            SubmissionKind::SelfAssessment => self
                .self_assessments
                .iter()
                .filter(|s| s.unit_id == unit_id && s.month == month)
                .map(|s| s.submitted_at)
                .collect(),
            // Proof sent in the month (or in the days after, for that month's works).
            SubmissionKind::InvestmentProof => self
                .investments
                .iter()
                .filter(|i| i.unit_id == unit_id && month.contains(i.invested_on))
                .filter_map(|i| i.submitted_at)
                .collect(),
            SubmissionKind::UnitDutyReport => {
                rotation::unit_monthly_report(self.reports, unit_id, month)
                    .and_then(|r| r.reported_on.and_hms_opt(4, 0, 0))
                    .map(|t| t.and_utc())
                    .into_iter()
                    .collect()
            }
        };
        explicit.chain(derived).min()
    }
}

/// The status of every item of `month` for each unit.
pub fn statuses(
    rules: &DueRules,
    unit_ids: &[&str],
    month: YearMonth,
    sent: &Submitted,
    today: NaiveDate,
) -> Vec<SubmissionStatus> {
    let mut out = Vec::new();
    for unit_id in unit_ids {
        for rule in &rules.item {
            let due = rule.due(month);
            let submitted_at = sent.first(unit_id, month, rule.kind);
            let late = submitted_at.is_some_and(|t| china_date(t) > due);
            let overdue = submitted_at.is_none() && today > due;
            let status_label = match (submitted_at, late, overdue) {
                (Some(_), false, _) => "已报送",
                (Some(_), true, _) => "逾期报送",
                (None, _, true) => "逾期未报送",
                (None, _, false) => "未到期",
            };
            out.push(SubmissionStatus {
                unit_id: unit_id.to_string(),
                kind: rule.kind,
                label: rule.label.clone(),
                due,
                submitted_at,
                late,
                overdue,
                status_label: status_label.to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn due_dates_come_from_data_and_late_is_by_china_date() {
        let rules = DueRules::standard();
        assert_eq!(rules.item.len(), 4);
        let oct: YearMonth = "2026-10".parse().unwrap();
        let due = rules.rule(SubmissionKind::DutyRecords).unwrap().due(oct);
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        let mut sub = MonthEndSubmission {
            id: "s1".into(),
            unit_id: "t1".into(),
            month: oct,
            kind: SubmissionKind::DutyRecords,
            note: None,
            evidence: vec![],
            submitted_by: "p".into(),
            // 23:30 on the 31st in China: on time.
            submitted_at: Some(t("2026-10-31T15:30:00Z")),
        };
        let late_one = MonthEndSubmission {
            unit_id: "t2".into(),
            // 00:30 on 1 November in China: late.
            submitted_at: Some(t("2026-10-31T16:30:00Z")),
            ..sub.clone()
        };
        sub.id = "s0".into();
        let subs = [sub, late_one];
        let sent = Submitted {
            submissions: &subs,
            self_assessments: &[],
            investments: &[],
            reports: &[],
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let s = statuses(rules, &["t1", "t2", "t3"], oct, &sent, today);
        let of = |u: &str| {
            s.iter()
                .find(|x| x.unit_id == u && x.kind == SubmissionKind::DutyRecords)
                .unwrap()
        };
        assert_eq!(of("t1").status_label, "已报送");
        assert!(of("t2").late && of("t2").status_label == "逾期报送");
        assert!(of("t3").overdue && of("t3").status_label == "逾期未报送");
        let early = statuses(
            rules,
            &["t3"],
            oct,
            &sent,
            NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
        );
        assert_eq!(early[0].status_label, "未到期");
    }

    #[test]
    fn a_bad_due_date_file_is_refused_in_chinese() {
        let e = DueRules::from_toml(
            "[[item]]\nkind = \"duty_records\"\nlabel = \"履职纪实\"\ndays_after_month_end = 90\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("月末后天数"), "{e}");
        assert!(DueRules::from_toml("[[item]]\nkind = \"nope\"\n").is_err());
    }

    #[test]
    fn a_future_month_cannot_be_submitted() {
        let s = MonthEndSubmission {
            id: "s".into(),
            unit_id: "t1".into(),
            month: "2026-12".parse().unwrap(),
            kind: SubmissionKind::DutyRecords,
            note: None,
            evidence: vec![],
            submitted_by: String::new(),
            submitted_at: None,
        };
        let e = s.validate(t("2026-11-20T00:00:00Z")).unwrap_err();
        assert!(e.to_string().contains("尚未开始"), "{e}");
        assert!(s.validate(t("2026-12-01T00:00:00Z")).is_ok());
    }
}
