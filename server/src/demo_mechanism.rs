//! The demo county's 改作风 records and 工作任务交办, beside `demo_activity`: 县安委办 has acted
//! on some of the talks the rules suggest for the seeded activity (overdue hazards, missed
//! duty, late month-end items), with varied outcomes, leaving the rest as open suggestions;
//! it has assigned tasks that stand at every status; and units have recorded 改机制.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use anjian_domain::accountability::{AccountabilityOutcome, Suggestion};
use anjian_domain::hazard::china_date;
use anjian_domain::mechanism::{MechanismKind, MechanismRecord};
use anjian_domain::month::YearMonth;
use anjian_domain::month_end::{DueRules, MonthEndSubmission, SubmissionKind};
use anjian_domain::org::{Person, Role, Unit, UnitKind};
use anjian_domain::records::AccountabilityRecord;
use anjian_domain::sync::entity;
use anjian_domain::task::{ReviewTask, SubmitTaskProof, WorkTask};

use crate::error::ApiResult;
use crate::monthly::County;
use crate::records;
use crate::storage::Tx;

/// When a unit (the `i`th of the county's townships and departments) sent its month-end items
/// of `month`: most on time in the last days of the month; every twelfth two days late; every
/// nineteenth leaves its 履职纪实 unsent (`None` for that item only).
pub fn month_end_day(i: usize, month: YearMonth) -> NaiveDate {
    if i % 12 == 5 {
        month.last_day() + Duration::days(2)
    } else {
        month.last_day() - Duration::days((i % 3) as i64)
    }
}

/// Each unit's 月底报送 of `month` (units with the person who sent them), as
/// [`month_end_day`] says; returns how many items were sent.
pub fn seed_month_end(
    tx: &mut dyn Tx,
    units: &[(String, String)],
    month: YearMonth,
) -> ApiResult<usize> {
    let mut n = 0;
    for (i, (unit_id, by)) in units.iter().enumerate() {
        let day = month_end_day(i, month);
        for rule in &DueRules::standard().item {
            if i % 19 == 13 && rule.kind == SubmissionKind::DutyRecords {
                continue;
            }
            let sent = day
                .and_hms_opt(9 + (i % 8) as u32, 30, 0)
                .expect("valid time")
                .and_utc();
            let sub = MonthEndSubmission {
                id: format!("demo-month-end-{month}-{unit_id}-{}", rule.kind.code()),
                unit_id: unit_id.clone(),
                month,
                kind: rule.kind,
                note: Some(format!("{}{}", month.label(), rule.label)),
                evidence: vec![],
                submitted_by: by.clone(),
                submitted_at: Some(sent),
            };
            records::save_unit_record(tx, entity::MONTH_END, &sub.id, unit_id, &sub)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Records some of today's suggestions as decided by `office` in the last days; returns how
/// many.
pub fn seed_accountability(
    tx: &mut dyn Tx,
    office: &Person,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let today = china_date(now);
    let county = County::load(tx)?;
    let suggestions = county.accountability_suggestions(None, today);
    // One of each rule, strongest first, at most four.
    let mut picked: Vec<&Suggestion> = Vec::new();
    for s in &suggestions {
        if picked.len() < 4 && !picked.iter().any(|p| p.rule_id == s.rule_id) {
            picked.push(s);
        }
    }
    let outcomes = [
        AccountabilityOutcome::CircularCriticism,
        AccountabilityOutcome::RectificationPledge,
        AccountabilityOutcome::WrittenSelfCriticism,
        AccountabilityOutcome::RectificationPledge,
    ];
    let first = YearMonth::of(today).first_day();
    let dir = county.directory();
    let mut n = 0;
    for (i, s) in picked.into_iter().enumerate() {
        let decided_on = (today - Duration::days(i as i64 + 1)).max(first).min(today);
        let mut rec = AccountabilityRecord {
            id: format!("demo-acc-{}", i + 1),
            kind: s.kind,
            unit_id: s.unit_id.clone(),
            person_id: s.person_id.clone(),
            person_name: s.person_id.as_deref().map(|p| dir.person(p)),
            reason: s.summary.clone(),
            reasons: s.reasons.clone(),
            outcome: Some(outcomes[i % outcomes.len()]),
            decided_by: county
                .unit(&office.unit_id)
                .map_or("县安委办".to_string(), |u| u.name.clone()),
            decided_on,
            hazard_ids: vec![],
            suggestion_id: Some(s.id.clone()),
            recorded_by: Some(office.id.clone()),
            received_at: Some(now - Duration::days(i as i64 + 1)),
        };
        rec.validate(today)?;
        records::save_unit_record(tx, entity::ACCOUNTABILITY, &rec.id, &rec.unit_id, &rec)?;
        n += 1;
    }
    Ok(n)
}

/// Three tasks 县安委办 assigned in the last weeks, with every status: 办结, 退回, submitted
/// late and waiting, 逾期 with nothing sent, 待办.
pub fn seed_tasks(tx: &mut dyn Tx, office: &Person, now: DateTime<Utc>) -> ApiResult<usize> {
    let today = china_date(now);
    let county = County::load(tx)?;
    let mut towns: Vec<&Unit> = county
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Township)
        .collect();
    towns.sort_by(|a, b| a.id.cmp(&b.id));
    let mut depts: Vec<&Unit> = county
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Department)
        .collect();
    depts.sort_by(|a, b| a.id.cmp(&b.id));
    let head = |unit: &str| {
        county
            .people
            .iter()
            .find(|p| p.unit_id == unit && p.roles.contains(&Role::UnitHead))
            .map_or_else(|| office.id.clone(), |p| p.id.clone())
    };
    let day = |d: i64| today + Duration::days(d);
    let noon = |d: i64| {
        let t = day(d).and_hms_opt(4, 0, 0).expect("valid time");
        DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
    };
    let specs: [(&str, &str, i64, i64, Vec<&Unit>); 3] = [
        (
            "燃气安全专项整治“回头看”",
            "对辖区餐饮场所燃气报警装置安装、连接软管老化、违规存放气瓶情况开展“回头看”，建立整治台账，报送整治情况及整改前后照片。",
            -20,
            -5,
            towns.iter().take(4).copied().collect(),
        ),
        (
            "汛后地质灾害隐患点复查",
            "组织对辖区地质灾害隐患点开展汛后复查，落实监测责任人，更新隐患点台账并报送复查情况。",
            -10,
            10,
            towns.iter().skip(4).take(4).copied().collect(),
        ),
        (
            "报送本部门安全生产属事职责清单修订稿",
            "对照“三管三必须”要求修订本部门安全生产属事职责清单，厘清与乡镇（街道）的责任界限，报送修订稿。",
            -3,
            14,
            depts.iter().take(3).copied().collect(),
        ),
    ];
    let mut n = 0;
    for (i, (title, content, assigned, deadline, units)) in specs.into_iter().enumerate() {
        if units.is_empty() {
            continue;
        }
        let mut task = WorkTask {
            id: format!("demo-task-{}", i + 1),
            title: title.to_string(),
            content: content.to_string(),
            deadline: day(deadline),
            unit_ids: units.iter().map(|u| u.id.clone()).collect(),
            assigned_by: office.id.clone(),
            assigned_at: Some(noon(assigned)),
            parts: vec![],
        };
        task.prepare(day(assigned))?;
        let proof = |u: &str, text: &str| SubmitTaskProof {
            unit_id: u.to_string(),
            text: text.to_string(),
            evidence: vec![],
        };
        let review = |u: &str, accept: bool, reason: Option<&str>| ReviewTask {
            unit_id: u.to_string(),
            accept,
            reason: reason.map(str::to_string),
        };
        let ids = task.unit_ids.clone();
        match i {
            0 => {
                let text = "已排查餐饮场所46家，更换老化软管12处，督促安装燃气报警装置5处，整治台账见附件。";
                task.submit(&proof(&ids[0], text), &head(&ids[0]), noon(-8))?;
                task.review(&review(&ids[0], true, None), &office.id, noon(-7))?;
                if let Some(u) = ids.get(1) {
                    task.submit(&proof(u, "已完成排查。"), &head(u), noon(-9))?;
                    task.review(
                        &review(
                            u,
                            false,
                            Some("未附整治台账和整改前后照片，请补充后重新报送"),
                        ),
                        &office.id,
                        noon(-8),
                    )?;
                }
                if let Some(u) = ids.get(2) {
                    let text = "排查餐饮场所21家，发现问题7处，已整改6处，1处限期整改中。";
                    task.submit(&proof(u, text), &head(u), noon(-2))?;
                }
            }
            1 => {
                let text = "复查地质灾害隐患点9处，均已落实监测责任人，台账已更新。";
                task.submit(&proof(&ids[0], text), &head(&ids[0]), noon(-1))?;
            }
            _ => {}
        }
        crate::sync::tasks::save_task(tx, &task)?;
        n += 1;
    }
    Ok(n)
}

/// 改机制 records: a 举一反三 after a township's gas finding, a department's revised 属事职责清单
/// and a township's 现场应急处置方案.
pub fn seed_mechanisms(tx: &mut dyn Tx, now: DateTime<Utc>) -> ApiResult<usize> {
    let today = china_date(now);
    let county = County::load(tx)?;
    let mut hazards: Vec<&anjian_domain::hazard::Hazard> = county
        .hazards
        .iter()
        .filter(|h| h.source.is_some())
        .collect();
    hazards.sort_by(|a, b| a.raised_at.cmp(&b.raised_at).then(a.id.cmp(&b.id)));
    let dept = county
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Department)
        .min_by(|a, b| a.id.cmp(&b.id));
    let mut specs: Vec<(MechanismKind, String, &str, &str, Option<&str>, Vec<String>)> = Vec::new();
    if let Some(h) = hazards.first() {
        specs.push((
            MechanismKind::LessonsApplied,
            h.unit_id.clone(),
            "餐饮场所燃气安全同类问题排查整治",
            "针对检查发现的燃气安全问题，举一反三对辖区全部餐饮场所开展同类问题排查，建立问题清单，限时整改销号。",
            None,
            vec![h.id.clone()],
        ));
        specs.push((
            MechanismKind::EmergencyPlan,
            h.unit_id.clone(),
            "燃气泄漏突发事件现场应急处置方案（修订）",
            "明确燃气泄漏现场警戒、疏散、关阀、报告的责任人和处置流程，每季度组织一次演练。",
            Some("镇安委〔2026〕9号"),
            vec![],
        ));
    }
    if let Some(d) = dept {
        specs.push((
            MechanismKind::ResponsibilityList,
            d.id.clone(),
            "安全生产属事职责清单（2026年修订）",
            "对照“三管三必须”，厘清与乡镇（街道）在行业监管、属地管理上的责任界限，新增新业态监管事项3项。",
            Some("忠府办发〔2026〕31号"),
            vec![],
        ));
    }
    let mut n = 0;
    for (i, (kind, unit_id, title, content, number, hazard_ids)) in specs.into_iter().enumerate() {
        let mut m = MechanismRecord {
            id: format!("demo-mech-{}", i + 1),
            kind,
            unit_id,
            title: title.to_string(),
            content: content.to_string(),
            effective_on: today - Duration::days(3 + 4 * i as i64),
            document_number: number.map(str::to_string),
            hazard_ids,
            inspection_ids: vec![],
            recorded_by: None,
            received_at: Some(now - Duration::days(3 + 4 * i as i64)),
        };
        m.validate(today)?;
        records::save_unit_record(tx, entity::MECHANISM, &m.id, &m.unit_id, &m)?;
        n += 1;
    }
    Ok(n)
}
