//! 扫码入企: a site's code (signed by the county's key, verifiable offline), its sticker, the
//! public page it opens without login (who inspected the site when, on what basis, with what
//! result) and the complaint form (bounded, rate limited), on SQLite and PostgreSQL.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::site_code;
use common::{inspection_ops, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

const SHIBAO_GAS: &str = "site-07-03";
const SHIBAO: &str = "500233107";

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn post_form(s: &TestServer, path: &str, body: String) -> (StatusCode, String) {
    let r = reqwest::blocking::Client::new()
        .post(s.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap();
    (r.status(), r.text().unwrap())
}

both_backends!(
    a_site_code_opens_the_enterprise_view_and_takes_complaints,
    |s: &TestServer| {
        let sb = s.login("sb_inspector");
        // The county's key and the site's code: the code verifies offline with the key.
        let key = s.get_json(&sb, "/v1/site-code/key");
        assert_eq!(key["algorithm"], "ed25519");
        let public = site_code::public_key_from_hex(key["public_key"].as_str().unwrap()).unwrap();
        let code: Value = s.get_json(&sb, &format!("/v1/sites/{SHIBAO_GAS}/code"));
        let text = code["text"].as_str().unwrap();
        assert_eq!(site_code::verify(&public, text).unwrap(), SHIBAO_GAS);
        assert!(
            code["svg"].as_str().unwrap().contains("<svg"),
            "a sticker picture"
        );
        // Another township's site is not in the inspector's scope: no code for it.
        assert_eq!(s.get(&sb, "/v1/sites/site-00-00/code").status(), 404);

        // The township inspector patrols the site (巡查报告), finds one problem, finishes.
        let (ops, _, _) = inspection_ops(
            SHIBAO_GAS,
            SHIBAO,
            Industry::Gas,
            InspectionKind::RoutineCheck,
            "GAS-007",
        );
        let results = s.push(&sb, &ops);
        assert!(
            results.iter().all(|r| r["status"] == "applied"),
            "{results:#?}"
        );

        // Anyone scanning the code sees the visit without logging in.
        let path = text
            .split_once("/q/")
            .map(|(_, p)| format!("/q/{p}"))
            .unwrap();
        let page = reqwest::blocking::get(s.url(&path)).unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().unwrap();
        assert!(html.contains("入企检查记录"), "{html}");
        assert!(html.contains("巡查报告（排查）"), "{html}");
        assert!(html.contains("石宝镇"), "the inspecting unit: {html}");
        assert!(html.contains("发现问题 1 项"), "{html}");
        assert!(html.contains("<form method=\"post\""), "{html}");
        // A forged or altered code opens nothing.
        let forged = path.replace(SHIBAO_GAS, "site-07-04");
        let r = reqwest::blocking::get(s.url(&forged)).unwrap();
        assert_eq!(r.status(), 404);
        assert!(r.text().unwrap().contains("场所码无效"));

        // A complaint: empty and overlong ones are refused, five an hour from one address.
        let (status, html) = post_form(s, &path, form(&[("text", "  ")]));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请填写投诉内容"));
        let long = "查".repeat(501);
        let (status, _) = post_form(s, &path, form(&[("text", &long)]));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for n in 0..5 {
            let (status, html) = post_form(
                s,
                &path,
                form(&[
                    ("text", &format!("检查人员未出示执法证件（{n}）")),
                    ("contact", "13900000000"),
                ]),
            );
            assert_eq!(status, StatusCode::CREATED, "{html}");
            assert!(html.contains("投诉已收到"));
        }
        let (status, html) = post_form(s, &path, form(&[("text", "再次投诉")]));
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(html.contains("提交过于频繁"));
        let (status, _) = post_form(s, &forged, form(&[("text", "伪造")]));
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The county reads the complaints; the township does not.
        let admin = s.login("admin");
        let list = s.get_json(&admin, "/v1/complaints");
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 5);
        assert_eq!(list[0]["site_id"], SHIBAO_GAS);
        assert_eq!(list[0]["contact"], "13900000000");
        assert_eq!(s.get(&sb, "/v1/complaints").status(), 403);
    }
);

/// Pushes the start of a visit of `site` by the caller with `participants`, from `complaint`.
fn start_from(
    s: &TestServer,
    token: &str,
    site: &str,
    industry: Industry,
    complaint: &str,
) -> (String, Value) {
    let id = uuid::Uuid::now_v7().to_string();
    let insp = anjian_domain::inspection::Inspection::start(
        id.clone(),
        InspectionKind::RoutineCheck,
        site,
        anjian_domain::checklist::compiled_for(industry),
        common::device_actor(),
        common::colleague_for(industry),
        chrono::Utc::now(),
    )
    .unwrap();
    let mut payload = serde_json::to_value(&insp).unwrap();
    payload["complaint_id"] = complaint.into();
    let r = s
        .push(token, &[common::op("inspection", &id, "start", payload)])
        .remove(0);
    (id, r)
}

both_backends!(
    a_complaint_handed_over_to_a_body_starts_its_administrative_inspection,
    |s: &TestServer| {
        // Someone reports a hazard through the gas station's code.
        let admin = s.login("admin");
        let code: Value = s.get_json(&admin, &format!("/v1/sites/{SHIBAO_GAS}/code"));
        let path = code["text"]
            .as_str()
            .unwrap()
            .split_once("/q/")
            .map(|(_, p)| format!("/q/{p}"))
            .unwrap();
        let (status, _) = post_form(
            s,
            &path,
            form(&[("text", "站内液化气钢瓶堆放在地下室，无人看管")]),
        );
        assert_eq!(status, StatusCode::CREATED);
        let list = s.get_json(&admin, "/v1/complaints");
        let id = list[0]["id"].as_str().unwrap().to_string();
        let assign = |token: &str, unit: &str| {
            s.post(
                token,
                &format!("/v1/complaints/{id}/assign"),
                &serde_json::json!({ "unit_id": unit }),
            )
        };

        // Only 县安委办 hands it over, and only to a body with powers over the site.
        let zjw = s.login("zjw_inspector");
        assert_eq!(assign(&zjw, "dept-zjw").status(), 403);
        // The office is offered exactly the bodies the hand-over accepts.
        let bodies_path = format!("/v1/complaints/{id}/bodies");
        assert_eq!(s.get(&zjw, &bodies_path).status(), 403);
        let bodies = s.get_json(&admin, &bodies_path);
        let offered: Vec<&str> = bodies
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect();
        assert!(offered.contains(&"dept-zjw"), "{offered:?}");
        assert!(!offered.contains(&"dept-mzj"), "{offered:?}");
        assert_eq!(s.get(&admin, "/v1/complaints/no-such/bodies").status(), 404);
        let r = assign(&admin, "dept-mzj");
        assert_eq!(r.status(), 422);
        assert!(r.text().unwrap().contains("没有行政执法权"));
        assert_eq!(assign(&admin, "no-such-unit").status(), 404);
        // Before it is handed over, no inspection can be made from it.
        let (_, r) = start_from(s, &zjw, SHIBAO_GAS, Industry::Gas, &id);
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert_eq!(r["reason"], "该投诉举报未交办给本单位，不能据此检查");
        let r = assign(&admin, "dept-zjw");
        assert_eq!(r.status(), 200);
        let assigned: Value = r.json().unwrap();
        assert_eq!(assigned["assigned_unit_id"], "dept-zjw");
        assert_eq!(assigned["assigned_by"], "赵敏");

        // The body's phones pull it; the township's do not.
        let pulled = |token: &str| {
            s.pull_all(token, 1000)
                .iter()
                .any(|c| c["entity"] == "complaint" && c["entity_id"] == id.as_str())
        };
        assert!(pulled(&zjw));
        assert!(!pulled(&s.login("sb_inspector")));

        // 县住房城乡建委's 行政检查 from it is applied with the complaint as its source; a
        // made-up complaint, or one about another site, is refused.
        let (insp_id, r) = start_from(s, &zjw, SHIBAO_GAS, Industry::Gas, &id);
        assert_eq!(r["status"], "applied", "{r:#}");
        let stored = s
            .get_json(&zjw, "/v1/inspections")
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == insp_id.as_str())
            .cloned()
            .unwrap();
        assert_eq!(stored["complaint_id"], id.as_str());
        assert_eq!(stored["activity"], "administrative_inspection");
        // The county follows it up through that inspection; it can no longer go elsewhere.
        let list = s.get_json(&admin, "/v1/complaints");
        let row = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id.as_str())
            .unwrap();
        assert_eq!(
            row["follow_up"]["inspection_id"],
            insp_id.as_str(),
            "{row:#}"
        );
        assert_eq!(row["follow_up"]["unit_id"], "dept-zjw");
        let r = assign(&admin, "dept-zjw");
        assert_eq!(r.status(), 422);
        assert!(r.text().unwrap().contains("已据此投诉举报开始行政检查"));
        let (_, r) = start_from(s, &zjw, SHIBAO_GAS, Industry::Gas, "made-up");
        assert_eq!(r["reason"], "该投诉举报不存在或不是对本场所的投诉举报");
        let (_, r) = start_from(s, &zjw, "site-08-02", Industry::Gas, &id);
        assert_eq!(r["status"], "rejected", "{r:#}");
    }
);
