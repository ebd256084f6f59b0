//! A phone receives its reminders through sync, and only its own: a real server process on
//! loopback, the reminder engine ticked from here at a chosen time (the test's clock) on the
//! server's database, then two signed-in device stores pull.

mod common;

use anjian_core::store::Store;
use anjian_core::sync_engine::{pulled, Outcome, SyncOptions};
use anjian_domain::reminders::{InAppReminder, IN_APP};
use anjian_server::reminders::Engine;
use chrono::{DateTime, Utc};
use common::ServerProcess;

fn device(dir: &std::path::Path, user: &str, server: &ServerProcess) -> Store {
    let store = Store::open(&dir.join(user).join("device.db")).unwrap();
    store.login(&server.base, user, "anjian-demo").unwrap();
    store
}

fn reminders(store: &Store) -> Vec<InAppReminder> {
    let report = store.sync(SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    pulled(store, IN_APP).unwrap()
}

#[test]
fn a_unit_head_receives_his_reminders_through_sync_and_no_one_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server"));
    let head = device(dir.path(), "sb_head", &server);
    let inspector = device(dir.path(), "sb_inspector", &server);
    assert!(reminders(&head).is_empty());
    // The morning after May 2027's month-end: nothing of it was sent, so each unit's head is
    // reminded of each of the four items (the demo county without activity has no hazards).
    let config = anjian_server::Config::new("127.0.0.1:0".parse().unwrap(), server.data.clone());
    let db = anjian_server::open_db(&config).unwrap();
    let at: DateTime<Utc> = "2027-06-01T09:00:00+08:00".parse().unwrap();
    let tick = Engine::new(String::new(), None).tick(&db, at).unwrap();
    assert!(tick.leader && tick.queued > 0, "{tick:?}");
    let mine = reminders(&head);
    let missed: Vec<&InAppReminder> = mine
        .iter()
        .filter(|r| r.title == "月底报送逾期提醒")
        .collect();
    assert_eq!(missed.len(), 4, "{mine:#?}");
    assert!(missed
        .iter()
        .all(|r| r.record_id.starts_with("500233107/2027-05/")));
    assert!(
        missed[0].text.contains("石宝镇2027年5月"),
        "{}",
        missed[0].text
    );
    // Marked read on his phone, the read state goes to the server with the next sync and
    // reaches his other phone; the rest stay unread.
    let first = missed[0].id.clone();
    assert!(head.mark_reminder_read(&first).unwrap().read_at.is_some());
    reminders(&head);
    let second = device(&dir.path().join("second"), "sb_head", &server);
    let there = reminders(&second);
    let read: Vec<&str> = there
        .iter()
        .filter(|r| r.read_at.is_some())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(read, [first.as_str()]);
    // The inspector of the same township is not a head: his phone gets none of them.
    assert!(reminders(&inspector).is_empty());
    // Another instance, once the first one's lease ran out, logs nothing twice.
    let later = Engine::new(String::new(), None)
        .tick(&db, at + chrono::Duration::minutes(6))
        .unwrap();
    assert!(later.leader && later.queued == 0, "{later:?}");
    assert_eq!(reminders(&head).len(), mine.len());
}
