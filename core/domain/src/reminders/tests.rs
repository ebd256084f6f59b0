use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::checklist::ChecklistRegistry;
use crate::hazard::{HazardAction, HazardDraft, HazardLevel};
use crate::ledger::{self, HazardDoc};
use crate::month::YearMonth;
use crate::month_end::{SubmissionKind, SubmissionStatus};
use crate::org::{Person, Role, Unit, UnitKind};
use crate::patrol::{PatrolPlan, PatrolTarget};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn person(id: &str, unit: &str, role: Role) -> Person {
    Person {
        id: id.into(),
        name: format!("{id}姓名"),
        unit_id: unit.into(),
        roles: vec![role],
        industries: vec![],
        portfolio: None,
        phone: None,
        certificates: vec![],
    }
}

fn unit(id: &str, name: &str, kind: UnitKind) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        kind,
        parent_id: None,
        code: None,
        enforcement: None,
    }
}

struct World {
    units: Vec<Unit>,
    people: Vec<Person>,
}

fn world() -> World {
    World {
        units: vec![
            unit("ajb", "县安委办", UnitKind::SafetyCommitteeOffice),
            unit("t1", "忠州街道", UnitKind::Township),
        ],
        people: vec![
            person("office1", "ajb", Role::SafetyOfficeStaff),
            person("insp", "ajb", Role::Inspector),
            person("head1", "t1", Role::UnitHead),
            person("dep1", "t1", Role::UnitDeputyHead),
            person("p1", "t1", Role::PatrolMember),
            person("p2", "t1", Role::PatrolMember),
        ],
    }
}

fn actor(w: &World, id: &str) -> crate::org::Actor {
    w.people.iter().find(|p| p.id == id).unwrap().actor()
}

/// A general hazard raised by the inspector on 2026-11-20 and assigned to 忠州街道 at `at`.
fn assigned(w: &World, at: &str, deadline: &str) -> HazardDoc {
    let reg = ChecklistRegistry::new();
    let draft = HazardDraft {
        id: "h1".into(),
        number: "YH-001".into(),
        site_id: None,
        unit_id: "t1".into(),
        description: "液化气钢瓶与灶具间距不足".into(),
        location: None,
        source: None,
        level: Some(HazardLevel::General),
        level_reason: None,
        needs_hardware: false,
    };
    let raised = ledger::raise(
        draft,
        &reg,
        &actor(w, "insp"),
        t("2026-11-20T09:00:00+08:00"),
        "e0",
    )
    .unwrap();
    let assign = ledger::act(
        &raised.hazard,
        HazardAction::Assign {
            unit_id: "t1".into(),
            deadline: d(deadline),
        },
        &actor(w, "office1"),
        t(at),
        "e1",
    )
    .unwrap();
    HazardDoc {
        received: None,
        hazard: assign.hazard,
        events: vec![raised.event, assign.event],
    }
}

fn act(w: &World, doc: &mut HazardDoc, action: HazardAction, who: &str, at: &str, id: &str) {
    let tr = ledger::act(&doc.hazard, action, &actor(w, who), t(at), id).unwrap();
    doc.hazard = tr.hazard;
    doc.events.push(tr.event);
}

fn run(w: &World, hazards: &[HazardDoc], at: &str) -> Vec<Reminder> {
    due(
        ReminderRules::standard(),
        &ReminderInput {
            units: &w.units,
            people: &w.people,
            hazards,
            ..Default::default()
        },
        t(at),
    )
}

fn keys(rs: &[Reminder]) -> Vec<String> {
    rs.iter().map(|r| r.key.clone()).collect()
}

#[test]
fn the_standard_rules_parse_and_bad_files_are_refused_in_chinese() {
    let r = ReminderRules::standard();
    assert!(r.rule.len() >= 10);
    let base = "version = \"x\"\n[schedule]\nquiet_start = \"21:00\"\nquiet_end = \"08:00\"\ndigest_time = \"08:30\"\nlookback_days = 3\n";
    let bad = [
        "[[rule]]\nid = \"a\"\ntrigger = \"hazard_due\"\nto = [\"unit_head\"]\n",
        "[[rule]]\nid = \"a\"\ntrigger = \"hazard_assigned\"\ndays = 2\nto = [\"unit_head\"]\n",
        "[[rule]]\nid = \"a\"\ntrigger = \"patrol_assigned\"\nto = [\"unit_head\"]\n",
        "[[rule]]\nid = \"a\"\ntrigger = \"patrol_assigned\"\nto = [\"team\"]\ngroup = true\n",
        "[[rule]]\nid = \"a\"\ntrigger = \"hazard_assigned\"\nto = []\n",
        "[[rule]]\nid = \"a|b\"\ntrigger = \"hazard_assigned\"\nto = [\"office\"]\n",
        "[[rule]]\nid = \"a\"\ntrigger = \"nope\"\nto = [\"office\"]\n",
    ];
    for b in bad {
        let e = ReminderRules::from_toml(&format!("{base}{b}")).unwrap_err();
        assert!(e.to_string().contains("提醒规则"), "{e}");
    }
    let quiet_digest = format!(
        "{}[[rule]]\nid = \"a\"\ntrigger = \"hazard_assigned\"\nto = [\"office\"]\n",
        base.replace("08:30", "07:00")
    );
    assert!(ReminderRules::from_toml(&quiet_digest)
        .unwrap_err()
        .to_string()
        .contains("免打扰"));
}

#[test]
fn quiet_hours_run_over_midnight_and_hold_back_events() {
    let s = &ReminderRules::standard().schedule;
    assert!(s.is_quiet(t("2026-12-01T22:00:00+08:00")));
    assert!(s.is_quiet(t("2026-12-01T07:59:00+08:00")));
    assert!(!s.is_quiet(t("2026-12-01T08:00:00+08:00")));
    assert!(!s.is_quiet(t("2026-12-01T20:59:00+08:00")));
    assert_eq!(
        s.release(t("2026-12-01T22:10:00+08:00")),
        t("2026-12-02T08:00:00+08:00")
    );
    assert_eq!(
        s.release(t("2026-12-02T03:00:00+08:00")),
        t("2026-12-02T08:00:00+08:00")
    );
    let noon = t("2026-12-02T12:00:00+08:00");
    assert_eq!(s.release(noon), noon);
}

#[test]
fn an_assignment_reminds_the_unit_heads_once_the_night_is_over() {
    let w = world();
    let docs = [assigned(&w, "2026-11-30T22:30:00+08:00", "2026-12-10")];
    // At night nothing goes out, at all.
    assert!(run(&w, &docs, "2026-11-30T23:00:00+08:00").is_empty());
    let morning = run(&w, &docs, "2026-12-01T08:05:00+08:00");
    assert_eq!(
        keys(&morning),
        [
            "hazard-assigned|hazard:h1|dep1|e1",
            "hazard-assigned|hazard:h1|head1|e1"
        ]
    );
    let r = &morning[0];
    assert_eq!(r.send_at, t("2026-12-01T08:00:00+08:00"));
    assert_eq!(r.title, "隐患交办提醒");
    assert!(
        r.text.contains(
            "一般隐患YH-001“液化气钢瓶与灶具间距不足”已交办忠州街道整改，整改期限 2026-12-10"
        ),
        "{}",
        r.text
    );
    assert_eq!(r.link, "/hazards/h1");
    assert_eq!(
        r.group_key().unwrap(),
        "hazard-assigned|hazard:h1|unit:t1|e1"
    );
    // The same reminder keeps its key; after the lookback it is no longer due.
    assert_eq!(
        keys(&run(&w, &docs, "2026-12-02T10:00:00+08:00")),
        keys(&morning)
    );
    assert!(run(&w, &docs, "2026-12-05T10:00:00+08:00").is_empty());
}

#[test]
fn deadlines_remind_before_and_escalate_after() {
    let w = world();
    let docs = [assigned(&w, "2026-11-25T10:00:00+08:00", "2026-12-04")];
    let on = |day: &str| -> Vec<String> {
        run(&w, &docs, &format!("{day}T09:00:00+08:00"))
            .into_iter()
            .map(|r| format!("{}>{}", r.rule_id, r.person_id))
            .collect()
    };
    // Before the digest time, deadline reminders wait.
    assert!(run(&w, &docs, "2026-12-01T08:10:00+08:00").is_empty());
    assert_eq!(on("2026-12-01"), ["hazard-due-3>dep1"]);
    assert!(on("2026-12-02").is_empty());
    assert_eq!(
        on("2026-12-03"),
        ["hazard-due-1>dep1", "hazard-due-1>head1"]
    );
    assert!(on("2026-12-04").is_empty());
    assert_eq!(on("2026-12-05"), ["hazard-overdue>dep1"]);
    assert_eq!(on("2026-12-06"), ["hazard-overdue>dep1"]);
    assert_eq!(
        on("2026-12-07"),
        ["hazard-overdue-head>head1", "hazard-overdue>dep1"]
    );
    assert_eq!(
        on("2026-12-11"),
        [
            "hazard-overdue-head>head1",
            "hazard-overdue-office>office1",
            "hazard-overdue>dep1"
        ]
    );
    let office = run(&w, &docs, "2026-12-11T09:00:00+08:00");
    let last = office
        .iter()
        .find(|r| r.rule_id == "hazard-overdue-office")
        .unwrap();
    assert_eq!(
        last.key,
        "hazard-overdue-office|hazard:h1|office1|2026-12-11"
    );
    assert!(
        last.text.contains("已逾期7天未整改（整改期限 2026-12-04）"),
        "{}",
        last.text
    );
    assert!(last.group_key().is_none());
}

#[test]
fn submission_reminds_the_verifier_and_refusal_the_rectifier_with_the_reason() {
    let w = world();
    let mut doc = assigned(&w, "2026-11-25T10:00:00+08:00", "2026-12-20");
    act(
        &w,
        &mut doc,
        HazardAction::StartRectification,
        "dep1",
        "2026-11-26T10:00:00+08:00",
        "e2",
    );
    act(
        &w,
        &mut doc,
        HazardAction::SubmitRectification {
            note: "已调整间距".into(),
            after_evidence: vec!["ev1".into()],
        },
        "dep1",
        "2026-12-01T10:00:00+08:00",
        "e3",
    );
    let rs = run(&w, std::slice::from_ref(&doc), "2026-12-01T10:01:00+08:00");
    assert_eq!(keys(&rs), ["hazard-submitted|hazard:h1|insp|e3"]);
    assert!(rs[0].text.contains("待你验收销号"));
    act(
        &w,
        &mut doc,
        HazardAction::Reject {
            reason: "间距仍不足1米".into(),
        },
        "insp",
        "2026-12-01T15:00:00+08:00",
        "e4",
    );
    let rs = run(&w, std::slice::from_ref(&doc), "2026-12-01T15:01:00+08:00");
    assert_eq!(keys(&rs), ["hazard-rejected|hazard:h1|dep1|e4"]);
    assert!(
        rs[0].text.contains("退回理由：间距仍不足1米"),
        "{}",
        rs[0].text
    );
}

#[test]
fn patrol_plans_remind_their_team_only_and_scores_every_head() {
    let w = world();
    let plan = PatrolPlan {
        id: "pp1".into(),
        title: "12月燃气暗访".into(),
        organiser_unit_id: "ajb".into(),
        team: vec!["p1".into(), "insp".into()],
        targets: vec![PatrolTarget {
            site_id: "site-t1-01".into(),
            visited_inspection_id: None,
        }],
        window_start: d("2026-12-01"),
        window_end: d("2026-12-10"),
    };
    let pubs = [(
        "2026-11".parse::<YearMonth>().unwrap(),
        t("2026-12-02T17:00:00+08:00"),
    )];
    let rs = due(
        ReminderRules::standard(),
        &ReminderInput {
            units: &w.units,
            people: &w.people,
            patrols: std::slice::from_ref(&plan),
            publications: &pubs,
            ..Default::default()
        },
        t("2026-12-02T17:30:00+08:00"),
    );
    let who: Vec<(&str, &str)> = rs
        .iter()
        .map(|r| (r.rule_id.as_str(), r.person_id.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("scores-published", "head1"),
            ("patrol-assigned", "insp"),
            ("patrol-assigned", "p1")
        ]
    );
    let patrol = &rs[1];
    assert!(!patrol.group && !patrol.text.contains("site-t1-01"));
    assert!(rs[0].text.contains("2026年11月月度考核结果已发布"));
}

#[test]
fn month_end_items_not_sent_are_reminded_before_and_once_after() {
    let w = world();
    let nov: YearMonth = "2026-11".parse().unwrap();
    let status = |kind: SubmissionKind, sent: bool| SubmissionStatus {
        unit_id: "t1".into(),
        kind,
        label: "本单位安全生产综合评估（自评）".into(),
        due: d("2026-11-30"),
        submitted_at: sent.then(|| t("2026-11-27T10:00:00+08:00")),
        late: false,
        overdue: false,
        status_label: String::new(),
    };
    let me = [(
        nov,
        vec![
            status(SubmissionKind::SelfAssessment, false),
            status(SubmissionKind::DutyRecords, true),
        ],
    )];
    let on = |at: &str| -> Vec<String> {
        due(
            ReminderRules::standard(),
            &ReminderInput {
                units: &w.units,
                people: &w.people,
                month_end: &me,
                ..Default::default()
            },
            t(at),
        )
        .into_iter()
        .map(|r| r.key)
        .collect()
    };
    assert_eq!(
        on("2026-11-27T09:00:00+08:00"),
        ["month-end-due-3|month_end_submission:t1/2026-11/self_assessment|head1|2026-11:self_assessment"]
    );
    assert_eq!(on("2026-11-29T09:00:00+08:00").len(), 2);
    assert_eq!(
        on("2026-12-01T09:00:00+08:00"),
        [
            "month-end-missed|month_end_submission:t1/2026-11/self_assessment|head1|2026-11:self_assessment",
            "month-end-missed|month_end_submission:t1/2026-11/self_assessment|office1|2026-11:self_assessment"
        ]
    );
    assert!(on("2026-12-02T09:00:00+08:00").is_empty());
}

#[test]
fn pending_reminders_carry_the_same_keys_and_are_worded_only_on_delivery() {
    let w = world();
    let docs = [assigned(&w, "2026-11-25T10:00:00+08:00", "2026-12-04")];
    let input = ReminderInput {
        units: &w.units,
        people: &w.people,
        hazards: &docs,
        ..Default::default()
    };
    let now = t("2026-12-11T09:00:00+08:00");
    let worded = due(ReminderRules::standard(), &input, now);
    let set = super::pending(ReminderRules::standard(), &input, now);
    assert_eq!(set.len(), worded.len());
    let mut buf = String::new();
    let mut pending_keys: Vec<String> = set
        .iter()
        .map(|p| {
            p.write_key(&mut buf);
            buf.clone()
        })
        .collect();
    pending_keys.sort();
    let mut due_keys = keys(&worded);
    due_keys.sort();
    assert_eq!(pending_keys, due_keys);
    // Worded on demand, the same reminder as `due` gives.
    let office = set
        .iter()
        .find(|p| p.person_id() == "office1")
        .unwrap()
        .reminder();
    assert!(worded.contains(&office), "{office:?}");
}
