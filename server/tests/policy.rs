//! Who may do what through `POST /v1/sync/push`: the findings of the security review, each
//! reproduced, on SQLite and (when configured) PostgreSQL.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::{HazardAction, HazardStatus};
use anjian_domain::inspection::InspectionKind;
use chrono::{Duration, Utc};
use common::{device_actor, inspection_ops, op, transition, TestServer};
use serde_json::{json, Value};

const SHIBAO_GAS: &str = "site-07-03";
const SHIBAO_CONTACT_SITE: &str = "site-07-00";
const ZHONGZHOU_GAS: &str = "site-00-00";
const SHIBAO: &str = "500233107";
const ZHONGZHOU: &str = "500233001";

fn status(r: &Value) -> &str {
    r["status"].as_str().unwrap()
}

fn reason(r: &Value) -> &str {
    r["reason"].as_str().unwrap_or("")
}

/// The ops of an inspection of `site` by `kind`, with GAS-007 failed and a hazard raised
/// for `unit`.
fn gas_inspection(site: &str, unit: &str, kind: InspectionKind) -> (Vec<Value>, String, String) {
    inspection_ops(site, unit, Industry::Gas, kind, "GAS-007")
}

both_backends!(
    only_the_roles_of_the_policy_start_inspections,
    |s: &TestServer| {
        // A site contact, a third party and another township's patrol member may not start an
        // unannounced patrol at a 石宝镇 site; nothing they send after it is applied either.
        for user in ["site_contact", "thirdparty", "zz_patrol"] {
            let token = s.login(user);
            let (ops, _, _) = gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::UnannouncedPatrol);
            let results = s.push(&token, &ops);
            assert_eq!(status(&results[0]), "rejected", "{user}: {results:#?}");
            assert!(
                reason(&results[0]).contains("无权"),
                "{user}: {}",
                reason(&results[0])
            );
            assert!(
                !reason(&results[0]).contains("石宝"),
                "a refusal names no site the caller may not see: {}",
                reason(&results[0])
            );
            assert!(
                results.iter().all(|r| status(r) == "rejected"),
                "{user}: every later op refers to what was refused: {results:#?}"
            );
        }
        // The county office may, and its patrol is recorded.
        let admin = s.login("admin");
        let (ops, _, _) = gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::UnannouncedPatrol);
        let results = s.push(&admin, &ops);
        assert!(
            results.iter().all(|r| status(r) == "applied"),
            "{results:#?}"
        );
        // A township inspector does a routine check of their own township only.
        let sb = s.login("sb_inspector");
        let (ops, _, _) = gas_inspection(ZHONGZHOU_GAS, ZHONGZHOU, InspectionKind::RoutineCheck);
        assert_eq!(status(&s.push(&sb, &ops[..1])[0]), "rejected");
        let (ops, _, _) = gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::RandomCheck);
        assert_eq!(
            status(&s.push(&sb, &ops[..1])[0]),
            "rejected",
            "抽查 is 督查办's"
        );
    }
);

both_backends!(phone_times_are_checked, |s: &TestServer| {
    let sb = s.login("sb_inspector");
    let (mut ops, _, _) = gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::RoutineCheck);
    // Finished before it started.
    let n = ops.len();
    let started = ops[0]["payload"]["started_at"]
        .as_str()
        .unwrap()
        .to_string();
    let started: chrono::DateTime<Utc> = started.parse().unwrap();
    ops[n - 2]["payload"]["finished_at"] = json!(started - Duration::hours(3));
    let results = s.push(&sb, &ops[..n - 1]);
    let finish = &results[n - 2];
    assert_eq!(status(finish), "rejected", "{finish:#}");
    assert!(
        reason(finish).contains("早于检查开始时间"),
        "{}",
        reason(finish)
    );
    // Started tomorrow.
    let (mut ops, _, _) = gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::RoutineCheck);
    ops[0]["payload"]["started_at"] = json!(Utc::now() + Duration::days(1));
    let r = &s.push(&sb, &ops[..1])[0];
    assert_eq!(status(r), "rejected");
    assert!(reason(r).contains("晚于服务器当前时间"), "{}", reason(r));
});

both_backends!(
    hazards_and_sites_stay_in_the_callers_units,
    |s: &TestServer| {
        let sb = s.login("sb_inspector");
        // A hazard of 石宝镇's own inspection put into 忠州街道's ledger.
        let (ops, _, _) = gas_inspection(SHIBAO_GAS, ZHONGZHOU, InspectionKind::RoutineCheck);
        let results = s.push(&sb, &ops);
        let raise = results.last().unwrap();
        assert_eq!(status(raise), "rejected", "{raise:#}");
        assert!(reason(raise).contains("责任单位"), "{}", reason(raise));
        // A hazard without an inspection at another township's site.
        let hazard = json!({
            "id": "h-x", "number": "YH-X-1", "site_id": ZHONGZHOU_GAS, "unit_id": ZHONGZHOU,
            "description": "越权登记", "level": "general", "needs_hardware": false,
            "status": "registered", "plan": {}, "rejections": 0,
            "raised_by": device_actor(), "raised_at": Utc::now(), "version": 1
        });
        let r = &s.push(&sb, &[op("hazard", "h-x", "raise", hazard)])[0];
        assert_eq!(status(r), "rejected", "{r:#}");
        // Sites registered into another township, or by a site contact.
        let site = |id: &str, township: &str| {
            json!({"id": id, "name": "越权登记的场所", "industry": "gas",
               "location": {"point": {"lat": 30.3, "lon": 108.0}, "radius_m": 50.0},
               "township_id": township})
        };
        let r = &s.push(
            &sb,
            &[op("site", "site-x1", "create", site("site-x1", ZHONGZHOU))],
        )[0];
        assert_eq!(status(r), "rejected", "{r:#}");
        let contact = s.login("site_contact");
        let r = &s.push(
            &contact,
            &[op("site", "site-x2", "create", site("site-x2", SHIBAO))],
        )[0];
        assert_eq!(status(r), "rejected", "{r:#}");
        let r = &s.push(
            &sb,
            &[op("site", "site-x3", "create", site("site-x3", SHIBAO))],
        )[0];
        assert_eq!(status(r), "applied", "own township: {r:#}");
    }
);

both_backends!(
    a_site_contact_cannot_close_its_own_hazard,
    |s: &TestServer| {
        let sb = s.login("sb_inspector");
        let (ops, _, hazard_id) =
            gas_inspection(SHIBAO_CONTACT_SITE, SHIBAO, InspectionKind::RoutineCheck);
        let results = s.push(&sb, &ops);
        assert!(
            results.iter().all(|r| status(r) == "applied"),
            "{results:#?}"
        );
        let contact = s.login("site_contact");
        let close = transition(
            &hazard_id,
            HazardAction::CloseOnSpot {
                note: "已整改".into(),
                after_evidence: vec!["no-such-evidence".into()],
            },
            HazardStatus::Registered,
            HazardStatus::Closed,
        );
        let r = &s.push(&contact, &[close])[0];
        assert_eq!(status(r), "rejected", "{r:#}");
        let h = s.get_json(&sb, &format!("/v1/hazards/{hazard_id}"));
        assert_ne!(h["hazard"]["status"], "closed");
        // Nor can an inspector close it with an after-photo that was never recorded.
        let close = transition(
            &hazard_id,
            HazardAction::CloseOnSpot {
                note: "已整改".into(),
                after_evidence: vec!["no-such-evidence".into()],
            },
            HazardStatus::Registered,
            HazardStatus::Closed,
        );
        let r = &s.push(&sb, &[close])[0];
        assert_eq!(status(r), "rejected", "{r:#}");
        assert!(reason(r).contains("整改后照片"), "{}", reason(r));
    }
);

both_backends!(
    refusals_reveal_nothing_and_keys_are_per_caller,
    |s: &TestServer| {
        // A secret patrol of the county office at a 石宝镇 site.
        let admin = s.login("admin");
        let (ops, insp_id, hazard_id) =
            gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::UnannouncedPatrol);
        let n = ops.len();
        // Everything but finish: the patrol is still secret.
        let mut sent: Vec<Value> = ops[..n - 2].to_vec();
        sent.push(ops[n - 1].clone());
        let results = s.push(&admin, &sent);
        assert!(
            results.iter().all(|r| status(r) == "applied"),
            "{results:#?}"
        );
        let sb = s.login("sb_inspector");
        let item = op(
            "inspection",
            &insp_id,
            "record_item",
            json!({"item_id": "GAS-001", "result": {"outcome": "pass", "recorded_at": Utc::now()}}),
        );
        let r = &s.push(&sb, &[item])[0];
        assert_eq!(status(r), "rejected");
        assert!(
            r.get("current").is_none(),
            "the secret inspection leaked: {r:#}"
        );
        assert!(reason(r).starts_with("未找到"), "{}", reason(r));
        let act = transition(
            &hazard_id,
            HazardAction::StartRectification,
            HazardStatus::Registered,
            HazardStatus::Rectifying,
        );
        let r = &s.push(&sb, &[act])[0];
        assert_eq!(status(r), "rejected");
        assert!(
            r.get("current").is_none(),
            "the secret hazard leaked: {r:#}"
        );

        // Someone else's idempotency key answers nothing of theirs.
        let (ops, _, _) = gas_inspection(SHIBAO_GAS, SHIBAO, InspectionKind::RoutineCheck);
        let first = s.push(&sb, &ops[..1]);
        assert_eq!(status(&first[0]), "applied");
        let zz = s.login("zz_patrol");
        let replay = s.push(&zz, &ops[..1]);
        assert_eq!(status(&replay[0]), "rejected", "{replay:#?}");
        assert!(replay[0].get("current").is_none(), "{replay:#?}");
        // The owner's own retry still gets its answer.
        assert_eq!(status(&s.push(&sb, &ops[..1])[0]), "already_applied");
    }
);

both_backends!(
    evidence_naming_anothers_file_opens_nothing,
    true,
    |s: &TestServer| {
        // A 石宝镇 file the demo stored: its hash, from what 石宝镇's inspector pulls.
        let sb = s.login("sb_inspector");
        let changes = s.pull_all(&sb, 500);
        let photo = changes
            .iter()
            .filter(|c| c["entity"] == "evidence" && c["kind"] == "upsert")
            .map(|c| c["data"].clone())
            .next()
            .expect("石宝镇 has evidence in the demo");
        let sha = photo["sha256"].as_str().unwrap().to_string();
        let zz = s.login("zz_patrol");
        let blob = s
            .request(reqwest::Method::GET, &zz, &format!("/v1/blobs/{sha}"))
            .send()
            .unwrap();
        assert_eq!(blob.status(), 404, "not theirs to begin with");
        // 忠州街道's patrol member records a hazard of their own and names that hash in evidence.
        let (ops, _, hazard_id) =
            gas_inspection(ZHONGZHOU_GAS, ZHONGZHOU, InspectionKind::RoutineCheck);
        let results = s.push(&zz, &ops);
        assert!(
            results.iter().all(|r| status(r) == "applied"),
            "{results:#?}"
        );
        let mut rec = photo.clone();
        rec["id"] = json!("ev-borrowed");
        rec["target"] = json!({"type": "hazard", "hazard_id": hazard_id});
        let r = &s.push(&zz, &[op("evidence", "ev-borrowed", "attach", rec)])[0];
        assert_eq!(status(r), "applied", "{r:#}");
        let blob = s
            .request(reqwest::Method::GET, &zz, &format!("/v1/blobs/{sha}"))
            .send()
            .unwrap();
        assert_eq!(blob.status(), 404, "naming a hash must not open the file");
        // 石宝镇 still reads its own file.
        let blob = s
            .request(reqwest::Method::GET, &sb, &format!("/v1/blobs/{sha}"))
            .send()
            .unwrap();
        assert_eq!(blob.status(), 200);
    }
);
