//! The office's administration through the API: sites imported from a spreadsheet, checklist
//! versions published. Run against SQLite and (when configured) PostgreSQL.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::inspection::InspectionKind;
use common::{inspection_ops_with, sheet, statuses, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";

both_backends!(
    admin_imports_sites_from_excel_with_row_errors,
    |s: &TestServer| {
        let admin = s.login("admin");
        let post = |token: &str, bytes: Vec<u8>| {
            s.request(Method::POST, token, "/v1/admin/sites/import")
                .header(
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                .body(bytes)
                .send()
                .unwrap()
        };
        let before = s.get_json(&admin, "/v1/sites").as_array().unwrap().len();
        let bad = sheet(&[
            [
                "洋渡镇长江渡口",
                "水上交通",
                "30.16",
                "107.92",
                "150",
                "洋渡镇",
                "县交通运输委",
                "洋渡镇江边",
                "向成林",
                "13996500001",
            ],
            [
                "某面粉厂",
                "面包",
                "30.2",
                "107.9",
                "",
                "马灌镇",
                "",
                "",
                "",
                "",
            ],
            [
                "某商场",
                "消防（人员密集场所）",
                "0",
                "0",
                "",
                "忠州街道",
                "",
                "",
                "",
                "",
            ],
            [
                "某敬老院",
                "养老机构",
                "30.3",
                "108.0",
                "",
                "不存在镇",
                "",
                "",
                "",
                "",
            ],
        ]);
        let r = post(&admin, bad);
        assert_eq!(r.status(), 422);
        let report: Value = r.json().unwrap();
        assert_eq!(report["imported"], 0);
        let rows: Vec<i64> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["row"].as_i64().unwrap())
            .collect();
        assert_eq!(rows, [3, 4, 5]);
        assert!(report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("面包"));
        assert_eq!(
            s.get_json(&admin, "/v1/sites").as_array().unwrap().len(),
            before,
            "nothing half-imported"
        );
        let good = sheet(&[
            [
                "洋渡镇长江渡口",
                "水上交通",
                "30.16",
                "107.92",
                "150",
                "洋渡镇",
                "县交通运输委",
                "洋渡镇江边",
                "向成林",
                "13996500001",
            ],
            [
                "马灌镇鑫源木业",
                "industrial",
                "30.19",
                "107.85",
                "",
                "500233112",
                "",
                "",
                "",
                "",
            ],
        ]);
        let r = post(&admin, good);
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().unwrap()["imported"], 2);
        assert_eq!(
            s.get_json(&admin, "/v1/sites").as_array().unwrap().len(),
            before + 2
        );
        // Only 县安委办 administers.
        let zz = s.login("zz_head");
        assert_eq!(post(&zz, sheet::<10>(&[])).status(), 403);
        let r = post(&admin, b"not an excel file".to_vec());
        assert_eq!(r.status(), 422);
    }
);

both_backends!(admin_publishes_checklist_versions, |s: &TestServer| {
    // The geohazard file as shipped, whatever its version today, and the county's next one.
    let base = include_str!("../../core/domain/checklists/geohazard.toml");
    let shipped = anjian_domain::checklist::parse(base).unwrap();
    let (year, n) = shipped.version.rsplit_once('.').unwrap();
    let next = format!("{year}.{}", n.parse::<u32>().unwrap() + 1);
    let released = anjian_domain::checklist::ChecklistRegistry::new()
        .versions(Industry::Geohazard)
        .iter()
        .map(|c| c.version.clone())
        .collect::<Vec<_>>();
    let v2 = base.replace(
        &format!("version = \"{}\"", shipped.version),
        &format!("version = \"{next}\""),
    ) + "\n[[items]]\nid = \"GEO-017\"\nsection = \"汛期值守\"\ntext = \"汛期实行24小时值班值守，雨情水情及时预警\"\nbasis = \"《地质灾害防治条例》（2003年）第十五条\"\nmajor = false\nunverified = \"县级补充项，条号未核对\"\n";
    let publish = |token: &str, body: &str| {
        s.request(Method::POST, token, "/v1/admin/checklists")
            .header("content-type", "application/toml")
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let inspector = s.login("sb_inspector");
    assert_eq!(publish(&inspector, &v2).status(), 403);
    let admin = s.login("admin");
    let bad = publish(&admin, "industry = \"geohazard\"\nname = \"x\"\nversion = \"9\"\nmajor_hazard_standard = \"x\"\nitems = []\n");
    assert_eq!(bad.status(), 422);
    assert!(bad.text().unwrap().contains("至少需要一个检查项"));
    let dup = v2.replace("GEO-017", "GEO-016");
    assert!(publish(&admin, &dup).text().unwrap().contains("重复"));
    let first = publish(&admin, &v2);
    assert!(
        first.status() == 201 || first.status() == 200,
        "{}",
        first.text().unwrap()
    );
    assert_eq!(
        publish(&admin, &v2).status(),
        200,
        "the same version again changes nothing"
    );
    let clash = publish(&admin, &v2.replace("24小时值班值守", "值班值守"));
    assert_eq!(clash.status(), 422);
    assert!(clash.text().unwrap().contains("已存在且内容不同"));

    let lists = s.get_json(&inspector, "/v1/checklists");
    let geo = lists
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "geohazard")
        .unwrap();
    assert_eq!(geo["version"], next.as_str());
    let mut versions = released.clone();
    versions.push(next.clone());
    assert_eq!(geo["versions"], json!(versions));
    assert_eq!(geo["items"], shipped.items.len() + 1);
    // The office sees what changed between the versions.
    let diff = s.get_json(
        &inspector,
        &format!("/v1/checklists/geohazard/diff?from={}", shipped.version),
    );
    assert_eq!(diff["to_version"], next.as_str());
    let changes = diff["items"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{diff}");
    assert_eq!(changes[0]["change"], "added");
    assert_eq!(changes[0]["item"]["id"], "GEO-017");
    assert_eq!(
        s.get(&inspector, "/v1/checklists/geohazard/diff?from=1999")
            .status(),
        404
    );
    // The compiled-in earlier release is served too, with what changed since.
    let since_release = s.get_json(
        &inspector,
        "/v1/checklists/geohazard/diff?from=2026.1&to=2026.2",
    );
    assert!(
        !since_release["items"].as_array().unwrap().is_empty(),
        "{since_release}"
    );
    let old = s.get_json(
        &inspector,
        &format!("/v1/checklists/geohazard?version={}", shipped.version),
    );
    assert_eq!(old["items"].as_array().unwrap().len(), shipped.items.len());
    assert_eq!(
        s.get(&inspector, "/v1/checklists/geohazard?version=1999")
            .status(),
        404
    );

    // An inspection made with the new version (on a phone that pulled it) can record its
    // new item.
    let phone = anjian_domain::checklist::ChecklistRegistry::new();
    phone
        .publish(anjian_domain::checklist::parse(&v2).unwrap())
        .unwrap();
    let (ops, _, _) = inspection_ops_with(
        &phone,
        "site-07-02",
        SHIBAO,
        Industry::Geohazard,
        InspectionKind::RoutineCheck,
        "GEO-017",
    );
    assert_eq!(ops[0]["payload"]["checklist_version"], next.as_str());
    let results = s.push(&inspector, &ops);
    assert!(
        statuses(&results).iter().all(|st| st == "applied"),
        "{results:#?}"
    );
    // Phones get the version with their next pull.
    let changes = s.pull_all(&inspector, 500);
    assert!(changes
        .iter()
        .any(|c| c["entity"] == "checklist" && c["entity_id"] == format!("geohazard@{next}")));
});
