//! 专项检查 under an approved plan (国办发〔2024〕54号): 县安委办 or a department records the
//! plan, the county government approves it, and a 行政检查 naming a campaign is refused outside
//! an approved plan's period, industries and bodies. SQLite and PostgreSQL.

mod common;

use anjian_domain::checklist::{self, Industry};
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::{Inspection, InspectionKind};
use chrono::{Duration, Utc};
use common::{colleague_for, device_actor, op, TestServer};
use serde_json::{json, Value};

/// 石宝镇's chemical firm (site-07-NN is industry (7 + NN) % 10).
const HAZCHEM: (&str, Industry) = ("site-07-04", Industry::Hazchem);

fn plan(s: &TestServer, token: &str, units: &[&str], from_days: i64, to_days: i64) -> (u16, Value) {
    let today = china_date(Utc::now());
    let body = json!({
        "title": "危险化学品安全专项检查",
        "scope": "全县危险化学品生产、储存、经营单位的重大危险源管控、特殊作业和双重预防机制",
        "industries": ["hazchem"],
        "unit_ids": units,
        "starts_on": today + Duration::days(from_days),
        "ends_on": today + Duration::days(to_days),
    });
    let r = s.post(token, "/v1/campaigns", &body);
    (r.status().as_u16(), r.json().unwrap())
}

fn approve(s: &TestServer, token: &str, id: &str) -> (u16, Value) {
    let r = s.post(
        token,
        &format!("/v1/campaigns/{id}/approve"),
        &json!({"document": "忠府办〔2026〕12号"}),
    );
    (r.status().as_u16(), r.json().unwrap())
}

/// Starts a 专项检查 (a routine check naming the campaign) and returns the server's answer.
fn start(s: &TestServer, token: &str, campaign: &str) -> Value {
    let id = uuid::Uuid::now_v7().to_string();
    let insp = Inspection::start(
        id.clone(),
        InspectionKind::RoutineCheck,
        HAZCHEM.0,
        checklist::compiled_for(HAZCHEM.1),
        device_actor(),
        colleague_for(HAZCHEM.1),
        Utc::now(),
    )
    .unwrap();
    let mut payload = serde_json::to_value(&insp).unwrap();
    payload["campaign_id"] = campaign.into();
    s.push(token, &[op("inspection", &id, "start", payload)])
        .remove(0)
}

fn refused_with(r: &Value, reason: &str) {
    assert_eq!(r["status"], "rejected", "{r:#}");
    let why = r["reason"].as_str().unwrap();
    assert!(why.contains(reason), "{why}");
}

both_backends!(
    a_special_campaign_needs_an_approved_plan,
    |s: &TestServer| {
        let admin = s.login("admin");
        let (st, p) = plan(s, &admin, &["dept-yjj"], -1, 30);
        assert_eq!(st, 201, "{p:#}");
        let id = p["id"].as_str().unwrap().to_string();
        assert!(p.get("approval").is_none());
        // Not yet approved: no 专项检查 under it.
        let han = s.login("yjj_inspector");
        refused_with(&start(s, &han, &id), "尚未经县人民政府批准");
        // The office records but does not approve; the county head approves, once.
        let (st, e) = approve(s, &admin, &id);
        assert_eq!(st, 403, "{e:#}");
        assert!(e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("无权批准专项检查计划"));
        let head = s.login("xianzhang");
        let (st, p) = approve(s, &head, &id);
        assert_eq!(st, 200, "{p:#}");
        assert_eq!(p["approval"]["document"], "忠府办〔2026〕12号");
        assert_eq!(p["approval"]["approved_by"]["name"], "周建国");
        let (st, _) = approve(s, &head, &id);
        assert_eq!(st, 409);
        // Within the plan: the inspection is recorded under the campaign.
        let r = start(s, &han, &id);
        assert_eq!(r["status"], "applied", "{r:#}");
        assert_eq!(r["current"]["campaign_id"], id.as_str());
        assert_eq!(r["current"]["activity"], "administrative_inspection");
        // Outside: an unknown plan, a plan of other bodies, a plan not yet in force.
        refused_with(&start(s, &han, "no-such-plan"), "未找到专项检查计划");
        let (_, other) = plan(s, &admin, &["dept-zjw"], -1, 30);
        let other = other["id"].as_str().unwrap();
        approve(s, &head, other);
        refused_with(&start(s, &han, other), "本单位不是专项检查计划");
        let (_, later) = plan(s, &admin, &["dept-yjj"], 10, 40);
        let later = later["id"].as_str().unwrap();
        approve(s, &head, later);
        refused_with(&start(s, &han, later), "不在专项检查计划");
        // Every signed-in person reads the plans (phones pull them too).
        let plans = s.get_json(&han, "/v1/campaigns");
        assert_eq!(plans.as_array().unwrap().len(), 3);
    }
);

both_backends!(
    only_the_office_and_a_department_for_itself_record_plans,
    |s: &TestServer| {
        // A department's head records for its own body, not another's.
        let yjj = s.login("yjj_head");
        let (st, p) = plan(s, &yjj, &["dept-yjj"], 0, 10);
        assert_eq!(st, 201, "{p:#}");
        let (st, e) = plan(s, &yjj, &["dept-zjw"], 0, 10);
        assert_eq!(st, 403, "{e:#}");
        assert!(e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("无权登记专项检查计划"));
        // A township without enforcement powers carries out no 专项检查.
        let sb = s.login("sb_head");
        let (st, e) = plan(s, &sb, &["500233107"], 0, 10);
        assert_eq!(st, 422, "{e:#}");
        assert!(e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不是行政执法主体"));
        // An inspector records none; bad periods are refused, nothing stored.
        let han = s.login("yjj_inspector");
        assert_eq!(plan(s, &han, &["dept-yjj"], 0, 10).0, 403);
        let admin = s.login("admin");
        let (st, e) = plan(s, &admin, &["dept-yjj"], 10, 0);
        assert_eq!(st, 422, "{e:#}");
        assert!(e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("截止日期早于起始日期"));
        assert_eq!(plan(s, &admin, &["dept-yjj"], 0, 400).0, 422);
        assert_eq!(
            s.get_json(&admin, "/v1/campaigns")
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
);

both_backends!(
    the_console_warns_before_a_visit_from_the_same_domain_rules,
    |s: &TestServer| {
        // 县应急管理局 inspects the chemical firm up to its annual cap (4 for 危化).
        let han = s.login("yjj_inspector");
        let path = format!("/v1/sites/{}/visit-warnings", HAZCHEM.0);
        assert_eq!(s.get_json(&han, &path), json!([]));
        for _ in 0..4 {
            let id = uuid::Uuid::now_v7().to_string();
            let insp = Inspection::start(
                id.clone(),
                InspectionKind::RoutineCheck,
                HAZCHEM.0,
                checklist::compiled_for(HAZCHEM.1),
                device_actor(),
                colleague_for(HAZCHEM.1),
                Utc::now(),
            )
            .unwrap();
            let payload = serde_json::to_value(&insp).unwrap();
            let r = s.push(&han, &[op("inspection", &id, "start", payload)]);
            assert_eq!(r[0]["status"], "applied", "{r:#?}");
        }
        let w = s.get_json(&han, &path);
        assert_eq!(w[0]["kind"], "cap", "{w:#}");
        assert_eq!(
            w[0]["message"],
            "本单位今年已对该企业行政检查 4 次，年度上限 4 次：再次检查将超过公布的频次上限"
        );
        // The office planning a visit of its own is told of the department's recent one, and
        // may look on the department's behalf.
        let admin = s.login("admin");
        let w = s.get_json(&admin, &path);
        assert_eq!(w[0]["kind"], "repeat", "{w:#}");
        assert!(w[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("县应急管理局已于"));
        let w = s.get_json(&admin, &format!("{path}?unit=dept-yjj"));
        assert_eq!(w[0]["kind"], "cap");
        // A unit may not look on another's behalf; a site out of scope is not found.
        let sb = s.login("sb_head");
        assert_eq!(s.get(&sb, &format!("{path}?unit=dept-yjj")).status(), 403);
        let zz = s.login("zz_head");
        assert_eq!(s.get(&zz, &path).status(), 404);
    }
);
