//! Benchmark of the reminder rules: a day's reminders for a county year of data (80 units with
//! a head and deputy head each, 50,000 hazards with their history, 20% still open, deadlines
//! spread over the year) on one thread, beside a floor: one pass over the same hazards reading
//! each one's status and deadline and counting those due or overdue today (what any reminder
//! computation must at least read). The day is computed at the digest time (every rule fires).
//! Two ways are timed side by side: what the engine does on each tick (what is due, addressed,
//! with each key written to compare with the log; words deferred to delivery), and every
//! reminder fully worded (`due`, what a first tick delivering all of them costs).
//!
//! `cargo run --release -p anjian-tests --bin anjian-remind-bench [RUNS]`

use std::hint::black_box;
use std::time::Instant;

use anjian_domain::checklist::ChecklistRegistry;
use anjian_domain::hazard::{china_date, HazardAction, HazardDraft, HazardLevel, HazardStatus};
use anjian_domain::ledger::{self, HazardDoc};
use anjian_domain::org::{Actor, Person, Role, Unit, UnitKind};
use anjian_domain::reminders::{due, pending, ReminderInput, ReminderRules};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

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

fn at(day: NaiveDate, h: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(h, 0, 0).unwrap())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let mut rng = Lcg(20261130);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    // 08:30 China time on 1 December: the digest.
    let now = Utc.from_utc_datetime(&today.and_hms_opt(0, 30, 0).unwrap());
    let units: Vec<Unit> = (0..80)
        .map(|i| Unit {
            id: format!("u{i}"),
            name: format!("单位{i}"),
            kind: if i < 28 {
                UnitKind::Township
            } else {
                UnitKind::Department
            },
            parent_id: None,
            code: None,
            enforcement: None,
        })
        .collect();
    let mut people = vec![Person {
        id: "office".into(),
        name: "县安委办".into(),
        unit_id: "ajb".into(),
        roles: vec![Role::SafetyOfficeStaff],
        industries: vec![],
        portfolio: None,
        phone: None,
        certificates: vec![],
    }];
    for u in &units {
        for (i, role) in [Role::UnitHead, Role::UnitDeputyHead]
            .into_iter()
            .enumerate()
        {
            people.push(Person {
                id: format!("{}-p{i}", u.id),
                name: format!("负责人{i}"),
                unit_id: u.id.clone(),
                roles: vec![role],
                industries: vec![],
                portfolio: None,
                phone: None,
                certificates: vec![],
            });
        }
    }
    let inspector = Actor {
        person_id: "insp".into(),
        name: "检查员".into(),
        unit_id: "ajb".into(),
        roles: vec![Role::Inspector],
    };
    let office = people[0].actor();
    let reg = ChecklistRegistry::new();
    let mut hazards: Vec<HazardDoc> = Vec::with_capacity(HAZARDS);
    for n in 0..HAZARDS {
        let unit = &units[rng.below(units.len() as u64) as usize];
        let raised = start + Duration::days(rng.below(334) as i64);
        let tr = ledger::raise(
            HazardDraft {
                id: format!("h{n}"),
                number: format!("YH-{n}"),
                site_id: None,
                unit_id: unit.id.clone(),
                description: "液化气钢瓶与灶具间距不足".into(),
                location: None,
                source: None,
                level: Some(if rng.below(20) == 0 {
                    HazardLevel::Major
                } else {
                    HazardLevel::General
                }),
                level_reason: None,
                needs_hardware: false,
            },
            &reg,
            &inspector,
            at(raised, 2),
            format!("e{n}-0"),
        )
        .unwrap();
        let mut doc = HazardDoc {
            received: None,
            hazard: tr.hazard,
            events: vec![tr.event],
        };
        let deadline = raised + Duration::days(5 + rng.below(40) as i64);
        let assign = HazardAction::Assign {
            unit_id: unit.id.clone(),
            deadline,
        };
        let tr = ledger::act(
            &doc.hazard,
            assign,
            &office,
            at(raised, 3),
            format!("e{n}-1"),
        )
        .unwrap();
        doc.hazard = tr.hazard;
        doc.events.push(tr.event);
        // 80% closed by now; the rest open, some overdue, some due soon.
        if rng.below(10) < 8 {
            doc.hazard.status = HazardStatus::Closed;
        }
        hazards.push(doc);
    }
    let rules = ReminderRules::standard();
    let input = ReminderInput {
        units: &units,
        people: &people,
        hazards: &hazards,
        ..Default::default()
    };
    let day = china_date(now);
    let mut floor = Vec::new();
    let mut keyed = Vec::new();
    let mut full = Vec::new();
    let mut count = 0;
    let mut key_bytes = 0usize;
    let mut floor_count = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut n = 0usize;
        for d in black_box(&hazards) {
            let h = &d.hazard;
            if h.status != HazardStatus::Closed
                && h.deadline().is_some_and(|dl| (dl - day).num_days() <= 3)
            {
                n += 1;
            }
        }
        floor.push(t.elapsed().as_secs_f64() * 1000.0);
        floor_count = black_box(n);
        let t = Instant::now();
        let p = pending(rules, black_box(&input), now);
        let mut key = String::new();
        let mut bytes = 0usize;
        for r in p.iter() {
            r.write_key(&mut key);
            bytes += key.len();
        }
        keyed.push(t.elapsed().as_secs_f64() * 1000.0);
        key_bytes = black_box(bytes);
        drop(p);
        let t = Instant::now();
        let r = due(rules, black_box(&input), now);
        full.push(t.elapsed().as_secs_f64() * 1000.0);
        count = black_box(r).len();
    }
    println!(
        "{HAZARDS} hazards, {} open due or overdue, {} units, {runs} runs (median)",
        floor_count,
        units.len()
    );
    println!(
        "floor: one pass over status and deadline  {:.2} ms",
        median(floor.clone())
    );
    println!(
        "a day's reminders, due and keyed, words deferred (the engine's tick; {key_bytes} key bytes)  {:.2} ms ({:.1}x the floor)",
        median(keyed.clone()),
        median(keyed) / median(floor.clone())
    );
    println!(
        "a day's reminders, all worded (all rules, {count} reminders)  {:.2} ms ({:.1}x the floor)",
        median(full.clone()),
        median(full) / median(floor)
    );
}
