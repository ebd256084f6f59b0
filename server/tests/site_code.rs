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
