//! Issue 11 outside the sync push: hostile spreadsheets and TOML, login floods and
//! throttling without enumeration or lockout by strangers, timeouts, upload quotas, account
//! rules and administration, the audit log, leaks (phones, notices, health, metrics) and
//! security headers. Each test reproduces a finding and checks the fix.

mod common;

use std::io::{Read, Write};

use common::{client_from, healthy, login_from, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const SHIBAO_GAS: &str = "site-07-03";
const ZHONGZHOU: &str = "500233001";
const SHIBAO: &str = "500233107";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn import(s: &TestServer, token: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = s
        .request(Method::POST, token, "/v1/admin/sites/import")
        .header("Content-Type", XLSX)
        .body(bytes)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap())
}

fn header_row(ws: &mut rust_xlsxwriter::Worksheet) {
    for (c, h) in ["名称", "行业", "纬度", "经度", "半径（米）", "属地乡镇"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
}

/// The bytes of a zip with these entries (stored deflated).
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
    out.into_inner()
}

/// The entries of an xlsx, to rebuild it with one part replaced.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().to_string(), v)
        })
        .collect()
}

both_backends!(
    hostile_spreadsheets_are_refused_cheaply,
    |s: &TestServer| {
        let admin = s.login("admin");
        // One cell at the sheet's last address (XFD1048576): the whole grid was once allocated
        // (549 GB) and the process died. Now: refused by its row number, nothing allocated.
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        header_row(ws);
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        let far = book.save_to_buffer().unwrap();
        assert!(far.len() < 16 * 1024, "a small file: {}", far.len());
        let (status, report) = import(s, &admin, far);
        assert_eq!(status, 422, "{report}");
        assert_eq!(report["imported"], 0);
        assert!(
            report["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("行"),
            "{report}"
        );
        healthy(s);

        // A zip bomb: the sheet's part inflates to 200 MB of whitespace (a legal XML document).
        let mut book = rust_xlsxwriter::Workbook::new();
        header_row(book.add_worksheet());
        let parts = unzip(&book.save_to_buffer().unwrap());
        let mut padded = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>".to_vec();
        padded.resize(200 * 1024 * 1024, b' ');
        padded.extend_from_slice(b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData/></worksheet>");
        let entries: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, b)| {
                if n == "xl/worksheets/sheet1.xml" {
                    (n.as_str(), padded.as_slice())
                } else {
                    (n.as_str(), b.as_slice())
                }
            })
            .collect();
        let bomb = zip_of(&entries);
        assert!(bomb.len() < 2 * 1024 * 1024, "bomb is {} bytes", bomb.len());
        let (status, report) = import(s, &admin, bomb);
        assert_eq!(status, 422, "{report}");
        let message = report["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("解压后过大"), "{message}");
        assert!(report.to_string().len() < 4096, "a short answer");
        healthy(s);

        // Many bad rows: the error list stops at 100 lines and counts the rest.
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        header_row(ws);
        for r in 1..=300u32 {
            for (c, v) in ["某厂", "面包", "30.2", "107.9", "", "马灌镇"]
                .iter()
                .enumerate()
            {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
        let (status, report) = import(s, &admin, book.save_to_buffer().unwrap());
        assert_eq!(status, 422);
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 101, "100 listed and one line for the rest");
        assert!(errors[100]["message"].as_str().unwrap().contains("200"));

        // Too many rows.
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        header_row(ws);
        ws.write_string(6000, 0, "某厂").unwrap();
        let (status, report) = import(s, &admin, book.save_to_buffer().unwrap());
        assert_eq!(status, 422);
        assert!(report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("5000"));
        // Nothing was imported by any of these, and the office's own sheet still works.
        let audit = s.get_json(&admin, "/v1/admin/audit?action=sites_imported");
        assert!(audit.as_array().unwrap().is_empty());
    }
);

both_backends!(hostile_checklist_toml_is_bounded, |s: &TestServer| {
    let admin = s.login("admin");
    let publish = |body: String| {
        s.request(Method::POST, &admin, "/v1/admin/checklists")
            .header("content-type", "application/toml")
            .body(body)
            .send()
            .unwrap()
    };
    let huge = format!("industry = \"gas\"\nname = \"{}\"\n", "长".repeat(300_000));
    let r = publish(huge);
    assert_eq!(r.status(), 422);
    assert!(r.text().unwrap().contains("过大"));
    let deep = format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let r = publish(deep);
    assert_eq!(r.status(), 422, "deep nesting is an error, not a crash");
    healthy(s);
});

both_backends_configured!(
    login_throttling_tells_nothing_and_strangers_cannot_lock_the_owner_out,
    |c: &mut anjian_server::Config| {
        c.login_limits.per_address = 12;
    },
    |s: &TestServer| {
        // A known and an unknown username get the same answers, attempt by attempt.
        let stranger = client_from("127.0.0.2");
        let answers = |user: &str| -> Vec<(u16, String)> {
            (0..7)
                .map(|_| {
                    let (status, body) = login_from(s, &stranger, user, "wrong-password-1");
                    (
                        status,
                        body["error"]["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        };
        let known = answers("sb_head");
        let unknown = answers("no_such_user");
        assert_eq!(known, unknown);
        assert_eq!(known[0], (401, "unauthorized".to_string()));
        assert_eq!(known[6].0, 429, "{known:?}");
        // The owner, elsewhere, is not locked out; the right password still works for them.
        let (status, _) = login_from(s, &s.client, "sb_head", "anjian-demo");
        assert_eq!(status, 200);
        // Spraying one password over many usernames from one address stops.
        let sprayer = client_from("127.0.0.3");
        let statuses: Vec<u16> = (0..14)
            .map(|n| login_from(s, &sprayer, &format!("user{n}"), "anjian-demo").0)
            .collect();
        assert_eq!(statuses[..12], [401; 12]);
        assert_eq!(statuses[12], 429, "{statuses:?}");
        // Even a right password waits at a held address.
        assert_eq!(login_from(s, &sprayer, "admin", "anjian-demo").0, 429);
        // Usernames are matched normalised: `Admin` and full-width letters are `admin`.
        assert_eq!(login_from(s, &s.client, "Admin", "anjian-demo").0, 200);
        assert_eq!(login_from(s, &s.client, "ＡＤＭＩＮ", "anjian-demo").0, 200);
        // Everything was audited, with the address; and lockouts too.
        let admin = s.login("admin");
        let failed = s.get_json(
            &admin,
            "/v1/admin/audit?action=login_failed&username=sb_head",
        );
        let failed = failed.as_array().unwrap();
        assert_eq!(failed.len(), 5, "{failed:?}");
        assert_eq!(failed[0]["client"], "127.0.0.2");
        let lockouts = s.get_json(&admin, "/v1/admin/audit?action=lockout");
        let who: Vec<&str> = lockouts
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["target"].as_str().unwrap())
            .collect();
        assert!(
            who.contains(&"sb_head") && who.contains(&"no_such_user"),
            "{who:?}"
        );
        let ok = s.get_json(&admin, "/v1/admin/audit?action=login_ok&username=admin");
        assert!(!ok.as_array().unwrap().is_empty());
        // Only 县安委办 reads the audit log.
        let zz = s.login("zz_head");
        assert_eq!(s.get(&zz, "/v1/admin/audit").status(), 403);
    }
);

fn new_person(
    s: &TestServer,
    admin: &str,
    username: &str,
    password: &str,
    phone: &str,
) -> (u16, String) {
    let id = format!("person-test-{}", uuid::Uuid::now_v7().simple());
    let r = s.post(
        admin,
        "/v1/admin/people",
        &json!({
            "person": {
                "id": id, "name": "测试人员", "unit_id": SHIBAO, "roles": ["inspector"],
                "industries": [], "portfolio": null, "phone": phone
            },
            "username": username,
            "password": password,
        }),
    );
    let status = r.status().as_u16();
    (status, r.text().unwrap())
}

both_backends!(account_rules_and_administration, |s: &TestServer| {
    let admin = s.login("admin");
    // Weak passwords are refused with the reason; nothing is created.
    for (password, why) in [
        ("        ", "至少"),
        ("            ", "空格"),
        ("12345678", "至少"),
        ("1234567890", "常见"),
        ("wang_qiang1", "用户名"),
        ("aaaaaaaaaaaa", "简单"),
    ] {
        let (status, body) = new_person(s, &admin, "wang_qiang1", password, "13800000001");
        assert_eq!(status, 422, "{password:?}: {body}");
        assert!(body.contains(why), "{password:?}: {body}");
    }
    // Look-alike usernames are refused or are the same account.
    for (username, why) in [
        ("Admin", "已存在"),
        ("\u{0430}dmin", "混淆"),
        ("adm\u{200B}in", "不可见"),
        ("ＳＢ_ＨＥＡＤ", "已存在"),
    ] {
        let (status, body) = new_person(s, &admin, username, "县里的新密码2026", "13800000001");
        assert_eq!(status, 422, "{username:?}: {body}");
        assert!(body.contains(why), "{username:?}: {body}");
    }
    let (status, body) = new_person(s, &admin, "Wang_Qiang1", "县里的新密码2026", "13800000001");
    assert_eq!(status, 201, "{body}");
    let login = |user: &str, pw: &str| login_from(s, &s.client, user, pw);
    let (status, body) = login("wang_qiang1", "县里的新密码2026");
    assert_eq!(status, 200);
    let phone_token = body["token"].as_str().unwrap().to_string();
    let (_, body) = login("wang_qiang1", "县里的新密码2026");
    let laptop_token = body["token"].as_str().unwrap().to_string();

    // Own password change: the old password is required, the rules apply, other sessions end.
    let change = |token: &str, old: &str, new: &str| {
        s.post(
            token,
            "/v1/auth/password",
            &json!({"old_password": old, "new_password": new}),
        )
        .status()
        .as_u16()
    };
    assert_eq!(
        change(&laptop_token, "not-the-password", "另一个密码2026年"),
        403
    );
    assert_eq!(change(&laptop_token, "县里的新密码2026", "12345678"), 422);
    assert_eq!(
        change(&laptop_token, "县里的新密码2026", "另一个密码2026年"),
        204
    );
    assert_eq!(
        s.get(&phone_token, "/v1/me").status(),
        401,
        "the other session ended"
    );
    assert_eq!(
        s.get(&laptop_token, "/v1/me").status(),
        200,
        "this one stays"
    );
    assert_eq!(login("wang_qiang1", "县里的新密码2026").0, 401);
    let (_, body) = login("wang_qiang1", "另一个密码2026年");
    let phone_token = body["token"].as_str().unwrap().to_string();

    // End my other sessions.
    let r = s.post(&laptop_token, "/v1/auth/logout-others", &json!({}));
    assert_eq!(r.json::<Value>().unwrap()["ended"], 1);
    assert_eq!(s.get(&phone_token, "/v1/me").status(), 401);
    assert_eq!(s.get(&laptop_token, "/v1/me").status(), 200);

    // Only 县安委办 administers accounts.
    let zz = s.login("zz_head");
    for path in [
        "/v1/admin/accounts/wang_qiang1/disable",
        "/v1/admin/accounts/wang_qiang1/revoke-sessions",
    ] {
        assert_eq!(s.post(&zz, path, &json!({})).status(), 403);
    }
    // Disable: sessions end now, login is refused; enable again.
    assert_eq!(
        s.post(&admin, "/v1/admin/accounts/wang_qiang1/disable", &json!({}))
            .status(),
        204
    );
    assert_eq!(s.get(&laptop_token, "/v1/me").status(), 401);
    let (status, body) = login("wang_qiang1", "另一个密码2026年");
    assert_eq!(status, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains("停用"));
    assert_eq!(
        login("wang_qiang1", "wrong-password-9").0,
        401,
        "no hint without the password"
    );
    assert_eq!(
        s.post(&admin, "/v1/admin/accounts/wang_qiang1/enable", &json!({}))
            .status(),
        204
    );
    let (status, body) = login("wang_qiang1", "另一个密码2026年");
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap().to_string();
    // Reset by the office: the rules apply; sessions end; the new password works.
    let reset = |pw: &str| {
        s.post(
            &admin,
            "/v1/admin/accounts/wang_qiang1/password",
            &json!({"new_password": pw}),
        )
        .status()
    };
    assert_eq!(reset("password123"), 422);
    assert_eq!(reset("重置后的密码2026"), 204);
    assert_eq!(s.get(&token, "/v1/me").status(), 401);
    let (status, body) = login("wang_qiang1", "重置后的密码2026");
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap().to_string();
    // Revoke a user's sessions.
    let r = s.post(
        &admin,
        "/v1/admin/accounts/wang_qiang1/revoke-sessions",
        &json!({}),
    );
    assert_eq!(r.json::<Value>().unwrap()["ended"], 1);
    assert_eq!(s.get(&token, "/v1/me").status(), 401);
    assert_eq!(
        s.post(&admin, "/v1/admin/accounts/nobody_here/disable", &json!({}))
            .status(),
        404
    );
    assert_eq!(
        s.post(&admin, "/v1/admin/accounts/admin/disable", &json!({}))
            .status(),
        422,
        "not oneself"
    );
    // The audit log has each step, newest first.
    let log = s.get_json(&admin, "/v1/admin/audit?username=wang_qiang1&limit=1000");
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "account_created",
        "login_ok",
        "login_failed",
        "password_changed",
        "sessions_revoked",
        "account_disabled",
        "login_disabled",
        "account_enabled",
        "password_reset",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert_eq!(actions[0], "sessions_revoked");
    let paged = s.get_json(
        &admin,
        &format!(
            "/v1/admin/audit?username=wang_qiang1&before={}&limit=2",
            log[0]["id"]
        ),
    );
    assert_eq!(paged.as_array().unwrap().len(), 2);
    assert_eq!(paged[0]["id"], log[1]["id"]);
});

both_backends!(
    phones_and_notices_stay_with_those_who_need_them,
    |s: &TestServer| {
        let admin = s.login("admin");
        let (status, body) = new_person(
            s,
            &admin,
            "sb_inspector2",
            "县里的新密码2026",
            "13800001234",
        );
        assert_eq!(status, 201, "{body}");
        let phone_of = |token: &str| -> Option<String> {
            s.get_json(token, "/v1/people")
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "测试人员")
                .and_then(|p| p["phone"].as_str().map(str::to_string))
        };
        assert_eq!(phone_of(&admin).as_deref(), Some("13800001234"));
        let colleague = s.login("sb_inspector");
        assert_eq!(phone_of(&colleague).as_deref(), Some("13800001234"));
        for outsider in ["site_contact", "thirdparty", "expert", "zz_head"] {
            let token = s.login(outsider);
            assert_eq!(phone_of(&token), None, "{outsider} sees the phone");
            // The names are there, the numbers are not.
            let people = s.get_json(&token, "/v1/people");
            let phones = people
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| !p["phone"].is_null())
                .count();
            if outsider != "zz_head" {
                assert!(phones <= 1, "{outsider}: {phones} phones");
            }
        }
        // A safety contact of a site in 石宝镇 with a phone: the township's staff need it;
        // another township's, enterprises and third parties do not.
        let r = s.post(
            &admin,
            "/v1/admin/people",
            &json!({
                "person": {
                    "id": "person-test-contact", "name": "测试联系人", "unit_id": SHIBAO_GAS,
                    "roles": ["site_contact"], "industries": [], "portfolio": null,
                    "phone": "13800005678"
                },
                "username": "sb_gas_contact",
                "password": "县里的新密码2026",
            }),
        );
        assert_eq!(r.status(), 201, "{}", r.text().unwrap());
        // Each principal gets the same phone numbers from `GET /v1/people` and from the
        // person records of a sync pull.
        let seen = |token: &str| -> std::collections::BTreeMap<String, Option<String>> {
            let from_people: std::collections::BTreeMap<_, _> = s
                .get_json(token, "/v1/people")
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["phone"].as_str().map(str::to_string),
                    )
                })
                .collect();
            let from_pull: std::collections::BTreeMap<_, _> = s
                .pull_all(token, 500)
                .iter()
                .filter(|c| c["entity"] == "person")
                .map(|c| {
                    let p = &c["data"];
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["phone"].as_str().map(str::to_string),
                    )
                })
                .collect();
            assert_eq!(from_people, from_pull, "people and pull differ");
            assert!(
                from_people.len() >= 16,
                "names stay visible: {}",
                from_people.len()
            );
            from_people
        };
        let phone = |who: &str, whose: &str| seen(&s.login(who))[whose].clone();
        for who in ["admin", "xianzhang", "sb_inspector", "sb_head"] {
            assert_eq!(
                phone(who, "测试人员").as_deref(),
                Some("13800001234"),
                "{who}"
            );
            assert_eq!(
                phone(who, "测试联系人").as_deref(),
                Some("13800005678"),
                "{who}"
            );
        }
        for who in ["zz_head", "yjj_inspector"] {
            assert_eq!(phone(who, "测试人员"), None, "{who}");
            assert_eq!(phone(who, "测试联系人"), None, "{who}");
        }
        for who in ["site_contact", "thirdparty", "expert"] {
            let all = seen(&s.login(who));
            assert!(all.values().all(Option::is_none), "{who}: {all:?}");
        }
        let (status, body) = login_from(s, &s.client, "sb_gas_contact", "县里的新密码2026");
        assert_eq!(status, 200, "{body}");
        let own = seen(body["token"].as_str().unwrap());
        assert_eq!(own["测试联系人"].as_deref(), Some("13800005678"));
        assert_eq!(own["测试人员"], None, "a contact reads no official's phone");
        // The office's notices: not for enterprises, third parties or experts.
        for outsider in ["site_contact", "thirdparty", "expert"] {
            let token = s.login(outsider);
            for file in ["assessment-notice.docx", "patrol-notice.docx"] {
                let r = s.get(&token, &format!("/v1/exports/{file}"));
                assert_eq!(r.status(), 403, "{outsider} {file}");
            }
        }
        let zz = s.login("zz_head");
        assert_eq!(s.get(&zz, "/v1/exports/patrol-notice.docx").status(), 200);
        // Planning a patrol at another township's site: the same answer as for no such site.
        let patrol = s.login("zz_patrol");
        let plan = |site: &str| {
            let r = s.post(
                &patrol,
                "/v1/patrols",
                &json!({"title": "暗访", "team": [], "site_ids": [site],
                    "window_start": "2026-11-01", "window_end": "2026-11-30"}),
            );
            let status = r.status().as_u16();
            (
                status,
                r.json::<Value>().unwrap()["error"]["message"].clone(),
            )
        };
        let (status, message) = plan(SHIBAO_GAS);
        assert_eq!(status, 404);
        assert_eq!(message, format!("未找到场所：{SHIBAO_GAS}"));
        assert_eq!(plan("site-99-99").0, 404);
        let own = s.get_json(&patrol, &format!("/v1/sites?township={ZHONGZHOU}"));
        assert_eq!(plan(own[0]["id"].as_str().unwrap()).0, 201);
    }
);

both_backends!(health_metrics_and_security_headers, |s: &TestServer| {
    let r = s.client.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().unwrap(),
        json!({"status": "ok"}),
        "a bare liveness answer"
    );
    assert_eq!(
        s.client.get(s.url("/metrics")).send().unwrap().status(),
        401
    );
    let r = s
        .client
        .get(s.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(s.change_seq() > 0, "with the token");
    let login = s
        .client
        .post(s.url("/v1/auth/login"))
        .json(&json!({"username": "admin", "password": "anjian-demo"}))
        .send()
        .unwrap();
    let token_response = login.headers().clone();
    let token = login.json::<Value>().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let api = s.get(&token, "/v1/people").headers().clone();
    let denied = s.get("bad", "/v1/hazards").headers().clone();
    let page = s
        .client
        .get(s.url("/console/"))
        .send()
        .unwrap()
        .headers()
        .clone();
    for h in [&token_response, &api, &denied, &page] {
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
    }
    for h in [&token_response, &api, &denied] {
        assert_eq!(h["cache-control"], "no-store");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
    }
    assert!(page["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'self'"));
});
