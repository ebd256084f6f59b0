//! Accounts, their sessions and the audit log: written once for both backends over their
//! [`Sql`].

use chrono::{DateTime, Utc};

use crate::sql::{columns, Arg, Cell, Sql};
use crate::{Account, AuditEntry, AuditQuery, Result};

/// Accounts, session tokens and the audit log, part of every transaction.
pub trait Accounts: Sql {
    fn get_account(&mut self, username: &str) -> Result<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts WHERE username = $1");
        let row = self.rows(&sql, &[Arg::Text(username)])?.into_iter().next();
        row.map(account).transpose()
    }

    fn put_account(&mut self, a: &Account) -> Result<()> {
        self.run(
            &format!(
                "INSERT INTO accounts ({ACCOUNT}) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (username) DO UPDATE SET person_id = excluded.person_id,
                 password_hash = excluded.password_hash, failed_logins = excluded.failed_logins,
                 locked_until = excluded.locked_until, disabled = excluded.disabled"
            ),
            &[
                Arg::Text(&a.username),
                Arg::Text(&a.person_id),
                Arg::Text(&a.password_hash),
                Arg::Int(a.failed_logins),
                Arg::OptTime(a.locked_until),
                Arg::Bool(a.disabled),
            ],
        )?;
        Ok(())
    }

    fn count_accounts(&mut self) -> Result<i64> {
        self.count("SELECT count(*) FROM accounts", &[])
    }

    /// Every account, by username.
    fn list_accounts(&mut self) -> Result<Vec<Account>> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts ORDER BY username");
        self.rows(&sql, &[])?.into_iter().map(account).collect()
    }

    fn put_token(
        &mut self,
        token_hash: &str,
        username: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.run(
            "INSERT INTO tokens (token_hash, username, expires_at) VALUES ($1, $2, $3)",
            &[
                Arg::Text(token_hash),
                Arg::Text(username),
                Arg::Time(expires_at),
            ],
        )?;
        Ok(())
    }

    /// The username of a live token.
    fn token_user(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        self.text(
            "SELECT username FROM tokens WHERE token_hash = $1 AND expires_at > $2",
            &[Arg::Text(token_hash), Arg::Time(now)],
        )
    }

    fn delete_token(&mut self, token_hash: &str) -> Result<()> {
        let sql = "DELETE FROM tokens WHERE token_hash = $1";
        self.run(sql, &[Arg::Text(token_hash)])?;
        Ok(())
    }

    /// Ends every session of a user except `keep` (a token hash); returns how many ended.
    fn delete_tokens_of(&mut self, username: &str, keep: Option<&str>) -> Result<u64> {
        self.run(
            "DELETE FROM tokens WHERE username = $1 AND token_hash IS DISTINCT FROM $2",
            &[Arg::Text(username), Arg::OptText(keep)],
        )
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<()> {
        self.run(
            "INSERT INTO audit_log (at, actor, action, target, client, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Arg::Time(e.at),
                Arg::Text(&e.actor),
                Arg::Text(&e.action),
                Arg::Text(&e.target),
                Arg::Text(&e.client),
                Arg::Text(&e.detail),
            ],
        )?;
        Ok(())
    }

    fn list_audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        self.rows(
            "SELECT id, at, actor, action, target, client, detail FROM audit_log
             WHERE (CAST($1 AS BIGINT) IS NULL OR id < $1)
             AND (CAST($2 AS TEXT) IS NULL OR action = $2)
             AND (CAST($3 AS TEXT) IS NULL OR actor = $3 OR target = $3)
             ORDER BY id DESC LIMIT $4",
            &[
                Arg::OptInt(q.before_id),
                Arg::OptText(q.action.as_deref()),
                Arg::OptText(q.username.as_deref()),
                Arg::Int(q.limit),
            ],
        )?
        .into_iter()
        .map(|row| {
            let [id, at, actor, action, target, client, detail] = columns(row)?;
            Ok(AuditEntry {
                id: id.int()?,
                at: at.time()?,
                actor: actor.text()?,
                action: action.text()?,
                target: target.text()?,
                client: client.text()?,
                detail: detail.text()?,
            })
        })
        .collect()
    }
}

impl<T: Sql> Accounts for T {}

/// The columns of `accounts`, in the order [`account`] reads them.
const ACCOUNT: &str = "username, person_id, password_hash, failed_logins, locked_until, disabled";

fn account(row: Vec<Cell>) -> Result<Account> {
    let [username, person_id, password_hash, failed_logins, locked_until, disabled] = columns(row)?;
    Ok(Account {
        username: username.text()?,
        person_id: person_id.text()?,
        password_hash: password_hash.text()?,
        failed_logins: failed_logins.int()?,
        locked_until: locked_until.opt_time()?,
        disabled: disabled.flag()?,
    })
}
