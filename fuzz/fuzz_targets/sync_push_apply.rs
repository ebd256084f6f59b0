//! A sync push applied by the server: the body read as `POST /v1/sync/push` reads it, then
//! every operation through the one apply path (`sync::apply_op`: policy, then the workflow's
//! rules) against a SQLite store in a temporary folder holding the demo county with two
//! months of activity. The first byte picks who pushes (each demo role); the transaction is
//! rolled back after every input, so each run starts from the same records.
#![no_main]

use std::sync::{Mutex, OnceLock};

use anjian_domain::sync::PushRequest;
use anjian_server::scope::Caller;
use anjian_server::storage::sqlite::SqliteDb;
use anjian_server::storage::StorageError;
use libfuzzer_sys::fuzz_target;

struct World {
    db: SqliteDb,
    callers: Vec<Caller>,
}

fn world() -> &'static Mutex<World> {
    static WORLD: OnceLock<Mutex<World>> = OnceLock::new();
    WORLD.get_or_init(|| {
        let base = ["/dev/shm", "/tmp"]
            .into_iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("anjian-fuzz-push-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("blobs")).expect("fuzz folder");
        let db = SqliteDb::open(&dir.join("anjian.db")).expect("store");
        let now = chrono::Utc::now();
        let callers = db
            .transact(|tx| {
                let accounts = anjian_server::demo::seed_if_empty(tx)?.expect("an empty store");
                anjian_server::demo_activity::seed(tx, &dir.join("blobs"), now)?;
                accounts
                    .iter()
                    .map(|a| {
                        let person_id = anjian_server::demo::person_id(a.username);
                        Ok(Caller {
                            person: anjian_server::auth::load_person(tx, &person_id)?,
                            username: a.username.to_string(),
                        })
                    })
                    .collect::<Result<Vec<_>, anjian_server::error::ApiError>>()
            })
            .expect("the demo county seeds");
        Mutex::new(World { db, callers })
    })
}

/// Ends the transaction without committing.
struct Rollback;

impl From<StorageError> for Rollback {
    fn from(_: StorageError) -> Self {
        Rollback
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&who, body)) = data.split_first() else {
        return;
    };
    let Ok(req) = serde_json::from_slice::<PushRequest>(body) else {
        return;
    };
    // What the push handler refuses before applying anything.
    if req.ops.len() > 500
        || req
            .ops
            .iter()
            .any(|o| o.op_id.trim().is_empty() || o.entity_id.trim().is_empty())
    {
        return;
    }
    let w = world().lock().unwrap_or_else(|p| p.into_inner());
    let caller = &w.callers[who as usize % w.callers.len()];
    let _ = w.db.transact(|tx| -> Result<(), Rollback> {
        for op in &req.ops {
            if anjian_server::sync::apply_op(tx, caller, op).is_err() {
                break;
            }
        }
        Err(Rollback)
    });
});
