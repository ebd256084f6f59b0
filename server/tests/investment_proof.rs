//! Proof of hardware investment (改设施佐证): its parts as the notice lists them (合同、施工前中后
//! 照片、发票), the submission that dates it and is refused while a part is missing, and
//! recycled photos — a real photo used as a hazard's "after" photo, then the same file or a
//! cropped, re-compressed copy sent as an investment's proof — flagged wherever shown.

mod common;

use std::path::Path;

use anjian_domain::checklist::Industry;
use anjian_domain::inspection::InspectionKind;
use anjian_evidence::photo::{self, Rgb};
use chrono::Utc;
use common::{evidence, inspection_ops, op, upload, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";
const SHIBAO_GAS: &str = "site-07-03";

fn investment(id: &str) -> Value {
    json!({
        "id": id, "unit_id": SHIBAO, "hazard_id": null, "site_id": SHIBAO_GAS,
        "description": "液化气供应站可燃气体报警器及紧急切断阀安装", "amount_fen": 1_250_000,
        "invested_on": Utc::now().date_naive(), "documents": []
    })
}

fn inv_target(id: &str) -> Value {
    json!({"type": "hardware_investment", "investment_id": id})
}

fn attach(ev: Value) -> Value {
    let id = ev["id"].as_str().unwrap().to_string();
    op("evidence", &id, "attach", ev)
}

fn listed(s: &TestServer, token: &str, id: &str) -> Value {
    let all = s.get_json(token, "/v1/investments");
    all.as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

fn real_photo(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testdata/photos/ianare-exif-samples/jpg/gps")
        .join(name);
    std::fs::read(p).expect("../shared/testdata beside the project")
}

/// The photo cropped by 7% at every edge and re-saved at a lower quality.
fn cropped_copy(jpeg: &[u8]) -> Vec<u8> {
    let (img, _) = photo::decode_scaled(jpeg, 100_000).unwrap();
    let (x0, y0) = (img.width * 7 / 100, img.height * 7 / 100);
    let (w, h) = (img.width - 2 * x0, img.height - 2 * y0);
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in y0..y0 + h {
        let row = (y * img.width + x0) * 3;
        pixels.extend_from_slice(&img.pixels[row..row + w * 3]);
    }
    let copy = Rgb {
        width: w,
        height: h,
        pixels,
    };
    photo::encode(&copy, 55).unwrap()
}

both_backends!(
    a_proof_is_submitted_only_whole_by_its_unit_and_dated_by_the_server,
    |s: &TestServer| {
        let head = s.login("sb_head");
        let r = s.push(
            &head,
            &[op(
                "hardware_investment",
                "inv-p",
                "create",
                investment("inv-p"),
            )],
        );
        assert_eq!(r[0]["status"], "applied", "{r:#?}");
        let received = r[0]["current"]["received_at"].as_str().unwrap().to_string();
        assert!(r[0]["current"]["submitted_at"].is_null());
        let t = inv_target("inv-p");
        let sha = "a".repeat(64);
        let parts = [
            ("ev-c", "contract", "none"),
            ("ev-b", "photo", "before"),
            ("ev-d", "photo", "during"),
            ("ev-a", "photo", "after"),
        ];
        let ops: Vec<Value> = parts
            .iter()
            .map(|(id, kind, stage)| attach(evidence(id, &sha, kind, stage, t.clone())))
            .collect();
        let r = s.push(&head, &ops);
        assert!(r.iter().all(|r| r["status"] == "applied"), "{r:#?}");
        let shown = listed(s, &head, "inv-p");
        assert_eq!(shown["proof"]["complete"], false);
        assert_eq!(shown["proof"]["missing"], json!(["发票"]));
        assert_eq!(shown["status_label"], "佐证不全");
        // Missing part: refused, naming it.
        let r = &s.push(
            &head,
            &[op("hardware_investment", "inv-p", "submit", json!({}))],
        )[0];
        assert_eq!(r["status"], "rejected");
        assert_eq!(r["reason"], "投入佐证不完整，缺少：发票", "{r:#}");
        // Wrong scope: another township reads it as not found; an enterprise contact too.
        for user in ["zz_head", "site_contact"] {
            let t = s.login(user);
            let r = &s.push(
                &t,
                &[op("hardware_investment", "inv-p", "submit", json!({}))],
            )[0];
            assert_eq!(r["status"], "rejected", "{user}");
            assert_eq!(r["reason"], "未找到设施投入：inv-p", "{user}: {r:#}");
            assert!(r["current"].is_null(), "{user} sees nothing of it");
        }
        // Wrong role: a patrol member of a unit sees the unit's investment but may not submit it.
        let zz = s.login("zz_head");
        let mut theirs = investment("inv-zz");
        theirs["unit_id"] = json!("500233001");
        theirs["site_id"] = Value::Null;
        let r = &s.push(
            &zz,
            &[op("hardware_investment", "inv-zz", "create", theirs)],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let patrol = s.login("zz_patrol");
        let r = &s.push(
            &patrol,
            &[op("hardware_investment", "inv-zz", "submit", json!({}))],
        )[0];
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert!(
            r["reason"].as_str().unwrap().contains("无权报送本单位记录"),
            "{r:#}"
        );
        // With the invoice: submitted, dated by the server.
        let r = s.push(
            &head,
            &[attach(evidence("ev-i", &sha, "invoice", "none", t.clone()))],
        );
        assert_eq!(r[0]["status"], "applied", "{r:#?}");
        let before = Utc::now();
        let r = &s.push(
            &head,
            &[op("hardware_investment", "inv-p", "submit", json!({}))],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let at: chrono::DateTime<Utc> = r["current"]["submitted_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(at >= before - chrono::Duration::seconds(1) && at <= Utc::now());
        assert_eq!(r["current"]["received_at"], received.as_str());
        let shown = listed(s, &head, "inv-p");
        assert_eq!(shown["status_label"], "已报送");
        assert_eq!(shown["proof"]["complete"], true);
        let month = Utc::now().format("%Y-%m").to_string();
        let in_month = s.get_json(&head, &format!("/v1/investments?month={month}"));
        assert!(in_month
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "inv-p"));
        // Once only.
        let r = &s.push(
            &head,
            &[op("hardware_investment", "inv-p", "submit", json!({}))],
        )[0];
        assert_eq!(r["status"], "rejected");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .starts_with("该设施投入佐证已于"),
            "{r:#}"
        );
        // A phone cannot date its own submission.
        let mut sent = investment("inv-q");
        sent["submitted_at"] = json!("2026-01-01T00:00:00Z");
        sent["received_at"] = json!("2026-01-01T00:00:00Z");
        let r = &s.push(&head, &[op("hardware_investment", "inv-q", "create", sent)])[0];
        assert!(r["current"]["submitted_at"].is_null(), "{r:#}");
        assert_ne!(r["current"]["received_at"], "2026-01-01T00:00:00Z");
    }
);

both_backends!(
    a_recycled_after_photo_is_flagged_on_the_investment_and_the_hazard,
    |s: &TestServer| {
        let inspector = s.login("sb_inspector");
        let (ops, _, hazard_id) = inspection_ops(
            SHIBAO_GAS,
            SHIBAO,
            Industry::Gas,
            InspectionKind::RoutineCheck,
            "GAS-022",
        );
        let r = s.push(&inspector, &ops);
        assert!(r.iter().all(|r| r["status"] == "applied"), "{r:#?}");
        // The hazard's "after" photo: a real camera photo.
        let original = real_photo("DSCN0010.jpg");
        let sha_a = upload(s, &inspector, &original);
        let hazard_t = json!({"type": "hazard", "hazard_id": hazard_id});
        let r = s.push(
            &inspector,
            &[attach(evidence(
                "ev-h-after",
                &sha_a,
                "photo",
                "after",
                hazard_t,
            ))],
        );
        assert_eq!(r[0]["status"], "applied", "{r:#?}");
        // Two investments later: one reuses the very file, one a cropped, re-saved copy; a
        // third has a different photo of the same camera series.
        let head = s.login("sb_head");
        let copy = cropped_copy(&original);
        let sha_copy = upload(s, &head, &copy);
        let other = real_photo("DSCN0012.jpg");
        let sha_other = upload(s, &head, &other);
        let mut ops = Vec::new();
        for id in ["inv-same", "inv-copy", "inv-fresh"] {
            ops.push(op("hardware_investment", id, "create", investment(id)));
        }
        ops.push(attach(evidence(
            "ev-same",
            &sha_a,
            "photo",
            "after",
            inv_target("inv-same"),
        )));
        ops.push(attach(evidence(
            "ev-copy",
            &sha_copy,
            "photo",
            "after",
            inv_target("inv-copy"),
        )));
        ops.push(attach(evidence(
            "ev-fresh",
            &sha_other,
            "photo",
            "after",
            inv_target("inv-fresh"),
        )));
        let r = s.push(&head, &ops);
        assert!(r.iter().all(|r| r["status"] == "applied"), "{r:#?}");

        let same = listed(s, &head, "inv-same");
        let flags = same["recycled_photos"].as_array().unwrap();
        let on_hazard = flags.iter().find(|f| f["other_kind"] == "hazard").unwrap();
        assert_eq!(on_hazard["same_file"], true);
        assert_eq!(on_hazard["other_id"], hazard_id.as_str());
        assert_eq!(on_hazard["earlier"], true);
        assert!(
            on_hazard["note"]
                .as_str()
                .unwrap()
                .contains("较早报送隐患整改的照片为同一文件"),
            "{on_hazard:#}"
        );
        let copy_flags = listed(s, &head, "inv-copy")["recycled_photos"].clone();
        let on_hazard = copy_flags
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["other_kind"] == "hazard")
            .unwrap_or_else(|| panic!("cropped copy not flagged: {copy_flags:#}"));
        assert_eq!(on_hazard["same_file"], false);
        assert!(
            on_hazard["distance"].as_u64().unwrap() <= 10,
            "{on_hazard:#}"
        );
        assert!(
            on_hazard["note"].as_str().unwrap().contains("同一画面"),
            "{on_hazard:#}"
        );
        let fresh = listed(s, &head, "inv-fresh");
        assert_eq!(fresh["recycled_photos"], json!([]), "{fresh:#}");

        // On the hazard: its after photo is flagged as also used by both investments.
        let admin = s.login("admin");
        let shown = s.get_json(&admin, &format!("/v1/console/hazards/{hazard_id}/evidence"));
        let after = shown
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "ev-h-after")
            .unwrap();
        let others: Vec<&str> = after["recycled"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["other_id"].as_str().unwrap())
            .collect();
        assert!(
            others.contains(&"inv-same") && others.contains(&"inv-copy"),
            "{after:#}"
        );
        assert!(!others.contains(&"inv-fresh"), "{after:#}");
        // Another township sees none of it.
        let zz = s.login("zz_head");
        assert!(s
            .get_json(&zz, "/v1/investments")
            .as_array()
            .unwrap()
            .is_empty());
    }
);
