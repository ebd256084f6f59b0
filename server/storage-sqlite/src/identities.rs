//! Accounts linked to the identity provider's identities, and sign-ins in progress, in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use anjian_storage::{IdentityStore, LoginState, Result};

use crate::{db, parse_ts, ts, SqliteTx};

impl IdentityStore for SqliteTx<'_> {
    fn identity_account(&mut self, identity: &str) -> Result<Option<String>> {
        self.tx
            .query_row(
                "SELECT username FROM identity_links WHERE identity = ?1",
                [identity],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    fn account_identity(&mut self, username: &str) -> Result<Option<String>> {
        self.tx
            .query_row(
                "SELECT identity FROM identity_links WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    fn identity_links(&mut self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .tx
            .prepare("SELECT username, identity FROM identity_links ORDER BY username")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        Ok(rows)
    }

    fn set_identity(
        &mut self,
        username: &str,
        identity: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.tx
            .execute("DELETE FROM identity_links WHERE username = ?1", [username])
            .map_err(db)?;
        if let Some(identity) = identity {
            self.tx
                .execute(
                    "INSERT INTO identity_links (username, identity, linked_at) VALUES (?1, ?2, ?3)",
                    params![username, identity, ts(now)],
                )
                .map_err(db)?;
        }
        Ok(())
    }

    fn put_login_state(&mut self, s: &LoginState) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO login_states (handle_hash, state, nonce, pkce_verifier, redirect_url, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    s.handle_hash,
                    s.state,
                    s.nonce,
                    s.pkce_verifier,
                    s.redirect_url,
                    ts(s.expires_at)
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn take_login_state(
        &mut self,
        handle_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<LoginState>> {
        let found = self
            .tx
            .query_row(
                "SELECT handle_hash, state, nonce, pkce_verifier, redirect_url, expires_at \
                 FROM login_states WHERE handle_hash = ?1",
                [handle_hash],
                |r| {
                    Ok((
                        LoginState {
                            handle_hash: r.get(0)?,
                            state: r.get(1)?,
                            nonce: r.get(2)?,
                            pkce_verifier: r.get(3)?,
                            redirect_url: r.get(4)?,
                            expires_at: DateTime::<Utc>::UNIX_EPOCH,
                        },
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()
            .map_err(db)?;
        let Some((mut state, expires)) = found else {
            return Ok(None);
        };
        self.tx
            .execute(
                "DELETE FROM login_states WHERE handle_hash = ?1",
                [handle_hash],
            )
            .map_err(db)?;
        state.expires_at = parse_ts(&expires)?;
        Ok(Some(state).filter(|s| s.expires_at > now))
    }

    fn prune_login_states(&mut self, now: DateTime<Utc>) -> Result<i64> {
        self.tx
            .execute("DELETE FROM login_states WHERE expires_at <= ?1", [ts(now)])
            .map_err(db)?;
        self.tx
            .query_row("SELECT count(*) FROM login_states", [], |r| r.get(0))
            .map_err(db)
    }
}
