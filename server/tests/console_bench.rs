//! The console with a county of 50,000 hazards: the ledger's first page and a filter, in
//! Chromium, each beside the API call alone. A benchmark, not part of the suite:
//!
//!   cargo test -p anjian-server --release --test console_bench -- --ignored --nocapture
//!
//! It seeds the demo organisation and sites, writes the hazards straight into the store,
//! serves the embedded console on loopback and runs `console/e2e/bench.mjs` against it.

use std::time::Instant;

use anjian_domain::hazard::{Hazard, HazardDraft, HazardEvent, HazardLevel};
use anjian_domain::org::{Actor, Role};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;
use anjian_server::records::{self, HazardDoc};
use chrono::{Duration, Utc};

const HAZARDS: usize = 50_000;

#[test]
#[ignore = "benchmark (minutes): run with --ignored --nocapture"]
fn ledger_of_50000_hazards() {
    let data = tempfile::tempdir().unwrap();
    let mut config =
        anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
    config.demo = true;
    config.demo_activity = false;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seeded = Instant::now();
    let (addr, state) = rt.block_on(async {
        let db = anjian_server::open_db_async(&config).await.unwrap();
        let state = anjian_server::state(&config, db).unwrap();
        anjian_server::seed_demo(&state, &config).await.unwrap();
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
        for batch in 0..HAZARDS / 5000 {
            let (sites, actor) = (sites.clone(), actor.clone());
            state
                .write(move |tx| {
                    for i in batch * 5000..(batch + 1) * 5000 {
                        let site = &sites[(i * 7919) % sites.len()];
                        let major = i % 23 == 0;
                        let at = start + Duration::minutes((i as i64 * 617) % (360 * 24 * 60));
                        let id = uuid::Uuid::now_v7().to_string();
                        let hazard = Hazard::raise(
                            HazardDraft {
                                id: id.clone(),
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
                            &actor,
                            at,
                        )
                        .unwrap();
                        let event = HazardEvent {
                            id: uuid::Uuid::now_v7().to_string(),
                            hazard_id: id,
                            action: None,
                            actor: actor.clone(),
                            at,
                            from: None,
                            to: hazard.status,
                            version: hazard.version,
                        };
                        records::save_hazard(
                            tx,
                            &HazardDoc {
                                hazard,
                                events: vec![event],
                            },
                        )?;
                    }
                    Ok(())
                })
                .await
                .unwrap();
        }
        let app = anjian_server::api::router(state.clone(), &config);
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (addr, state)
    });
    let _keep = state;
    eprintln!(
        "seeded {HAZARDS} hazards in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../console/e2e/bench.mjs");
    let status = std::process::Command::new("node")
        .arg(script)
        .arg(format!("http://{addr}"))
        .arg(HAZARDS.to_string())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../console"))
        .status()
        .expect("node runs");
    assert!(status.success(), "console/e2e/bench.mjs failed");
}
