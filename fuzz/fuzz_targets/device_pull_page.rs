//! A pulled page applied on the phone: `GET /v1/sync/pull`'s JSON body, read, prepared and
//! applied with its cursor in one transaction, as the device's sync does, against a fresh
//! store in a temporary folder (one per input, so every run starts from the same state).
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use anjian_core::store::{LedgerFilter, Store};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // tmpfs when there is one: the store is opened and dropped for every input.
        let base = ["/dev/shm", "/tmp"]
            .into_iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let d = base.join(format!("anjian-fuzz-pull-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("fuzz folder");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    static N: AtomicU64 = AtomicU64::new(0);
    let folder = dir().join(N.fetch_add(1, Ordering::Relaxed).to_string());
    {
        let store = Store::open(&folder.join("anjian.db")).expect("a new store opens");
        let _ = store.apply_pull_body(data);
        // Whatever was applied reads back through the screens' queries.
        let _ = store.sites(None);
        let _ = store.units();
        let _ = store.inspections(None);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date");
        let _ = store.ledger(&LedgerFilter::default(), today);
        let _ = anjian_core::sync_engine::pulled::<anjian_domain::org::Person>(&store, "person");
    }
    let _ = std::fs::remove_dir_all(&folder);
});
