//! 月考: the monthly assessment of every township and department by 县安委办, from what was
//! recorded: an indicator set with weights (as data), scores, ranks, the unit's own
//! self-assessment beside the office's score, 月清零, and the roll-up into the annual target
//! assessment (年度目标考核).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::duty::{self, Activity, PersonDuty, QuotaSet, QuotaState};
use crate::hazard::{china_date, Hazard, HazardLevel, HazardStatus};
use crate::month::YearMonth;
use crate::org::{Person, Unit, UnitKind};
use crate::records::{AccountabilityRecord, HardwareInvestment};
use crate::rotation::{self, DutyReport};

/// What an indicator measures; the computation is code, the weights and labels are data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of duty quotas met among those whose period ended this month.
    DutyQuotasMet,
    /// Share of hazards due this month that were closed by their deadline.
    HazardsOnTime,
    /// Major hazards open past their deadline at month end (deducted per item).
    OverdueMajorHazards,
    /// Problems found against the unit by 暗访巡查 and 随机抽查 this month (deducted per item).
    PatrolFindings,
    /// 月清零: no enforcement finding left open at month end.
    MonthClear,
    /// Proof of hardware investment sent, where the unit has hardware problems.
    HardwareProof,
    /// The unit's self-assessment for the month was sent to 县安委办.
    SelfAssessmentSent,
    /// The unit's own monthly duty report (1 responsible person) was given.
    UnitDutyReport,
    /// Reminder talks and accountability (提醒约谈、追责问责) of the unit decided this month: a
    /// deduction (扣分项) of `per_item` each, at most `weight`, outside the full marks.
    AccountabilityActions,
}

impl Metric {
    fn per_item(self) -> bool {
        matches!(
            self,
            Metric::OverdueMajorHazards | Metric::PatrolFindings | Metric::AccountabilityActions
        )
    }

    /// A deduction only: its weight caps the deduction and is not part of the full marks.
    pub fn is_deduction(self) -> bool {
        self == Metric::AccountabilityActions
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub label: String,
    pub metric: Metric,
    /// Full points.
    pub weight: f64,
    /// Points deducted per item, for count metrics.
    #[serde(default)]
    pub per_item: Option<f64>,
    /// 暗访 findings: points deducted per problem the unit's own 工作专班 found at its own
    /// sites (自查自纠), instead of `per_item`. Unset: they cost as much as any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_found_per_item: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSet {
    pub version: String,
    pub indicators: Vec<Indicator>,
}

impl IndicatorSet {
    pub fn from_toml(text: &str) -> Result<IndicatorSet, String> {
        let set: IndicatorSet =
            toml::from_str(text).map_err(|e| format!("考核指标配置格式错误：{e}"))?;
        if set.indicators.is_empty() {
            return Err("考核指标配置错误：至少需要一项指标".into());
        }
        for i in &set.indicators {
            if !(i.weight.is_finite() && i.weight > 0.0) {
                return Err(format!("考核指标配置错误：“{}”的分值须大于 0", i.label));
            }
            match (i.metric.per_item(), i.per_item) {
                (true, Some(p)) if p.is_finite() && p > 0.0 => {}
                (true, _) => {
                    return Err(format!(
                        "考核指标配置错误：“{}”须设置每项扣分 per_item",
                        i.label
                    ))
                }
                (false, Some(_)) => {
                    return Err(format!(
                        "考核指标配置错误：“{}”不按项扣分，不能设置 per_item",
                        i.label
                    ))
                }
                (false, None) => {}
            }
            match (i.metric, i.self_found_per_item) {
                (_, None) => {}
                (Metric::PatrolFindings, Some(p)) if p.is_finite() && p >= 0.0 => {}
                (Metric::PatrolFindings, Some(_)) => {
                    return Err(format!(
                        "考核指标配置错误：“{}”的自查发现每项扣分不能为负数",
                        i.label
                    ))
                }
                (_, Some(_)) => {
                    return Err(format!(
                        "考核指标配置错误：“{}”不是暗访发现问题指标，不能设置 self_found_per_item",
                        i.label
                    ))
                }
            }
        }
        let mut ids: Vec<&str> = set.indicators.iter().map(|i| i.id.as_str()).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err("考核指标配置错误：指标编号重复".into());
        }
        Ok(set)
    }

    /// The county's sample indicator set, compiled in.
    pub fn standard() -> &'static IndicatorSet {
        static SET: OnceLock<IndicatorSet> = OnceLock::new();
        SET.get_or_init(|| {
            IndicatorSet::from_toml(include_str!("../data/assessment_indicators.toml"))
                .expect("valid indicator data")
        })
    }

    /// Full marks: the weights of every indicator except deductions.
    pub fn total_weight(&self) -> f64 {
        self.indicators
            .iter()
            .filter(|i| !i.metric.is_deduction())
            .map(|i| i.weight)
            .sum()
    }
}

pub use crate::self_assessment::{SelfAssessment, SelfItem};

/// Everything an assessment reads, indexed once per unit so a county's year stays fast.
pub struct AssessmentData<'a> {
    pub quotas: &'a QuotaSet,
    pub units: Vec<&'a Unit>,
    pub people: &'a [Person],
    hazards: HashMap<&'a str, Vec<&'a Hazard>>,
    activities: HashMap<&'a str, Vec<&'a Activity>>,
    investments: HashMap<&'a str, Vec<&'a HardwareInvestment>>,
    reports: &'a [DutyReport],
    self_assessments: HashMap<(&'a str, YearMonth), &'a SelfAssessment>,
    /// Inspections of the kinds 暗访巡查 and 随机抽查.
    patrol_inspections: &'a HashSet<String>,
    accountability: HashMap<&'a str, Vec<&'a AccountabilityRecord>>,
    /// The unit that organised each patrol (its leader's unit): 县安委办, or a unit's 工作专班.
    patrol_organisers: HashMap<&'a str, &'a str>,
}

impl<'a> AssessmentData<'a> {
    /// Townships and departments are assessed; hazards count against the unit that must
    /// rectify them.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        quotas: &'a QuotaSet,
        units: &'a [Unit],
        people: &'a [Person],
        hazards: &'a [Hazard],
        activities: &'a [Activity],
        investments: &'a [HardwareInvestment],
        reports: &'a [DutyReport],
        self_assessments: &'a [SelfAssessment],
        patrol_inspections: &'a HashSet<String>,
    ) -> AssessmentData<'a> {
        let mut by_unit: HashMap<&str, Vec<&Hazard>> = HashMap::new();
        for h in hazards {
            by_unit.entry(h.rectifying_unit()).or_default().push(h);
        }
        let mut inv: HashMap<&str, Vec<&HardwareInvestment>> = HashMap::new();
        for i in investments {
            inv.entry(i.unit_id.as_str()).or_default().push(i);
        }
        let mut selfs = HashMap::new();
        for s in self_assessments {
            // The latest submission for a month counts.
            let e = selfs.entry((s.unit_id.as_str(), s.month)).or_insert(s);
            if s.submitted_at > e.submitted_at {
                *e = s;
            }
        }
        AssessmentData {
            quotas,
            units: units
                .iter()
                .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
                .collect(),
            people,
            hazards: by_unit,
            activities: duty::activities_by_unit(activities),
            investments: inv,
            reports,
            self_assessments: selfs,
            patrol_inspections,
            accountability: HashMap::new(),
            patrol_organisers: HashMap::new(),
        }
    }

    /// Adds the county's 提醒约谈、追责问责 records (deducted in the month decided).
    pub fn with_accountability(mut self, records: &'a [AccountabilityRecord]) -> Self {
        self.accountability.clear();
        for r in records {
            self.accountability
                .entry(r.unit_id.as_str())
                .or_default()
                .push(r);
        }
        self
    }

    /// Adds who organised each patrol (inspection id → unit id), so findings of a unit's own
    /// 工作专班 weigh as the indicator's `self_found_per_item` says.
    pub fn with_patrol_organisers(mut self, organisers: HashMap<&'a str, &'a str>) -> Self {
        self.patrol_organisers = organisers;
        self
    }

    fn hazards_of(&self, unit_id: &str) -> &[&'a Hazard] {
        self.hazards.get(unit_id).map_or(&[], |v| v)
    }

    /// 月清零: the enforcement findings (problems found by inspections) of a unit still open at
    /// the end of the month. A major hazard whose 五落实 deadline lies after the month is under
    /// a formal plan and does not count; every other finding must be cleared.
    pub fn month_clear(
        &self,
        unit_id: &str,
        month: YearMonth,
        today: NaiveDate,
    ) -> Vec<&'a Hazard> {
        let judge = judge_day(month, today);
        self.hazards_of(unit_id)
            .iter()
            .copied()
            .filter(|h| h.source.is_some() && open_on(h, judge))
            .filter(|h| {
                !(h.level == HazardLevel::Major
                    && h.plan.deadline.is_some_and(|d| d > month.last_day()))
            })
            .collect()
    }

    /// The duty table of one unit for the month.
    pub fn duty(&self, unit: &Unit, month: YearMonth, today: NaiveDate) -> Vec<PersonDuty> {
        duty::duty_table(
            self.quotas,
            &[unit],
            self.people,
            &self.activities,
            month,
            today,
        )
    }

    fn measure(&self, unit: &Unit, metric: Metric, month: YearMonth, today: NaiveDate) -> Measure {
        let (start, end) = (month.first_day(), month.last_day());
        let judge = judge_day(month, today);
        let hazards = self.hazards_of(&unit.id);
        match metric {
            Metric::DutyQuotasMet => {
                let (mut met, mut missed) = (0, 0);
                for p in self.duty(unit, month, today) {
                    for s in p.statuses.iter().filter(|s| s.period_end <= end) {
                        match s.state {
                            QuotaState::Met => met += 1,
                            QuotaState::Missed => missed += 1,
                            QuotaState::InProgress => {}
                        }
                    }
                }
                Measure::ratio(met, met + missed, "项履职任务完成")
            }
            Metric::HazardsOnTime => {
                let due: Vec<&&Hazard> = hazards
                    .iter()
                    .filter(|h| h.deadline().is_some_and(|d| d >= start && d <= end))
                    .collect();
                let on_time = due
                    .iter()
                    .filter(|h| {
                        h.closed_at.is_some_and(|c| {
                            Some(china_date(c)) <= h.deadline() && china_date(c) < judge
                        })
                    })
                    .count();
                Measure::ratio(on_time, due.len(), "项到期隐患按期整改")
            }
            Metric::OverdueMajorHazards => Measure::count(
                hazards
                    .iter()
                    .filter(|h| h.level == HazardLevel::Major && open_on(h, judge))
                    .filter(|h| past_deadline(h, month, today))
                    .count(),
                "项重大隐患逾期未整改",
            ),
            Metric::PatrolFindings => {
                let organisers: Vec<Option<&str>> = hazards
                    .iter()
                    .filter(|h| month.contains(china_date(h.raised_at)))
                    .filter_map(|h| h.source.as_ref())
                    .filter(|s| self.patrol_inspections.contains(&s.inspection_id))
                    .map(|s| {
                        self.patrol_organisers
                            .get(s.inspection_id.as_str())
                            .copied()
                    })
                    .collect();
                let self_found = organisers
                    .iter()
                    .filter(|o| **o == Some(unit.id.as_str()))
                    .count();
                Measure::Findings {
                    by_others: organisers.len() - self_found,
                    self_found,
                }
            }
            Metric::MonthClear => {
                let open = self.month_clear(&unit.id, month, today).len();
                Measure::check(open == 0, format!("月末未清零问题 {open} 个"))
            }
            Metric::HardwareProof => {
                let active = hazards
                    .iter()
                    .filter(|h| h.needs_hardware && china_date(h.raised_at) <= end)
                    .filter(|h| h.closed_at.is_none_or(|c| china_date(c) >= start))
                    .count();
                if active == 0 {
                    return Measure::check(true, "本月无设施设备类隐患".to_string());
                }
                // Proof counts for the month it was submitted complete (server time).
                let proofs = self.investments.get(unit.id.as_str()).map_or(0, |v| {
                    v.iter()
                        .filter(|i| {
                            i.submitted_at
                                .is_some_and(|t| month.contains(china_date(t)))
                        })
                        .count()
                });
                Measure::check(
                    proofs > 0,
                    format!("设施设备类隐患 {active} 个，报送投入佐证 {proofs} 份"),
                )
            }
            Metric::SelfAssessmentSent => {
                let sent = self.self_assessment(&unit.id, month).is_some();
                Measure::check(sent, if sent { "已报送" } else { "未报送" }.to_string())
            }
            Metric::UnitDutyReport => {
                let done = rotation::unit_monthly_report(self.reports, &unit.id, month).is_some();
                Measure::check(done, if done { "已述职" } else { "未述职" }.to_string())
            }
            Metric::AccountabilityActions => Measure::Deduction {
                n: self
                    .accountability
                    .get(unit.id.as_str())
                    .map_or(0, |v| crate::accountability::count_in_month(v, month)),
                what: "次提醒约谈、追责问责",
            },
        }
    }

    pub fn self_assessment(&self, unit_id: &str, month: YearMonth) -> Option<&'a SelfAssessment> {
        self.self_assessments.get(&(unit_id, month)).copied()
    }
}

/// The first day after what is judged: the day after the month, or tomorrow while it runs
/// (so today's records count).
fn judge_day(month: YearMonth, today: NaiveDate) -> NaiveDate {
    month
        .next()
        .first_day()
        .min(today.succ_opt().expect("valid date"))
}

/// Past its deadline: at month end, or (while the month runs) as of today, like
/// [`Hazard::is_overdue`].
fn past_deadline(h: &Hazard, month: YearMonth, today: NaiveDate) -> bool {
    let day = month.next().first_day().min(today);
    h.deadline().is_some_and(|d| d < day)
}

/// Raised before `day` and not closed before it.
fn open_on(h: &Hazard, day: NaiveDate) -> bool {
    china_date(h.raised_at) < day
        && (h.status != HazardStatus::Closed || h.closed_at.is_none_or(|c| china_date(c) >= day))
}

enum Measure {
    /// done of total; `None` total means nothing to measure (full points).
    Ratio {
        done: usize,
        total: usize,
        what: &'static str,
    },
    Count {
        n: usize,
        what: &'static str,
    },
    /// Problems found by others, and those the unit's own 工作专班 found (自查发现).
    Findings {
        by_others: usize,
        self_found: usize,
    },
    Check {
        pass: bool,
        detail: String,
    },
    /// Points off, outside the full marks.
    Deduction {
        n: usize,
        what: &'static str,
    },
}

impl Measure {
    fn ratio(done: usize, total: usize, what: &'static str) -> Measure {
        Measure::Ratio { done, total, what }
    }
    fn count(n: usize, what: &'static str) -> Measure {
        Measure::Count { n, what }
    }
    fn check(pass: bool, detail: String) -> Measure {
        Measure::Check { pass, detail }
    }

    fn score(&self, ind: &Indicator) -> (f64, String) {
        match self {
            Measure::Ratio { total: 0, .. } => (ind.weight, "本月无考核事项".to_string()),
            Measure::Ratio { done, total, what } => (
                ind.weight * *done as f64 / *total as f64,
                format!("{done}/{total} {what}"),
            ),
            Measure::Count { n, what } => {
                let per = ind.per_item.unwrap_or(ind.weight);
                (
                    (ind.weight - per * *n as f64).max(0.0),
                    format!("{n} {what}"),
                )
            }
            Measure::Check { pass, detail } => {
                (if *pass { ind.weight } else { 0.0 }, detail.clone())
            }
            Measure::Findings {
                by_others,
                self_found,
            } => {
                let per = ind.per_item.unwrap_or(ind.weight);
                let own = ind.self_found_per_item.unwrap_or(per);
                let off = per * *by_others as f64 + own * *self_found as f64;
                let detail = if *self_found == 0 {
                    format!("{by_others} 个暗访、抽查发现问题")
                } else {
                    format!(
                        "{by_others} 个暗访、抽查发现问题，本单位工作专班自查发现 {self_found} 个"
                    )
                };
                ((ind.weight - off).max(0.0), detail)
            }
            Measure::Deduction { n, what } => {
                let per = ind.per_item.unwrap_or(ind.weight);
                (-(per * *n as f64).min(ind.weight), format!("{n} {what}"))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorScore {
    pub id: String,
    pub label: String,
    pub weight: f64,
    pub points: f64,
    pub detail: String,
    /// The unit's own score and note for this indicator (自评), beside the office's.
    #[serde(default)]
    pub self_points: Option<f64>,
    #[serde(default)]
    pub self_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitScore {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub indicators: Vec<IndicatorScore>,
    pub total: f64,
    /// Rank among units of the same kind (townships, departments); ties share a rank.
    pub rank: usize,
    /// The unit's own score, beside the office's.
    pub self_score: Option<f64>,
    /// 月清零: hazard ids still open at month end.
    pub month_clear_open: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyAssessment {
    pub month: YearMonth,
    pub indicator_version: String,
    pub full_marks: f64,
    /// Townships first, then departments; each by rank.
    pub scores: Vec<UnitScore>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Scores every township and department for a month.
pub fn assess_month(
    set: &IndicatorSet,
    data: &AssessmentData<'_>,
    month: YearMonth,
    today: NaiveDate,
) -> MonthlyAssessment {
    let mut scores: Vec<UnitScore> = data
        .units
        .iter()
        .map(|unit| {
            let own = data.self_assessment(&unit.id, month);
            let indicators: Vec<IndicatorScore> = set
                .indicators
                .iter()
                .map(|ind| {
                    let (points, detail) = data.measure(unit, ind.metric, month, today).score(ind);
                    let mine = own.and_then(|s| s.item(&ind.id));
                    IndicatorScore {
                        id: ind.id.clone(),
                        label: ind.label.clone(),
                        weight: ind.weight,
                        points: round2(points),
                        detail,
                        self_points: mine.map(|i| i.score),
                        self_note: mine.and_then(|i| i.note.clone()),
                    }
                })
                .collect();
            UnitScore {
                unit_id: unit.id.clone(),
                unit_name: unit.name.clone(),
                unit_kind: unit.kind,
                total: round2(indicators.iter().map(|i| i.points).sum::<f64>().max(0.0)),
                indicators,
                rank: 0,
                self_score: data.self_assessment(&unit.id, month).map(|s| s.score),
                month_clear_open: data
                    .month_clear(&unit.id, month, today)
                    .iter()
                    .map(|h| h.id.clone())
                    .collect(),
            }
        })
        .collect();
    rank_within_kind(&mut scores, |s| (s.unit_kind, s.total), |s, r| s.rank = r);
    MonthlyAssessment {
        month,
        indicator_version: set.version.clone(),
        full_marks: set.total_weight(),
        scores,
    }
}

/// Sorts townships before departments, each by score descending (then name), and sets
/// competition ranks (1, 2, 2, 4).
fn rank_within_kind<T>(
    rows: &mut [T],
    key: impl Fn(&T) -> (UnitKind, f64),
    mut set_rank: impl FnMut(&mut T, usize),
) {
    let kind_order = |k: UnitKind| if k == UnitKind::Township { 0 } else { 1 };
    rows.sort_by(|a, b| {
        let (ka, sa) = key(a);
        let (kb, sb) = key(b);
        kind_order(ka).cmp(&kind_order(kb)).then(sb.total_cmp(&sa))
    });
    let mut i = 0;
    while i < rows.len() {
        let (kind, _) = key(&rows[i]);
        let mut rank = 1;
        let mut j = i;
        while j < rows.len() && key(&rows[j]).0 == kind {
            if j > i && key(&rows[j]).1 < key(&rows[j - 1]).1 {
                rank = j - i + 1;
            }
            set_rank(&mut rows[j], rank);
            j += 1;
        }
        i = j;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnualScore {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    /// January to December; `None` for months not assessed yet.
    pub monthly: Vec<Option<f64>>,
    /// The mean of the assessed months (年度目标考核 of 五查四改月述考).
    pub average: f64,
    pub rank: usize,
    /// The leadership reported collectively this year.
    pub collective_report: bool,
}

/// Rolls a year's monthly assessments (months up to `today`) into the annual assessment.
pub fn assess_year(
    set: &IndicatorSet,
    data: &AssessmentData<'_>,
    year: i32,
    today: NaiveDate,
) -> Vec<AnnualScore> {
    let months: Vec<MonthlyAssessment> = YearMonth::year_months(year)
        .filter(|m| m.first_day() <= today)
        .map(|m| assess_month(set, data, m, today))
        .collect();
    let mut rows: Vec<AnnualScore> = data
        .units
        .iter()
        .map(|u| {
            let mut monthly = vec![None; 12];
            for m in &months {
                if let Some(s) = m.scores.iter().find(|s| s.unit_id == u.id) {
                    monthly[(m.month.month - 1) as usize] = Some(s.total);
                }
            }
            let done: Vec<f64> = monthly.iter().flatten().copied().collect();
            let average = if done.is_empty() {
                0.0
            } else {
                round2(done.iter().sum::<f64>() / done.len() as f64)
            };
            AnnualScore {
                unit_id: u.id.clone(),
                unit_name: u.name.clone(),
                unit_kind: u.kind,
                monthly,
                average,
                rank: 0,
                collective_report: rotation::collective_report_done(data.reports, &u.id, year),
            }
        })
        .collect();
    rank_within_kind(&mut rows, |s| (s.unit_kind, s.average), |s, r| s.rank = r);
    rows
}
