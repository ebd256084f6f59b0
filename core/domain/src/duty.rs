//! 履职纪实: the minimum duty frequencies per role (as data), evaluated against recorded
//! activities per person (or unit) and period: required vs done, met / missed / in progress.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::evidence::{EvidenceRecord, EvidenceTarget};
use crate::hazard::china_date;
use crate::inspection::{Inspection, InspectionKind};
use crate::month::YearMonth;
use crate::org::{Person, Role, Unit, UnitKind};
use crate::records::{Meeting, MeetingKind};
use crate::site::Site;

/// What a person did that counts for their duty record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivityKind {
    /// 带队实地督查（检查）
    LedInspection,
    /// 专项检查
    SpecialCheck,
    /// 暗访巡查
    UnannouncedPatrol,
    /// 专项督查 (督查办)
    SpecialSupervision,
    /// 安全生产委员会工作会议
    CommitteeMeeting,
    /// 安全生产工作例会
    RegularMeeting,
    /// 安全生产专题工作会议
    SpecialMeeting,
    /// 安全形势分析
    SituationAnalysis,
    /// 实地业务指导 (行业部门)
    GuidanceVisit,
    /// 业务培训工作会
    Training,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Period {
    Month,
    Quarter,
    HalfYear,
    Year,
}

impl Period {
    pub fn label(self) -> &'static str {
        match self {
            Period::Month => "每月",
            Period::Quarter => "每季度",
            Period::HalfYear => "每半年",
            Period::Year => "每年",
        }
    }

    /// The first and last day of the period containing `day`.
    pub fn bounds(self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        let months = match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::HalfYear => 6,
            Period::Year => 12,
        };
        let first_month = (day.month0() / months) * months + 1;
        let start = NaiveDate::from_ymd_opt(day.year(), first_month, 1).expect("valid");
        let next = if first_month + months > 12 {
            NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(day.year(), first_month + months, 1)
        }
        .expect("valid");
        (start, next.pred_opt().expect("valid"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum QuotaScope {
    Person,
    Unit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quota {
    pub role: Role,
    /// Only for units of this kind (department guidance and training), when set.
    #[serde(default)]
    pub unit_kind: Option<UnitKind>,
    pub activity: ActivityKind,
    pub count: u32,
    pub period: Period,
    pub scope: QuotaScope,
    pub label: String,
    /// Count distinct townships visited instead of activities (the department rule "every
    /// township covered within the year"; `count` is then the county's number of townships).
    #[serde(default)]
    pub distinct_townships: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaSet {
    pub version: String,
    pub quotas: Vec<Quota>,
}

impl QuotaSet {
    /// Parses a county's quota file (TOML), refusing zero counts.
    pub fn from_toml(text: &str) -> Result<QuotaSet, String> {
        let set: QuotaSet =
            toml::from_str(text).map_err(|e| format!("履职频次配置格式错误：{e}"))?;
        if let Some(q) = set.quotas.iter().find(|q| q.count == 0) {
            return Err(format!("履职频次配置错误：“{}”的次数须大于 0", q.label));
        }
        Ok(set)
    }

    /// The quotas of the notice, compiled in.
    pub fn standard() -> &'static QuotaSet {
        static SET: OnceLock<QuotaSet> = OnceLock::new();
        SET.get_or_init(|| {
            QuotaSet::from_toml(include_str!("../data/duty_quotas.toml")).expect("valid quota data")
        })
    }
}

/// One recorded activity, backed by its record (an inspection or a meeting, with evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The id of the record it comes from.
    pub id: String,
    pub kind: ActivityKind,
    pub date: NaiveDate,
    /// The person who led or chaired it.
    pub person_id: String,
    pub unit_id: String,
    /// The sync entity of the record (`inspection`, `meeting`).
    #[serde(default)]
    pub source: String,
    /// What it was ("石宝镇加油站 排查", "11月安全生产工作例会").
    #[serde(default)]
    pub title: String,
    /// The township visited, for the department rule "every township within the year".
    #[serde(default)]
    pub township_id: Option<String>,
    /// Evidence items backing it (photos of the visit, minutes, sign-in sheets).
    #[serde(default)]
    pub evidence_count: u32,
    /// Why it does not count toward the quotas (时间存疑, …), shown beside the quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_counted: Option<String>,
}

impl Activity {
    /// An activity of `source` (a sync entity) with no title, township, evidence or
    /// exclusion yet.
    pub fn new(
        id: impl Into<String>,
        kind: ActivityKind,
        date: NaiveDate,
        person_id: impl Into<String>,
        unit_id: impl Into<String>,
        source: &str,
    ) -> Activity {
        Activity {
            id: id.into(),
            kind,
            date,
            person_id: person_id.into(),
            unit_id: unit_id.into(),
            source: source.to_string(),
            title: String::new(),
            township_id: None,
            evidence_count: 0,
            not_counted: None,
        }
    }
}

impl ActivityKind {
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::LedInspection => "带队实地督查",
            ActivityKind::SpecialCheck => "专项检查",
            ActivityKind::UnannouncedPatrol => "暗访巡查",
            ActivityKind::SpecialSupervision => "专项督查",
            ActivityKind::CommitteeMeeting => "安委会工作会议",
            ActivityKind::RegularMeeting => "安全生产工作例会",
            ActivityKind::SpecialMeeting => "安全生产专题会议",
            ActivityKind::SituationAnalysis => "安全形势分析",
            ActivityKind::GuidanceVisit => "实地业务指导",
            ActivityKind::Training => "业务培训",
        }
    }
}

/// The duty activity a finished inspection counts as, for the person who led it: 暗访 is a
/// patrol, 抽查 a special supervision, 专业评估 a guidance visit; a deputy head's own check is
/// the special check of their sector; anyone else leading on site leads an inspection.
/// Unfinished inspections count for nothing.
pub fn activity_of_inspection(
    insp: &Inspection,
    site_name: &str,
    township_id: Option<&str>,
    evidence_count: u32,
) -> Option<Activity> {
    let finished = insp.finished_at?;
    let leads = |r: Role| {
        matches!(
            r,
            Role::CountyHead | Role::CountyDeputyHead | Role::CountyOtherLeader | Role::UnitHead
        )
    };
    let kind = match insp.kind {
        InspectionKind::UnannouncedPatrol => ActivityKind::UnannouncedPatrol,
        InspectionKind::RandomCheck => ActivityKind::SpecialSupervision,
        InspectionKind::ProfessionalAssessment => ActivityKind::GuidanceVisit,
        InspectionKind::LeaderSupervision | InspectionKind::RoutineCheck => {
            if !insp.leader.has_role(leads) && insp.leader.has_role(|r| r == Role::UnitDeputyHead) {
                ActivityKind::SpecialCheck
            } else {
                ActivityKind::LedInspection
            }
        }
    };
    Some(Activity {
        id: insp.id.clone(),
        kind,
        date: china_date(finished),
        person_id: insp.leader.person_id.clone(),
        unit_id: insp.leader.unit_id.clone(),
        source: crate::sync::entity::INSPECTION.to_string(),
        title: format!("{site_name} {}", insp.kind.label()),
        township_id: township_id.map(str::to_string),
        evidence_count,
        not_counted: crate::received::duty_exclusion(insp.received.as_ref()),
    })
}

/// The duty activity a meeting counts as, for the person who chaired it.
pub fn activity_of_meeting(meeting: &Meeting) -> Activity {
    let kind = match meeting.kind {
        MeetingKind::SafetyCommittee => ActivityKind::CommitteeMeeting,
        MeetingKind::RegularMeeting => ActivityKind::RegularMeeting,
        MeetingKind::SpecialMeeting => ActivityKind::SpecialMeeting,
        MeetingKind::SituationAnalysis => ActivityKind::SituationAnalysis,
        MeetingKind::Training => ActivityKind::Training,
    };
    Activity {
        id: meeting.id.clone(),
        kind,
        date: china_date(meeting.held_at),
        person_id: meeting.counts_for().to_string(),
        unit_id: meeting.unit_id.clone(),
        source: crate::sync::entity::MEETING.to_string(),
        title: meeting.title.clone(),
        township_id: None,
        evidence_count: meeting.evidence.len() as u32,
        not_counted: crate::received::duty_exclusion(meeting.received.as_ref()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum QuotaState {
    /// 已完成
    Met,
    /// 未完成 (the period is over)
    Missed,
    /// 进行中 (the period is still running)
    InProgress,
}

impl QuotaState {
    pub fn label(self) -> &'static str {
        match self {
            QuotaState::Met => "已完成",
            QuotaState::Missed => "未完成",
            QuotaState::InProgress => "进行中",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaStatus {
    pub quota: Quota,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub required: u32,
    pub done: u32,
    pub state: QuotaState,
    /// The activities that count, for links to their records.
    pub activity_ids: Vec<String>,
    /// Activities of the quota's kind and period that do not count, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_counted: Vec<NotCounted>,
}

/// An activity left out of a quota, and why (e.g. 时间存疑).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotCounted {
    pub activity_id: String,
    pub reason: String,
}

/// Evaluates one person's quotas for the periods containing `day`, as of `today`.
/// Unit-scoped quotas count any activity of the person's unit.
#[allow(clippy::too_many_arguments)]
pub fn evaluate<A: Borrow<Activity>>(
    set: &QuotaSet,
    person_id: &str,
    unit_id: &str,
    unit_kind: UnitKind,
    roles: &[Role],
    activities: &[A],
    day: NaiveDate,
    today: NaiveDate,
) -> Vec<QuotaStatus> {
    set.quotas
        .iter()
        .filter(|q| roles.contains(&q.role) && q.unit_kind.is_none_or(|k| k == unit_kind))
        .map(|q| {
            let (start, end) = q.period.bounds(day);
            let (counted, left_out): (Vec<&Activity>, Vec<&Activity>) = activities
                .iter()
                .map(Borrow::borrow)
                .filter(|a| a.kind == q.activity && a.date >= start && a.date <= end)
                .filter(|a| match q.scope {
                    QuotaScope::Person => a.person_id == person_id,
                    QuotaScope::Unit => a.unit_id == unit_id,
                })
                .partition(|a| a.not_counted.is_none());
            let ids: Vec<String> = counted.iter().map(|a| a.id.clone()).collect();
            let not_counted = left_out
                .iter()
                .map(|a| NotCounted {
                    activity_id: a.id.clone(),
                    reason: a.not_counted.clone().unwrap_or_default(),
                })
                .collect();
            let done = if q.distinct_townships {
                let mut towns: Vec<&str> = activities
                    .iter()
                    .map(Borrow::borrow)
                    .filter(|a| ids.contains(&a.id))
                    .filter_map(|a| a.township_id.as_deref())
                    .collect();
                towns.sort_unstable();
                towns.dedup();
                towns.len() as u32
            } else {
                ids.len() as u32
            };
            let state = if done >= q.count {
                QuotaState::Met
            } else if today > end {
                QuotaState::Missed
            } else {
                QuotaState::InProgress
            };
            QuotaStatus {
                quota: q.clone(),
                period_start: start,
                period_end: end,
                required: q.count,
                done,
                state,
                activity_ids: ids,
                not_counted,
            }
        })
        .collect()
}

/// One person's duty record for a month: every quota of their roles, judged at month end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDuty {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub roles: Vec<Role>,
    pub statuses: Vec<QuotaStatus>,
}

impl PersonDuty {
    pub fn count(&self, state: QuotaState) -> usize {
        self.statuses.iter().filter(|s| s.state == state).count()
    }
}

/// Why a 行政检查 without its signed 现场检查记录 does not count toward a quota.
pub const UNSIGNED_RECORD: &str =
    "行政检查未附经执法人员和被检查单位签名的现场检查记录，不计入履职";

/// Activities grouped by the unit they were recorded for, so per-unit evaluation never scans
/// the whole county.
/// Duty activities from the records: finished inspections by who led them, meetings by who
/// chaired them, each with the number of evidence items backing it. The county office's duty
/// table and the phone's "my duty status" both derive them here.
pub fn derive_activities(
    inspections: &[Inspection],
    meetings: &[Meeting],
    sites: &[Site],
    evidence: &[EvidenceRecord],
) -> Vec<Activity> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    // 行政检查 count only with their signed 现场检查记录 (the outcome the law asks for).
    let mut signed_records: std::collections::HashSet<&str> = Default::default();
    for e in evidence {
        if let Some(d) = e.document.as_ref().filter(|d| {
            d.kind == crate::site_document::DocumentKind::InspectionRecord && d.validate().is_ok()
        }) {
            signed_records.insert(d.inspection_id.as_str());
        }
        let key = match &e.target {
            EvidenceTarget::InspectionItem { inspection_id, .. }
            | EvidenceTarget::InspectionReport { inspection_id } => inspection_id.as_str(),
            EvidenceTarget::Meeting { meeting_id } => meeting_id.as_str(),
            _ => continue,
        };
        *counts.entry(key).or_default() += 1;
    }
    let sites: HashMap<&str, &Site> = sites.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut out: Vec<Activity> = inspections
        .iter()
        .filter_map(|i| {
            let site = sites.get(i.site_id.as_str());
            let mut a = activity_of_inspection(
                i,
                site.map_or(i.site_id.as_str(), |s| s.name.as_str()),
                site.map(|s| s.township_id.as_str()),
                counts.get(i.id.as_str()).copied().unwrap_or(0),
            )?;
            let lawful = i.activity
                != Some(crate::enforcement::FieldActivity::AdministrativeInspection)
                || signed_records.contains(i.id.as_str());
            if !lawful {
                a.not_counted = Some(UNSIGNED_RECORD.to_string());
            }
            Some(a)
        })
        .collect();
    out.extend(meetings.iter().map(|m| {
        let mut a = activity_of_meeting(m);
        a.evidence_count += counts.get(m.id.as_str()).copied().unwrap_or(0);
        a
    }));
    out
}

pub fn activities_by_unit(activities: &[Activity]) -> HashMap<&str, Vec<&Activity>> {
    let mut map: HashMap<&str, Vec<&Activity>> = HashMap::new();
    for a in activities {
        map.entry(a.unit_id.as_str()).or_default().push(a);
    }
    map
}

/// The duty table of a month (履职纪实): each person of `units` who holds a role with quotas,
/// judged at the month's end (or `today` while the month runs).
pub fn duty_table(
    set: &QuotaSet,
    units: &[&Unit],
    people: &[Person],
    by_unit: &HashMap<&str, Vec<&Activity>>,
    month: YearMonth,
    today: NaiveDate,
) -> Vec<PersonDuty> {
    let mut out = Vec::new();
    for unit in units {
        let acts: &[&Activity] = by_unit.get(unit.id.as_str()).map_or(&[], |v| v);
        for p in people.iter().filter(|p| p.unit_id == unit.id) {
            let statuses = evaluate(
                set,
                &p.id,
                &unit.id,
                unit.kind,
                &p.roles,
                acts,
                month.last_day(),
                today,
            );
            if statuses.is_empty() {
                continue;
            }
            out.push(PersonDuty {
                person_id: p.id.clone(),
                name: p.name.clone(),
                unit_id: unit.id.clone(),
                unit_name: unit.name.clone(),
                roles: p.roles.clone(),
                statuses,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn act(id: &str, kind: ActivityKind, date: NaiveDate, person: &str) -> Activity {
        Activity {
            evidence_count: 1,
            ..Activity::new(id, kind, date, person, "500233107", "inspection")
        }
    }

    #[test]
    fn period_bounds_at_the_edges() {
        type Ymd = (i32, u32, u32);
        let cases: [(Period, Ymd, Ymd, Ymd); 8] = [
            (Period::Month, (2026, 2, 14), (2026, 2, 1), (2026, 2, 28)),
            (Period::Month, (2028, 2, 29), (2028, 2, 1), (2028, 2, 29)),
            (Period::Quarter, (2026, 3, 31), (2026, 1, 1), (2026, 3, 31)),
            (Period::Quarter, (2026, 4, 1), (2026, 4, 1), (2026, 6, 30)),
            (
                Period::Quarter,
                (2026, 12, 31),
                (2026, 10, 1),
                (2026, 12, 31),
            ),
            (Period::HalfYear, (2026, 6, 30), (2026, 1, 1), (2026, 6, 30)),
            (Period::HalfYear, (2026, 7, 1), (2026, 7, 1), (2026, 12, 31)),
            (Period::Year, (2026, 7, 1), (2026, 1, 1), (2026, 12, 31)),
        ];
        for (period, day, first, last) in cases {
            let at = |(y, m, dd): Ymd| d(y, m, dd);
            assert_eq!(
                period.bounds(at(day)),
                (at(first), at(last)),
                "{period:?} of {day:?}"
            );
        }
    }

    /// Whose duty a test judges, under the standard quota file.
    struct Judged<'a> {
        person: &'a str,
        unit: &'a str,
        kind: UnitKind,
        roles: &'a [Role],
    }

    impl Judged<'_> {
        fn all(&self, acts: &[Activity], day: NaiveDate, today: NaiveDate) -> Vec<QuotaStatus> {
            let set = QuotaSet::standard();
            evaluate(
                set,
                self.person,
                self.unit,
                self.kind,
                self.roles,
                acts,
                day,
                today,
            )
        }

        fn quota(
            &self,
            acts: &[Activity],
            activity: ActivityKind,
            day: NaiveDate,
            today: NaiveDate,
        ) -> QuotaStatus {
            let all = self.all(acts, day, today);
            all.into_iter()
                .find(|q| q.quota.activity == activity)
                .unwrap_or_else(|| panic!("no quota for {activity:?}"))
        }
    }

    #[test]
    fn deputy_head_needs_two_special_checks_a_month() {
        let deputy = Judged {
            person: "p1",
            unit: "500233107",
            kind: UnitKind::Township,
            roles: &[Role::UnitDeputyHead],
        };
        let acts = vec![
            act("a1", ActivityKind::SpecialCheck, d(2026, 11, 3), "p1"),
            act("a2", ActivityKind::SpecialCheck, d(2026, 10, 31), "p1"), // last month: does not count
            act("a3", ActivityKind::SpecialCheck, d(2026, 11, 20), "p2"), // someone else
            act("a4", ActivityKind::RegularMeeting, d(2026, 11, 30), "p1"),
        ];
        let (mid, today) = (d(2026, 11, 15), d(2026, 11, 28));
        let checks = deputy.quota(&acts, ActivityKind::SpecialCheck, mid, today);
        assert_eq!(
            (checks.required, checks.done, checks.state),
            (2, 1, QuotaState::InProgress)
        );
        assert_eq!(checks.activity_ids, vec!["a1".to_string()]);
        let meeting = deputy.quota(&acts, ActivityKind::RegularMeeting, mid, today);
        assert_eq!(meeting.state, QuotaState::Met);
        // After the month ends without the second check: missed.
        let later = deputy.quota(&acts, ActivityKind::SpecialCheck, mid, d(2026, 12, 1));
        assert_eq!(later.state, QuotaState::Missed);
    }

    #[test]
    fn quarterly_and_half_yearly_quotas_count_across_their_months() {
        let head = Judged {
            person: "county-head",
            unit: "county",
            kind: UnitKind::CountyGovernment,
            roles: &[Role::CountyHead],
        };
        let acts = [act(
            "i1",
            ActivityKind::LedInspection,
            d(2026, 1, 2),
            "county-head",
        )];
        let (q1_end, april) = (d(2026, 3, 31), d(2026, 4, 1));
        let insp = head.quota(&acts, ActivityKind::LedInspection, q1_end, april);
        assert_eq!(
            insp.state,
            QuotaState::Met,
            "January counts for Q1, judged on 31 March"
        );
        let meeting = head.quota(&acts, ActivityKind::CommitteeMeeting, q1_end, april);
        assert_eq!(meeting.state, QuotaState::Missed);

        let me = Judged {
            person: "me",
            unit: "county-supervision-office",
            kind: UnitKind::SupervisionOffice,
            roles: &[Role::SupervisionStaff],
        };
        let mut a = [act(
            "s1",
            ActivityKind::SpecialSupervision,
            d(2026, 6, 30),
            "other-person",
        )];
        a[0].unit_id = "county-supervision-office".into();
        let first_half = me.all(&a, d(2026, 5, 1), d(2026, 7, 1));
        assert_eq!(
            first_half[0].state,
            QuotaState::Met,
            "unit-scoped: a colleague's supervision counts"
        );
        let second_half = me.all(&a, d(2026, 7, 1), d(2026, 9, 1));
        assert_eq!(
            second_half[0].state,
            QuotaState::InProgress,
            "1 July starts a new half-year"
        );
    }

    #[test]
    fn department_guidance_and_training_apply_to_departments_only() {
        let acts = [act(
            "g1",
            ActivityKind::GuidanceVisit,
            d(2026, 5, 10),
            "dept-head",
        )];
        let head_of = |kind| Judged {
            person: "dept-head",
            unit: "500233107",
            kind,
            roles: &[Role::UnitHead],
        };
        let (may, today) = (d(2026, 5, 1), d(2026, 11, 28));
        let dept = head_of(UnitKind::Department);
        let guidance = dept.quota(&acts, ActivityKind::GuidanceVisit, may, today);
        assert_eq!(guidance.state, QuotaState::Met);
        let training = dept.quota(&acts, ActivityKind::Training, may, today);
        assert_eq!(training.state, QuotaState::Missed);
        let town = head_of(UnitKind::Township).all(&acts, may, today);
        assert!(town
            .iter()
            .all(|q| q.quota.activity != ActivityKind::GuidanceVisit));
    }

    #[test]
    fn department_guidance_must_cover_every_township_in_the_year() {
        let visit = |id: &str, town: &str, date: NaiveDate| Activity {
            township_id: Some(town.into()),
            unit_id: "dept-yjj".into(),
            ..act(id, ActivityKind::GuidanceVisit, date, "dept-head")
        };
        let acts = vec![
            visit("g1", "500233107", d(2026, 2, 3)),
            visit("g2", "500233107", d(2026, 5, 3)), // the same township again
            visit("g3", "500233001", d(2026, 8, 3)),
            visit("g4", "500233002", d(2025, 12, 30)), // last year
        ];
        let head = Judged {
            person: "dept-head",
            unit: "dept-yjj",
            kind: UnitKind::Department,
            roles: &[Role::UnitHead],
        };
        let eval = |today| {
            head.all(&acts, d(2026, 11, 1), today)
                .into_iter()
                .find(|q| q.quota.distinct_townships)
                .unwrap()
        };
        let cover = eval(d(2026, 11, 28));
        assert_eq!((cover.required, cover.done), (28, 2));
        assert_eq!(cover.activity_ids.len(), 3);
        assert_eq!(cover.state, QuotaState::InProgress);
        assert_eq!(eval(d(2027, 1, 1)).state, QuotaState::Missed);
    }

    #[test]
    fn quota_files_are_validated() {
        assert!(QuotaSet::from_toml("version = \"x\"\n[[quotas]]\nrole = \"unit_head\"\nactivity = \"led_inspection\"\ncount = 0\nperiod = \"month\"\nscope = \"person\"\nlabel = \"x\"").unwrap_err().contains("大于 0"));
        assert!(QuotaSet::from_toml("version = 1").is_err());
    }
}
