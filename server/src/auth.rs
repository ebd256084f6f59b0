//! Accounts: argon2id password hashes (computed outside every database lock, a bounded
//! number at a time), short-lived bearer tokens stored hashed.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use rand_core::RngCore;
use sha2::{Digest, Sha256};

use anjian_domain::org::Person;
use anjian_domain::sync::entity;

use crate::account_rules;
use crate::error::{ApiError, ApiResult};
use crate::scope::Caller;
use crate::storage::{Account, Tx};
use crate::AppState;

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A valid argon2id hash (default parameters) of a random string, verified against for
/// unknown usernames so that they cost the same time as known ones.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Kz1fM4d7u0m0d1xV1Q4cJY3xXl0B4Rr6mX7m1XyF0pQ";

/// Waits for a hashing slot (bounded concurrency: each hash takes ~19 MiB and a core) and
/// runs `work` on a blocking thread, outside every database lock.
pub async fn with_hashing<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    let wait = state.login.limits().hashing_wait;
    let permit = tokio::time::timeout(wait, state.login.hashing.acquire())
        .await
        .map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "登录请求过多，请稍后再试",
            )
        })?
        .map_err(ApiError::internal)?;
    let out = tokio::task::spawn_blocking(work).await?;
    drop(permit);
    Ok(out)
}

/// Checks a password against an account's hash (or the dummy hash), bounded.
pub async fn check_password_bounded(
    state: &AppState,
    password: String,
    hash: Option<String>,
) -> ApiResult<bool> {
    with_hashing(state, move || {
        let known = hash.is_some();
        let ok = verify_password(&password, hash.as_deref().unwrap_or(DUMMY_HASH));
        ok && known
    })
    .await
}

/// Hashes a new password, bounded.
pub async fn hash_password_bounded(state: &AppState, password: String) -> ApiResult<String> {
    with_hashing(state, move || hash_password(&password)).await?
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn load_person(tx: &mut dyn Tx, person_id: &str) -> ApiResult<Person> {
    let rec = tx
        .get_record(entity::PERSON, person_id)?
        .ok_or_else(|| ApiError::internal(format!("account without person {person_id}")))?;
    serde_json::from_value(rec.data).map_err(ApiError::internal)
}

/// Checks a new account's username and password against the rules; returns the normalised
/// username.
pub fn check_new_account(username: &str, password: &str) -> ApiResult<String> {
    let name = account_rules::check_username(username).map_err(ApiError::invalid)?;
    account_rules::check_password(&name, password).map_err(ApiError::invalid)?;
    Ok(name)
}

/// Stores a new account with an already computed hash (`username` already normalised).
pub fn insert_account(
    tx: &mut dyn Tx,
    username: &str,
    password_hash: &str,
    person_id: &str,
) -> ApiResult<()> {
    if tx.get_account(username)?.is_some() {
        return Err(ApiError::invalid(format!("用户名 {username} 已存在")));
    }
    tx.put_account(&Account {
        username: username.to_string(),
        person_id: person_id.to_string(),
        password_hash: password_hash.to_string(),
        failed_logins: 0,
        locked_until: None,
        disabled: false,
    })?;
    Ok(())
}

/// Checks the rules, hashes (inside the caller's transaction: for seeding only) and stores.
pub fn create_account(
    tx: &mut dyn Tx,
    username: &str,
    password: &str,
    person_id: &str,
) -> ApiResult<()> {
    let name = check_new_account(username, password)?;
    insert_account(tx, &name, &hash_password(password)?, person_id)
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<String> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        let hash = token_hash(&token);
        state
            .read(move |tx| {
                let username = tx
                    .token_user(&hash, Utc::now())?
                    .ok_or_else(ApiError::unauthorized)?;
                let account = tx
                    .get_account(&username)?
                    .filter(|a| !a.disabled)
                    .ok_or_else(ApiError::unauthorized)?;
                let person = load_person(tx, &account.person_id)?;
                let engaged = crate::parties::engaged_principals(tx, &person)?;
                Ok(Caller {
                    person,
                    username,
                    engaged,
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let hash = hash_password("anjian-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("anjian-demo", &hash));
        assert!(!verify_password("anjian-dem0", &hash));
        assert!(!verify_password("x", DUMMY_HASH));
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "the dummy hash parses, so it costs a hash"
        );
    }
}
