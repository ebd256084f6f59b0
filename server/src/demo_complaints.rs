//! The demo county's 投诉举报 left through site codes, beside `demo_activity`: some wait for
//! 县安委办 to hand them over; one was handed over to the department with powers over its site,
//! which answered it with one of its 行政检查 (任务来源 投诉举报), so the console shows the
//! whole course.

use chrono::{DateTime, Duration, Utc};

use anjian_domain::complaint::{self, Complaint};
use anjian_domain::enforcement::FieldActivity;
use anjian_domain::inspection::{Inspection, ItemOutcome};
use anjian_domain::org::{Person, UnitKind};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;

use crate::error::ApiResult;
use crate::records;
use crate::storage::Tx;

/// Complaints waiting to be handed over: (industry code, what was said, contact, days ago).
const WAITING: [(&str, &str, Option<&str>, i64); 3] = [
    (
        "gas",
        "站内液化气钢瓶在围墙外露天堆放，晚上没人看守，旁边就是居民楼。",
        Some("13996421873"),
        1,
    ),
    (
        "elderly_care",
        "养老院二楼走廊的安全出口被床和杂物堵住了，消防门上了锁。",
        None,
        2,
    ),
    (
        "hazchem",
        "最近几个晚上都有槽车停在厂外路边卸料，气味很大，附近群众担心出事。",
        Some("李先生 13752301948"),
        4,
    ),
];

/// Seeds the complaints; returns how many. `office` hands one over, answered by the newest
/// finished 行政检查 of a department that found something 不合格.
pub fn seed(
    tx: &mut dyn Tx,
    sites: &[Site],
    office: &Person,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut n = 0;
    for (i, (industry, text, contact, days)) in WAITING.iter().enumerate() {
        let Some(site) = sites.iter().filter(|s| s.industry == *industry).nth(i + 1) else {
            continue;
        };
        let c = Complaint {
            id: format!("complaint-demo-{}", i + 1),
            site_id: site.id.clone(),
            site_name: site.name.clone(),
            text: (*text).to_string(),
            contact: contact.map(str::to_string),
            received_at: now - Duration::days(*days) - Duration::hours(3 * i as i64),
            assigned_unit_id: None,
            assigned_at: None,
            assigned_by: None,
            inspection_id: None,
        };
        records::save_complaint(tx, &c)?;
        n += 1;
    }
    if answered(tx, sites, office)? {
        n += 1;
    }
    Ok(n)
}

/// One complaint handed over and answered: the newest finished 行政检查 by a department that
/// found something 不合格 becomes the one started from it.
fn answered(tx: &mut dyn Tx, sites: &[Site], office: &Person) -> ApiResult<bool> {
    let units = records::units(tx)?;
    let mut inspections: Vec<Inspection> = records::decoded(tx, entity::INSPECTION, None)?;
    inspections.sort_by_key(|i| std::cmp::Reverse(i.started_at));
    let found = inspections.into_iter().find_map(|i| {
        let body = units
            .iter()
            .find(|u| u.id == i.leader.unit_id && u.kind == UnitKind::Department)?;
        let site = sites.iter().find(|s| s.id == i.site_id)?;
        let fit = i.activity == Some(FieldActivity::AdministrativeInspection)
            && i.finished_at.is_some()
            && i.joint_unit_ids.is_empty()
            && i.results.values().any(|r| r.outcome == ItemOutcome::Fail)
            && complaint::may_take(body, site);
        fit.then(|| (i, body.clone(), site.clone()))
    });
    let Some((mut insp, body, site)) = found else {
        return Ok(false);
    };
    let received = insp.started_at - Duration::days(2);
    let c = Complaint {
        id: "complaint-demo-answered".into(),
        site_id: site.id.clone(),
        site_name: site.name.clone(),
        text: "厂区消防通道长期堆放货物，灭火器过期也没人换，担心出了事跑不出去。".into(),
        contact: Some("13452307716".into()),
        received_at: received,
        assigned_unit_id: None,
        assigned_at: None,
        assigned_by: None,
        inspection_id: None,
    }
    .assign(&body, &site, &office.name, received + Duration::hours(5))
    .map_err(|e| crate::error::ApiError::internal(e.to_string()))?;
    insp.complaint_id = Some(c.id.clone());
    records::save_inspection(tx, &insp)?;
    records::save_complaint(
        tx,
        &Complaint {
            inspection_id: Some(insp.id.clone()),
            ..c
        },
    )?;
    Ok(true)
}
