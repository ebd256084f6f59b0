//! Benchmark of 月考: the monthly assessment of a whole county (80 units, a year of data:
//! 50,000 hazards, 20,000 activities) on one thread, side by side with a floor: one pass over
//! the same hazards and activities counting per unit (what any assessment must at least read).
//!
//! `cargo run --release -p anjian-tests --bin anjian-assess-bench [RUNS]`

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::Instant;

use anjian_domain::assessment::{
    assess_month, assess_year, AssessmentData, IndicatorSet, SelfAssessment,
};
use anjian_domain::duty::{Activity, ActivityKind, QuotaSet};
use anjian_domain::hazard::{
    china_date, Hazard, HazardDraft, HazardLevel, HazardSource, HazardStatus,
};
use anjian_domain::month::YearMonth;
use anjian_domain::org::{Actor, Person, Role, Unit, UnitKind};
use anjian_domain::records::HardwareInvestment;
use anjian_domain::rotation::{DutyReport, ReportForum};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const HAZARDS: usize = 50_000;
const ACTIVITIES: usize = 20_000;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let mut rng = Lcg(20261128);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let mut units: Vec<Unit> = anjian_domain::county::zhong_county().units();
    let mut extra = 0;
    while units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
        .count()
        < 80
    {
        extra += 1;
        units.push(Unit {
            id: format!("dept-extra-{extra}"),
            name: format!("县级部门{extra}"),
            kind: UnitKind::Department,
            parent_id: Some("county".into()),
            code: Some(format!("x{extra}")),
            enforcement: None,
        });
    }
    let assessed: Vec<&Unit> = units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
        .collect();
    let mut people = Vec::new();
    for u in &assessed {
        for (i, role) in [Role::UnitHead, Role::UnitDeputyHead, Role::PatrolMember]
            .into_iter()
            .enumerate()
        {
            people.push(Person {
                id: format!("{}-p{i}", u.id),
                name: format!("人员{i}"),
                unit_id: u.id.clone(),
                roles: vec![role],
                industries: vec![],
                portfolio: None,
                phone: None,
                certificates: vec![],
            });
        }
    }
    let actor = Actor {
        person_id: "insp".into(),
        name: "检查员".into(),
        unit_id: "county-safety-office".into(),
        roles: vec![Role::Inspector],
    };
    let mut patrols = HashSet::new();
    let mut hazards = Vec::with_capacity(HAZARDS);
    for n in 0..HAZARDS {
        let unit = &assessed[rng.below(assessed.len() as u64) as usize].id;
        let raised = start + Duration::days(rng.below(335) as i64);
        let mut h = Hazard::raise(
            HazardDraft {
                id: format!("h{n}"),
                number: format!("YH-{n}"),
                site_id: None,
                unit_id: unit.clone(),
                description: "检查发现问题".into(),
                location: None,
                source: None,
                level: Some(if rng.below(20) == 0 {
                    HazardLevel::Major
                } else {
                    HazardLevel::General
                }),
                level_reason: None,
                needs_hardware: rng.below(5) == 0,
            },
            &anjian_domain::checklist::ChecklistRegistry::new(),
            &actor,
            Utc.from_utc_datetime(&raised.and_hms_opt(2, 0, 0).unwrap()),
        )
        .unwrap();
        let inspection = format!("i{}", n / 4);
        if rng.below(10) == 0 {
            patrols.insert(inspection.clone());
        }
        h.source = Some(HazardSource {
            inspection_id: inspection,
            industry: anjian_domain::checklist::Industry::Gas,
            item_id: "GAS-012".into(),
        });
        h.assigned_deadline = Some(raised + Duration::days(5 + rng.below(40) as i64));
        if rng.below(10) < 8 {
            let closed = raised + Duration::days(rng.below(50) as i64);
            if closed < today {
                h.status = HazardStatus::Closed;
                h.closed_at = Some(Utc.from_utc_datetime(&closed.and_hms_opt(3, 0, 0).unwrap()));
            }
        }
        hazards.push(h);
    }
    let kinds = [
        ActivityKind::LedInspection,
        ActivityKind::SpecialCheck,
        ActivityKind::RegularMeeting,
        ActivityKind::SpecialMeeting,
        ActivityKind::UnannouncedPatrol,
        ActivityKind::GuidanceVisit,
        ActivityKind::Training,
    ];
    let activities: Vec<Activity> = (0..ACTIVITIES)
        .map(|n| {
            let p = &people[rng.below(people.len() as u64) as usize];
            let kind = kinds[rng.below(kinds.len() as u64) as usize];
            let date = start + Duration::days(rng.below(335) as i64);
            Activity {
                evidence_count: 2,
                ..Activity::new(format!("a{n}"), kind, date, &p.id, &p.unit_id, "inspection")
            }
        })
        .collect();
    let investments: Vec<HardwareInvestment> = (0..1000)
        .map(|n| HardwareInvestment {
            id: format!("inv{n}"),
            unit_id: assessed[n % assessed.len()].id.clone(),
            hazard_id: None,
            site_id: None,
            description: "设施投入".into(),
            amount_fen: 100_000,
            invested_on: start + Duration::days(rng.below(335) as i64),
            documents: vec!["ev".into()],
            received_at: None,
            submitted_at: Some(
                Utc.from_utc_datetime(
                    &(start + Duration::days(rng.below(335) as i64))
                        .and_hms_opt(2, 0, 0)
                        .unwrap(),
                ),
            ),
        })
        .collect();
    let months: Vec<YearMonth> = YearMonth::year_months(2026).take(11).collect();
    let mut reports = Vec::new();
    let mut selfs = Vec::new();
    for u in &assessed {
        for m in &months {
            reports.push(DutyReport {
                id: format!("r-{}-{m}", u.id),
                forum: ReportForum::UnitMeeting,
                month: *m,
                unit_id: u.id.clone(),
                person_id: format!("{}-p0", u.id),
                reporter_name: "负责人".into(),
                topic: "述职".into(),
                reported_on: m.first_day(),
                evidence: vec![],
                files: vec![],
            });
            selfs.push(SelfAssessment {
                id: format!("s-{}-{m}", u.id),
                unit_id: u.id.clone(),
                month: *m,
                score: 90.0,
                items: vec![],
                summary: "自评".into(),
                submitted_by: "x".into(),
                submitted_at: Utc::now(),
                evidence: vec![],
            });
        }
    }
    let set = IndicatorSet::standard();
    let november: YearMonth = "2026-11".parse().unwrap();

    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut floor = Vec::new();
    let mut month_ms = Vec::new();
    let mut year_ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let mut per_unit: HashMap<&str, (u32, u32, u32)> = HashMap::new();
        for h in &hazards {
            let e = per_unit.entry(h.rectifying_unit()).or_default();
            e.0 += 1;
            if h.is_overdue(today) {
                e.1 += 1;
            }
        }
        for a in &activities {
            per_unit.entry(a.unit_id.as_str()).or_default().2 +=
                u32::from(november.contains(a.date));
        }
        black_box(&per_unit);
        floor.push(t.elapsed().as_secs_f64() * 1000.0);

        // Each measurement includes indexing the county's records, as the server does.
        let index = || {
            AssessmentData::new(
                QuotaSet::standard(),
                &units,
                &people,
                &hazards,
                &activities,
                &investments,
                &reports,
                &selfs,
                &patrols,
            )
        };
        let t = Instant::now();
        let data = index();
        let a = assess_month(set, &data, november, today);
        black_box(&a);
        month_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(a.scores.len(), 80);

        let t = Instant::now();
        let data = index();
        black_box(assess_year(set, &data, 2026, today));
        year_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let open_major = hazards
        .iter()
        .filter(|h| h.level == HazardLevel::Major && h.is_overdue(today))
        .count();
    let _ = china_date;
    println!("月考 benchmark: {} units assessed, {} hazards ({} major overdue), {} activities, {} runs (medians, one thread)", assessed.len(), hazards.len(), open_major, activities.len(), runs);
    println!(
        "floor: one pass counting per unit      {:8.2} ms",
        median(floor.clone())
    );
    println!(
        "monthly assessment (index + score)      {:8.2} ms  ({:.1}× the floor; target < 200 ms)",
        median(month_ms.clone()),
        median(month_ms) / median(floor.clone())
    );
    println!(
        "annual roll-up (11 months)              {:8.2} ms",
        median(year_ms)
    );
}
