//! 改机制 through the API: a unit records a rule change and a 举一反三 linked to the hazard that
//! caused it; another unit may not record for it nor link what it cannot see; 举一反三 without
//! a finding is refused; the office lists every unit's and downloads the ledger.

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::InspectionKind;
use chrono::Utc;
use common::{inspection_ops, op, sheet_rows, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";

fn record(id: &str, kind: &str, hazards: Value) -> Value {
    json!({"id": id, "kind": kind, "unit_id": SHIBAO, "title": "石宝镇液化气钢瓶管理制度（修订）",
           "content": "针对餐饮场所违规存放液化气钢瓶问题，明确场所、燃气经营企业和镇安办的检查责任",
           "effective_on": china_date(Utc::now()), "document_number": " 石宝府发〔2026〕18号 ",
           "hazard_ids": hazards, "inspection_ids": []})
}

both_backends!(
    units_record_mechanism_changes_linked_to_findings,
    |s: &TestServer| {
        let head = s.login("sb_head");
        let (ops, _, hazard_id) = inspection_ops(
            "site-07-03",
            SHIBAO,
            Industry::Gas,
            InspectionKind::RoutineCheck,
            "GAS-012",
        );
        let r = s.push(&head, &ops);
        assert!(r.iter().all(|x| x["status"] == "applied"), "{r:#?}");

        // 举一反三 needs the finding that caused it.
        let r = &s.push(
            &head,
            &[op(
                "mechanism_record",
                "m-0",
                "create",
                record("m-0", "lessons_applied", json!([])),
            )],
        )[0];
        assert_eq!(r["status"], "rejected");
        assert!(
            r["reason"].as_str().unwrap().contains("举一反三须关联"),
            "{r:#}"
        );
        let r = &s.push(
            &head,
            &[op(
                "mechanism_record",
                "m-1",
                "create",
                record("m-1", "lessons_applied", json!([hazard_id])),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        assert_eq!(r["current"]["document_number"], "石宝府发〔2026〕18号");
        assert_eq!(r["current"]["recorded_by"], "person-sb_head");
        let r = &s.push(
            &head,
            &[op(
                "mechanism_record",
                "m-2",
                "create",
                record("m-2", "rule_revision", json!([])),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");

        // Another township may not record for 石宝镇, nor link a hazard it cannot see.
        let zz = s.login("zz_head");
        let r = &s.push(
            &zz,
            &[op(
                "mechanism_record",
                "m-3",
                "create",
                record("m-3", "rule_revision", json!([])),
            )],
        )[0];
        assert!(r["reason"].as_str().unwrap().contains("无权"), "{r:#}");
        let mut theirs = record("m-4", "lessons_applied", json!([hazard_id]));
        theirs["unit_id"] = json!("500233001");
        let r = &s.push(&zz, &[op("mechanism_record", "m-4", "create", theirs)])[0];
        assert!(
            r["reason"].as_str().unwrap().contains("未找到关联隐患"),
            "{r:#}"
        );

        // The unit and the office read them; another township does not.
        let mine = s.get_json(&head, "/v1/mechanism");
        assert_eq!(mine.as_array().unwrap().len(), 2, "{mine:#}");
        assert!(mine
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind_label"] == "举一反三"));
        assert!(s
            .get_json(&zz, "/v1/mechanism")
            .as_array()
            .unwrap()
            .is_empty());
        let admin = s.login("admin");
        let all = s.get_json(&admin, &format!("/v1/mechanism?unit={SHIBAO}"));
        assert_eq!(all.as_array().unwrap().len(), 2);
        let r = s.get(&admin, "/v1/exports/mechanism.xlsx");
        assert_eq!(r.status(), 200);
        let rows = sheet_rows(&r.bytes().unwrap());
        assert!(rows[0][0].contains("改机制工作台账"), "{rows:?}");
        let line = rows
            .iter()
            .find(|r| r.iter().any(|c| c == "举一反三"))
            .unwrap();
        assert!(
            line.iter().any(|c| c.starts_with("YH-")),
            "the hazard's number: {line:?}"
        );
    }
);
