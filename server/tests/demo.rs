//! The demo county with its two months of activity (`anjian serve --demo`): every seeded
//! record went through the domain's rules, so the ledgers, scores, rotation and evidence read
//! back as the office would see them, and scopes still hold.

mod common;

use std::collections::{HashMap, HashSet};

use anjian_domain::hazard::china_date;
use anjian_domain::month::YearMonth;
use chrono::Utc;
use serde_json::Value;
use sha2::{Digest, Sha256};

use common::TestServer;

const SHIBAO: &str = "500233107";

both_backends!(demo_county_is_lived_in, true, |s: &TestServer| {
    let admin = s.login("admin");
    let last_month = YearMonth::of(china_date(Utc::now())).prev();

    // The ledger holds hazards in several states, open and closed, general and major.
    let ledger = s.get_json(&admin, "/v1/hazards");
    let ledger = ledger.as_array().unwrap();
    assert!(ledger.len() >= 20, "{} hazards", ledger.len());
    let statuses: HashSet<&str> = ledger
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains("closed") && statuses.len() >= 3,
        "{statuses:?}"
    );
    assert!(ledger.iter().any(|h| h["level"] == "major"));
    // The office always has work in front of it, whatever the checklists' contents draw:
    // hazards handed to a township and not started, and rectifications of its own findings
    // waiting for 验收 (the console's walkthrough verifies one and sends one back).
    let console = s.get_json(&admin, "/v1/console/ledger?size=500");
    let count = |status: &str| {
        console["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["status"] == status && h["referral"].is_null())
            .count()
    };
    assert!(count("assigned") >= 2, "{} assigned", count("assigned"));
    assert!(count("submitted") >= 2, "{} submitted", count("submitted"));

    // 投诉举报 left through site codes: some wait to be handed over; one was handed over to
    // a department with powers over its site and answered by its 行政检查, whose record
    // carries the complaint.
    let complaints = s.get_json(&admin, "/v1/complaints");
    let complaints = complaints.as_array().unwrap();
    let waiting = complaints
        .iter()
        .filter(|c| c["assigned_unit_id"].is_null())
        .count();
    assert!(waiting >= 2, "{complaints:#?}");
    let answered = complaints
        .iter()
        .find(|c| !c["follow_up"].is_null())
        .expect("one complaint followed up");
    let unit = answered["assigned_unit_id"].as_str().unwrap();
    assert_eq!(answered["follow_up"]["unit_id"], unit);
    assert!(answered["follow_up"]["failed"].as_u64().unwrap() >= 1);
    assert!(!answered["follow_up"]["finished_at"].is_null());
    let bodies = s.get_json(
        &admin,
        &format!("/v1/complaints/{}/bodies", answered["id"].as_str().unwrap()),
    );
    assert!(bodies.as_array().unwrap().iter().any(|b| b["id"] == unit));

    // Last month's 月底报送: most units on time, a few late or missing; the suggested talks
    // are a handful, not one per unit.
    let month_end = s.get_json(&admin, &format!("/v1/month-end?month={last_month}"));
    let month_end = month_end.as_array().unwrap();
    let late_units: HashSet<&str> = month_end
        .iter()
        .filter(|i| i["late"] == true || i["overdue"] == true)
        .map(|i| i["unit_id"].as_str().unwrap())
        .collect();
    let units: HashSet<&str> = month_end
        .iter()
        .map(|i| i["unit_id"].as_str().unwrap())
        .collect();
    assert!(
        !late_units.is_empty() && late_units.len() * 5 <= units.len(),
        "{} of {} units late",
        late_units.len(),
        units.len()
    );
    let suggestions = s.get_json(&admin, "/v1/accountability/suggestions");
    let suggestions = suggestions.as_array().unwrap();
    let by_rule = |rule: &str| suggestions.iter().filter(|x| x["rule_id"] == rule).count();
    assert!(
        (1..=20).contains(&suggestions.len()),
        "{} suggested talks: {} month-end, {} overdue",
        suggestions.len(),
        by_rule("month-end-late"),
        by_rule("hazard-overdue-30")
    );
    // At most one talk per late unit (fewer once the office recorded some).
    assert!(by_rule("month-end-late") <= late_units.len());

    // Every closed hazard cites after-photos whose files the server has, with their hash.
    let changes = s.pull_all(&admin, 500);
    let evidence: HashMap<String, Value> = changes
        .iter()
        .filter(|c| c["entity"] == "evidence")
        .map(|c| {
            (
                c["entity_id"].as_str().unwrap().to_string(),
                c["data"].clone(),
            )
        })
        .collect();
    for h in ledger {
        // Every history went through the state machine: raised first, in time order, nothing
        // in the future, ending in the ledger's status.
        let doc = s.get_json(
            &admin,
            &format!("/v1/hazards/{}", h["id"].as_str().unwrap()),
        );
        let events = doc["events"].as_array().unwrap();
        assert!(events[0]["action"].is_null());
        assert_eq!(events.last().unwrap()["to"], h["status"]);
        let times: Vec<chrono::DateTime<Utc>> = events
            .iter()
            .map(|e| e["at"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        assert!(*times.last().unwrap() < Utc::now());
    }
    let closed: Vec<&Value> = ledger.iter().filter(|h| h["status"] == "closed").collect();
    for h in closed.iter().take(5) {
        let doc = s.get_json(
            &admin,
            &format!("/v1/hazards/{}", h["id"].as_str().unwrap()),
        );
        let after = doc["hazard"]["after_evidence"].as_array().unwrap();
        assert!(!after.is_empty(), "{doc}");
        for id in after {
            let rec = &evidence[id.as_str().unwrap()];
            assert_eq!(rec["stage"], "after");
            let sha = rec["sha256"].as_str().unwrap();
            let res = s.get(&admin, &format!("/v1/blobs/{sha}"));
            assert_eq!(res.status(), 200);
            let bytes = res.bytes().unwrap();
            assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
            assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG");
        }
    }

    // Last month's scores differ from unit to unit and show the self-assessments.
    let scores = s.get_json(&admin, &format!("/v1/assessments/{last_month}"));
    let scores = scores["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 28 + 17);
    let totals: HashSet<String> = scores.iter().map(|u| u["total"].to_string()).collect();
    assert!(totals.len() >= 4, "{totals:?}");
    assert!(scores.iter().any(|u| u["total"] == 100.0));
    let with_self = scores.iter().filter(|u| !u["self_score"].is_null()).count();
    assert!(with_self > 30 && with_self < scores.len(), "{with_self}");

    // The rotation reported month by month; one township's turn was missed last month.
    let rotation = s.get_json(&admin, &format!("/v1/rotation?year={}", last_month.year));
    let slots = rotation.as_array().unwrap();
    let in_month = |m: YearMonth, state: &str| {
        slots
            .iter()
            .filter(|x| x["month"] == m.to_string() && x["state"] == state)
            .count()
    };
    assert_eq!(in_month(last_month, "reported"), 3);
    assert_eq!(in_month(last_month, "missed"), 1);
    if last_month.month > 1 {
        assert_eq!(in_month(last_month.prev(), "reported"), 4);
    }

    // A township head sees only their township's hazards, and their duty table is filled in.
    let head = s.login("sb_head");
    let own = s.get_json(&head, "/v1/hazards");
    for h in own.as_array().unwrap() {
        assert!(
            h["unit_id"] == SHIBAO || h["rectifying_unit_id"] == SHIBAO,
            "{h}"
        );
    }
    let duty = s.get_json(&head, &format!("/v1/duty?month={last_month}"));
    let done: u64 = duty
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["statuses"].as_array().unwrap())
        .map(|st| st["done"].as_u64().unwrap())
        .sum();
    assert!(done > 0, "{duty}");

    // The county-wide problem ledger downloads with the seeded problems in it.
    let res = s.get(
        &admin,
        &format!("/v1/exports/problem-ledger.xlsx?month={last_month}"),
    );
    assert_eq!(res.status(), 200);
    assert!(res.bytes().unwrap().len() > 5_000);
    // Investments with their proof: most submitted whole, some lacking the invoice, and the
    // one recycled "after" photo flagged on both investments it proves, no other photo.
    let investments = s.get_json(&admin, "/v1/investments");
    let investments = investments.as_array().unwrap();
    assert!(investments.len() >= 5, "{}", investments.len());
    assert!(investments.iter().any(|i| i["status_label"] == "已报送"));
    assert!(investments
        .iter()
        .any(|i| i["proof"]["missing"] == serde_json::json!(["发票"])));
    let flagged: Vec<&Value> = investments
        .iter()
        .filter(|i| !i["recycled_photos"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:#?}");
    assert!(flagged
        .iter()
        .all(|i| i["recycled_photos"][0]["same_file"] == false));
});
