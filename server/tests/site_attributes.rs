//! Site attributes (场所属性) as stored data: the office records them on a site (one by one or
//! in the site sheet), and an inspection of the site asks only the checklist items that apply
//! to them. Run against SQLite and (when configured) PostgreSQL.

mod common;

use anjian_domain::checklist::{compiled_for, Industry};
use anjian_domain::inspection::{Inspection, ItemOutcome, ItemResult};
use chrono::Utc;
use common::{device_actor, op, sheet, statuses, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";

fn site_body(name: &str, attributes: Value) -> Value {
    json!({
        "id": "",
        "name": name,
        "industry": "industrial",
        "location": { "point": { "lat": 30.42, "lon": 108.18 }, "radius_m": 120.0, "polygon": null },
        "township_id": SHIBAO,
        "department_id": null,
        "address": "忠县石宝镇工业园区",
        "contact_name": null,
        "contact_phone": null,
        "attributes": attributes,
    })
}

/// The ops of an inspection of `site_id` that answers `answered` (all passed) and finishes.
fn inspection(site_id: &str, answered: &[&str]) -> (String, Vec<Value>) {
    let list = compiled_for(Industry::Industrial);
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let insp = Inspection::start(
        id.clone(),
        anjian_domain::inspection::InspectionKind::RoutineCheck,
        site_id,
        list,
        device_actor(),
        vec![],
        now,
    )
    .unwrap();
    let mut ops = vec![op(
        "inspection",
        &id,
        "start",
        serde_json::to_value(&insp).unwrap(),
    )];
    for item in answered {
        let result = ItemResult {
            outcome: ItemOutcome::Pass,
            note: None,
            recorded_at: now,
        };
        ops.push(op(
            "inspection",
            &id,
            "record_item",
            json!({ "item_id": item, "result": result }),
        ));
    }
    ops.push(op(
        "inspection",
        &id,
        "finish",
        json!({ "finished_at": now }),
    ));
    (id, ops)
}

both_backends!(
    site_attributes_are_stored_and_decide_what_an_inspection_asks,
    |s: &TestServer| {
        let admin = s.login("admin");
        let r = s.post(
            &admin,
            "/v1/admin/sites",
            &site_body("忠县瑞丰冷冻食品有限公司", json!(["liquid_ammonia"])),
        );
        assert_eq!(r.status(), 201, "{}", r.text().unwrap_or_default());
        let site_id = r.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();

        // Attributes the industry's checklist does not declare, or labels instead of codes,
        // are refused in Chinese and nothing is stored.
        let before = s.get_json(&admin, "/v1/sites").as_array().unwrap().len();
        let r = s.post(
            &admin,
            "/v1/admin/sites",
            &site_body("某厂", json!(["elevator"])),
        );
        assert_eq!(r.status(), 422);
        assert!(r.text().unwrap().contains("没有场所属性 elevator"));
        let r = s.post(
            &admin,
            "/v1/admin/sites",
            &site_body("某厂", json!(["使用液氨制冷"])),
        );
        assert_eq!(r.status(), 422);
        assert!(r.text().unwrap().contains("不是场所属性代码"));
        assert_eq!(
            s.get_json(&admin, "/v1/sites").as_array().unwrap().len(),
            before
        );

        // The township's inspector reads them, and a phone pulls them with the site.
        let inspector = s.login("sb_inspector");
        let site = s.get_json(&inspector, &format!("/v1/sites/{site_id}"));
        assert_eq!(site["attributes"], json!(["liquid_ammonia"]));
        let pulled = s.pull_all(&inspector, 500);
        let record = pulled
            .iter()
            .find(|c| c["entity"] == "site" && c["entity_id"] == site_id.as_str())
            .expect("the site is pulled");
        assert_eq!(
            record["data"]["attributes"],
            json!(["liquid_ammonia"]),
            "{record}"
        );

        // An inspection answering only what applies (ammonia, not dust) finishes; the
        // dust items are recorded 不适用 by the server, with the reason.
        let list = compiled_for(Industry::Industrial);
        let attrs = vec!["liquid_ammonia".to_string()];
        let applicable: Vec<&str> = list
            .applicable_items(&attrs)
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert!(applicable.contains(&"IND-012") && !applicable.contains(&"IND-003"));
        let (id, ops) = inspection(&site_id, &applicable);
        let results = s.push(&inspector, &ops);
        assert!(
            statuses(&results).iter().all(|st| st == "applied"),
            "{results:#?}"
        );
        let all = s.get_json(&inspector, "/v1/inspections");
        let insp = all
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id.as_str())
            .unwrap();
        assert!(insp["finished_at"].is_string());
        let dust = &insp["results"]["IND-003"];
        assert_eq!(dust["outcome"], "not_applicable", "{dust}");
        assert!(dust["note"].as_str().unwrap().contains("粉尘爆炸"));
        assert_eq!(insp["results"]["IND-012"]["outcome"], "pass");

        // Leaving out an item that applies (the ammonia one) is refused.
        let without: Vec<&str> = applicable
            .iter()
            .copied()
            .filter(|i| *i != "IND-012")
            .collect();
        let (_, ops) = inspection(&site_id, &without);
        let results = s.push(&inspector, &ops);
        let last = results.last().unwrap();
        assert_eq!(last["status"], "rejected", "{results:#?}");
        assert!(last["reason"].as_str().unwrap().contains("1 项未填写"));
    }
);

both_backends!(the_site_sheet_carries_site_attributes, |s: &TestServer| {
    let admin = s.login("admin");
    let post = |bytes: Vec<u8>| {
        s.request(Method::POST, &admin, "/v1/admin/sites/import")
            .header(
                "Content-Type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(bytes)
            .send()
            .unwrap()
    };
    let cold = [
        "石宝镇恒通冷链食品厂",
        "industrial",
        "30.41",
        "108.17",
        "",
        "石宝镇",
        "",
        "",
        "",
        "",
        "使用液氨制冷、confined_space",
    ];
    let mut bad = cold;
    bad[0] = "石宝镇某面包房";
    bad[10] = "烘焙";
    let r = post(sheet(&[cold, bad]));
    assert_eq!(r.status(), 422);
    let report: Value = r.json().unwrap();
    assert_eq!(report["errors"][0]["row"], 3);
    let message = report["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("烘焙") && message.contains("使用液氨制冷"),
        "{message}"
    );

    let r = post(sheet(&[cold]));
    assert_eq!(r.status(), 200);
    let sites = s.get_json(&admin, "/v1/sites");
    let site = sites
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "石宝镇恒通冷链食品厂")
        .unwrap();
    assert_eq!(
        site["attributes"],
        json!(["liquid_ammonia", "confined_space"])
    );
});

both_backends!(
    a_township_inspector_corrects_a_site_and_others_are_refused_in_chinese,
    |s: &TestServer| {
        let admin = s.login("admin");
        let r = s.post(
            &admin,
            "/v1/admin/sites",
            &site_body("忠县石宝镇鑫源建材厂", json!([])),
        );
        assert_eq!(r.status(), 201, "{}", r.text().unwrap_or_default());
        let site_id = r.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let edit = |payload: Value| op("site", &site_id, "edit", payload);

        // The township's inspector corrects the contact, the position and an attribute; the
        // fields he did not name stay as they were.
        let inspector = s.login("sb_inspector");
        let results = s.push(
            &inspector,
            &[edit(json!({
                "contact_name": "李娟",
                "contact_phone": "138 2345 6789",
                "location": { "point": { "lat": 30.4251, "lon": 108.1832 }, "radius_m": 80.0, "polygon": null },
                "attributes": ["dust_explosion"],
            }))],
        );
        assert_eq!(statuses(&results), ["applied"], "{results:?}");
        let site = s.get_json(&admin, &format!("/v1/sites/{site_id}"));
        assert_eq!(site["contact_name"], "李娟");
        assert_eq!(site["contact_phone"], "138 2345 6789");
        assert_eq!(site["address"], "忠县石宝镇工业园区");
        assert_eq!(site["location"]["point"]["lat"], 30.4251);
        assert_eq!(site["attributes"], json!(["dust_explosion"]));
        assert_eq!(site["township_id"], SHIBAO);

        // 督查办 reads every site but corrects none: refused, with the server's row so the
        // phone puts its copy back; nothing changes.
        let supervision = s.login("duchaban");
        let results = s.push(&supervision, &[edit(json!({ "contact_name": "王五" }))]);
        assert_eq!(statuses(&results), ["rejected"]);
        let reason = results[0]["reason"].as_str().unwrap();
        assert!(reason.contains("无权修改场所信息"), "{reason}");
        assert_eq!(results[0]["current"]["contact_name"], "李娟");

        // Another township's head cannot see the site: refused as not found (the refusal
        // reveals nothing of it).
        let other = s.login("zz_head");
        let results = s.push(&other, &[edit(json!({ "address": "忠州街道" }))]);
        assert_eq!(statuses(&results), ["rejected"]);
        let reason = results[0]["reason"].as_str().unwrap();
        assert!(reason.contains("未找到场所"), "{reason}");
        assert!(results[0]["current"].is_null());

        // Bad values and an attribute the industry does not declare are refused in Chinese.
        for (payload, says) in [
            (json!({ "contact_phone": "12" }), "联系电话"),
            (json!({ "attributes": ["elevator"] }), "elevator"),
            (json!({}), "没有需要修改的内容"),
        ] {
            let results = s.push(&inspector, &[edit(payload)]);
            assert_eq!(statuses(&results), ["rejected"]);
            let reason = results[0]["reason"].as_str().unwrap();
            assert!(reason.contains(says), "{reason}");
        }
        let site = s.get_json(&admin, &format!("/v1/sites/{site_id}"));
        assert_eq!(site["contact_name"], "李娟");
        assert_eq!(site["contact_phone"], "138 2345 6789");
        assert_eq!(site["attributes"], json!(["dust_explosion"]));
    }
);
