//! Server-received time through the API: every pushed operation's result carries when the
//! server received it; inspections, hazards, meetings and evidence are stamped with it; a
//! record dated days before it reached the server (or after) is kept but flagged 时间存疑 on
//! the record, in the console ledger, in the problem ledger's export and in the duty records,
//! where it does not count toward the quota (the county's rule, as data).

mod common;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::month::YearMonth;
use chrono::{DateTime, Duration, Utc};
use common::{inspection_ops, op, sheet_rows, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";

/// Moves every time the phone claims in `ops` back by `back`.
fn backdate(ops: &mut [Value], back: Duration) {
    fn walk(v: &mut Value, back: Duration) {
        match v {
            Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    let claimed = matches!(
                        k.as_str(),
                        "started_at" | "recorded_at" | "finished_at" | "raised_at"
                    );
                    match x.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok()) {
                        Some(t) if claimed => *x = json!(t - back),
                        _ => walk(x, back),
                    }
                }
            }
            Value::Array(xs) => xs.iter_mut().for_each(|x| walk(x, back)),
            _ => {}
        }
    }
    for o in ops {
        walk(&mut o["payload"], back);
    }
}

fn near_now(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
        .is_some_and(|t| (Utc::now() - t).num_minutes().abs() < 10)
}

both_backends!(records_carry_the_server_received_time, |s: &TestServer| {
    let head = s.login("sb_head");
    let head_id = s.get_json(&head, "/v1/me")["person"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Sent as it happens: received now, nothing doubtful.
    let (ops, fresh_insp, fresh_hazard) = inspection_ops(
        "site-07-03",
        SHIBAO,
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-012",
    );
    let r = s.push(&head, &ops);
    assert!(r.iter().all(|x| x["status"] == "applied"), "{r:#?}");
    assert!(r.iter().all(|x| near_now(&x["received_at"])), "{r:#?}");
    let finished = &r[r.len() - 2]["current"];
    assert!(
        near_now(&finished["received"]["received_at"]),
        "{finished:#}"
    );
    assert!(finished["received"].get("doubts").is_none(), "{finished:#}");

    // Dated four days back (the 72 hours of the rules passed): kept, flagged 时间存疑.
    let (mut ops, old_insp, old_hazard) = inspection_ops(
        "site-07-03",
        SHIBAO,
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-012",
    );
    let back = Duration::days(4);
    backdate(&mut ops, back);
    let r = s.push(&head, &ops);
    assert!(r.iter().all(|x| x["status"] == "applied"), "{r:#?}");
    let insp = &r[r.len() - 2]["current"];
    let doubts = insp["received"]["doubts"].as_array().unwrap();
    let fields: Vec<&str> = doubts
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"开始时间") && fields.contains(&"完成时间"),
        "{insp:#}"
    );
    assert!(doubts.iter().all(|d| d["kind"] == "long_before_receipt"));
    let hazard = &r[r.len() - 1]["current"];
    assert_eq!(
        hazard["received"]["doubts"][0]["field"], "发现时间",
        "{hazard:#}"
    );
    // The phone cannot clear the flag by sending its own receipt.
    let mut again = inspection_ops(
        "site-07-03",
        SHIBAO,
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-012",
    )
    .0;
    backdate(&mut again, back);
    again[0]["payload"]["received"] = json!({"received_at": Utc::now() - back});
    let r = s.push(&head, &again[..1]);
    assert_eq!(r[0]["status"], "applied");
    assert!(near_now(&r[0]["current"]["received"]["received_at"]));
    assert_eq!(
        r[0]["current"]["received"]["doubts"][0]["field"],
        "开始时间"
    );

    // A meeting entered five days after it was held.
    let held = Utc::now() - Duration::days(5);
    let r = s.push(
        &head,
        &[op(
            "meeting",
            "meeting-late",
            "create",
            json!({"id": "meeting-late", "kind": "special_meeting", "unit_id": SHIBAO,
                   "title": "石宝镇燃气安全专题会议", "chaired_by": head_id, "held_at": held,
                   "attendees": ["蒋华"], "minutes": "部署燃气安全检查", "evidence": []}),
        )],
    );
    assert_eq!(r[0]["status"], "applied", "{r:#?}");
    assert_eq!(
        r[0]["current"]["received"]["doubts"][0]["field"],
        "召开时间"
    );

    // The console ledger shows the flag on the backdated hazard only.
    let admin = s.login("admin");
    let page = s.get_json(
        &admin,
        &format!("/v1/console/ledger?unit={SHIBAO}&size=200"),
    );
    let rows = page["items"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    let old = row(&old_hazard);
    assert!(
        old["time_doubt"]
            .as_str()
            .unwrap()
            .starts_with("时间存疑：发现时间"),
        "{old:#}"
    );
    assert!(row(&fresh_hazard)["time_doubt"].is_null());
    assert!(near_now(&row(&fresh_hazard)["received_at"]));

    // The problem ledger's export prints it in 时间核验.
    let resp = s.get(
        &admin,
        &format!("/v1/exports/problem-ledger.xlsx?unit={SHIBAO}"),
    );
    assert_eq!(resp.status(), 200);
    let sheet = sheet_rows(&resp.bytes().unwrap());
    let header = sheet
        .iter()
        .find(|r| r.contains(&"时间核验".to_string()))
        .unwrap();
    let col = header.iter().position(|c| c == "时间核验").unwrap();
    let flagged = sheet
        .iter()
        .filter(|r| r.get(col).is_some_and(|c| c.starts_with("时间存疑")))
        .count();
    assert_eq!(flagged, 1, "{sheet:#?}");

    // So does the 检查记录台账: the backdated inspections (the second one too) are flagged,
    // the fresh one is not; a township takes only its own.
    let resp = s.get(
        &admin,
        &format!("/v1/exports/inspections.xlsx?unit={SHIBAO}"),
    );
    assert_eq!(resp.status(), 200);
    let sheet = sheet_rows(&resp.bytes().unwrap());
    assert!(sheet[0][0].contains("检查记录台账"), "{:?}", sheet[0]);
    let header = sheet
        .iter()
        .find(|r| r.contains(&"时间核验".to_string()))
        .unwrap();
    let col = header.iter().position(|c| c == "时间核验").unwrap();
    let flagged: Vec<&Vec<String>> = sheet
        .iter()
        .filter(|r| r.get(col).is_some_and(|c| c.starts_with("时间存疑")))
        .collect();
    assert_eq!(flagged.len(), 2, "{sheet:#?}");
    assert!(
        flagged.iter().all(|r| r[col].contains("开始时间")),
        "{flagged:#?}"
    );
    let received = header.iter().position(|c| c == "服务器接收时间").unwrap();
    assert!(flagged.iter().all(|r| !r[received].is_empty()));
    let other = s.login("zz_head");
    let resp = s.get(
        &other,
        &format!("/v1/exports/inspections.xlsx?unit={SHIBAO}"),
    );
    assert_eq!(resp.status(), 403);

    // Duty records: the backdated inspection and the late meeting do not count (rules as
    // data); they are listed beside the quota with why.
    let month = YearMonth::of(china_date(Utc::now() - back));
    let duty = s.get_json(&admin, &format!("/v1/duty?unit={SHIBAO}&month={month}"));
    let mine = duty
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person_id"] == head_id)
        .unwrap()
        .clone();
    let statuses = mine["statuses"].as_array().unwrap();
    let counted: Vec<&str> = statuses
        .iter()
        .flat_map(|st| st["activity_ids"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    let left_out: Vec<Value> = statuses
        .iter()
        .flat_map(|st| st["not_counted"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(!counted.contains(&old_insp.as_str()), "{mine:#}");
    let old_left = left_out
        .iter()
        .find(|n| n["activity_id"] == old_insp.as_str())
        .unwrap_or_else(|| panic!("{mine:#}"));
    assert!(old_left["reason"].as_str().unwrap().contains("不计入履职"));
    if YearMonth::of(china_date(Utc::now())) == month {
        assert!(counted.contains(&fresh_insp.as_str()), "{mine:#}");
    }
    let resp = s.get(
        &admin,
        &format!("/v1/exports/duty-records.xlsx?unit={SHIBAO}&month={month}"),
    );
    assert_eq!(resp.status(), 200);
    let text: String = sheet_rows(&resp.bytes().unwrap()).concat().join("|");
    assert!(text.contains("未计入：时间存疑"), "{text}");
});
