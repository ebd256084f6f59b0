//! Accounts linked to the identity provider's identities, and sign-ins in progress, in
//! PostgreSQL.

use chrono::{DateTime, Utc};

use anjian_storage::{IdentityStore, LoginState, Result};

use crate::{db, PgTx};

impl IdentityStore for PgTx<'_, '_> {
    fn identity_account(&mut self, identity: &str) -> Result<Option<String>> {
        let row = self
            .tx
            .query_opt(
                "SELECT username FROM identity_links WHERE identity = $1",
                &[&identity],
            )
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn account_identity(&mut self, username: &str) -> Result<Option<String>> {
        let row = self
            .tx
            .query_opt(
                "SELECT identity FROM identity_links WHERE username = $1",
                &[&username],
            )
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn identity_links(&mut self) -> Result<Vec<(String, String)>> {
        let rows = self
            .tx
            .query(
                "SELECT username, identity FROM identity_links ORDER BY username",
                &[],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn set_identity(
        &mut self,
        username: &str,
        identity: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM identity_links WHERE username = $1",
                &[&username],
            )
            .map_err(db)?;
        if let Some(identity) = identity {
            self.tx
                .execute(
                    "INSERT INTO identity_links (username, identity, linked_at) VALUES ($1, $2, $3)",
                    &[&username, &identity, &now],
                )
                .map_err(db)?;
        }
        Ok(())
    }

    fn put_login_state(&mut self, s: &LoginState) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO login_states (handle_hash, state, nonce, pkce_verifier, redirect_url, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &s.handle_hash,
                    &s.state,
                    &s.nonce,
                    &s.pkce_verifier,
                    &s.redirect_url,
                    &s.expires_at,
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
        let row = self
            .tx
            .query_opt(
                "DELETE FROM login_states WHERE handle_hash = $1 \
                 RETURNING handle_hash, state, nonce, pkce_verifier, redirect_url, expires_at",
                &[&handle_hash],
            )
            .map_err(db)?;
        Ok(row
            .map(|r| LoginState {
                handle_hash: r.get(0),
                state: r.get(1),
                nonce: r.get(2),
                pkce_verifier: r.get(3),
                redirect_url: r.get(4),
                expires_at: r.get(5),
            })
            .filter(|s| s.expires_at > now))
    }

    fn prune_login_states(&mut self, now: DateTime<Utc>) -> Result<i64> {
        self.tx
            .execute("DELETE FROM login_states WHERE expires_at <= $1", &[&now])
            .map_err(db)?;
        let row = self
            .tx
            .query_one("SELECT count(*) FROM login_states", &[])
            .map_err(db)?;
        Ok(row.get(0))
    }
}
