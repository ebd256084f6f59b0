//! The web console's reads (`/v1/console/...`) and how the server serves the console itself,
//! against the demo county with its activity, on both backends.

mod common;

use chrono::Datelike;
use common::TestServer;
use serde_json::Value;

fn total(s: &TestServer, token: &str, query: &str) -> u64 {
    s.get_json(token, &format!("/v1/console/ledger?{query}"))["total"]
        .as_u64()
        .unwrap()
}

both_backends!(ledger_filters_pages_and_scopes, true, |s: &TestServer| {
    let admin = s.login("admin");
    let all: Vec<Value> = s
        .get_json(&admin, "/v1/hazards")
        .as_array()
        .unwrap()
        .clone();
    assert!(!all.is_empty());
    // The whole ledger, paged: the same lines as the phone's ledger read.
    assert_eq!(total(&s, &admin, "size=5"), all.len() as u64);
    let page = s.get_json(&admin, "/v1/console/ledger?size=5&page=2");
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        5.min(all.len().saturating_sub(5))
    );
    // Filters agree with counting the full ledger by hand.
    let open = all.iter().filter(|h| h["status"] != "closed").count() as u64;
    assert_eq!(total(&s, &admin, "status=open"), open);
    let major = all.iter().filter(|h| h["level"] == "major").count() as u64;
    assert_eq!(total(&s, &admin, "level=major"), major);
    let overdue = all.iter().filter(|h| h["overdue"] == true).count() as u64;
    assert_eq!(total(&s, &admin, "overdue=true"), overdue);
    let shibao = all
        .iter()
        .filter(|h| h["rectifying_unit_id"] == "500233107")
        .count() as u64;
    assert_eq!(total(&s, &admin, "unit=500233107"), shibao);
    // Sorted by number, descending.
    let items = s.get_json(&admin, "/v1/console/ledger?sort=number&desc=true&size=500")["items"]
        .as_array()
        .unwrap()
        .clone();
    let numbers: Vec<&str> = items
        .iter()
        .map(|r| r["number"].as_str().unwrap())
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(numbers, sorted);
    // Joined names are there.
    assert!(items
        .iter()
        .any(|r| r["site_name"].is_string() && r["township_name"].is_string()));
    // A township head sees only what is the township's.
    let head = s.login("sb_head");
    let mine = s.get_json(&head, "/v1/console/ledger?size=500");
    let theirs = s.get_json(&head, "/v1/hazards");
    assert_eq!(
        mine["total"].as_u64().unwrap(),
        theirs.as_array().unwrap().len() as u64
    );
    assert!(mine["total"].as_u64().unwrap() < all.len() as u64);
    // Bad input gets a Chinese reason.
    for q in [
        "level=huge",
        "status=nope",
        "page=0",
        "size=10000",
        "sort=colour",
        "from=2026-11-02&to=2026-11-01",
        "kind=walk",
    ] {
        let resp = s.get(&admin, &format!("/v1/console/ledger?{q}"));
        assert!(resp.status().is_client_error(), "{q}: {}", resp.status());
        let body: Value = resp.json().unwrap();
        let msg = body["error"]["message"].as_str().unwrap_or("");
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{q}: {msg}"
        );
    }
    // Without a token: 401.
    let resp = s.client.get(s.url("/v1/console/ledger")).send().unwrap();
    assert_eq!(resp.status(), 401);
});

both_backends!(
    ledger_export_is_the_filtered_ledger,
    true,
    |s: &TestServer| {
        let admin = s.login("admin");
        let n = total(&s, &admin, "level=major");
        let resp = s.get(&admin, "/v1/console/ledger.xlsx?level=major");
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        let rows = xml.matches("<row ").count() as u64;
        // Title and header rows, then one row per hazard.
        assert!(rows >= n && rows <= n + 4, "{rows} rows for {n} hazards");
    }
);

both_backends!(overview_counts_in_scope, true, |s: &TestServer| {
    let admin = s.login("admin");
    let all: Vec<Value> = s
        .get_json(&admin, "/v1/hazards")
        .as_array()
        .unwrap()
        .clone();
    let ov = s.get_json(&admin, "/v1/console/overview");
    let open = all.iter().filter(|h| h["status"] != "closed").count() as u64;
    assert_eq!(ov["open"].as_u64().unwrap(), open);
    let units = ov["units"].as_array().unwrap();
    assert_eq!(units.len(), 28 + 17, "every township and department");
    let sum: u64 = units.iter().map(|u| u["open"].as_u64().unwrap()).sum();
    assert_eq!(sum, open);
    assert_eq!(ov["trend"].as_array().unwrap().len(), 12);
    assert!(!ov["map_townships"].as_array().unwrap().is_empty());
    let sites_open: u64 = ov["map_sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["open"].as_u64().unwrap())
        .sum();
    assert!(sites_open <= open && sites_open > 0);
    // A township head gets its own line only.
    let head = s.login("sb_head");
    let mine = s.get_json(&head, "/v1/console/overview");
    let lines = mine["units"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["unit_id"], "500233107");
    assert_eq!(
        s.get(&admin, "/v1/console/overview?month=2026-13").status(),
        422
    );
});

both_backends!(
    hazard_evidence_follows_the_hazard,
    true,
    |s: &TestServer| {
        let admin = s.login("admin");
        let all: Vec<Value> = s
            .get_json(&admin, "/v1/hazards")
            .as_array()
            .unwrap()
            .clone();
        let mut found = 0;
        for h in &all {
            let id = h["id"].as_str().unwrap();
            let ev = s.get_json(&admin, &format!("/v1/console/hazards/{id}/evidence"));
            for e in ev.as_array().unwrap() {
                found += 1;
                assert!(e["sha256"].as_str().unwrap().len() == 64);
            }
            if found > 0 {
                // Someone outside the hazard's scope gets 404, not its photos.
                let other = s.login("zz_head");
                if !s
                    .get_json(&other, "/v1/hazards")
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == id)
                {
                    assert_eq!(
                        s.get(&other, &format!("/v1/console/hazards/{id}/evidence"))
                            .status(),
                        404
                    );
                }
                break;
            }
        }
        assert!(found > 0, "the demo's hazards have photos");
    }
);

both_backends!(console_is_served_with_a_strict_policy, |s: &TestServer| {
    let resp = s.client.get(s.url("/hazards/some-id")).send().unwrap();
    // The built console (or, without one, a Chinese explanation) for the app's own routes.
    let status = resp.status().as_u16();
    assert!(status == 200 || status == 503, "{status}");
    if status == 200 {
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let html = resp.text().unwrap();
        assert!(html.contains("<div id=\"app\">"));
        assert!(!html.contains("<script>"), "no inline script");
    }
    // Unknown API paths stay JSON 404s; a missing asset is a 404 too.
    let resp = s.client.get(s.url("/v1/no-such-thing")).send().unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().unwrap();
    assert!(body["error"]["message"].is_string());
    assert_eq!(
        s.client
            .get(s.url("/assets/missing-123.js"))
            .send()
            .unwrap()
            .status(),
        404
    );
    // The console's settings need no sign-in.
    let cfg: Value = s
        .client
        .get(s.url("/v1/console/config"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(cfg.as_object().unwrap().contains_key("map_tiles"));
    // The new reads are in the OpenAPI document.
    let doc: Value = s
        .client
        .get(s.url("/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    for p in [
        "/v1/console/ledger",
        "/v1/console/ledger.xlsx",
        "/v1/console/overview",
        "/v1/console/hazards/{id}/evidence",
        "/v1/console/config",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
});

both_backends!(publishing_freezes_a_month_once, true, |s: &TestServer| {
    let admin = s.login("admin");
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let this = today.format("%Y-%m").to_string();
    let last = (today.with_day(1).unwrap() - chrono::Duration::days(1))
        .format("%Y-%m")
        .to_string();
    let post = |token: &str, path: &str| s.post(token, path, &serde_json::json!({}));
    // Not before the month is over; not by a unit; only once.
    let resp = post(&admin, &format!("/v1/assessments/{this}/publish"));
    assert_eq!(resp.status(), 422);
    assert!(resp.json::<Value>().unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("尚未结束"));
    let head = s.login("sb_head");
    assert_eq!(
        post(&head, &format!("/v1/assessments/{last}/publish")).status(),
        403
    );
    assert_eq!(
        s.get(&admin, &format!("/v1/assessments/{last}/published"))
            .status(),
        404
    );
    let live = s.get_json(&admin, &format!("/v1/assessments/{last}"));
    let resp = post(&admin, &format!("/v1/assessments/{last}/publish"));
    assert_eq!(resp.status(), 201);
    let frozen = s.get_json(&admin, &format!("/v1/assessments/{last}/published"));
    assert_eq!(frozen["assessment"]["scores"], live["scores"]);
    assert_eq!(frozen["published_by_name"], "赵敏");
    let again = post(&admin, &format!("/v1/assessments/{last}/publish"));
    assert_eq!(again.status(), 409);
    assert!(again.json::<Value>().unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不能重复发布"));
    // A township sees its own line of the frozen scores; the list names the month.
    let mine = s.get_json(&head, &format!("/v1/assessments/{last}/published"));
    let lines = mine["assessment"]["scores"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["unit_id"], "500233107");
    let list = s.get_json(&head, "/v1/assessments/published");
    assert_eq!(list[0]["month"], last.as_str());
    // The frozen copy is never in a phone's pull.
    let changes = s.pull_all(&admin, 500);
    assert!(changes
        .iter()
        .all(|c| c["entity"] != "assessment_publication"));
});
