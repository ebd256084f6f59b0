//! A process killed (SIGKILL) mid-write leaves a database that opens, with no half-written
//! change, and an outbox that matches the rows.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

/// A small xorshift generator seeded from the clock: kill points differ run to run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn killed_writers_leave_a_consistent_store_and_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.db");
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut acked_total = 0i64;
    for round in 0..25 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_anjian-store-writer"))
            .arg(&db)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Let it commit a random number of changes (at least one), then kill it mid-stream.
        let target = 1 + rng.next() % 60;
        let started = Instant::now();
        let mut last_ack = 0i64;
        let mut lines = BufReader::new(stdout).lines();
        while let Some(Ok(line)) = lines.next() {
            last_ack = line.trim_start_matches("ack ").parse().unwrap();
            if last_ack as u64 >= target || started.elapsed() > Duration::from_secs(20) {
                break;
            }
        }
        // Sometimes kill right away, sometimes after a random pause in the next write.
        std::thread::sleep(Duration::from_micros(rng.next() % 3000));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(last_ack > 0, "round {round}: writer made no progress");
        acked_total += last_ack;

        let conn = Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        let outbox = count(&conn, "SELECT count(*) FROM outbox");
        assert!(
            outbox >= acked_total,
            "round {round}: {outbox} outbox entries but {acked_total} changes were acknowledged"
        );
        // Every hazard event has its outbox entry (same op id), and nothing else is hazard work.
        assert_eq!(
            count(&conn, "SELECT count(*) FROM hazard_events e LEFT JOIN outbox o ON o.op_id = e.id WHERE o.op_id IS NULL"),
            0
        );
        assert_eq!(
            count(&conn, "SELECT count(*) FROM outbox o LEFT JOIN hazard_events e ON e.id = o.op_id WHERE o.entity = 'hazard' AND e.id IS NULL"),
            0
        );
        // Each hazard's row is at the version of its last event.
        assert_eq!(
            count(&conn, "SELECT count(*) FROM hazards h WHERE h.version <> (SELECT max(version) FROM hazard_events e WHERE e.hazard_id = h.id)"),
            0
        );
        // Inspection rows and their outbox entries match one for one.
        assert_eq!(
            count(&conn, "SELECT count(*) FROM inspection_results"),
            count(
                &conn,
                "SELECT count(*) FROM outbox WHERE op = 'record_item'"
            )
        );
        assert_eq!(
            count(&conn, "SELECT count(*) FROM inspections"),
            count(&conn, "SELECT count(*) FROM outbox WHERE op = 'start'")
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM inspections WHERE finished_at IS NOT NULL"
            ),
            count(&conn, "SELECT count(*) FROM outbox WHERE op = 'finish'")
        );
        assert_eq!(
            count(&conn, "SELECT count(*) FROM sites"),
            count(&conn, "SELECT count(*) FROM outbox WHERE entity = 'site'")
        );
    }
    // Every round acknowledged at least one change after the first one's site.
    assert!(acked_total >= 25);
}
