//! 提醒约谈、追责问责 through the API: the rules suggest them to 县安委办, the office records one
//! from a suggestion (then no longer suggested), only the office may, a published month refuses
//! it, the unit reads its own, 月考 deducts it, and the ledger downloads.

mod common;

use anjian_domain::hazard::china_date;
use anjian_domain::month::YearMonth;
use chrono::Utc;
use common::{op, sheet_rows, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";

fn list(s: &TestServer, token: &str, path: &str) -> Vec<Value> {
    s.get_json(token, path).as_array().unwrap().clone()
}

/// The record the console makes of a suggestion: its unit, person, reasons and id, as given.
fn record_of(id: &str, sug: &Value, outcome: &str) -> Value {
    json!({
        "id": id, "kind": sug["kind"], "unit_id": sug["unit_id"], "person_id": sug["person_id"],
        "person_name": null, "reason": "", "reasons": sug["reasons"], "outcome": outcome,
        "decided_by": "县安委办", "decided_on": china_date(Utc::now()), "hazard_ids": [],
        "suggestion_id": sug["id"]
    })
}

fn deduction(s: &TestServer, token: &str, month: YearMonth) -> f64 {
    let a = s.get_json(token, &format!("/v1/assessments/{month}"));
    let unit = a["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == SHIBAO)
        .unwrap_or_else(|| panic!("{a:#}"))
        .clone();
    unit["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "accountability")
        .unwrap()["points"]
        .as_f64()
        .unwrap()
}

both_backends!(
    suggested_talks_are_recorded_by_the_office_and_deducted_in_the_month,
    |s: &TestServer| {
        let admin = s.login("admin");
        let head = s.login("sb_head");
        let this = YearMonth::of(china_date(Utc::now()));
        let last = this.prev();

        // Nothing of last month's 月底报送 was sent: the rules suggest a talk; only the county
        // level sees them.
        let sugs = list(
            s,
            &admin,
            &format!("/v1/accountability/suggestions?unit={SHIBAO}"),
        );
        let late_id = format!("month-end-late:{SHIBAO}:{last}");
        let late = sugs
            .iter()
            .find(|x| x["id"] == late_id.as_str())
            .unwrap_or_else(|| panic!("{sugs:#?}"))
            .clone();
        assert_eq!(late["kind"], "reminder_talk");
        assert_eq!(late["unit_name"], "石宝镇");
        assert_eq!(late["person_name"], "卫东");
        assert!(
            late["summary"].as_str().unwrap().contains("逾期未报送"),
            "{late:#}"
        );
        // The county recorded no activity in those months (it did not use the system yet):
        // nobody's duty quota is judged by them.
        assert!(
            !sugs.iter().any(|x| x["rule_id"] == "quota-missed-2"),
            "{sugs:#?}"
        );
        let r = s.get(&head, "/v1/accountability/suggestions");
        assert_eq!(r.status(), 403);
        assert!(r.text().unwrap().contains("仅限县级"));

        // Wrong role: a county leader, the unit's own head, an enterprise contact.
        for user in ["xianzhang", "sb_head", "site_contact"] {
            let t = s.login(user);
            let r = &s.push(
                &t,
                &[op(
                    "accountability",
                    "acc-x",
                    "create",
                    record_of("acc-x", &late, "rectification_pledge"),
                )],
            )[0];
            assert_eq!(r["status"], "rejected", "{user}: {r:#}");
            assert!(
                r["reason"].as_str().unwrap().contains("无权"),
                "{user}: {r:#}"
            );
        }
        // A person of another unit, a future date: refused in Chinese, nothing stored.
        let mut wrong = record_of("acc-y", &late, "admonishment");
        wrong["person_id"] = json!("person-zz_head");
        let r = &s.push(&admin, &[op("accountability", "acc-y", "create", wrong)])[0];
        assert!(
            r["reason"].as_str().unwrap().contains("不是该单位人员"),
            "{r:#}"
        );
        let mut future = record_of("acc-y", &late, "admonishment");
        future["decided_on"] = json!((Utc::now() + chrono::Duration::days(3)).date_naive());
        let r = &s.push(&admin, &[op("accountability", "acc-y", "create", future)])[0];
        assert!(
            r["reason"].as_str().unwrap().contains("不能晚于今天"),
            "{r:#}"
        );

        // The office records it from the suggestion: nothing typed again.
        let before = deduction(s, &admin, this);
        let r = &s.push(
            &admin,
            &[op(
                "accountability",
                "acc-1",
                "create",
                record_of("acc-1", &late, "rectification_pledge"),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        assert_eq!(r["current"]["person_name"], "卫东");
        assert_eq!(r["current"]["recorded_by"], "person-admin");
        assert!(r["current"]["reason"]
            .as_str()
            .unwrap()
            .contains("逾期未报送"));
        let sugs = list(
            s,
            &admin,
            &format!("/v1/accountability/suggestions?unit={SHIBAO}"),
        );
        assert!(
            !sugs.iter().any(|x| x["id"] == late_id.as_str()),
            "answered: no longer suggested"
        );

        // The unit reads its own, typed; another township reads none of it.
        let mine = list(s, &head, &format!("/v1/accountability?month={this}"));
        assert_eq!(mine.len(), 1, "{mine:#?}");
        assert_eq!(mine[0]["kind_label"], "提醒约谈");
        assert_eq!(mine[0]["outcome_label"], "作出整改承诺");
        assert_eq!(mine[0]["reasons"][0]["type"], "late_submission");
        let zz = s.login("zz_head");
        assert!(list(s, &zz, "/v1/accountability").is_empty());
        assert_eq!(
            s.get(
                &zz,
                &format!("/v1/exports/accountability.xlsx?unit={SHIBAO}")
            )
            .status(),
            403
        );

        // 月考: one talk this month, 2 points off, outside the full marks.
        assert_eq!(deduction(s, &head, this), before - 2.0);
        assert_eq!(
            s.get_json(&admin, &format!("/v1/assessments/{this}"))["full_marks"],
            100.0
        );

        // The ledger.
        let r = s.get(
            &admin,
            &format!("/v1/exports/accountability.xlsx?month={this}"),
        );
        assert_eq!(r.status(), 200);
        let rows = sheet_rows(&r.bytes().unwrap());
        assert!(rows[0][0].contains("提醒约谈、追责问责台账"), "{rows:?}");
        let row = rows
            .iter()
            .find(|r| r.iter().any(|c| c == "石宝镇"))
            .unwrap();
        assert!(
            row.iter().any(|c| c == "卫东") && row.iter().any(|c| c == "规则提示"),
            "{row:?}"
        );

        // Late: a talk dated in a published month is refused until the office re-opens it.
        let r = s.post(
            &admin,
            &format!("/v1/assessments/{last}/publish"),
            &json!({}),
        );
        assert!(r.status().is_success(), "{}", r.text().unwrap());
        let mut old = record_of("acc-2", &late, "circular_criticism");
        old["suggestion_id"] = Value::Null;
        old["decided_on"] = json!(last.last_day());
        let r = &s.push(&admin, &[op("accountability", "acc-2", "create", old)])[0];
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert!(r["reason"].as_str().unwrap().contains("已发布"), "{r:#}");
    }
);
