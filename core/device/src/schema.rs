//! Opening the database: pragmas, migrations in one immediate transaction, and moving an
//! unreadable file aside (never deleting it: unsynced evidence would be gone).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::error::{Result, StoreError};

/// Each entry moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    person_id TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    roles TEXT NOT NULL
);
CREATE TABLE device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT,
    data TEXT NOT NULL
);
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    industry TEXT NOT NULL,
    township_id TEXT NOT NULL,
    department_id TEXT,
    data TEXT NOT NULL
);
CREATE INDEX sites_township ON sites(township_id);
CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    site_id TEXT NOT NULL,
    industry TEXT NOT NULL,
    checklist_version TEXT NOT NULL,
    leader TEXT NOT NULL,
    participants TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE inspection_results (
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    item_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    note TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (inspection_id, item_id)
);
CREATE TABLE hazards (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    unit_id TEXT NOT NULL,
    rectifying_unit_id TEXT NOT NULL,
    site_id TEXT,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    deadline TEXT,
    version INTEGER NOT NULL,
    raised_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX hazards_status ON hazards(status, deadline);
CREATE TABLE hazard_events (
    id TEXT PRIMARY KEY,
    hazard_id TEXT NOT NULL REFERENCES hazards(id),
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (hazard_id, version)
);
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE hardware_investments (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    hazard_id TEXT,
    amount_fen INTEGER NOT NULL,
    invested_on TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE accountability_records (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    data TEXT NOT NULL
);
-- Every user change writes its row(s) and one entry here in the same transaction.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    r#"
-- Photos and documents, tied to what they prove; files live in evidence/ beside the database.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX evidence_target ON evidence(target_type, target_id);
CREATE INDEX evidence_sha ON evidence(sha256);
"#,
    r#"
-- Files waiting to reach the server, in order: thumbnails, upload copies, originals.
CREATE TABLE upload_queue (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    evidence_id TEXT NOT NULL,
    url TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
-- Operations the server refused: shown to the user, never retried forever.
CREATE TABLE attention (
    op_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    reason TEXT NOT NULL,
    server_row TEXT,
    at TEXT NOT NULL
);
-- Records pulled from the server that the device keeps as they are (people, patrol plans...).
CREATE TABLE pulled_records (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);
"#,
    r#"
-- An inspection's legal nature (国办发〔2024〕54号): 行政检查 in an enforcement body's name
-- with the leader's certificate, 督查暗访, 巡查报告 or 技术服务.
ALTER TABLE inspections ADD COLUMN activity TEXT;
ALTER TABLE inspections ADD COLUMN in_name_of TEXT;
ALTER TABLE inspections ADD COLUMN certificate_number TEXT;
"#,
    r#"
-- A joint inspection's other enforcement bodies (JSON array of unit ids).
ALTER TABLE inspections ADD COLUMN joint_unit_ids TEXT;
"#,
    r#"
-- A 专项检查's approved campaign plan.
ALTER TABLE inspections ADD COLUMN campaign_id TEXT;
"#,
    r#"
-- A 行政检查's other officers with their certificates (JSON array of team officers).
ALTER TABLE inspections ADD COLUMN officers TEXT;
"#,
    r#"
-- The 投诉举报 a 行政检查 answers (its 任务来源).
ALTER TABLE inspections ADD COLUMN complaint_id TEXT;
"#,
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn apply_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Android has no temp directory SQLite can find: keep temporaries in memory.
    conn.pragma_update(None, "temp_store", 2)?;
    Ok(())
}

/// Opens the writer connection and brings the schema up to date.
pub fn open_writer(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    apply_pragmas(&conn)?;
    // Reading user_version forces SQLite to read the header: a garbage file fails here, and
    // a database from a newer app is refused before anything (even the journal mode) changes.
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(StoreError::Invalid {
            field: "journal_mode",
            reason: mode,
        });
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&conn)?;
    Ok(conn)
}

/// Opens the reader connection (after the writer made the schema).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    // Read inside the write lock: another process may have migrated meanwhile.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current >= SCHEMA_VERSION {
        return Ok(());
    }
    for sql in &MIGRATIONS[current as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Whether an open failure means the file is not a readable database (as opposed to, say,
/// a permission problem or a full disk, where moving it aside would not help).
pub fn is_unreadable(err: &StoreError) -> bool {
    match err {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
            matches!(e.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
        }
        _ => false,
    }
}

/// Renames the database and its WAL/SHM files aside; returns the new main file's path.
pub fn move_aside(path: &Path, stamp: &str) -> Result<PathBuf> {
    let aside = PathBuf::from(format!("{}.unreadable-{stamp}", path.display()));
    std::fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, format!("{}{suffix}", aside.display()))?;
        }
    }
    Ok(aside)
}
