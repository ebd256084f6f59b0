//! The server's schema, written once for both backends. Each migration is SQL with a few
//! dialect words in braces (`{INT}`, `{BOOL}`, …) that [`Dialect`] fills in; a backend
//! applies `migrations(&its dialect)[current..]` in one transaction and records the count.
//! Migrations are only ever appended: a database at version N has run exactly the first N.

/// The words that differ between the SQL dialects.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// A 64-bit integer column.
    pub int: &'static str,
    /// A flag column, and its false value.
    pub bool: &'static str,
    pub false_: &'static str,
    /// A point in time (SQLite: RFC 3339 text; PostgreSQL: timestamptz).
    pub time: &'static str,
    /// The primary key of the change log (in SQLite the rowid itself).
    pub seq_key: &'static str,
    /// A key the database assigns on insert.
    pub serial_key: &'static str,
    /// A random non-negative integer below 2^52 (this database's change-log id).
    pub random_log_id: &'static str,
}

pub const SQLITE: Dialect = Dialect {
    int: "INTEGER",
    bool: "INTEGER",
    false_: "0",
    time: "TEXT",
    seq_key: "INTEGER PRIMARY KEY",
    serial_key: "INTEGER PRIMARY KEY AUTOINCREMENT",
    random_log_id: "abs(random() % 4503599627370496)",
};

pub const POSTGRES: Dialect = Dialect {
    int: "BIGINT",
    bool: "BOOLEAN",
    false_: "FALSE",
    time: "TIMESTAMPTZ",
    seq_key: "BIGINT PRIMARY KEY",
    serial_key: "BIGSERIAL PRIMARY KEY",
    random_log_id: "floor(random() * 4503599627370496)::bigint",
};

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE counters (name TEXT PRIMARY KEY, value {INT} NOT NULL);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);
CREATE TABLE records (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    version {INT} NOT NULL,
    data TEXT NOT NULL,
    deleted {BOOL} NOT NULL DEFAULT {FALSE},
    seq {INT} NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE TABLE record_audience (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    principal TEXT NOT NULL,
    PRIMARY KEY (entity, id, principal)
);
CREATE INDEX record_audience_principal ON record_audience (principal, entity);
CREATE TABLE changes (
    seq {SEQ_KEY},
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    version {INT} NOT NULL,
    data TEXT
);
CREATE TABLE change_audience (
    principal TEXT NOT NULL,
    seq {INT} NOT NULL,
    removal {BOOL} NOT NULL,
    PRIMARY KEY (principal, seq)
);
CREATE TABLE applied_ops (
    op_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    result TEXT NOT NULL,
    applied_at {TIME} NOT NULL
);
CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    person_id TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    failed_logins {INT} NOT NULL DEFAULT 0,
    locked_until {TIME}
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    expires_at {TIME} NOT NULL
);
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    length {INT} NOT NULL,
    metadata TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at {TIME} NOT NULL
);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size {INT} NOT NULL,
    uploaded_by TEXT NOT NULL,
    audience TEXT NOT NULL,
    created_at {TIME} NOT NULL
);
"#,
    r#"
-- Pull scans changes in sequence order and stops at the page size.
CREATE INDEX change_audience_seq ON change_audience (seq, principal, removal);
"#,
    r#"
-- A record's newer change replaces its older ones (the log keeps the latest per record).
CREATE INDEX changes_record ON changes (entity, id);
"#,
    r#"
-- This database's change log id: cursors carry it, so one from another database is known.
INSERT INTO counters (name, value) VALUES ('log_id', {RANDOM_LOG_ID});
"#,
    r#"
-- Accounts can be disabled; logins, lockouts and administrative actions are audited;
-- tokens are found by user (ending someone's sessions), uploads by creator (quotas).
ALTER TABLE accounts ADD COLUMN disabled {BOOL} NOT NULL DEFAULT {FALSE};
CREATE TABLE audit_log (
    id {SERIAL_KEY},
    at {TIME} NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    client TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX tokens_username ON tokens (username);
CREATE INDEX uploads_created_by ON uploads (created_by);
"#,
    r#"
-- Bytes each person's uploads declared today (China date): the daily upload quota.
CREATE TABLE upload_days (
    person_id TEXT NOT NULL,
    day TEXT NOT NULL,
    bytes {INT} NOT NULL,
    PRIMARY KEY (person_id, day)
);
"#,
    r#"
-- Reminders: each one's delivery per channel, logged once by its key (sent once across
-- restarts); a lease row names the one instance that sends.
CREATE TABLE reminder_deliveries (
    key TEXT NOT NULL,
    channel TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    record TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    due_at {TIME} NOT NULL,
    state TEXT NOT NULL,
    attempts {INT} NOT NULL,
    next_attempt_at {TIME} NOT NULL,
    sent_at {TIME},
    last_error TEXT NOT NULL,
    PRIMARY KEY (key, channel)
);
CREATE INDEX reminder_deliveries_pending ON reminder_deliveries (state, next_attempt_at);
CREATE INDEX reminder_deliveries_unit ON reminder_deliveries (unit_id, due_at);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at {TIME} NOT NULL
);
"#,
    r#"
-- Stateless instances: an upload's offset and its stored parts live here (the parts
-- themselves in the blob store), and secrets every instance shares (the site-code key).
ALTER TABLE uploads ADD COLUMN received {INT} NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN parts TEXT NOT NULL DEFAULT '';
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"#,
    r#"
-- Sign-in through a province's unified identity (OpenID Connect): an account linked to the
-- provider's identity (one each way), and the sign-ins started and not yet finished (shared
-- by every instance: the provider may send the browser back to another one).
CREATE TABLE identity_links (
    username TEXT PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,
    linked_at {TIME} NOT NULL
);
CREATE TABLE login_states (
    handle_hash TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    expires_at {TIME} NOT NULL
);
CREATE INDEX login_states_expiry ON login_states (expires_at);
"#,
    r#"
-- Login throttling and the complaint limiter, shared by every instance: bounded, expiring.
CREATE TABLE throttles (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at {TIME} NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX throttles_expiry ON throttles (kind, expires_at);
"#,
];

/// Every migration in order, in this dialect.
pub fn migrations(d: &Dialect) -> Vec<String> {
    MIGRATIONS
        .iter()
        .map(|sql| {
            sql.replace("{INT}", d.int)
                .replace("{BOOL}", d.bool)
                .replace("{FALSE}", d.false_)
                .replace("{TIME}", d.time)
                .replace("{SEQ_KEY}", d.seq_key)
                .replace("{SERIAL_KEY}", d.serial_key)
                .replace("{RANDOM_LOG_ID}", d.random_log_id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_word_is_filled_in() {
        for d in [SQLITE, POSTGRES] {
            for sql in migrations(&d) {
                assert!(!sql.contains('{') && !sql.contains('}'), "{sql}");
            }
        }
        assert_eq!(migrations(&SQLITE).len(), MIGRATIONS.len());
    }
}
