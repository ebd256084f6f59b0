//! 述职: the duty-report rotation is fair over years and as units join, the schedule marks
//! reported, planned and missed months, and a duty report is validated.

use anjian_domain::month::YearMonth;
use std::collections::HashSet;

use anjian_domain::rotation::*;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}
fn members(n_towns: usize) -> Vec<RotationMember> {
    let mut m: Vec<RotationMember> = (0..3)
        .map(|i| RotationMember {
            id: format!("leader-{i}"),
            name: format!("县领导{i}"),
            kind: ReporterKind::CountyLeader,
        })
        .collect();
    m.extend((0..n_towns).map(|i| RotationMember {
        id: format!("town-{i:02}"),
        name: format!("乡镇{i:02}"),
        kind: ReporterKind::Township,
    }));
    m.extend((0..5).map(|i| RotationMember {
        id: format!("dept-{i}"),
        name: format!("部门{i}"),
        kind: ReporterKind::Department,
    }));
    m
}

fn report(id: &str, member: &RotationMember, month: YearMonth) -> DutyReport {
    let leader = member.kind == ReporterKind::CountyLeader;
    DutyReport {
        id: id.into(),
        forum: ReportForum::ExecutiveMeeting,
        month,
        unit_id: if leader {
            "county".into()
        } else {
            member.id.clone()
        },
        person_id: if leader {
            member.id.clone()
        } else {
            format!("head-{}", member.id)
        },
        reporter_name: member.name.clone(),
        topic: "安全生产履职情况".into(),
        reported_on: month.first_day().succ_opt().unwrap(),
        evidence: vec![],
        files: vec![],
    }
}

/// Records each month's plan as given, month after month, and returns who reported when.
fn run_rotation(
    members_at: impl Fn(YearMonth) -> Vec<RotationMember>,
    months: &[YearMonth],
) -> Vec<(YearMonth, ReporterKind, String)> {
    let mut reports: Vec<DutyReport> = Vec::new();
    let mut given = Vec::new();
    for &m in months {
        let members = members_at(m);
        let plan = schedule(&members, &reports, m.year, m.first_day());
        let slots: Vec<&RotationSlot> = plan.iter().filter(|s| s.month == m).collect();
        for kind in ReporterKind::ALL {
            assert_eq!(
                slots.iter().filter(|s| s.kind == kind).count(),
                kind.per_month(),
                "{m}: {kind:?} slots"
            );
        }
        for s in slots {
            assert_eq!(s.state, SlotState::Planned);
            let member = members.iter().find(|x| x.id == s.member_id).unwrap();
            reports.push(report(&format!("r{}", reports.len()), member, m));
            given.push((m, s.kind, s.member_id.clone()));
        }
    }
    given
}

/// No one reports a second time before everyone of their kind who was there at their first
/// report has reported.
fn assert_fair(
    given: &[(YearMonth, ReporterKind, String)],
    members_at: impl Fn(YearMonth) -> Vec<RotationMember>,
) {
    for (i, (m1, kind, who)) in given.iter().enumerate() {
        if let Some(j) = given[i + 1..].iter().position(|(_, _, w)| w == who) {
            // Peers at the same meeting as the first report count as having reported.
            let between: HashSet<&String> = given[..i + 1 + j]
                .iter()
                .filter(|(m, k, _)| k == kind && m >= m1)
                .map(|(_, _, w)| w)
                .collect();
            for peer in members_at(*m1)
                .iter()
                .filter(|p| p.kind == *kind && &p.id != who)
            {
                assert!(
                    between.contains(&peer.id),
                    "{who} reported again before {} (first {m1})",
                    peer.id
                );
            }
        }
    }
}

fn months_from(first: &str, n: usize) -> Vec<YearMonth> {
    let mut m = ym(first);
    (0..n)
        .map(|_| {
            let cur = m;
            m = m.next();
            cur
        })
        .collect()
}

#[test]
fn rotation_is_fair_over_three_years() {
    let months = months_from("2026-01", 36);
    let given = run_rotation(|_| members(28), &months);
    assert_fair(&given, |_| members(28));
    // 28 townships, 2 a month: everyone once in 14 months.
    let first_round: HashSet<&String> = given
        .iter()
        .filter(|(m, k, _)| *k == ReporterKind::Township && *m < ym("2027-03"))
        .map(|(_, _, w)| w)
        .collect();
    assert_eq!(first_round.len(), 28);
}

#[test]
fn rotation_survives_units_being_added() {
    let months = months_from("2026-01", 30);
    let roster = |m: YearMonth| {
        let mut all = members(28);
        if m >= ym("2026-06") {
            all.push(RotationMember {
                id: "town-new".into(),
                name: "新设街道".into(),
                kind: ReporterKind::Township,
            });
        }
        all
    };
    let given = run_rotation(roster, &months);
    assert_fair(&given, roster);
    let first_of = |who: &str, nth: usize| {
        given
            .iter()
            .filter(|(_, _, w)| w == who)
            .nth(nth)
            .map(|(m, _, _)| *m)
            .unwrap()
    };
    // The new unit joins the round under way: it reports before anyone's second turn.
    assert!(first_of("town-new", 0) <= first_of("town-00", 1));
    assert!(first_of("town-new", 0) > ym("2026-06"));
}

#[test]
fn schedule_marks_reported_planned_and_missed_months() {
    let all = members(4);
    let t = |i: usize| all.iter().find(|m| m.id == format!("town-{i:02}")).unwrap();
    let reports = vec![
        report("r1", t(2), ym("2026-01")),
        report("r2", t(3), ym("2026-01")),
    ];
    let plan = schedule(&all, &reports, 2026, d(2026, 3, 10));
    let towns = |m: &str| -> Vec<(String, SlotState)> {
        plan.iter()
            .filter(|s| s.month == ym(m) && s.kind == ReporterKind::Township)
            .map(|s| (s.member_id.clone(), s.state.clone()))
            .collect()
    };
    assert_eq!(
        towns("2026-01"),
        vec![
            (
                "town-02".into(),
                SlotState::Reported {
                    report_id: "r1".into()
                }
            ),
            (
                "town-03".into(),
                SlotState::Reported {
                    report_id: "r2".into()
                }
            ),
        ]
    );
    // February passed without reports: the two first in line missed and stay first in line.
    assert_eq!(
        towns("2026-02"),
        vec![
            ("town-00".into(), SlotState::Missed),
            ("town-01".into(), SlotState::Missed)
        ]
    );
    assert_eq!(
        towns("2026-03"),
        vec![
            ("town-00".into(), SlotState::Planned),
            ("town-01".into(), SlotState::Planned)
        ]
    );
    assert_eq!(
        towns("2026-04"),
        vec![
            ("town-02".into(), SlotState::Planned),
            ("town-03".into(), SlotState::Planned)
        ]
    );
}

#[test]
fn duty_reports_are_validated() {
    let all = members(1);
    let mut r = report("r", &all[0], ym("2026-05"));
    assert!(r.validate().is_ok());
    r.reported_on = d(2026, 6, 1);
    assert!(r
        .validate()
        .unwrap_err()
        .to_string()
        .contains("不在 2026年5月 内"));
    r.forum = ReportForum::CollectiveAnnual;
    assert!(
        r.validate().is_ok(),
        "a collective report only has to be in its year"
    );
    r.topic = " ".into();
    assert!(r.validate().is_err());
}

// ---- assessment --------------------------------------------------------------------------
