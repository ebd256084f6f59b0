//! 月述考 through the API: duty records from what was recorded, self-assessments and duty
//! reports, the monthly assessment with scope, 月清零, the rotation, and the ledgers and
//! notices as files opened again.

mod common;

use std::io::Cursor;

use anjian_domain::checklist::Industry;
use anjian_domain::hazard::china_date;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::month::YearMonth;
use chrono::Utc;
use common::{docx_text, inspection_ops, op, sheet_rows, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";
const SHIBAO_GAS: &str = "site-07-03";

fn month() -> String {
    YearMonth::of(china_date(Utc::now())).to_string()
}

fn download(s: &TestServer, token: &str, path: &str) -> (u16, Vec<u8>) {
    let r = s.get(token, path);
    let status = r.status().as_u16();
    (status, r.bytes().unwrap().to_vec())
}

both_backends!(monthly_duty_assessment_and_exports, |s: &TestServer| {
    let head = s.login("sb_head");
    let me = s.get_json(&head, "/v1/me");
    let head_id = me["person"]["id"].as_str().unwrap().to_string();
    // The head leads a routine check that finds a problem, and chairs a special meeting.
    let (mut ops, _, hazard_id) = inspection_ops(
        SHIBAO_GAS,
        SHIBAO,
        Industry::Gas,
        InspectionKind::RoutineCheck,
        "GAS-012",
    );
    ops.push(op(
        "meeting",
        "meeting-1",
        "create",
        json!({
            "id": "meeting-1", "kind": "special_meeting", "unit_id": SHIBAO,
            "title": "石宝镇安全生产专题工作会议", "chaired_by": head_id,
            "held_at": Utc::now(), "attendees": ["蒋华"], "minutes": "部署燃气安全专项整治",
            "evidence": []
        }),
    ));
    let results = s.push(&head, &ops);
    assert!(
        results.iter().all(|r| r["status"] == "applied"),
        "{results:#?}"
    );

    let m = month();
    // Self-assessment: a score and a note per indicator; out of range or missing ones are
    // refused in Chinese, a full one recorded with the server's time and total.
    let items = |over: f64| -> Value {
        let set = anjian_domain::assessment::IndicatorSet::standard();
        set.indicators
            .iter()
            .filter(|i| !i.metric.is_deduction())
            .map(|i| json!({"indicator_id": i.id, "score": i.weight - 1.0 + over, "note": format!("{}落实", i.label)}))
            .collect()
    };
    let bad = s.post(
        &head,
        "/v1/self-assessments",
        &json!({"id": "sa-bad", "unit_id": SHIBAO, "month": m, "items": items(50.0),
                "summary": "自评"}),
    );
    assert_eq!(bad.status(), 422);
    assert!(bad.text().unwrap().contains("自评得分"));
    let total = s.post(
        &head,
        "/v1/self-assessments",
        &json!({"id": "sa-total", "unit_id": SHIBAO, "month": m, "score": 92.5,
                "summary": "只报总分"}),
    );
    assert_eq!(total.status(), 422);
    assert!(total.text().unwrap().contains("须逐项打分"));
    let ok = s.post(
        &head,
        "/v1/self-assessments",
        &json!({"id": "sa-1", "unit_id": SHIBAO, "month": m, "score": 100.0, "items": items(0.0),
                "summary": "本月各项工作按要求落实", "submitted_by": "someone-else",
                "submitted_at": "2020-01-01T00:00:00Z"}),
    );
    assert_eq!(ok.status(), 201);
    // The month-end item is dated by the server, never by the client's `submitted_at`.
    let admin_token = s.login("admin");
    let me = s.get_json(
        &admin_token,
        &format!("/v1/month-end?month={m}&unit={SHIBAO}"),
    );
    let sent = me
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "self_assessment")
        .unwrap();
    let at: chrono::DateTime<Utc> = sent["submitted_at"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now() - at).num_minutes().abs() < 10, "{sent:#}");
    // The office reads the unit's score beside its own, indicator by indicator.
    let a = s.get_json(&admin_token, &format!("/v1/assessments/{m}"));
    let row = a["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == SHIBAO)
        .unwrap();
    let duty = row["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "duty")
        .unwrap();
    assert_eq!(duty["self_points"], 24.0);
    assert_eq!(duty["self_note"], "履职纪实完成情况落实");
    let n = items(0.0).as_array().unwrap().len() as f64;
    assert_eq!(row["self_score"], 100.0 - n);
    // Another unit's self-assessment is refused.
    let other = s.post(
        &head,
        "/v1/self-assessments",
        &json!({"id": "sa-2", "unit_id": "500233001", "month": m, "score": 90.0,
                "summary": "代报", "submitted_by": head_id, "submitted_at": Utc::now()}),
    );
    assert_eq!(other.status(), 422);
    let today = china_date(Utc::now());
    let report = s.post(
        &head,
        "/v1/duty-reports",
        &json!({"id": "dr-1", "forum": "unit_meeting", "month": m, "unit_id": SHIBAO,
                "person_id": head_id, "reporter_name": "卫东", "topic": "本月安全生产履职情况",
                "reported_on": today, "evidence": []}),
    );
    assert_eq!(report.status(), 201);

    // Duty: the head's monthly inspection counts, with the record behind it.
    let admin = s.login("admin");
    let duty = s.get_json(&admin, &format!("/v1/duty?unit={SHIBAO}&month={m}"));
    let head_row = duty
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person_id"] == head_id.as_str())
        .expect("the head has a duty record");
    let led = head_row["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["quota"]["activity"] == "led_inspection")
        .unwrap();
    assert_eq!(led["done"], 1);
    assert_eq!(led["state"], "met");
    // A township sees only its own duty records.
    let zz = s.login("zz_head");
    assert_eq!(s.get(&zz, &format!("/v1/duty?unit={SHIBAO}")).status(), 403);
    assert_eq!(s.get(&admin, "/v1/duty?month=2026-13").status(), 422);

    // Assessment: every township and department, with self-assessment and 月清零.
    let a = s.get_json(&admin, &format!("/v1/assessments/{m}"));
    let scores = a["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 28 + 17);
    let shibao = scores.iter().find(|x| x["unit_id"] == SHIBAO).unwrap();
    assert_eq!(shibao["self_score"], 100.0 - n);
    assert_eq!(shibao["month_clear_open"], json!([hazard_id]));
    let mine = s.get_json(&zz, &format!("/v1/assessments/{m}"));
    assert_eq!(
        mine["scores"].as_array().unwrap().len(),
        1,
        "a township sees its own row"
    );
    assert_eq!(mine["scores"][0]["unit_id"], "500233001");
    let clear = s.get_json(&head, &format!("/v1/month-clear?month={m}"));
    assert_eq!(clear.as_array().unwrap().len(), 1);
    assert_eq!(
        s.get(&zz, &format!("/v1/month-clear?unit={SHIBAO}"))
            .status(),
        403
    );
    let annual = s.get_json(&admin, &format!("/v1/assessments/annual/{}", &m[..4]));
    assert_eq!(annual.as_array().unwrap().len(), 45);

    // Rotation: 12 months × (1 leader + 2 townships + 1 department).
    let rot = s.get_json(&admin, &format!("/v1/rotation?year={}", &m[..4]));
    assert_eq!(rot.as_array().unwrap().len(), 48);

    // Files.
    let (st, bytes) = download(s, &head, "/v1/exports/problem-ledger.xlsx");
    assert_eq!(st, 200);
    let rows = sheet_rows(&bytes);
    assert!(
        rows[0][0].contains("石宝镇安全生产问题清单台账"),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[1][1], "隐患编号");
    assert_eq!(rows.len(), 3, "title, header, one problem");
    assert_eq!(rows[2][2], "石宝镇");
    assert_eq!(rows[2][5], "一般隐患");
    assert_eq!(rows[2][6], "排查");
    assert_eq!(
        s.get(
            &zz,
            &format!("/v1/exports/problem-ledger.xlsx?unit={SHIBAO}")
        )
        .status(),
        403
    );
    assert_eq!(s.get(&zz, "/v1/exports/monthly-scores.xlsx").status(), 403);
    assert_eq!(s.get(&admin, "/v1/exports/nothing.xlsx").status(), 404);

    let (st, bytes) = download(
        s,
        &admin,
        &format!("/v1/exports/duty-records.xlsx?unit={SHIBAO}&month={m}"),
    );
    assert_eq!(st, 200);
    let rows = sheet_rows(&bytes);
    assert!(
        rows.iter().any(|r| r[2] == "卫东"
            && r[4] == "带队开展实地督查"
            && r[10] == "已完成"
            && r[11].contains("排查")),
        "{rows:?}"
    );

    let (st, bytes) = download(
        s,
        &admin,
        &format!("/v1/exports/monthly-scores.xlsx?month={m}"),
    );
    assert_eq!(st, 200);
    let rows = sheet_rows(&bytes);
    assert_eq!(rows.len(), 2 + 45);
    let shibao_row = rows.iter().find(|r| r[2] == "石宝镇").unwrap();
    let n = anjian_domain::assessment::IndicatorSet::standard()
        .indicators
        .iter()
        .filter(|i| !i.metric.is_deduction())
        .count() as f64;
    assert_eq!(shibao_row[shibao_row.len() - 3], format!("{}", 100.0 - n));
    // The second sheet: the unit's score beside the office's, indicator by indicator.
    {
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(wb.sheet_names()[1], "自评对照");
        let range = wb.worksheet_range("自评对照").unwrap();
        let row: Vec<String> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            .find(|r| r[1] == "石宝镇" && r[2] == "履职纪实完成情况")
            .unwrap();
        assert_eq!(row[5], "24");
        assert_eq!(row[7], "履职纪实完成情况落实");
    }

    let (st, bytes) = download(
        s,
        &admin,
        &format!("/v1/exports/assessment-notice.docx?month={m}&number=忠安委办〔2026〕45号"),
    );
    assert_eq!(st, 200);
    let text = docx_text(&bytes);
    assert!(text.contains("忠县安全生产委员会办公室文件"), "{text}");
    assert!(text.contains("忠安委办〔2026〕45号"));
    assert!(text.contains("全县安全生产综合考核评估情况的通报"));
    assert!(text.contains("石宝镇"));
    assert!(text.contains("各乡镇人民政府、街道办事处，县级有关部门："));

    let (st, bytes) = download(
        s,
        &admin,
        &format!("/v1/exports/patrol-notice.docx?month={m}"),
    );
    assert_eq!(st, 200);
    assert!(docx_text(&bytes).contains("安全生产暗访巡查情况的通报"));

    let (st, bytes) = download(s, &admin, "/v1/exports/major-hazards.xlsx");
    assert_eq!(st, 200);
    assert_eq!(sheet_rows(&bytes)[1][5], "整改目标");
});
