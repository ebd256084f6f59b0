//! 工作任务交办 through the API: 县安委办 assigns a task to two units, each unit reads only its
//! own part and submits its proof (text and a file attached to the task), the office returns
//! one with a reason and accepts it when sent again; refusals in Chinese for the wrong role,
//! the wrong unit, missing proof and a past deadline; the task list downloads.

mod common;

use anjian_domain::hazard::china_date;
use chrono::{Duration, Utc};
use common::{evidence, op, sheet_rows, upload, TestServer};
use serde_json::{json, Value};

const SHIBAO: &str = "500233107";
const ZHONGZHOU: &str = "500233001";

fn rows(s: &TestServer, token: &str, path: &str) -> Vec<Value> {
    s.get_json(token, path).as_array().unwrap().clone()
}

fn task(id: &str, deadline: chrono::NaiveDate) -> Value {
    json!({"id": id, "title": "燃气安全专项整治", "deadline": deadline,
           "content": "排查辖区餐饮场所燃气报警装置安装情况，建立整治台账并报送",
           "unit_ids": [SHIBAO, ZHONGZHOU, SHIBAO]})
}

fn part<'a>(list: &'a [Value], unit: &str) -> &'a Value {
    list.iter()
        .find(|r| r["unit_id"] == unit && r["task_id"] == "task-1")
        .unwrap_or_else(|| panic!("no part of {unit}: {list:#?}"))
}

fn reason(r: &Value) -> String {
    assert_eq!(r["status"], "rejected", "{r:#}");
    r["reason"].as_str().unwrap().to_string()
}

both_backends!(
    tasks_are_assigned_submitted_and_reviewed,
    |s: &TestServer| {
        let admin = s.login("admin");
        let head = s.login("sb_head");
        let zz = s.login("zz_head");
        let today = china_date(Utc::now());

        // Only 县安委办 assigns; not in the past.
        let r = &s.push(
            &head,
            &[op("work_task", "task-x", "assign", task("task-x", today))],
        )[0];
        assert!(reason(r).contains("无权"), "{r:#}");
        let past = task("task-x", today - Duration::days(1));
        let r = &s.push(&admin, &[op("work_task", "task-x", "assign", past)])[0];
        assert!(reason(r).contains("不能早于今天"), "{r:#}");
        let r = &s.push(
            &admin,
            &[op(
                "work_task",
                "task-1",
                "assign",
                task("task-1", today + Duration::days(7)),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        assert_eq!(r["current"]["assigned_by"], "person-admin");
        assert_eq!(
            r["current"]["parts"].as_array().unwrap().len(),
            2,
            "units deduplicated"
        );

        // Each unit reads its own part, 待办; the office reads both.
        let mine = rows(s, &head, "/v1/tasks");
        assert_eq!(mine.len(), 1, "{mine:#?}");
        assert_eq!(part(&mine, SHIBAO)["status_label"], "待办");
        assert_eq!(rows(s, &admin, "/v1/tasks?status=todo").len(), 2);
        assert_eq!(
            s.get(&zz, &format!("/v1/tasks?unit={SHIBAO}")).status(),
            403
        );

        // Wrong unit, missing text, a file not attached to the task: refused.
        let proof =
            |text: &str, ev: Value| json!({"unit_id": SHIBAO, "text": text, "evidence": ev});
        let r = &s.push(
            &zz,
            &[op(
                "work_task",
                "task-1",
                "submit",
                proof("已完成", json!([])),
            )],
        )[0];
        assert!(reason(r).contains("无权"), "{r:#}");
        let r = &s.push(
            &head,
            &[op("work_task", "task-1", "submit", proof(" ", json!([])))],
        )[0];
        assert!(reason(r).contains("办理情况"), "{r:#}");
        let r = &s.push(
            &head,
            &[op(
                "work_task",
                "task-1",
                "submit",
                proof("已完成", json!(["ev-none"])),
            )],
        )[0];
        assert!(reason(r).contains("未登记在该任务下"), "{r:#}");
        // A stranger to the task learns nothing of it.
        let other = s.login("yjj_head");
        let r = &s.push(
            &other,
            &[op(
                "work_task",
                "task-1",
                "submit",
                proof("已完成", json!([])),
            )],
        )[0];
        assert!(reason(r).contains("未找到工作任务"), "{r:#}");

        // The unit attaches its 整治台账 to the task, then submits.
        let sha = upload(s, &head, b"%PDF-1.4 shibao gas ledger");
        let target = json!({"type": "work_task", "task_id": "task-1", "unit_id": SHIBAO});
        let r = &s.push(
            &head,
            &[op(
                "evidence",
                "ev-t1",
                "attach",
                evidence("ev-t1", &sha, "other_document", "none", target),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let zz_target = json!({"type": "work_task", "task_id": "task-1", "unit_id": SHIBAO});
        let r = &s.push(
            &zz,
            &[op(
                "evidence",
                "ev-zz",
                "attach",
                evidence("ev-zz", &sha, "other_document", "none", zz_target),
            )],
        )[0];
        assert_eq!(
            r["status"], "rejected",
            "another unit may not attach for 石宝镇: {r:#}"
        );
        let text = "已排查餐饮场所42家，整改报警装置缺失3处，整治台账见附件";
        let r = &s.push(
            &head,
            &[op(
                "work_task",
                "task-1",
                "submit",
                proof(text, json!(["ev-t1"])),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let mine = rows(s, &head, "/v1/tasks");
        assert_eq!(part(&mine, SHIBAO)["status_label"], "已提交");
        assert_eq!(part(&mine, SHIBAO)["evidence"], json!(["ev-t1"]));
        assert_eq!(part(&mine, SHIBAO)["late"], false);

        // The office returns it (a reason needed), the unit sends it again, the office accepts.
        let review = |accept: bool, reason: Value| json!({"unit_id": SHIBAO, "accept": accept, "reason": reason});
        let r = &s.push(
            &head,
            &[op(
                "work_task",
                "task-1",
                "review",
                review(true, Value::Null),
            )],
        )[0];
        assert!(
            reason(r).contains("无权"),
            "the unit may not accept its own: {r:#}"
        );
        let r = &s.push(
            &admin,
            &[op(
                "work_task",
                "task-1",
                "review",
                review(false, Value::Null),
            )],
        )[0];
        assert!(reason(r).contains("退回理由"), "{r:#}");
        let r = &s.push(
            &admin,
            &[op(
                "work_task",
                "task-1",
                "review",
                review(false, json!("未附整改前后照片")),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let mine = rows(s, &head, "/v1/tasks");
        assert_eq!(part(&mine, SHIBAO)["status_label"], "已退回");
        assert_eq!(part(&mine, SHIBAO)["return_reason"], "未附整改前后照片");
        let r = &s.push(
            &head,
            &[op(
                "work_task",
                "task-1",
                "submit",
                proof(text, json!(["ev-t1"])),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let r = &s.push(
            &admin,
            &[op(
                "work_task",
                "task-1",
                "review",
                review(true, Value::Null),
            )],
        )[0];
        assert_eq!(r["status"], "applied", "{r:#}");
        let r = &s.push(
            &head,
            &[op("work_task", "task-1", "submit", proof(text, json!([])))],
        )[0];
        assert!(reason(r).contains("已办结"), "{r:#}");
        let all = rows(s, &admin, "/v1/tasks");
        assert_eq!(part(&all, SHIBAO)["status_label"], "已办结");
        assert_eq!(part(&all, ZHONGZHOU)["status_label"], "待办");

        // The task list: the office's whole county, a unit its own.
        let r = s.get(&admin, "/v1/exports/tasks.xlsx");
        assert_eq!(r.status(), 200);
        let sheet = sheet_rows(&r.bytes().unwrap());
        assert!(sheet[0][0].contains("工作任务交办清单"), "{sheet:?}");
        let line = sheet
            .iter()
            .find(|r| r.iter().any(|c| c == "石宝镇"))
            .unwrap();
        assert!(
            line.iter().any(|c| c == "已办结") && line.iter().any(|c| c == text),
            "{line:?}"
        );
        assert!(sheet.iter().any(|r| r.iter().any(|c| c == "忠州街道")));
        let r = s.get(&head, "/v1/exports/tasks.xlsx");
        let sheet = sheet_rows(&r.bytes().unwrap());
        assert!(
            !sheet.iter().any(|r| r.iter().any(|c| c == "忠州街道")),
            "{sheet:?}"
        );
    }
);
