//! A unit's meetings, hardware-investment proof and accountability records: pushed by the
//! unit, read by the unit and the county office, never by other units or outsiders.

mod common;

use chrono::Utc;
use common::{op, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";
const ZHONGZHOU: &str = "500233001";

fn list(s: &TestServer, token: &str, path: &str) -> Vec<Value> {
    s.get_json(token, path).as_array().unwrap().clone()
}

both_backends!(
    unit_records_are_pushed_and_read_in_scope,
    |s: &TestServer| {
        let head = s.login("sb_head");
        let meeting = json!({
            "id": "m-1", "kind": "special_meeting", "unit_id": SHIBAO,
            "title": "石宝镇十一月安全生产专题会", "chaired_by": "person-sb_head",
            "held_at": Utc::now(), "attendees": ["蒋华"], "minutes": "部署燃气专项整治", "evidence": []
        });
        let investment = json!({
            "id": "inv-1", "unit_id": SHIBAO, "hazard_id": null, "site_id": "site-07-03",
            "description": "地面独立气瓶间建设", "amount_fen": 3_500_000,
            "invested_on": Utc::now().date_naive(), "documents": []
        });
        let results = s.push(
            &head,
            &[
                op("meeting", "m-1", "create", meeting.clone()),
                op("hardware_investment", "inv-1", "create", investment),
            ],
        );
        assert!(
            results.iter().all(|r| r["status"] == "applied"),
            "{results:#?}"
        );
        // Another township may not record for 石宝镇, nor may an enterprise's contact.
        let mut other = meeting.clone();
        other["id"] = json!("m-2");
        for user in ["zz_head", "site_contact"] {
            let t = s.login(user);
            let r = &s.push(&t, &[op("meeting", "m-2", "create", other.clone())])[0];
            assert_eq!(r["status"], "rejected", "{user}: {r:#}");
        }
        let month = Utc::now().format("%Y-%m").to_string();
        let mine = list(s, &head, &format!("/v1/meetings?month={month}"));
        assert!(mine.iter().any(|m| m["id"] == "m-1"), "{mine:#?}");
        assert!(mine.iter().all(|m| m["unit_id"] == SHIBAO));
        assert_eq!(list(s, &head, "/v1/investments")[0]["id"], "inv-1");
        let zz = s.login("zz_head");
        assert!(list(s, &zz, "/v1/meetings")
            .iter()
            .all(|m| m["unit_id"] == ZHONGZHOU));
        assert!(list(s, &zz, "/v1/investments").is_empty());
        let admin = s.login("admin");
        let all = list(s, &admin, &format!("/v1/meetings?unit={SHIBAO}"));
        assert!(all.iter().any(|m| m["id"] == "m-1"));
        // 约谈 by the office, read by the unit it concerns.
        let talk = json!({
            "id": "acc-1", "kind": "reminder_talk", "unit_id": SHIBAO, "person_name": "卫东",
            "reason": "重大隐患逾期未整改", "decided_by": "县安委办",
            "decided_on": Utc::now().date_naive(), "hazard_ids": []
        });
        let r = &s.push(
            &zz,
            &[op("accountability", "acc-1", "create", talk.clone())],
        )[0];
        assert_eq!(
            r["status"], "rejected",
            "another township's head may not: {r:#}"
        );
        let mut talk2 = talk.clone();
        talk2["id"] = json!("acc-2");
        let r = &s.push(&admin, &[op("accountability", "acc-2", "create", talk2)])[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        assert_eq!(
            list(s, &head, "/v1/accountability")[0]["reason"],
            "重大隐患逾期未整改"
        );
        assert!(list(s, &zz, "/v1/accountability").is_empty());
        let bad = s
            .request(reqwest::Method::GET, &head, "/v1/meetings?month=2026-13")
            .send()
            .unwrap();
        assert_eq!(bad.status(), 422);
    }
);
