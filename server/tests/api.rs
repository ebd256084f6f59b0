//! The server's API suite, run against SQLite and (when configured) PostgreSQL.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::{FiveImplementations, Funding, HazardAction, HazardStatus};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::sync::{decode_cursor, encode_cursor};
use chrono::{NaiveDate, Utc};
use common::{b64, inspection_ops, op, statuses, transition, tus_create, tus_patch, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Demo site ids: site-TT-NN, township index TT (07 = 石宝镇, 00 = 忠州街道).
/// Site site-07-03 is industry index (7+3)%10 = 0 → gas; site-00-00 is gas too.
const SHIBAO_GAS: &str = "site-07-03";
const ZHONGZHOU_GAS: &str = "site-00-00";
const SHIBAO: &str = "500233107";
const ZHONGZHOU: &str = "500233001";

fn raise_in_shibao(s: &TestServer, token: &str) -> String {
    let (ops, _, hazard_id) = inspection_ops(
        SHIBAO_GAS,
        SHIBAO,
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-022",
    );
    let results = s.push(token, &ops);
    assert!(
        statuses(&results).iter().all(|st| st == "applied"),
        "{results:#?}"
    );
    hazard_id
}

both_backends!(health_openapi_and_metrics, |s: &TestServer| {
    let health: Value = s
        .client
        .get(s.url("/healthz"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
    let doc: Value = s
        .client
        .get(s.url("/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/auth/login",
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/uploads",
        "/v1/uploads/{id}",
        "/v1/blobs/{sha256}",
        "/v1/hazards",
        "/v1/admin/sites/import",
    ] {
        assert!(doc["paths"].get(path).is_some(), "openapi lacks {path}");
    }
    let metrics = s
        .client
        .get(s.url("/metrics"))
        .bearer_auth(common::METRICS_TOKEN)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(metrics.contains("anjian_http_requests_total"));
});

both_backends!(login_logout_and_lockout, |s: &TestServer| {
    let token = s.login("sb_inspector");
    let me = s.get_json(&token, "/v1/me");
    assert_eq!(me["person"]["name"], "蒋华");
    // Wrong password: 401 with a Chinese message.
    let wrong = s
        .client
        .post(s.url("/v1/auth/login"))
        .json(&json!({"username": "sb_head", "password": "nope"}))
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().unwrap()["error"]["message"],
        "用户名或密码错误"
    );
    // Repeated failures lock the account, even for the right password.
    for _ in 0..5 {
        s.client
            .post(s.url("/v1/auth/login"))
            .json(&json!({"username": "sb_head", "password": "nope"}))
            .send()
            .unwrap();
    }
    let locked = s
        .client
        .post(s.url("/v1/auth/login"))
        .json(&json!({"username": "sb_head", "password": "anjian-demo"}))
        .send()
        .unwrap();
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().get("retry-after").is_some());
    // Logout revokes the token.
    assert_eq!(s.post(&token, "/v1/auth/logout", &json!({})).status(), 204);
    assert_eq!(s.get(&token, "/v1/me").status(), 401);
    assert_eq!(s.get("not-a-token", "/v1/hazards").status(), 401);
    assert_eq!(
        s.client.get(s.url("/v1/hazards")).send().unwrap().status(),
        401
    );
});

both_backends!(
    scope_township_cannot_read_another_townships_hazard,
    |s: &TestServer| {
        let shibao = s.login("sb_inspector");
        let hazard_id = raise_in_shibao(s, &shibao);
        // 石宝镇 sees it; 忠州街道 does not, neither by id nor in its ledger; the county does.
        assert_eq!(
            s.get(&shibao, &format!("/v1/hazards/{hazard_id}")).status(),
            200
        );
        let zhongzhou = s.login("zz_head");
        let resp = s.get(&zhongzhou, &format!("/v1/hazards/{hazard_id}"));
        assert_eq!(resp.status(), 404);
        let ledger = s.get_json(&zhongzhou, "/v1/hazards");
        assert!(ledger
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != hazard_id.as_str()));
        let admin = s.login("admin");
        let county = s.get_json(&admin, "/v1/hazards?level=major");
        assert!(county
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == hazard_id.as_str()));
        // The supervising department (县住房城乡建委 for gas) sees its sector's hazard.
        // Sites: a township sees its own only.
        let sites = s.get_json(&zhongzhou, "/v1/sites");
        assert!(!sites.as_array().unwrap().is_empty());
        assert!(sites
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["township_id"] == ZHONGZHOU));
        assert_eq!(
            s.get(&zhongzhou, &format!("/v1/sites/{SHIBAO_GAS}"))
                .status(),
            404
        );
        // A township cannot push work on another's site.
        let (ops, _, _) = inspection_ops(
            SHIBAO_GAS,
            SHIBAO,
            Industry::Gas,
            InspectionKind::RoutineCheck,
            "GAS-022",
        );
        let results = s.push(&zhongzhou, &ops[..1]);
        assert_eq!(results[0]["status"], "rejected");
        assert!(results[0]["reason"].as_str().unwrap().contains("无权"));
    }
);

both_backends!(push_is_idempotent, |s: &TestServer| {
    let token = s.login("sb_inspector");
    let (ops, insp_id, hazard_id) = inspection_ops(
        SHIBAO_GAS,
        SHIBAO,
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-022",
    );
    let ops = ops;
    let first = s.push(&token, &ops);
    assert!(statuses(&first).iter().all(|st| st == "applied"));
    let seq_before = s.change_seq();
    let second = s.push(&token, &ops);
    assert!(
        statuses(&second).iter().all(|st| st == "already_applied"),
        "{second:#?}"
    );
    let seq_after = s.change_seq();
    assert_eq!(seq_before, seq_after, "a replayed batch changes nothing");
    let doc = s.get_json(&token, &format!("/v1/hazards/{hazard_id}"));
    assert_eq!(doc["events"].as_array().unwrap().len(), 1);
    let inspections = s.get_json(&token, "/v1/inspections");
    let mine: Vec<_> = inspections
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["id"] == insp_id.as_str())
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0]["leader"]["name"], "蒋华",
        "the server decides who leads"
    );
});

both_backends!(
    transitions_are_checked_and_refusals_explained,
    |s: &TestServer| {
        let inspector = s.login("sb_inspector");
        let hazard_id = raise_in_shibao(s, &inspector);
        use HazardStatus::*;
        // A township's patrol finding is referred (移交) to 县住房城乡建委, which accepts it and
        // verifies (tests/referral.rs).
        let zjw = s.login("zjw_inspector");
        let accept = transition(
            &hazard_id,
            HazardAction::AcceptReferral,
            Registered,
            Registered,
        );
        assert_eq!(s.push(&zjw, &[accept])[0]["status"], "applied");
        // Major: start refused until 五落实 complete; the server's row comes back.
        let r = s.push(
            &inspector,
            &[transition(
                &hazard_id,
                HazardAction::StartRectification,
                Registered,
                Rectifying,
            )],
        );
        assert_eq!(r[0]["status"], "rejected");
        assert!(r[0]["reason"].as_str().unwrap().contains("五落实"));
        assert_eq!(r[0]["current"]["hazard"]["status"], "registered");
        // The same refused op retried gets the same answer, not a second evaluation.
        // 交办 by the office, then plan and start by the township.
        let admin = s.login("admin");
        let assign = HazardAction::Assign {
            unit_id: SHIBAO.into(),
            deadline: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        };
        let r = s.push(
            &inspector,
            &[transition(&hazard_id, assign.clone(), Registered, Assigned)],
        );
        assert_eq!(r[0]["status"], "rejected", "an inspector may not assign");
        assert_eq!(
            s.push(
                &admin,
                &[transition(&hazard_id, assign, Registered, Assigned)]
            )[0]["status"],
            "applied"
        );
        let plan = FiveImplementations {
            target: Some("钢瓶移出地下室".into()),
            measures: Some("新建地面气瓶间".into()),
            deadline: NaiveDate::from_ymd_opt(2099, 6, 30),
            responsible: Some("卫东".into()),
            funding: Some(Funding {
                amount_fen: 2_000_000,
                source: "企业自筹".into(),
            }),
        };
        let head = s.login("sb_head");
        // The after photo: its record is pushed first, its file uploaded later.
        let photo: Vec<u8> = b"\xFF\xD8\xFF after photo bytes".to_vec();
        let sha = hex::encode(Sha256::digest(&photo));
        let evidence_id = uuid::Uuid::now_v7().to_string();
        let evidence = json!({
            "id": evidence_id, "sha256": sha, "kind": "photo", "content_type": "image/jpeg", "size": photo.len(),
            "target": { "type": "hazard", "hazard_id": hazard_id }, "stage": "after",
            "captured_at": Utc::now(), "captured_by": "x", "taken_at": null, "lat": null, "lon": null, "accuracy_m": null,
            "flags": [], "notes": [], "amount_fen": null, "document_date": null, "upload_sha256": null, "thumb_sha256": null
        });
        let r = s.push(
            &head,
            &[
                op("evidence", &evidence_id, "attach", evidence),
                transition(
                    &hazard_id,
                    HazardAction::UpdatePlan { plan },
                    Assigned,
                    Assigned,
                ),
                transition(
                    &hazard_id,
                    HazardAction::StartRectification,
                    Assigned,
                    Rectifying,
                ),
                transition(
                    &hazard_id,
                    HazardAction::SubmitRectification {
                        note: "已整改".into(),
                        after_evidence: vec![evidence_id.clone()],
                    },
                    Rectifying,
                    Submitted,
                ),
            ],
        );
        assert_eq!(
            statuses(&r),
            ["applied", "applied", "applied", "applied"],
            "{r:#?}"
        );
        // Verification waits for the after photo's file.
        let early = s.push(
            &zjw,
            &[transition(
                &hazard_id,
                HazardAction::Verify { note: None },
                Submitted,
                Closed,
            )],
        );
        assert_eq!(early[0]["status"], "rejected");
        assert!(
            early[0]["reason"]
                .as_str()
                .unwrap()
                .contains("尚未全部上传"),
            "{early:?}"
        );
        let loc = tus_create(s, &head, photo.len(), &sha);
        assert_eq!(tus_patch(s, &head, &loc, 0, &photo, None).status(), 204);
        // Whoever sees the hazard may fetch its evidence file; another township may not.
        assert_eq!(s.get(&admin, &format!("/v1/blobs/{sha}")).status(), 200);
        assert_eq!(
            s.get(&s.login("zz_head"), &format!("/v1/blobs/{sha}"))
                .status(),
            404
        );
        // The rectifier cannot verify; someone else can; a second verify from another device is a no-op.
        let r = s.push(
            &head,
            &[transition(
                &hazard_id,
                HazardAction::Verify { note: None },
                Submitted,
                Closed,
            )],
        );
        assert_eq!(r[0]["status"], "rejected");
        // Not the township: the referred department verifies (the rectifier never does:
        // core/domain/tests).
        assert!(r[0]["reason"]
            .as_str()
            .unwrap()
            .contains("验收销号须由该单位执法人员办理"));
        let verify_a = transition(
            &hazard_id,
            HazardAction::Verify { note: None },
            Submitted,
            Closed,
        );
        let verify_b = transition(
            &hazard_id,
            HazardAction::Verify {
                note: Some("复核".into()),
            },
            Submitted,
            Closed,
        );
        assert_eq!(s.push(&zjw, &[verify_a])[0]["status"], "applied");
        assert_eq!(s.push(&admin, &[verify_b])[0]["status"], "already_applied");
        let doc = s.get_json(&admin, &format!("/v1/hazards/{hazard_id}"));
        assert_eq!(doc["hazard"]["status"], "closed");
        let labels: Vec<&str> = doc["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["to"].as_str().unwrap())
            .collect();
        assert_eq!(
            labels,
            [
                "registered",
                "registered",
                "assigned",
                "assigned",
                "rectifying",
                "submitted",
                "closed"
            ]
        );
        // A closed hazard refuses further work.
        let r = s.push(
            &admin,
            &[transition(
                &hazard_id,
                HazardAction::Reject { reason: "x".into() },
                Submitted,
                Rectifying,
            )],
        );
        assert_eq!(r[0]["status"], "rejected");
    }
);

both_backends!(pull_pages_and_removals, |s: &TestServer| {
    let inspector = s.login("sb_inspector");
    let all = s.pull_all(&inspector, 7);
    let sites: Vec<_> = all.iter().filter(|c| c["entity"] == "site").collect();
    assert_eq!(sites.len(), 12, "石宝镇's twelve demo sites");
    let seqs: Vec<i64> = all.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "ordered, no duplicates across pages"
    );
    let bad = s.get(&inspector, "/v1/sync/pull?cursor=junk");
    assert_eq!(bad.status(), 400);
    // A cursor past the end of this server's log came from another database: start over.
    let gone = s.get(&inspector, "/v1/sync/pull?cursor=c1-999999999");
    assert_eq!(gone.status(), 410);
    let body: Value = gone.json().unwrap();
    assert_eq!(body["error"]["code"], "cursor_gone");
    // So is a cursor of another database's log, whatever its number.
    let page = s.get_json(&inspector, "/v1/sync/pull?limit=1");
    let mine = decode_cursor(page["cursor"].as_str().unwrap()).unwrap();
    let other = encode_cursor(mine.log.unwrap() ^ 1, mine.seq);
    let gone = s.get(&inspector, &format!("/v1/sync/pull?cursor={other}"));
    assert_eq!(gone.status(), 410);
    let same = encode_cursor(mine.log.unwrap(), mine.seq);
    assert_eq!(
        s.get(&inspector, &format!("/v1/sync/pull?cursor={same}"))
            .status(),
        200
    );

    // A hazard assigned to a department, then reassigned to another: the first department
    // gets a removal.
    let hazard_id = raise_in_shibao(s, &inspector);
    let admin = s.login("admin");
    let yjj = s.login("yjj_head");
    let cursor = {
        let page = s.get_json(&yjj, "/v1/sync/pull?limit=2000");
        page["cursor"].as_str().unwrap().to_string()
    };
    use HazardStatus::*;
    let to_yjj = HazardAction::Assign {
        unit_id: "dept-yjj".into(),
        deadline: NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
    };
    assert_eq!(
        s.push(
            &admin,
            &[transition(&hazard_id, to_yjj, Registered, Assigned)]
        )[0]["status"],
        "applied"
    );
    let page = s.get_json(&yjj, &format!("/v1/sync/pull?cursor={cursor}"));
    let mine: Vec<_> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity_id"] == hazard_id.as_str())
        .cloned()
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["kind"], "upsert");
    let cursor = page["cursor"].as_str().unwrap().to_string();
    let to_mzj = HazardAction::Assign {
        unit_id: "dept-mzj".into(),
        deadline: NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
    };
    assert_eq!(
        s.push(
            &admin,
            &[transition(&hazard_id, to_mzj, Assigned, Assigned)]
        )[0]["status"],
        "applied"
    );
    // A later change replaces the reassignment's in the log; the removal is carried forward
    // to the department that has not pulled since.
    let measures = HazardAction::SetTemporaryMeasures {
        measures: "设置警戒区，专人值守".into(),
    };
    assert_eq!(
        s.push(
            &admin,
            &[transition(&hazard_id, measures, Assigned, Assigned)]
        )[0]["status"],
        "applied"
    );
    let page = s.get_json(&yjj, &format!("/v1/sync/pull?cursor={cursor}"));
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["kind"], "remove");
    assert!(changes[0].get("data").is_none_or(|d| d.is_null()));
    assert_eq!(
        s.get(&yjj, &format!("/v1/hazards/{hazard_id}")).status(),
        404
    );
    // 石宝镇 (属地) still sees it as an upsert.
    let page = s.get_json(&inspector, "/v1/sync/pull?limit=2000");
    let last = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity_id"] == hazard_id.as_str())
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "upsert");
    assert_eq!(last["data"]["hazard"]["assigned_unit_id"], "dept-mzj");
    // The log keeps one change per record: a fresh device pulls the hazard once, at its
    // latest version, not once per edit.
    let fresh: Vec<_> = s
        .pull_all(&inspector, 50)
        .into_iter()
        .filter(|c| c["entity_id"] == hazard_id.as_str())
        .collect();
    assert_eq!(fresh.len(), 1, "{fresh:#?}");
    assert_eq!(fresh[0]["version"], 4);
    assert!(fresh[0]["data"]["hazard"]["temporary_measures"].is_string());
});

both_backends!(
    unannounced_patrol_stays_secret_until_visited,
    |s: &TestServer| {
        let admin = s.login("admin");
        // Plan a patrol of a 忠州街道 gas site with the 忠州街道 patrol member on the team... no:
        // the county office patrols 忠州街道; 忠州街道 itself must not see the plan.
        let resp = s.post(
            &admin,
            "/v1/patrols",
            &json!({
                "title": "11月城镇燃气暗访",
                "site_ids": [ZHONGZHOU_GAS],
                "window_start": "2026-11-01",
                "window_end": "2099-11-30"
            }),
        );
        assert_eq!(resp.status(), 201);
        let plan: Value = resp.json().unwrap();
        let zz = s.login("zz_head");
        assert!(s
            .get_json(&zz, "/v1/patrols")
            .as_array()
            .unwrap()
            .is_empty());
        assert!(s
            .pull_all(&zz, 2000)
            .iter()
            .all(|c| c["entity"] != "patrol_plan"));
        assert_eq!(
            s.get_json(&admin, "/v1/patrols").as_array().unwrap().len(),
            1
        );
        // Another county-level person not on the team does not see it either.
        let fenguan = s.login("fenguan");
        assert!(s
            .get_json(&fenguan, "/v1/patrols")
            .as_array()
            .unwrap()
            .is_empty());

        // The visit: a secret inspection in progress is invisible to the township.
        let (ops, insp_id, hazard_id) = inspection_ops(
            ZHONGZHOU_GAS,
            ZHONGZHOU,
            Industry::Gas,
            InspectionKind::UnannouncedPatrol,
            "GAS-022",
        );
        let ops = ops;
        let n = ops.len();
        let r = s.push(&admin, &ops[..n - 2]);
        assert!(statuses(&r).iter().all(|st| st == "applied"));
        assert!(s
            .get_json(&zz, "/v1/inspections")
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != insp_id.as_str()));
        // Visit recorded (finish) and the finding raised: now the township sees the findings.
        let r = s.push(&admin, &ops[n - 2..]);
        assert!(statuses(&r).iter().all(|st| st == "applied"), "{r:#?}");
        assert_eq!(
            s.get(&zz, &format!("/v1/hazards/{hazard_id}")).status(),
            200
        );
        assert!(s
            .get_json(&zz, "/v1/inspections")
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == insp_id.as_str()));
        // The plan is done: the county sees it; the visited township still never sees the plan.
        let plans = s.get_json(&fenguan, "/v1/patrols");
        assert_eq!(plans.as_array().unwrap().len(), 1);
        assert_eq!(plans[0]["id"], plan["id"]);
        assert!(plans[0]["targets"][0]["visited_inspection_id"].is_string());
        assert!(s
            .get_json(&zz, "/v1/patrols")
            .as_array()
            .unwrap()
            .is_empty());
    }
);

every_store!(
    tus_upload_resumes_and_refuses_a_hash_mismatch,
    |s: &TestServer| {
        let token = s.login("sb_inspector");
        let file: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let sha = hex::encode(Sha256::digest(&file));
        assert_eq!(
            s.request(Method::HEAD, &token, &format!("/v1/blobs/{sha}"))
                .send()
                .unwrap()
                .status(),
            404
        );
        let loc = tus_create(s, &token, file.len(), &sha);
        // First part, then a wrong offset (409), a wrong content type (415), a bad checksum (460).
        assert_eq!(
            tus_patch(s, &token, &loc, 0, &file[..100_000], None).status(),
            204
        );
        assert_eq!(
            tus_patch(s, &token, &loc, 5, &file[5..10], None).status(),
            409
        );
        let r = s
            .request(Method::PATCH, &token, &loc)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "100000")
            .body(vec![1u8])
            .send()
            .unwrap();
        assert_eq!(r.status(), 415);
        let bad = format!("sha1 {}", b64(&sha1::Sha1::digest(b"other")));
        assert_eq!(
            tus_patch(s, &token, &loc, 100_000, &file[100_000..200_000], Some(bad)).status(),
            460
        );
        // HEAD says where to resume; the rejected chunk left nothing behind.
        let head = s
            .request(Method::HEAD, &token, &loc)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(head.headers()["upload-offset"], "100000");
        assert_eq!(head.headers()["cache-control"], "no-store");
        let good = format!("sha1 {}", b64(&sha1::Sha1::digest(&file[100_000..])));
        assert_eq!(
            tus_patch(s, &token, &loc, 100_000, &file[100_000..], Some(good)).status(),
            204
        );
        let got = s.get(&token, &format!("/v1/blobs/{sha}"));
        assert_eq!(got.status(), 200);
        assert!(got.bytes().unwrap().as_ref() == file.as_slice());
        // Another township's user cannot fetch it.
        let zz = s.login("zz_head");
        assert_eq!(s.get(&zz, &format!("/v1/blobs/{sha}")).status(), 404);

        // Declared hash that does not match the bytes: refused at the last byte, nothing stored.
        let fake = hex::encode(Sha256::digest(b"something else"));
        let loc = tus_create(s, &token, 1000, &fake);
        let r = tus_patch(s, &token, &loc, 0, &file[..1000], None);
        assert_eq!(r.status(), 460);
        assert!(r.json::<Value>().unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sha256"));
        assert_eq!(
            s.request(Method::HEAD, &token, &format!("/v1/blobs/{fake}"))
                .send()
                .unwrap()
                .status(),
            404
        );
        // Termination.
        let loc = tus_create(s, &token, 10, &fake);
        let r = s
            .request(Method::DELETE, &token, &loc)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = s
            .request(Method::HEAD, &token, &loc)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .unwrap();
        assert_eq!(r.status(), 404);
        // Creation without the declared hash, or with the wrong protocol version, is refused.
        let r = s
            .request(Method::POST, &token, "/v1/uploads")
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", "5")
            .send()
            .unwrap();
        assert_eq!(r.status(), 400);
        let r = s
            .request(Method::POST, &token, "/v1/uploads")
            .header("Tus-Resumable", "0.2.2")
            .header("Upload-Length", "5")
            .send()
            .unwrap();
        assert_eq!(r.status(), 412);
    }
);
