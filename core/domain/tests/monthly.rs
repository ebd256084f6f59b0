//! 月考: the monthly assessment with the sample indicator set, 月清零, 约谈/问责 deductions and
//! suggestions, and the annual roll-up.

use std::collections::{HashMap, HashSet};

use anjian_domain::accountability::AccountabilityOutcome;
use anjian_domain::assessment::*;
use anjian_domain::checklist::{ChecklistRegistry, Industry};
use anjian_domain::duty::{Activity, ActivityKind, QuotaSet};
use anjian_domain::hazard::*;
use anjian_domain::month::YearMonth;
use anjian_domain::org::{Actor, Person, Role, Unit, UnitKind};
use anjian_domain::records::{AccountabilityKind, AccountabilityRecord, HardwareInvestment};
use anjian_domain::rotation::*;
use chrono::{NaiveDate, TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

fn unit(id: &str, name: &str, kind: UnitKind) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        kind,
        parent_id: Some("county".into()),
        code: None,
        enforcement: None,
    }
}

fn person(id: &str, unit: &str, roles: &[Role]) -> Person {
    Person {
        id: id.into(),
        name: format!("人员{id}"),
        unit_id: unit.into(),
        roles: roles.to_vec(),
        industries: vec![],
        portfolio: None,
        phone: None,
        certificates: vec![],
    }
}

fn hazard(id: &str, unit: &str, item: &str, inspection: &str, raised: NaiveDate) -> Hazard {
    let actor = Actor {
        person_id: "insp".into(),
        name: "检查员".into(),
        unit_id: "county-safety-office".into(),
        roles: vec![Role::Inspector],
    };
    Hazard::raise(
        HazardDraft {
            id: id.into(),
            number: id.into(),
            site_id: None,
            unit_id: unit.into(),
            description: "检查发现问题".into(),
            location: None,
            source: Some(HazardSource {
                inspection_id: inspection.into(),
                industry: Industry::Gas,
                item_id: item.into(),
            }),
            level: None,
            level_reason: None,
            needs_hardware: false,
        },
        &ChecklistRegistry::new(),
        &actor,
        Utc.from_utc_datetime(&raised.and_hms_opt(2, 0, 0).unwrap()),
    )
    .unwrap()
}

fn close(h: &mut Hazard, on: NaiveDate) {
    h.status = HazardStatus::Closed;
    h.closed_at = Some(Utc.from_utc_datetime(&on.and_hms_opt(3, 0, 0).unwrap()));
}

fn activity(id: &str, kind: ActivityKind, date: NaiveDate, person: &str, unit: &str) -> Activity {
    Activity {
        title: id.into(),
        evidence_count: 1,
        ..Activity::new(id, kind, date, person, unit, "inspection")
    }
}

fn points(s: &UnitScore, id: &str) -> f64 {
    s.indicators.iter().find(|i| i.id == id).unwrap().points
}

#[test]
fn sample_indicator_set_totals_100_and_bad_sets_are_refused() {
    let set = IndicatorSet::standard();
    assert_eq!(set.total_weight(), 100.0);
    assert_eq!(set.indicators.len(), 9);
    let err = IndicatorSet::from_toml(
        "version = \"x\"\n[[indicators]]\nid = \"a\"\nlabel = \"逾期\"\nmetric = \"overdue_major_hazards\"\nweight = 10.0\n",
    )
    .unwrap_err();
    assert!(err.contains("per_item"), "{err}");
    let err = IndicatorSet::from_toml(
        "version = \"x\"\n[[indicators]]\nid = \"a\"\nlabel = \"自评\"\nmetric = \"self_assessment_sent\"\nweight = 0.0\n",
    )
    .unwrap_err();
    assert!(err.contains("大于 0"), "{err}");
    assert!(IndicatorSet::from_toml("version = \"x\"\nindicators = []").is_err());
}

#[test]
fn monthly_scores_ranks_self_assessment_and_month_clear() {
    let month = ym("2026-10");
    let today = d(2026, 11, 28);
    let units = vec![
        unit("t1", "忠州街道", UnitKind::Township),
        unit("t2", "石宝镇", UnitKind::Township),
        unit("t3", "拔山镇", UnitKind::Township),
        unit("d1", "县应急管理局", UnitKind::Department),
        unit(
            "county-safety-office",
            "县安委办",
            UnitKind::SafetyCommitteeOffice,
        ),
    ];
    let people = vec![
        person("h1", "t1", &[Role::UnitHead]),
        person("h2", "t2", &[Role::UnitHead]),
        person("h3", "t3", &[Role::UnitHead]),
    ];
    // t1: head led an inspection and chaired... only the inspection (monthly quota met; the
    // quarterly special meeting is still running in October). t2, t3: nothing.
    let activities = vec![activity(
        "a1",
        ActivityKind::LedInspection,
        d(2026, 10, 9),
        "h1",
        "t1",
    )];
    let mut hazards = Vec::new();
    // t1: a general hazard due 20 Oct, closed on 18 Oct: on time, cleared.
    let mut h = hazard("H1", "t1", "GAS-012", "insp-routine", d(2026, 10, 5));
    h.assigned_deadline = Some(d(2026, 10, 20));
    close(&mut h, d(2026, 10, 18));
    hazards.push(h);
    // t2: a major hazard due 15 Oct still open (overdue, not cleared), found by a patrol;
    // a general finding closed late (25 Oct for a 20 Oct deadline).
    let mut h = hazard("H2", "t2", "GAS-022", "insp-patrol", d(2026, 10, 3));
    h.plan.deadline = Some(d(2026, 10, 15));
    hazards.push(h);
    let mut h = hazard("H3", "t2", "GAS-012", "insp-routine", d(2026, 10, 3));
    h.assigned_deadline = Some(d(2026, 10, 20));
    close(&mut h, d(2026, 10, 25));
    hazards.push(h);
    // t3: a major hazard under a formal plan until December: not a 月清零 failure, and a
    // hardware problem with proof of investment.
    let mut h = hazard("H4", "t3", "GAS-022", "insp-routine", d(2026, 10, 3));
    h.plan.deadline = Some(d(2026, 12, 31));
    h.needs_hardware = true;
    hazards.push(h);
    // Assigned away: t1's hazard assigned to the department counts against the department.
    let mut h = hazard("H5", "t1", "GAS-012", "insp-routine", d(2026, 10, 3));
    h.assigned_unit_id = Some("d1".into());
    hazards.push(h);
    let investments = vec![HardwareInvestment {
        id: "inv1".into(),
        unit_id: "t3".into(),
        hazard_id: Some("H4".into()),
        site_id: None,
        description: "更换燃气泄漏报警器".into(),
        amount_fen: 1_250_000,
        invested_on: d(2026, 10, 22),
        documents: vec!["ev-invoice".into()],
        received_at: None,
        submitted_at: Some(Utc.with_ymd_and_hms(2026, 10, 25, 2, 0, 0).unwrap()),
    }];
    let reports = vec![DutyReport {
        id: "ur1".into(),
        forum: ReportForum::UnitMeeting,
        month,
        unit_id: "t1".into(),
        person_id: "h1".into(),
        reporter_name: "人员h1".into(),
        topic: "10月安全生产履职".into(),
        reported_on: d(2026, 10, 30),
        evidence: vec![],
        files: vec![],
    }];
    let selfs = vec![SelfAssessment {
        id: "sa1".into(),
        unit_id: "t2".into(),
        month,
        score: 96.0,
        items: vec![],
        summary: "各项工作按要求落实".into(),
        submitted_by: "h2".into(),
        submitted_at: Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap(),
        evidence: vec![],
    }];
    let patrols: HashSet<String> = ["insp-patrol".to_string()].into();
    let data = AssessmentData::new(
        QuotaSet::standard(),
        &units,
        &people,
        &hazards,
        &activities,
        &investments,
        &reports,
        &selfs,
        &patrols,
    );
    let set = IndicatorSet::standard();
    let a = assess_month(set, &data, month, today);
    assert_eq!(a.full_marks, 100.0);
    let by: HashMap<&str, &UnitScore> = a.scores.iter().map(|s| (s.unit_id.as_str(), s)).collect();
    assert_eq!(
        a.scores.len(),
        4,
        "only townships and departments are assessed"
    );
    assert!(!by.contains_key("county-safety-office"));

    let t1 = by["t1"];
    assert_eq!(points(t1, "duty"), 25.0);
    assert_eq!(points(t1, "on_time"), 20.0);
    assert_eq!(points(t1, "month_clear"), 10.0);
    assert_eq!(points(t1, "unit_report"), 10.0);
    assert_eq!(points(t1, "self_assessment"), 0.0);
    assert_eq!(t1.total, 95.0);
    assert_eq!(t1.rank, 1);

    let t2 = by["t2"];
    assert_eq!(
        points(t2, "duty"),
        0.0,
        "the head's monthly inspection was missed"
    );
    assert_eq!(points(t2, "on_time"), 0.0, "two due, none on time");
    assert_eq!(points(t2, "overdue_major"), 10.0);
    assert_eq!(points(t2, "patrol"), 8.0);
    assert_eq!(points(t2, "month_clear"), 0.0);
    assert_eq!(t2.month_clear_open, vec!["H2".to_string()]);
    assert_eq!(
        t2.self_score,
        Some(96.0),
        "self-assessment shown beside the office's score"
    );
    assert_eq!(t2.total, 0.0 + 0.0 + 10.0 + 8.0 + 0.0 + 5.0 + 5.0 + 0.0);

    let t3 = by["t3"];
    assert_eq!(
        points(t3, "month_clear"),
        10.0,
        "a major hazard under plan until December"
    );
    assert_eq!(points(t3, "hardware"), 5.0);
    assert!(t3.month_clear_open.is_empty());
    assert_eq!(points(t3, "on_time"), 20.0, "nothing due: full marks");

    let d1 = by["d1"];
    assert_eq!(
        d1.month_clear_open,
        vec!["H5".to_string()],
        "assigned hazards count for the assignee"
    );
    assert_eq!(d1.rank, 1, "departments are ranked among themselves");
    // Order: townships by rank, then departments.
    let order: Vec<&str> = a.scores.iter().map(|s| s.unit_id.as_str()).collect();
    assert_eq!(order.last(), Some(&"d1"));
    assert!(
        t3.rank == 2 && t2.rank == 3,
        "t3 {} t2 {}",
        t3.total,
        t2.total
    );

    // Hardware proof missing when the investment's proof was never submitted (a record with
    // documents but no submission does not count).
    let mut bare = investments.clone();
    bare[0].submitted_at = None;
    let data2 = AssessmentData::new(
        QuotaSet::standard(),
        &units,
        &people,
        &hazards,
        &activities,
        &bare,
        &reports,
        &selfs,
        &patrols,
    );
    let a2 = assess_month(set, &data2, month, today);
    let t3b = a2.scores.iter().find(|s| s.unit_id == "t3").unwrap();
    assert_eq!(points(t3b, "hardware"), 0.0);

    // The annual roll-up averages the assessed months and keeps kinds apart.
    let year = assess_year(set, &data, 2026, today);
    let t1y = year.iter().find(|s| s.unit_id == "t1").unwrap();
    assert_eq!(
        t1y.monthly.iter().flatten().count(),
        11,
        "January to November"
    );
    assert_eq!(t1y.monthly[9], Some(95.0));
    assert!(t1y.monthly[11].is_none());
    assert!(year
        .iter()
        .filter(|s| s.unit_kind == UnitKind::Township)
        .all(|s| s.rank >= 1 && s.rank <= 3));
}

#[test]
fn ties_share_a_rank() {
    let units = vec![
        unit("a", "甲镇", UnitKind::Township),
        unit("b", "乙镇", UnitKind::Township),
        unit("c", "丙镇", UnitKind::Township),
    ];
    let selfs = vec![SelfAssessment {
        id: "s".into(),
        unit_id: "c".into(),
        month: ym("2026-03"),
        score: 90.0,
        items: vec![],
        summary: "自评".into(),
        submitted_by: "x".into(),
        submitted_at: Utc::now(),
        evidence: vec![],
    }];
    let none = HashSet::new();
    let data = AssessmentData::new(
        QuotaSet::standard(),
        &units,
        &[],
        &[],
        &[],
        &[],
        &[],
        &selfs,
        &none,
    );
    let a = assess_month(
        IndicatorSet::standard(),
        &data,
        ym("2026-03"),
        d(2026, 4, 2),
    );
    let ranks: Vec<(&str, usize)> = a
        .scores
        .iter()
        .map(|s| (s.unit_id.as_str(), s.rank))
        .collect();
    assert_eq!(ranks, vec![("c", 1), ("a", 2), ("b", 2)]);
}

// ---- 约谈问责: suggestions by rules, deduction in 月考 -----------------------------------

fn talk(id: &str, unit: &str, on: NaiveDate) -> AccountabilityRecord {
    AccountabilityRecord {
        id: id.into(),
        kind: AccountabilityKind::ReminderTalk,
        unit_id: unit.into(),
        person_id: None,
        person_name: Some("卫东".into()),
        reason: "重大隐患逾期未整改".into(),
        reasons: vec![],
        outcome: Some(AccountabilityOutcome::RectificationPledge),
        decided_by: "县安委办".into(),
        decided_on: on,
        hazard_ids: vec![],
        suggestion_id: None,
        recorded_by: None,
        received_at: None,
    }
}

#[test]
fn each_talk_or_accountability_is_deducted_in_the_month_decided_up_to_the_cap() {
    let units = vec![
        unit("t1", "忠州街道", UnitKind::Township),
        unit("t2", "石宝镇", UnitKind::Township),
    ];
    let none = HashSet::new();
    let mut records = vec![
        talk("a1", "t1", d(2026, 10, 9)),
        talk("a2", "t1", d(2026, 10, 20)),
        talk("a3", "t1", d(2026, 11, 3)),
    ];
    let assess = |records: &[AccountabilityRecord]| {
        let data = AssessmentData::new(
            QuotaSet::standard(),
            &units,
            &[],
            &[],
            &[],
            &[],
            &[],
            &[],
            &none,
        )
        .with_accountability(records);
        assess_month(
            IndicatorSet::standard(),
            &data,
            ym("2026-10"),
            d(2026, 11, 28),
        )
    };
    let a = assess(&records);
    assert_eq!(a.full_marks, 100.0, "a deduction is outside the full marks");
    let by: HashMap<&str, &UnitScore> = a.scores.iter().map(|s| (s.unit_id.as_str(), s)).collect();
    assert_eq!(points(by["t1"], "accountability"), -4.0, "two in October");
    assert_eq!(points(by["t2"], "accountability"), 0.0);
    assert_eq!(by["t2"].total - by["t1"].total, 4.0);
    assert!(by["t2"].rank < by["t1"].rank);
    for n in 0..6 {
        records.push(talk(&format!("b{n}"), "t1", d(2026, 10, 25)));
    }
    let a = assess(&records);
    let t1 = a.scores.iter().find(|s| s.unit_id == "t1").unwrap();
    assert_eq!(points(t1, "accountability"), -10.0, "at most the weight");
    assert!(t1
        .indicators
        .iter()
        .any(|i| i.detail.contains("8 次提醒约谈")));
}

#[test]
fn rules_suggest_talks_for_overdue_hazards_missed_quotas_and_late_submissions() {
    use anjian_domain::accountability::*;
    use anjian_domain::month_end::{self, DueRules, Submitted};
    let today = d(2026, 11, 28);
    let units = vec![
        unit("t1", "忠州街道", UnitKind::Township),
        unit("t2", "石宝镇", UnitKind::Township),
    ];
    let people = vec![
        person("h1", "t1", &[Role::UnitHead]),
        person("h2", "t2", &[Role::UnitHead]),
    ];
    let overdue = |id: &str, unit: &str, item: &str, deadline: NaiveDate| {
        let mut h = hazard(id, unit, item, "insp", d(2026, 6, 1));
        h.plan.deadline = Some(deadline);
        h
    };
    let mut closed = overdue("H5", "t1", "GAS-022", d(2026, 8, 1));
    close(&mut closed, d(2026, 11, 1));
    let hazards = vec![
        overdue("H1", "t2", "GAS-022", d(2026, 11, 8)), // major, 20 days
        overdue("H2", "t2", "GAS-022", d(2026, 9, 1)),  // major, 88 days
        overdue("H3", "t1", "GAS-012", d(2026, 10, 20)), // general, 39 days
        overdue("H4", "t1", "GAS-012", d(2026, 11, 20)), // general, 8 days
        closed,
    ];
    // h1 led an inspection in October; h2 did nothing in September and October.
    let activities = vec![activity(
        "a1",
        ActivityKind::LedInspection,
        d(2026, 10, 9),
        "h1",
        "t1",
    )];
    let none = HashSet::new();
    let data = AssessmentData::new(
        QuotaSet::standard(),
        &units,
        &people,
        &hazards,
        &activities,
        &[],
        &[],
        &[],
        &none,
    );
    let duty: Vec<(YearMonth, Vec<_>)> = [ym("2026-10"), ym("2026-09")]
        .into_iter()
        .map(|m| {
            (
                m,
                units.iter().flat_map(|u| data.duty(u, m, today)).collect(),
            )
        })
        .collect();
    let sent = Submitted {
        submissions: &[],
        self_assessments: &[],
        investments: &[],
        reports: &[],
    };
    let statuses = month_end::statuses(DueRules::standard(), &["t1"], ym("2026-10"), &sent, today);
    let mut records = vec![];
    let run = |records: &[AccountabilityRecord]| {
        suggest(
            SuggestionRules::standard(),
            &SuggestionInput {
                hazards: &hazards,
                people: &people,
                duty: &duty,
                month_end: (ym("2026-10"), &statuses),
                records,
            },
            today,
        )
    };
    let s = run(&records);
    let by_id: HashMap<&str, &Suggestion> = s.iter().map(|x| (x.id.as_str(), x)).collect();
    // The strongest rule that matches a hazard, once per hazard.
    assert_eq!(
        by_id["major-overdue-60:H2"].kind,
        AccountabilityKind::Accountability
    );
    assert_eq!(
        by_id["major-overdue-15:H1"].kind,
        AccountabilityKind::ReminderTalk
    );
    assert_eq!(
        by_id["major-overdue-15:H1"].person_id.as_deref(),
        Some("h2")
    );
    assert!(by_id["major-overdue-15:H1"]
        .summary
        .contains("逾期20日未整改"));
    assert!(by_id.contains_key("hazard-overdue-30:H3"));
    assert!(!s
        .iter()
        .any(|x| x.id.ends_with(":H4") || x.id.ends_with(":H5") || x.id == "hazard-overdue-30:H2"));
    // Quotas missed two months running: h2, not h1 (met in October).
    let q = by_id["quota-missed-2:h2:2026-10"];
    assert_eq!(q.unit_id, "t2");
    assert!(
        q.summary.contains("人员h2") && q.summary.contains("2026年9月、2026年10月"),
        "{}",
        q.summary
    );
    assert!(!s.iter().any(|x| x.id.starts_with("quota-missed-2:h1")));
    // Nothing of October's month-end was sent by t1.
    let late = by_id["month-end-late:t1:2026-10"];
    assert_eq!(late.reasons.len(), 4);
    assert!(late.summary.contains("逾期未报送"));
    // A record answering a suggestion ends it.
    let mut r = talk("r1", "t2", today);
    r.suggestion_id = Some("major-overdue-15:H1".into());
    records.push(r);
    let after = run(&records);
    assert_eq!(after.len(), s.len() - 1);
    assert!(!after.iter().any(|x| x.id == "major-overdue-15:H1"));
}

#[test]
fn suggestion_rules_are_checked_when_read() {
    use anjian_domain::accountability::SuggestionRules;
    let bad = "version = \"x\"\n[[rule]]\nid = \"a\"\nlabel = \"逾期\"\ntrigger = \"hazard_overdue\"\nkind = \"reminder_talk\"\n";
    assert!(SuggestionRules::from_toml(bad)
        .unwrap_err()
        .contains("days"));
    let dup = "version = \"x\"\n[[rule]]\nid = \"a\"\nlabel = \"迟报\"\ntrigger = \"month_end_late\"\nkind = \"reminder_talk\"\n[[rule]]\nid = \"a\"\nlabel = \"迟报\"\ntrigger = \"month_end_late\"\nkind = \"reminder_talk\"\n";
    assert!(SuggestionRules::from_toml(dup)
        .unwrap_err()
        .contains("重复"));
    assert_eq!(SuggestionRules::standard().rule.len(), 5);
}

#[test]
fn a_record_writes_its_reason_from_the_typed_reasons_and_refuses_a_future_date() {
    use anjian_domain::accountability::AccountabilityReason;
    let mut r = talk("r", "t1", d(2026, 11, 20));
    r.reason = " ".into();
    r.reasons = vec![AccountabilityReason::OverdueHazard {
        hazard_id: "H1".into(),
        number: "ZX-2026-001".into(),
        level: HazardLevel::Major,
        deadline: d(2026, 10, 1),
        days_overdue: 50,
    }];
    r.validate(d(2026, 11, 28)).unwrap();
    assert!(
        r.reason.contains("ZX-2026-001逾期50日未整改"),
        "{}",
        r.reason
    );
    assert_eq!(r.hazard_ids, vec!["H1".to_string()]);
    let e = r.validate(d(2026, 11, 19)).unwrap_err();
    assert!(e.to_string().contains("不能晚于今天"), "{e}");
    r.person_name = None;
    let e = r.validate(d(2026, 11, 28)).unwrap_err();
    assert!(e.to_string().contains("被约谈（问责）人"), "{e}");
}
