//! 月底报送 and frozen months: a unit submits its month-end items (dated by the server, late
//! after the due date in the data file), a published month refuses them until 县安委办
//! re-opens it — an audited action with a reason — and a published month's scores stay as
//! published whatever arrives later.

mod common;

use anjian_domain::hazard::china_date;
use anjian_domain::month::YearMonth;
use chrono::Utc;
use common::{op, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";

fn submission(id: &str, month: YearMonth, kind: &str) -> Value {
    json!({"id": id, "unit_id": SHIBAO, "month": month, "kind": kind,
           "note": "主要负责人、分管负责人履职纪实清单", "evidence": [],
           "submitted_by": "claimed", "submitted_at": "2020-01-01T00:00:00Z"})
}

fn submit(s: &TestServer, token: &str, id: &str, month: YearMonth, kind: &str) -> Value {
    let r = s.push(
        token,
        &[op(
            "month_end_submission",
            id,
            "submit",
            submission(id, month, kind),
        )],
    );
    r[0].clone()
}

fn item<'a>(list: &'a Value, unit: &str, kind: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i["unit_id"] == unit && i["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} of {unit}: {list:#}"))
}

both_backends!(
    month_end_items_are_dated_by_the_server_and_closed_by_publication,
    |s: &TestServer| {
        let head = s.login("sb_head");
        let this = YearMonth::of(china_date(Utc::now()));
        let last = this.prev();

        // This month: submitted, dated by the server (the phone's time is ignored).
        let r = submit(s, &head, "me-1", this, "duty_records");
        assert_eq!(r["status"], "applied", "{r:#}");
        assert_eq!(r["current"]["submitted_by"], "person-sb_head");
        let at: chrono::DateTime<Utc> = r["current"]["submitted_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((Utc::now() - at).num_minutes().abs() < 5, "{at}");
        let status = s.get_json(&head, &format!("/v1/month-end?month={this}"));
        assert_eq!(status.as_array().unwrap().len(), 4, "the unit's four items");
        let duty = item(&status, SHIBAO, "duty_records");
        assert_eq!(duty["status_label"], "已报送");
        assert_eq!(duty["due"], this.last_day().to_string());
        assert_eq!(
            item(&status, SHIBAO, "self_assessment")["status_label"],
            "未到期"
        );

        // Wrong scope, wrong role, a month not begun: refused in Chinese.
        for user in ["zz_head", "site_contact"] {
            let t = s.login(user);
            let r = submit(s, &t, &format!("me-{user}"), this, "duty_records");
            assert_eq!(r["status"], "rejected", "{user}");
            assert!(
                r["reason"].as_str().unwrap().contains("无权报送本单位记录"),
                "{user}: {r:#}"
            );
        }
        let r = submit(s, &head, "me-future", this.next(), "duty_records");
        assert_eq!(r["status"], "rejected");
        assert!(r["reason"].as_str().unwrap().contains("尚未开始"), "{r:#}");
        // Another unit's status is not the caller's to read.
        let res = s.get(&head, "/v1/month-end?unit=500233001");
        assert_eq!(res.status(), 403);

        // Last month, published: its items and records are refused (late), scores frozen.
        let admin = s.login("admin");
        let res = s.post(
            &admin,
            &format!("/v1/assessments/{last}/publish"),
            &json!({}),
        );
        assert_eq!(res.status(), 201, "{:?}", res.text());
        let frozen = s.get_json(&admin, &format!("/v1/assessments/{last}"));
        let r = submit(s, &head, "me-2", last, "duty_records");
        assert_eq!(r["status"], "rejected");
        assert_eq!(
            r["reason"],
            format!("{last} 的考核结果已发布，该月报送已截止；如需补报，须由县安委办重新开启该月")
        );
        let sa = json!({"id": "sa-late", "unit_id": SHIBAO, "month": last, "score": 95.0,
                        "summary": "补报自评", "submitted_by": "person-sb_head",
                        "submitted_at": Utc::now()});
        let r = &s.push(
            &head,
            &[op("self_assessment", "sa-late", "create", sa.clone())],
        )[0];
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert_eq!(
            s.get_json(&admin, &format!("/v1/assessments/{last}")),
            frozen
        );

        // Re-opening: the office only, with a reason, audited.
        let reopen = |token: &str, body: Value| {
            s.request(
                Method::POST,
                token,
                &format!("/v1/assessments/{last}/reopen"),
            )
            .json(&body)
            .send()
            .unwrap()
        };
        let res = reopen(&head, json!({"reason": "补报"}));
        assert_eq!(res.status(), 403);
        assert!(res.text().unwrap().contains("只有县安委办可以重新开启"));
        let res = reopen(&admin, json!({"reason": "  "}));
        assert_eq!(res.status(), 422);
        assert!(res.text().unwrap().contains("须说明重新开启的理由"));
        let res = reopen(
            &admin,
            json!({"reason": "石宝镇履职纪实漏报，经县安委办同意补报"}),
        );
        assert_eq!(res.status(), 200, "{:?}", res.text());
        let body: Value = res.json().unwrap();
        assert_eq!(body["previous"]["month"], last.to_string());
        let audit = s.get_json(&admin, "/v1/admin/audit?action=assessment_reopened");
        let entry = &audit.as_array().unwrap()[0];
        assert_eq!(entry["target"], last.to_string());
        assert!(
            entry["detail"].as_str().unwrap().contains("漏报"),
            "{entry:#}"
        );
        assert_eq!(reopen(&admin, json!({"reason": "再次"})).status(), 404);
        assert_eq!(
            s.get(&admin, &format!("/v1/assessments/{last}/published"))
                .status(),
            404
        );

        // Re-opened: the late item is accepted and flagged late; published again.
        let r = submit(s, &head, "me-3", last, "duty_records");
        assert_eq!(r["status"], "applied", "{r:#}");
        let status = s.get_json(&head, &format!("/v1/month-end?month={last}"));
        let duty = item(&status, SHIBAO, "duty_records");
        assert_eq!(duty["status_label"], "逾期报送");
        assert_eq!(duty["late"], true);
        let res = s.post(
            &admin,
            &format!("/v1/assessments/{last}/publish"),
            &json!({}),
        );
        assert_eq!(res.status(), 201, "{:?}", res.text());
        let audit = s.get_json(&admin, "/v1/admin/audit?action=assessment_published");
        assert_eq!(audit.as_array().unwrap().len(), 2);

        // The office files the month-end status.
        let res = s.get(
            &head,
            &format!("/v1/exports/month-end-submissions.xlsx?month={last}"),
        );
        assert_eq!(res.status(), 200);
        assert!(res.bytes().unwrap().len() > 3_000);
    }
);
