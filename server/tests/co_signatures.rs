//! Every officer of a 行政检查's team signs its documents (the co-officer on the leader's
//! phone): through `POST /v1/sync/push`, a 现场检查记录 signed by the leader alone is refused
//! naming who still must sign, a signature by someone not on the team is refused, and the record
//! signed by both officers and the representative lets the inspection finish; its
//! 行政检查结果告知书 is taken only once it is finished, and the 检查记录台账 says whether the
//! result was told. SQLite and PostgreSQL.

mod common;

use anjian_domain::checklist::{self, Industry};
use anjian_domain::inspection::InspectionKind;
use chrono::{Duration, Utc};
use common::{evidence, inspection_ops, op, sheet_rows, TestServer};
use serde_json::{json, Value};

/// 石宝镇's chemical site (site-07-NN is industry (7 + NN) % 10), within 县应急管理局's powers.
const HAZCHEM: &str = "site-07-04";
const SHIBAO: &str = "500233107";

fn signature(person: Option<&str>, signer: &str, name: &str, seed: char) -> Value {
    json!({
        "signer": signer, "person_id": person, "name": name,
        "image_sha256": seed.to_string().repeat(64),
        "signed_at": Utc::now() - Duration::seconds(5),
    })
}

/// A 现场检查记录 of `inspection_id` as the phone pushes it, with these signatures.
fn record(inspection_id: &str, signatures: Vec<Value>) -> (String, Value) {
    document(
        inspection_id,
        "inspection_record",
        "（忠）应急检记〔2026〕1001号",
        signatures,
    )
}

/// A document of `inspection_id` as the phone pushes it.
fn document(
    inspection_id: &str,
    kind: &str,
    number: &str,
    signatures: Vec<Value>,
) -> (String, Value) {
    let id = uuid::Uuid::now_v7().to_string();
    let mut ev = evidence(
        &id,
        &"e".repeat(64),
        "site_document",
        "none",
        json!({"type": "inspection_report", "inspection_id": inspection_id}),
    );
    ev["document"] = json!({
        "kind": kind,
        "number": number,
        "inspection_id": inspection_id,
        "signatures": signatures,
        "generated_at": Utc::now(),
    });
    (id.clone(), op("evidence", &id, "attach", ev))
}

both_backends!(
    every_officer_of_the_team_signs_the_record_and_no_one_else,
    |s: &TestServer| {
        // 韩磊 of 县应急管理局 with his certified colleague 何斌, every item answered.
        let han = s.login("yjj_inspector");
        let first = &checklist::compiled_for(Industry::Hazchem).items[0].id;
        let (mut ops, id, _) = inspection_ops(
            HAZCHEM,
            SHIBAO,
            Industry::Hazchem,
            InspectionKind::RoutineCheck,
            first,
        );
        // Started and answered only: the finish and the finding's hazard come later.
        ops.truncate(ops.len() - 2);
        let results = s.push(&han, &ops);
        assert!(
            results.iter().all(|r| r["status"] == "applied"),
            "{results:#?}"
        );
        let stored = s
            .get_json(&han, "/v1/inspections")
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id.as_str())
            .cloned()
            .unwrap();
        let leader = stored["leader"]["person_id"].as_str().unwrap().to_string();
        assert_eq!(stored["leader"]["name"], "韩磊");
        assert_eq!(stored["officers"][0]["person_id"], "person-yjj-officer-1");
        let lead = || signature(Some(&leader), "officer", "韩磊", 'a');
        let site = || signature(None, "representative", "刘建国", 'c');
        let push = |op: Value| s.push(&han, &[op]).remove(0);

        // The leader alone: refused, naming the officer who still must sign.
        let (_, alone) = record(&id, vec![lead(), site()]);
        let r = push(alone);
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert_eq!(
            r["reason"],
            "现场检查记录尚缺执法人员何斌的签名：参加行政检查的每名执法人员都须签名"
        );
        // A signature as an officer by someone not on the team (another body's officer), or by
        // a team member under another name: refused in Chinese.
        let outsider = signature(Some("person-zjw-officer-1"), "officer", "许峰", 'b');
        let (_, foreign) = record(&id, vec![lead(), outsider, site()]);
        let r = push(foreign);
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert_eq!(
            r["reason"],
            "许峰不是本次行政检查的执法人员，不能作为执法人员在文书上签名"
        );
        let renamed = signature(Some("person-yjj-officer-1"), "officer", "何某", 'b');
        let (_, wrong_name) = record(&id, vec![lead(), renamed, site()]);
        assert_eq!(push(wrong_name)["status"], "rejected");
        // Finishing on the leader's signature alone is refused too.
        let finish = |record: &str| {
            op(
                "inspection",
                &id,
                "finish",
                json!({ "finished_at": Utc::now(), "inspection_record_id": record }),
            )
        };
        // The result cannot be told before the inspection is finished.
        let all = || {
            vec![
                lead(),
                signature(Some("person-yjj-officer-1"), "officer", "何斌", 'b'),
                site(),
            ]
        };
        let notice = || document(&id, "result_notice", "（忠）应急检告〔2026〕1001号", all()).1;
        let r = push(notice());
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert_eq!(
            r["reason"],
            "当前状态为“检查进行中”，不能告知检查结果（检查结束后才能制作行政检查结果告知书）"
        );
        let r = push(finish("no-such-record"));
        assert_eq!(r["status"], "rejected", "{r:#}");
        assert!(
            r["reason"].as_str().unwrap().contains("现场检查记录"),
            "{r:#}"
        );

        // Both officers (何斌 on 韩磊's phone) and the representative: stored, and it finishes.
        let co = signature(Some("person-yjj-officer-1"), "officer", "何斌", 'b');
        let (doc_id, both) = record(&id, vec![lead(), co, site()]);
        let r = push(both);
        assert_eq!(r["status"], "applied", "{r:#}");
        let r = push(finish(&doc_id));
        assert_eq!(r["status"], "applied", "{r:#}");
        let docs = s.get_json(&han, &format!("/v1/inspections/{id}/documents"));
        let text = docs.to_string();
        assert!(text.contains("何斌") && text.contains("韩磊"), "{docs:#}");

        // The 检查记录台账 lists the record and says the result is not told yet; once the
        // notice is pushed, it is.
        let told = || {
            let sheet = sheet_rows(
                &s.get(&han, "/v1/exports/inspections.xlsx?unit=dept-yjj")
                    .bytes()
                    .unwrap(),
            );
            let header = sheet
                .iter()
                .find(|r| r.contains(&"结果告知".to_string()))
                .unwrap();
            let col = |h: &str| header.iter().position(|c| c == h).unwrap();
            let row = sheet
                .iter()
                .find(|r| r[col("现场执法文书")].contains("（忠）应急检记〔2026〕1001号"))
                .unwrap_or_else(|| panic!("{sheet:#?}"));
            row[col("结果告知")].clone()
        };
        assert_eq!(told(), "未告知");
        let r = push(notice());
        assert_eq!(r["status"], "applied", "{r:#}");
        assert!(told().starts_with("已告知（"), "{}", told());
    }
);
