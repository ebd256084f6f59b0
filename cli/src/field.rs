//! `anjian field ...`: the phone's core driven from a shell (a device folder instead of a
//! phone), so the whole offline-then-sync loop can be tried without a phone.

use std::path::{Path, PathBuf};

use anjian_core::store::{LedgerFilter, Store};
use anjian_core::sync_engine::{Outcome, Phase, SyncOptions};
use anjian_domain::checklist::Industry;
use anjian_domain::evidence::{EvidenceStage, EvidenceTarget};
use anjian_domain::hazard::{china_date, HazardAction, HazardDraft, HazardSource};
use anjian_domain::inspection::{InspectionKind, ItemOutcome};
use clap::Subcommand;
use serde_json::json;

use crate::out::{outln, Failure};

#[derive(Subcommand)]
pub enum FieldCommand {
    /// Log in to a server; the device folder is created if needed.
    Login {
        #[arg(long)]
        server: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        password: String,
    },
    /// Push, upload evidence, pull. Exit status 0 when complete, 3 when it must be retried.
    Sync {
        /// Upload originals too (as on Wi-Fi).
        #[arg(long)]
        originals: bool,
    },
    /// Pending changes and files, needs-attention items, last sync.
    Status,
    /// Sites in this device's scope.
    Sites,
    /// Run a whole inspection of a site: every item passes except `--fail` ones, each of
    /// which raises a hazard; `--photo` attaches a before photo to each hazard.
    Inspect {
        #[arg(long)]
        site: String,
        #[arg(long, default_value = "routine_check")]
        kind: String,
        /// A failed item id (repeatable).
        #[arg(long)]
        fail: Vec<String>,
        #[arg(long, default_value = "现场检查发现问题")]
        note: String,
        #[arg(long)]
        photo: Option<PathBuf>,
        /// Another member of the team (repeatable): a 行政检查 needs a certified colleague of
        /// the body, by name or person id.
        #[arg(long = "with")]
        with: Vec<String>,
    },
    /// The hazard ledger on this device.
    Ledger,
    /// Apply a workflow action, as JSON (e.g. '{"type":"start_rectification"}').
    Act { hazard: String, action: String },
    /// Attach a photo to a hazard at a stage (before, during, after).
    Attach {
        hazard: String,
        photo: PathBuf,
        #[arg(long, default_value = "after")]
        stage: String,
    },
    /// Operations the server refused.
    Attention,
    /// Tasks 县安委办 assigned to my unit (工作任务交办), with my unit's status.
    Tasks,
    /// Report how my unit handled a task: the text, and photos attached as its proof.
    TaskProof {
        task: String,
        text: String,
        /// A photo of the proof (repeatable).
        #[arg(long)]
        photo: Vec<PathBuf>,
    },
}

fn open(device: &Path) -> Result<Store, String> {
    Store::open(&device.join("device.db"))
        .map_err(|e| anjian_core::AnjianError::from(e).to_string())
}

fn err(e: anjian_core::StoreError) -> String {
    anjian_core::AnjianError::from(e).to_string()
}

pub fn run(device: &Path, command: FieldCommand) -> Result<i32, Failure> {
    let store = open(device)?;
    if let Some(aside) = &store.report().recovered_from {
        eprintln!(
            "注意：本机数据库无法读取，已移至 {} 并新建",
            aside.display()
        );
    }
    match command {
        FieldCommand::Login {
            server,
            user,
            password,
        } => {
            let p = store.login(&server, &user, &password).map_err(err)?;
            outln!("已登录：{}（{}）", p.name, p.unit_id)?;
        }
        FieldCommand::Sync { originals } => {
            let report = store
                .sync(
                    SyncOptions {
                        include_originals: originals,
                    },
                    &|p| {
                        let phase = match p.phase {
                            Phase::Push => "上传记录",
                            Phase::Upload => "上传文件",
                            Phase::Pull => "下载更新",
                            Phase::Done => "完成",
                        };
                        eprintln!(
                            "{phase} {}/{} {}/{} 字节",
                            p.records_done, p.records_total, p.bytes_done, p.bytes_total
                        );
                    },
                )
                .map_err(err)?;
            let (code, state) = match &report.outcome {
                Outcome::Completed => (0, "completed".to_string()),
                Outcome::Offline(m) => (3, format!("offline: {m}")),
                Outcome::LoginRequired => (3, "login_required".into()),
                Outcome::Cancelled => (3, "cancelled".into()),
            };
            outln!(
                "{}",
                json!({ "outcome": state, "pushed": report.pushed, "rejected": report.rejected,
                        "uploaded_files": report.uploaded_files, "uploaded_bytes": report.uploaded_bytes, "pulled": report.pulled })
            )?;
            return Ok(code);
        }
        FieldCommand::Status => {
            let files = store.pending_files(true).map_err(err)?;
            outln!(
                "{}",
                json!({
                    "pending_changes": store.outbox_len().map_err(err)?,
                    "pending_files": files.len(),
                    "pending_bytes": files.iter().map(|f| f.size).sum::<u64>(),
                    "needs_attention": store.attention().map_err(err)?.len(),
                    "last_sync": store.sync_setting("last_sync").map_err(err)?,
                    "last_error": store.sync_setting("last_error").map_err(err)?,
                })
            )?;
        }
        FieldCommand::Sites => {
            for s in store.sites(None).map_err(err)? {
                outln!("{}\t{}\t{}", s.id, s.industry, s.name)?;
            }
        }
        FieldCommand::Inspect {
            site,
            kind,
            fail,
            note,
            photo,
            with,
        } => {
            let kind = InspectionKind::from_code(&kind).map_err(|e| e.to_string())?;
            let insp = store.start_inspection(kind, &site, with).map_err(err)?;
            let items: Vec<String> = store.item_ids(&insp);
            for id in &items {
                let failed = fail.contains(id);
                let outcome = if failed {
                    ItemOutcome::Fail
                } else {
                    ItemOutcome::Pass
                };
                store
                    .record_item(&insp.id, id, outcome, failed.then(|| note.clone()))
                    .map_err(err)?;
            }
            store.finish_inspection(&insp.id).map_err(err)?;
            let industry: Industry = insp.industry;
            let mut raised = Vec::new();
            for item in &fail {
                let h = store
                    .raise_hazard(HazardDraft {
                        id: String::new(),
                        number: String::new(),
                        site_id: Some(site.clone()),
                        unit_id: String::new(),
                        description: note.clone(),
                        location: None,
                        source: Some(HazardSource {
                            inspection_id: insp.id.clone(),
                            industry,
                            item_id: item.clone(),
                        }),
                        level: None,
                        level_reason: None,
                        needs_hardware: false,
                    })
                    .map_err(err)?;
                if let Some(p) = &photo {
                    store
                        .attach_photo(
                            p,
                            EvidenceTarget::Hazard {
                                hazard_id: h.id.clone(),
                            },
                            EvidenceStage::Before,
                        )
                        .map_err(err)?;
                }
                raised.push(json!({ "id": h.id, "number": h.number, "level": h.level.label() }));
            }
            outln!("{}", json!({ "inspection": insp.id, "hazards": raised }))?;
        }
        FieldCommand::Ledger => {
            let today = china_date(chrono::Utc::now());
            for h in store.ledger(&LedgerFilter::default(), today).map_err(err)? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    h.id,
                    h.number,
                    h.level.label(),
                    h.status.label(),
                    h.description,
                    if h.is_overdue(today) { "\t逾期" } else { "" }
                )?;
            }
        }
        FieldCommand::Act { hazard, action } => {
            let action: HazardAction =
                serde_json::from_str(&action).map_err(|e| format!("操作格式错误：{e}"))?;
            let h = store.act_on_hazard(&hazard, action).map_err(err)?;
            outln!("{} {}", h.number, h.status.label())?;
        }
        FieldCommand::Attach {
            hazard,
            photo,
            stage,
        } => {
            let stage = match stage.as_str() {
                "before" => EvidenceStage::Before,
                "during" => EvidenceStage::During,
                "after" => EvidenceStage::After,
                other => {
                    return Err(format!("阶段须为 before、during 或 after（收到 {other}）").into())
                }
            };
            let rec = store
                .attach_photo(&photo, EvidenceTarget::Hazard { hazard_id: hazard }, stage)
                .map_err(err)?;
            outln!(
                "{}",
                json!({ "id": rec.id, "sha256": rec.sha256, "flags": rec.flags, "notes": rec.notes })
            )?;
        }
        FieldCommand::Attention => {
            for a in store.attention().map_err(err)? {
                outln!("{}\t{}/{}\t{}", a.op_id, a.entity, a.op, a.reason)?;
            }
        }
        FieldCommand::Tasks => {
            let me = store.actor().map_err(err)?;
            let today = china_date(chrono::Utc::now());
            for t in store.unit_tasks(&me.unit_id).map_err(err)? {
                let status = t
                    .part(&me.unit_id)
                    .map_or("", |p| p.status(t.deadline, today).label());
                outln!("{}\t{}\t{}\t{}", t.id, t.deadline, status, t.title)?;
            }
        }
        FieldCommand::TaskProof { task, text, photo } => {
            let me = store.actor().map_err(err)?;
            store.my_unit_task(&task).map_err(err)?;
            let mut evidence = Vec::new();
            for p in &photo {
                let target = EvidenceTarget::WorkTask {
                    task_id: task.clone(),
                    unit_id: me.unit_id.clone(),
                };
                let rec = store
                    .attach_photo(p, target, EvidenceStage::None)
                    .map_err(err)?;
                evidence.push(rec.id);
            }
            let t = store
                .submit_task_proof(&task, &text, evidence)
                .map_err(err)?;
            let status = t.part(&me.unit_id).map_or("", |p| {
                p.status(t.deadline, china_date(chrono::Utc::now())).label()
            });
            outln!("{} {}", t.title, status)?;
        }
    }
    Ok(0)
}
