//! Third parties and experts at the level they act: a department engages a third-party
//! institution (委托技术服务) for its sites and a period; the third party works and reads only
//! there, its findings go to the department, and coverage per industry follows; the county
//! office keeps the expert pool (专家库) and prints it as the annex.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::inspection::InspectionKind;
use chrono::{Datelike, Duration, Utc};
use common::{evidence, inspection_ops, op, TestServer};
use serde_json::{json, Value};

const ZJW: &str = "dept-zjw";

fn sites_of(s: &TestServer, token: &str) -> Vec<Value> {
    s.get_json(token, "/v1/sites").as_array().unwrap().clone()
}

fn reason(r: &Value) -> String {
    r["reason"].as_str().unwrap_or_default().to_string()
}

fn message(resp: reqwest::blocking::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().unwrap();
    (
        status,
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// The ops of a whole 专业评估检查 of `site` (gas), split: start and answers, finish, raise.
fn assessment(site: &str, township: &str) -> (Vec<Value>, Value, Value, String, String) {
    let (mut ops, insp, hazard) = inspection_ops(
        site,
        township,
        Industry::Gas,
        InspectionKind::ProfessionalAssessment,
        "GAS-001",
    );
    let raise = ops.pop().unwrap();
    let finish = ops.pop().unwrap();
    (ops, finish, raise, insp, hazard)
}

both_backends!(
    a_third_party_works_only_where_and_when_a_department_engages_it,
    |s: &TestServer| {
        let admin = s.login("admin");
        let tp = s.login("thirdparty");
        let all = sites_of(s, &admin);
        let gas: Vec<&Value> = all
            .iter()
            .filter(|x| x["industry"] == "gas" && x["department_id"] == ZJW)
            .collect();
        assert!(gas.len() >= 2);
        // The third party reads exactly the engaged sites (the demo engagement: every gas site
        // of 县住建委, this year), and gets them on the phone.
        let mine = sites_of(s, &tp);
        assert_eq!(mine.len(), gas.len(), "{mine:#?}");
        assert!(mine.iter().all(|x| x["industry"] == "gas"));
        let pulled = s.pull_all(&tp, 500);
        let pulled_sites = pulled.iter().filter(|c| c["entity"] == "site").count();
        assert_eq!(pulled_sites, gas.len());
        assert!(pulled.iter().any(|c| c["entity"] == "engagement"));

        // At an engaged site: a 技术服务 under the engagement, referred to 县住建委.
        let site = gas[0]["id"].as_str().unwrap();
        let township = gas[0]["township_id"].as_str().unwrap();
        let (ops, finish, raise, insp, hazard) = assessment(site, township);
        let results = s.push(&tp, &ops);
        assert!(
            results.iter().all(|r| r["status"] == "applied"),
            "{results:#?}"
        );
        let started = &results[0]["current"];
        assert_eq!(started["activity"], "technical_support");
        assert_eq!(started["engagement_id"], "engagement-gas");
        assert_eq!(started["commissioned_by"], ZJW);
        // Not finished without the report file (评估报告).
        let r = &s.push(&tp, &[finish.clone()])[0];
        assert_eq!(r["status"], "rejected");
        assert!(reason(r).contains("评估报告"), "{r:#}");
        let report = evidence(
            "report-1",
            &"ab".repeat(32),
            "other_document",
            "none",
            json!({"type": "inspection_report", "inspection_id": insp}),
        );
        // A refusal is kept under its op id: the phone sends the finish again as a new operation.
        let finish = op("inspection", &insp, "finish", finish["payload"].clone());
        let results = s.push(
            &tp,
            &[op("evidence", "report-1", "attach", report), finish, raise],
        );
        assert!(
            results.iter().all(|r| r["status"] == "applied"),
            "{results:#?}"
        );
        // The finding goes to the engaging department, whatever the phone named.
        assert_eq!(results[2]["current"]["hazard"]["unit_id"], ZJW);
        let zjw_view = s.get_json(&admin, &format!("/v1/hazards/{hazard}"));
        assert_eq!(zjw_view["hazard"]["unit_id"], ZJW, "{zjw_view:#}");

        // Outside the engaged sites: refused in Chinese, naming no site.
        let fire = all.iter().find(|x| x["industry"] == "fire").unwrap();
        let (ops, ..) = assessment(
            fire["id"].as_str().unwrap(),
            fire["township_id"].as_str().unwrap(),
        );
        let r = &s.push(&tp, &ops[..1])[0];
        assert_eq!(r["status"], "rejected");
        assert!(reason(r).contains("该场所不在委托服务范围内"), "{r:#}");
        assert!(!reason(r).contains(fire["name"].as_str().unwrap()));
        // A routine check is not theirs to make, even at an engaged site.
        let (mut ops, ..) = assessment(gas[1]["id"].as_str().unwrap(), township);
        ops[0]["payload"]["kind"] = json!("routine_check");
        let r = &s.push(&tp, &ops[..1])[0];
        assert_eq!(r["status"], "rejected", "{r:#}");

        // An engagement whose period has ended lets nobody in.
        let last_year = Utc::now().year() - 1;
        let construction = all
            .iter()
            .find(|x| x["industry"] == "construction" && x["department_id"] == ZJW)
            .unwrap();
        let past = json!({
            "id": "", "title": "上年度建筑施工安全评估", "department_id": ZJW,
            "institution_unit_id": "tp-anxin", "industries": ["construction"],
            "site_ids": [construction["id"]],
            "start": format!("{last_year}-03-01"), "end": format!("{last_year}-10-31"),
        });
        let resp = s.post(&admin, "/v1/engagements", &past);
        assert_eq!(resp.status(), 201);
        let mut ops = assessment(construction["id"].as_str().unwrap(), "x").0;
        ops[0]["payload"]["industry"] = json!("construction");
        let r = &s.push(&tp, &ops[..1])[0];
        assert_eq!(r["status"], "rejected");
        assert!(
            reason(r).contains(&format!("委托期限已于 {last_year}-10-31 结束")),
            "{r:#}"
        );
        // Nor may it read that site any more.
        let r = s.get(
            &tp,
            &format!("/v1/sites/{}", construction["id"].as_str().unwrap()),
        );
        assert_eq!(r.status(), 404);

        // Coverage for the year: the gas row counts the sites engaged and the one assessed.
        let year = Utc::now().year();
        let cov = s.get_json(&admin, &format!("/v1/engagements/coverage?year={year}"));
        let row = cov
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["industry"] == "gas")
            .unwrap();
        let all_gas = all.iter().filter(|x| x["industry"] == "gas").count();
        assert_eq!(row["sites"], all_gas);
        assert_eq!(row["engaged"], gas.len());
        assert_eq!(row["assessed"], 1);
        assert_eq!(row["departments"], json!([ZJW]));
        // A township or the third party may not read the county's coverage.
        for user in ["zz_head", "thirdparty"] {
            let t = s.login(user);
            let (status, msg) = message(s.get(&t, "/v1/engagements/coverage"));
            assert_eq!(status, 403, "{user}");
            assert!(msg.contains("仅限县级和行业部门"), "{msg}");
        }
        let file = s.get(
            &admin,
            &format!("/v1/exports/engagement-coverage.xlsx?year={year}"),
        );
        assert_eq!(file.status(), 200);
        assert!(file.bytes().unwrap().starts_with(b"PK"));
    }
);

both_backends!(
    only_the_department_or_the_office_engages_and_only_within_its_sector,
    |s: &TestServer| {
        let admin = s.login("admin");
        let all = sites_of(s, &admin);
        let hazchem: Vec<&Value> = all.iter().filter(|x| x["industry"] == "hazchem").collect();
        let fire = all.iter().find(|x| x["industry"] == "fire").unwrap();
        let today = Utc::now().date_naive();
        let body = |dept: &str, site: &Value, industry: &str| {
            json!({
                "id": "", "title": "危险化学品企业安全评估", "department_id": dept,
                "institution_unit_id": "tp-anxin", "industries": [industry],
                "site_ids": [site["id"]], "start": today, "end": today + Duration::days(90),
            })
        };
        // Wrong role: an inspector of the department may not engage.
        let t = s.login("yjj_inspector");
        let (status, msg) = message(s.post(
            &t,
            "/v1/engagements",
            &body("dept-yjj", hazchem[0], "hazchem"),
        ));
        assert_eq!(status, 403);
        assert!(msg.contains("无权委托第三方机构或专家"), "{msg}");
        // Another department's head may not engage for 县应急管理局.
        let t = s.login("sb_head");
        let (status, _) = message(s.post(
            &t,
            "/v1/engagements",
            &body("dept-yjj", hazchem[0], "hazchem"),
        ));
        assert_eq!(status, 403);
        // The head of the department may, for its own sites; not for a site of another sector.
        let head = s.login("yjj_head");
        // A site the head cannot see reads as not found; the office is told why.
        let (status, msg) =
            message(s.post(&head, "/v1/engagements", &body("dept-yjj", fire, "hazchem")));
        assert_eq!(status, 404);
        assert!(msg.contains("未找到场所"), "{msg}");
        let (status, msg) = message(s.post(
            &admin,
            "/v1/engagements",
            &body("dept-yjj", fire, "hazchem"),
        ));
        assert_eq!(status, 422);
        assert!(msg.contains("不属本部门监管"), "{msg}");
        let (status, msg) = message(s.post(
            &head,
            "/v1/engagements",
            &body("dept-yjj", hazchem[0], "fire"),
        ));
        assert_eq!(status, 422, "{msg}");
        let resp = s.post(
            &head,
            "/v1/engagements",
            &body("dept-yjj", hazchem[0], "hazchem"),
        );
        assert_eq!(resp.status(), 201);
        let created: Value = resp.json().unwrap();
        assert_eq!(created["created_by"], "person-yjj_head");
        // A period running backwards, or nobody engaged, is refused.
        let mut bad = body("dept-yjj", hazchem[0], "hazchem");
        bad["end"] = json!(today - Duration::days(1));
        let (status, msg) = message(s.post(&head, "/v1/engagements", &bad));
        assert_eq!(status, 422);
        assert!(msg.contains("结束日期早于开始日期"), "{msg}");
        let mut bad = body("dept-yjj", hazchem[0], "hazchem");
        bad["institution_unit_id"] = json!(null);
        let (_, msg) = message(s.post(&head, "/v1/engagements", &bad));
        assert!(msg.contains("第三方机构或专家"), "{msg}");
        // An expert outside the pool may not be engaged.
        let mut bad = body("dept-yjj", hazchem[0], "hazchem");
        bad["expert_person_ids"] = json!(["person-yjj_inspector"]);
        let (_, msg) = message(s.post(&head, "/v1/engagements", &bad));
        assert!(msg.contains("专家库"), "{msg}");
        // The department sees its engagements; another township none; the audit log has it.
        let list = s.get_json(&head, "/v1/engagements");
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == created["id"]));
        let zz = s.login("zz_head");
        assert!(s
            .get_json(&zz, "/v1/engagements")
            .as_array()
            .unwrap()
            .is_empty());
        let audit = s.get_json(&admin, "/v1/admin/audit?action=engagement_saved");
        assert_eq!(audit[0]["actor"], "yjj_head");

        // The pool expert works at 县应急管理局's hazardous-chemicals sites under its engagement.
        let expert = s.login("expert");
        let mine = sites_of(s, &expert);
        assert!(mine.iter().any(|x| x["industry"] == "hazchem"), "{mine:#?}");
    }
);

both_backends!(
    the_county_office_keeps_the_expert_pool_and_prints_the_annex,
    |s: &TestServer| {
        let admin = s.login("admin");
        let pool = s.get_json(&admin, "/v1/experts");
        assert_eq!(pool.as_array().unwrap().len(), 6);
        let entry = json!({
            "name": "周敏", "employer": "重庆安全技术职业学院", "title": "副教授",
            "specialty": "安全评价与风险分级管控", "industries": ["hazchem", "fire"],
            "phone": "13627334410", "available_from": "2026-01-01", "available_until": "2028-12-31",
        });
        // Only 县安委办 keeps the pool.
        for user in ["zz_head", "yjj_head", "expert"] {
            let t = s.login(user);
            let (status, msg) = message(s.post(&t, "/v1/experts", &entry));
            assert_eq!(status, 403, "{user}");
            assert!(msg.contains("只有县安委办可以维护专家库"), "{msg}");
        }
        let mut bad = entry.clone();
        bad["phone"] = json!("110");
        let (status, msg) = message(s.post(&admin, "/v1/experts", &bad));
        assert_eq!(status, 422);
        assert!(msg.contains("联系电话"), "{msg}");
        let resp = s.post(&admin, "/v1/experts", &entry);
        assert_eq!(resp.status(), 201);
        let created: Value = resp.json().unwrap();
        let id = created["id"].as_str().unwrap();
        let mut changed = entry.clone();
        changed["title"] = json!("教授");
        let resp = s
            .request(reqwest::Method::PUT, &admin, &format!("/v1/experts/{id}"))
            .json(&changed)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let resp = s.post(
            &admin,
            &format!("/v1/experts/{id}/retire"),
            &json!({"reason": "调离本县"}),
        );
        assert_eq!(resp.status(), 200);
        let retired: Value = resp.json().unwrap();
        assert_eq!(retired["title"], "教授");
        assert!(retired["retired_at"].is_string());
        let (status, msg) = message(s.post(
            &admin,
            &format!("/v1/experts/{id}/retire"),
            &json!({"reason": "再次"}),
        ));
        assert_eq!(status, 409, "a conflict with the entry's state");
        assert!(msg.contains("已出库"), "{msg}");
        let audit = s.get_json(&admin, "/v1/admin/audit?action=expert_retired");
        assert_eq!(audit[0]["target"], id);
        // A retired expert is listed last; the expert reads only their own entry.
        let pool = s.get_json(&admin, "/v1/experts");
        assert_eq!(pool.as_array().unwrap().last().unwrap()["id"], id);
        let expert = s.login("expert");
        let own = s.get_json(&expert, "/v1/experts");
        assert_eq!(own.as_array().unwrap().len(), 1);
        assert_eq!(own[0]["name"], "杨帆");
        // The annex: for government staff, not for outsiders.
        let file = s.get(&admin, "/v1/exports/experts.xlsx");
        assert_eq!(file.status(), 200);
        assert!(file.bytes().unwrap().starts_with(b"PK"));
        let t = s.login("thirdparty");
        assert_eq!(s.get(&t, "/v1/exports/experts.xlsx").status(), 403);
    }
);
