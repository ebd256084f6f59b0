//! A large county for the ledger's benchmarks: the demo organisation and its sites, then
//! `n` hazards written straight into the store (a year of them, 1 in 23 major, spread over
//! every site), as the office's ledger reads them.

use anjian_domain::hazard::{HazardDraft, HazardLevel};
use anjian_domain::ledger::{self, Transition};
use anjian_domain::org::{Actor, Role};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;
use anjian_server::records::{self, HazardDoc};
use anjian_server::AppState;
use chrono::{Duration, Utc};

const BATCH: usize = 5000;

/// Seeds `n` hazards (numbered `YH-BENCH-000000` on) into a server already seeded with the
/// demo organisation.
pub async fn seed_hazards(state: &AppState, n: usize) {
    let sites: Vec<Site> = state
        .read(|tx| {
            Ok(tx
                .list_records(entity::SITE, None)?
                .into_iter()
                .map(|r| serde_json::from_value(r.data).unwrap())
                .collect())
        })
        .await
        .unwrap();
    let actor = Actor {
        person_id: "person-admin".into(),
        name: "赵敏".into(),
        unit_id: "county-safety-office".into(),
        roles: vec![Role::SafetyOfficeStaff],
    };
    let start = Utc::now() - Duration::days(360);
    for batch in 0..n.div_ceil(BATCH) {
        let (sites, actor) = (sites.clone(), actor.clone());
        state
            .write(move |tx| {
                for i in batch * BATCH..((batch + 1) * BATCH).min(n) {
                    let doc = hazard(i, &sites[(i * 7919) % sites.len()], &actor, start);
                    records::save_hazard(tx, &doc)?;
                }
                Ok(())
            })
            .await
            .unwrap();
    }
}

fn hazard(i: usize, site: &Site, actor: &Actor, start: chrono::DateTime<Utc>) -> HazardDoc {
    let major = i % 23 == 0;
    let at = start + Duration::minutes((i as i64 * 617) % (360 * 24 * 60));
    let id = uuid::Uuid::now_v7().to_string();
    let Transition { hazard, event } = ledger::raise(
        HazardDraft {
            id,
            number: format!("YH-BENCH-{i:06}"),
            site_id: Some(site.id.clone()),
            unit_id: site.township_id.clone(),
            description: format!("{}：第 {i} 项检查发现的问题", site.name),
            location: None,
            source: None,
            level: Some(if major {
                HazardLevel::Major
            } else {
                HazardLevel::General
            }),
            level_reason: major.then(|| "符合重大事故隐患判定标准".to_string()),
            needs_hardware: i % 5 == 0,
        },
        &anjian_domain::checklist::ChecklistRegistry::new(),
        actor,
        at,
        uuid::Uuid::now_v7().to_string(),
    )
    .unwrap();
    HazardDoc {
        hazard,
        received: None,
        events: vec![event],
    }
}
