//! What the console's office pages need beyond the phone's API: the account list, a 述职's
//! file uploaded and read back in scope, and map points in the tiles' datum — on both
//! backends.

mod common;

use chrono::Datelike;
use common::TestServer;
use serde_json::{json, Value};

both_backends!(accounts_are_listed_for_the_office_only, |s: &TestServer| {
    let admin = s.login("admin");
    let list = s.get_json(&admin, "/v1/admin/accounts");
    let rows = list.as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"admin") && names.contains(&"sb_head"));
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by username");
    assert!(rows.iter().all(|a| a.get("password_hash").is_none()));
    let sb = rows.iter().find(|a| a["username"] == "sb_head").unwrap();
    assert_eq!(sb["disabled"], false);
    // Disabled shows as such; a unit head may not read the list.
    let r = s.post(&admin, "/v1/admin/accounts/sb_head/disable", &json!({}));
    assert_eq!(r.status(), 204);
    let list = s.get_json(&admin, "/v1/admin/accounts");
    let sb = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "sb_head")
        .unwrap()
        .clone();
    assert_eq!(sb["disabled"], true);
    let head = s.login("zz_head");
    let r = s.get(&head, "/v1/admin/accounts");
    assert_eq!(r.status(), 403);
    let body: Value = r.json().unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("县安委办"));
    // The audit log has the action, typed.
    let audit = s.get_json(&admin, "/v1/admin/audit?action=account_disabled");
    assert_eq!(audit[0]["target"], "sb_head");
    assert_eq!(audit[0]["actor"], "admin");
});

fn report(unit: &str, person: &str, name: &str) -> Value {
    let today = chrono::Utc::now().date_naive();
    json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "forum": "unit_meeting",
        "month": format!("{:04}-{:02}", today.year(), today.month()),
        "unit_id": unit,
        "person_id": person,
        "reporter_name": name,
        "topic": "本月安全生产履职情况",
        "reported_on": today.format("%Y-%m-%d").to_string(),
    })
}

fn person_of(s: &TestServer, token: &str) -> (String, String, String) {
    let me = s.get_json(token, "/v1/me");
    (
        me["person"]["id"].as_str().unwrap().to_string(),
        me["person"]["name"].as_str().unwrap().to_string(),
        me["person"]["unit_id"].as_str().unwrap().to_string(),
    )
}

both_backends!(
    a_duty_report_file_is_stored_and_read_in_scope,
    |s: &TestServer| {
        let head = s.login("sb_head");
        let (person, name, unit) = person_of(s, &head);
        let r = report(&unit, &person, &name);
        let id = r["id"].as_str().unwrap().to_string();
        assert_eq!(s.post(&head, "/v1/duty-reports", &r).status(), 201);
        // Files come only through the upload: a report naming one is refused.
        let mut claimed = report(&unit, &person, &name);
        claimed["files"] = json!([{ "sha256": "00".repeat(32), "name": "x.pdf", "content_type": "application/pdf", "size": 1, "uploaded_by": person, "uploaded_at": "2026-11-01T00:00:00Z" }]);
        let resp = s.post(&head, "/v1/duty-reports", &claimed);
        assert_eq!(resp.status(), 422);

        let bytes = "石宝镇11月述职报告：排查隐患12处，已整改10处。"
            .as_bytes()
            .to_vec();
        let upload = |token: &str, id: &str, name: &str, body: Vec<u8>| {
            s.request(
                reqwest::Method::POST,
                token,
                &format!(
                    "/v1/duty-reports/{id}/files?name={}",
                    anjian_server::api::monthly::percent(name)
                ),
            )
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(body)
            .send()
            .unwrap()
        };
        let resp = upload(&head, &id, "述职报告.txt", bytes.clone());
        assert_eq!(resp.status(), 201);
        let file: Value = resp.json().unwrap();
        let sha = file["sha256"].as_str().unwrap().to_string();
        assert_eq!(sha, hex_sha256(&bytes));
        assert_eq!(file["name"], "述职报告.txt");
        assert_eq!(file["size"], bytes.len());
        // The same file again: refused, nothing added.
        assert_eq!(upload(&head, &id, "again.txt", bytes.clone()).status(), 422);

        // Listed with the report; downloadable by the unit and the office.
        let admin = s.login("admin");
        for token in [&head, &admin] {
            let list = s.get_json(token, &format!("/v1/duty-reports?unit={unit}"));
            let got = list
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == id.as_str())
                .unwrap()
                .clone();
            assert_eq!(got["files"].as_array().unwrap().len(), 1);
            let blob = s.get(token, &format!("/v1/blobs/{sha}"));
            assert_eq!(blob.status(), 200);
            assert_eq!(blob.bytes().unwrap().to_vec(), bytes);
        }
        // Another township sees neither the report nor its file, and cannot add to it.
        let other = s.login("zz_head");
        let theirs = s.get_json(&other, "/v1/duty-reports");
        assert!(!theirs
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str()));
        assert_eq!(s.get(&other, &format!("/v1/blobs/{sha}")).status(), 404);
        let resp = upload(&other, &id, "x.txt", b"other".to_vec());
        assert_eq!(resp.status(), 404);
        let body: Value = resp.json().unwrap();
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("未找到"));
        // Bad names and empty files: a Chinese reason, nothing stored.
        for (name, body) in [
            ("", b"x".to_vec()),
            ("../x.txt", b"x".to_vec()),
            ("a.txt", vec![]),
        ] {
            let resp = upload(&head, &id, name, body);
            assert_eq!(resp.status(), 422, "{name:?}");
        }
        let list = s.get_json(&head, &format!("/v1/duty-reports?unit={unit}"));
        let got = list
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.as_str())
            .unwrap()
            .clone();
        assert_eq!(got["files"].as_array().unwrap().len(), 1);
        assert_eq!(s.get(&head, "/v1/duty-reports?year=1999").status(), 422);
    }
);

both_backends!(map_points_follow_the_tiles_datum, true, |s: &TestServer| {
    // 高德 tiles: GCJ-02 points (the variable is read per request; only this test binary's
    // map test sets it, to the same value on both backends).
    std::env::set_var(
        "ANJIAN_MAP_TILES",
        "https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8",
    );
    let admin = s.login("admin");
    let cfg: Value = s
        .client
        .get(s.url("/v1/console/config"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(cfg["map_datum"], "gcj02");
    let sites = s.get_json(&admin, "/v1/sites");
    let ov = s.get_json(&admin, "/v1/console/overview");
    let points = ov["map_sites"].as_array().unwrap();
    assert!(!points.is_empty());
    for m in points {
        let site = sites
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == m["id"])
            .unwrap();
        let (lat, lon) = (
            site["location"]["point"]["lat"].as_f64().unwrap(),
            site["location"]["point"]["lon"].as_f64().unwrap(),
        );
        let (dlat, dlon) = (
            m["lat"].as_f64().unwrap() - lat,
            m["lon"].as_f64().unwrap() - lon,
        );
        // In 忠县 GCJ-02 lies roughly 300–600 m off WGS-84, mostly east.
        assert!(
            dlat.abs() < 0.01 && dlon > 0.001 && dlon < 0.01,
            "{dlat} {dlon}"
        );
    }
});

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

both_backends!(framework_refusals_are_json_in_chinese, |s: &TestServer| {
    let admin = s.login("admin");
    // A JSON body missing a field, and no JSON at all: the API's error body, in Chinese.
    let r = s.post(&admin, "/v1/sync/push", &json!({}));
    assert_eq!(r.status(), 422);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = r.json().unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("请求格式不正确"));
    let r = s
        .request(reqwest::Method::POST, &admin, "/v1/sync/push")
        .body("x")
        .send()
        .unwrap();
    assert_eq!(r.status(), 415);
    let body: Value = r.json().unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("JSON"));
    // A record whose id is blank is refused, not stored under a blank key.
    let r = s.post(
        &admin,
        "/v1/self-assessments",
        &json!({ "id": "\u{c}", "unit_id": "500233107", "month": "2026-10", "score": 90.0,
                 "summary": "自评", "submitted_by": "x", "submitted_at": "2026-11-01T00:00:00Z" }),
    );
    assert_eq!(r.status(), 422);
    // The document says so: every operation with a body lists 415 and 422, secured ones 401.
    let doc: Value = s
        .client
        .get(s.url("/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let push = &doc["paths"]["/v1/sync/push"]["post"]["responses"];
    for code in ["401", "415", "422"] {
        assert!(push.get(code).is_some(), "{code}");
    }
    let people = &doc["components"]["schemas"]["Person"]["required"];
    assert!(people.as_array().unwrap().iter().any(|f| f == "roles"));
});
