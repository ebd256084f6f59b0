//! The phone core (its uniffi facade) against a real server: a department inspector's phone
//! lists the approved 专项检查 plans its unit carries out and starts a 专项检查 under one, which
//! the server applies; a plan not yet approved is neither listed nor usable. And 投诉建议: sent
//! from the phone, listed for 县安委办 (not for another unit), answered in the console, the
//! reply back on the phone after sync.

mod common;

use anjian_core::ffi::AnjianStore;
use anjian_domain::feedback::FeedbackKind;
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::InspectionKind;
use chrono::{Duration, Utc};
use common::{api_get, token, ServerProcess};
use serde_json::{json, Value};

fn post(server: &ServerProcess, token: &str, path: &str, body: Value) -> (u16, Value) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.json().unwrap_or(Value::Null))
}

fn plan(server: &ServerProcess, admin: &str, title: &str) -> String {
    let today = china_date(Utc::now());
    let (st, p) = post(
        server,
        admin,
        "/v1/campaigns",
        json!({"title": title,
               "scope": "全县危险化学品经营单位的重大危险源管控和特殊作业",
               "industries": ["hazchem"], "unit_ids": ["dept-yjj"],
               "starts_on": today - Duration::days(1), "ends_on": today + Duration::days(30)}),
    );
    assert_eq!(st, 201, "{p:#}");
    p["id"].as_str().unwrap().to_string()
}

#[test]
fn the_phone_inspects_under_an_approved_plan_and_gets_replies_to_its_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let admin = token(&server, "admin");
    let approved = plan(&server, &admin, "危险化学品安全专项检查");
    let waiting = plan(&server, &admin, "危险化学品储存专项检查（待批）");
    let head = token(&server, "xianzhang");
    let (st, _) = post(
        &server,
        &head,
        &format!("/v1/campaigns/{approved}/approve"),
        json!({"document": "忠府办〔2026〕12号"}),
    );
    assert_eq!(st, 200);

    let phone = AnjianStore::open(dir.path().join("yjj.db").display().to_string()).unwrap();
    phone
        .login(
            server.base.clone(),
            "yjj_inspector".into(),
            "anjian-demo".into(),
        )
        .unwrap();
    phone.sync_now(false, None).unwrap();

    // Only the approved plan is offered, with its industries by name.
    let plans = phone.my_campaigns(None).unwrap();
    assert_eq!(plans.len(), 1, "{plans:?}");
    assert_eq!(plans[0].id, approved);
    assert_eq!(plans[0].approved_by_document, "忠府办〔2026〕12号");
    assert_eq!(plans[0].industries, vec!["hazchem".to_string()]);
    assert!(!plans[0].industry_names[0].is_empty());
    let hazchem = "site-07-04";
    assert_eq!(phone.my_campaigns(Some(hazchem.into())).unwrap().len(), 1);
    let e = phone
        .start_campaign_inspection(
            waiting.clone(),
            InspectionKind::RoutineCheck,
            hazchem.into(),
            vec!["何斌".into()],
        )
        .unwrap_err();
    assert!(e.to_string().contains("尚未经县人民政府批准"), "{e}");
    let insp = phone
        .start_campaign_inspection(
            approved.clone(),
            InspectionKind::RoutineCheck,
            hazchem.into(),
            vec!["何斌".into()],
        )
        .unwrap();
    let r = phone.sync_now(false, None).unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let yjj = token(&server, "yjj_inspector");
    let on_server: Vec<Value> = api_get(&server, &yjj, "/v1/inspections")
        .as_array()
        .unwrap()
        .clone();
    let mine = on_server
        .iter()
        .find(|i| i["id"] == insp.id.as_str())
        .unwrap();
    assert_eq!(mine["campaign_id"], approved.as_str());

    // 投诉建议: empty text refused in Chinese; a suggestion waits to be sent, then to be answered.
    let e = phone
        .send_feedback(FeedbackKind::Suggestion, "  ".into(), None)
        .unwrap_err();
    assert!(e.to_string().contains("投诉建议内容"), "{e}");
    let f = phone
        .send_feedback(
            FeedbackKind::Suggestion,
            "专项检查计划能否按行业筛选，现场选择太慢".into(),
            Some("13996500001".into()),
        )
        .unwrap();
    assert_eq!(phone.my_feedback().unwrap()[0].status_label, "待发送");
    phone.sync_now(false, None).unwrap();
    let mine = phone.my_feedback().unwrap();
    assert_eq!(mine[0].status_label, "待答复", "{mine:?}");
    assert!(mine[0].received_at.is_some());

    // 县安委办 sees it with the sender's name; another unit does not.
    let list = api_get(&server, &admin, "/v1/feedback");
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == f.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["kind"], "suggestion");
    assert!(!row["sent_by_name"].as_str().unwrap().is_empty());
    let zz = token(&server, "zz_head");
    assert!(api_get(&server, &zz, "/v1/feedback")
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["id"] != f.id.as_str()));
    // Only 县安委办 replies, once.
    let (st, e) = post(
        &server,
        &zz,
        &format!("/v1/feedback/{}/reply", f.id),
        json!({"text": "收到"}),
    );
    assert_eq!(st, 403, "{e:#}");
    let (st, answered) = post(
        &server,
        &admin,
        &format!("/v1/feedback/{}/reply", f.id),
        json!({"text": "已安排在下一版本中增加按行业筛选"}),
    );
    assert_eq!(st, 200, "{answered:#}");
    let (st, _) = post(
        &server,
        &admin,
        &format!("/v1/feedback/{}/reply", f.id),
        json!({"text": "再次答复"}),
    );
    assert_eq!(st, 409);

    // The reply reaches the phone with its next sync.
    phone.sync_now(false, None).unwrap();
    let mine = phone.my_feedback().unwrap();
    assert_eq!(mine[0].status_label, "已答复");
    assert_eq!(
        mine[0].reply_text.as_deref(),
        Some("已安排在下一版本中增加按行业筛选")
    );
}
