//! Accounts linked to the identity provider's identities, and the sign-ins in progress:
//! written once for both backends over their [`Sql`].

use chrono::{DateTime, Utc};

use crate::sql::{columns, Arg, Cell, Sql};
use crate::Result;

/// A sign-in through the identity provider, started and not yet finished.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginState {
    /// SHA-256 (hex) of the secret handle given to whoever started it (never stored as is).
    pub handle_hash: String,
    /// The `state` sent to the provider, which it sends back with the code.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (the provider saw only its SHA-256 challenge).
    pub pkce_verifier: String,
    /// Where the provider sends the browser back (the console's page or the app's link).
    pub redirect_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Accounts linked to identities of the unified identity provider, and the sign-ins in
/// progress (`server/src/oidc`), part of every transaction.
pub trait IdentityStore: Sql {
    /// The account linked to an identity (the value of the provider's linking claim).
    fn identity_account(&mut self, identity: &str) -> Result<Option<String>> {
        let sql = "SELECT username FROM identity_links WHERE identity = $1";
        self.text(sql, &[Arg::Text(identity)])
    }

    /// The identity an account is linked to.
    fn account_identity(&mut self, username: &str) -> Result<Option<String>> {
        let sql = "SELECT identity FROM identity_links WHERE username = $1";
        self.text(sql, &[Arg::Text(username)])
    }

    /// Every link as (username, identity), by username.
    fn identity_links(&mut self) -> Result<Vec<(String, String)>> {
        self.rows(
            "SELECT username, identity FROM identity_links ORDER BY username",
            &[],
        )?
        .into_iter()
        .map(|row| {
            let [username, identity] = columns(row)?;
            Ok((username.text()?, identity.text()?))
        })
        .collect()
    }

    /// Links an account to an identity (replacing its previous link), or unlinks it (`None`).
    /// The caller checks first that no other account holds the identity.
    fn set_identity(
        &mut self,
        username: &str,
        identity: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.run(
            "DELETE FROM identity_links WHERE username = $1",
            &[Arg::Text(username)],
        )?;
        if let Some(identity) = identity {
            self.run(
                "INSERT INTO identity_links (username, identity, linked_at) VALUES ($1, $2, $3)",
                &[Arg::Text(username), Arg::Text(identity), Arg::Time(now)],
            )?;
        }
        Ok(())
    }

    fn put_login_state(&mut self, s: &LoginState) -> Result<()> {
        self.run(
            &format!("INSERT INTO login_states ({LOGIN_STATE}) VALUES ($1, $2, $3, $4, $5, $6)"),
            &[
                Arg::Text(&s.handle_hash),
                Arg::Text(&s.state),
                Arg::Text(&s.nonce),
                Arg::Text(&s.pkce_verifier),
                Arg::Text(&s.redirect_url),
                Arg::Time(s.expires_at),
            ],
        )?;
        Ok(())
    }

    /// Removes and returns a sign-in in progress by its handle's hash, if not expired: each
    /// can be finished once.
    fn take_login_state(
        &mut self,
        handle_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<LoginState>> {
        // One statement: of two finishes at once, only one gets the row.
        let row = self
            .rows(
                &format!("DELETE FROM login_states WHERE handle_hash = $1 RETURNING {LOGIN_STATE}"),
                &[Arg::Text(handle_hash)],
            )?
            .into_iter()
            .next();
        Ok(row
            .map(login_state)
            .transpose()?
            .filter(|s| s.expires_at > now))
    }

    /// Drops expired sign-ins in progress; returns how many live ones remain.
    fn prune_login_states(&mut self, now: DateTime<Utc>) -> Result<i64> {
        self.run(
            "DELETE FROM login_states WHERE expires_at <= $1",
            &[Arg::Time(now)],
        )?;
        self.count("SELECT count(*) FROM login_states", &[])
    }
}

/// The columns of `login_states`, in the order [`login_state`] reads them.
const LOGIN_STATE: &str = "handle_hash, state, nonce, pkce_verifier, redirect_url, expires_at";

fn login_state(row: Vec<Cell>) -> Result<LoginState> {
    let [handle_hash, state, nonce, pkce_verifier, redirect_url, expires_at] = columns(row)?;
    Ok(LoginState {
        handle_hash: handle_hash.text()?,
        state: state.text()?,
        nonce: nonce.text()?,
        pkce_verifier: pkce_verifier.text()?,
        redirect_url: redirect_url.text()?,
        expires_at: expires_at.time()?,
    })
}

impl<T: Sql> IdentityStore for T {}
