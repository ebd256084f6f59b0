//! Accounts: argon2id password hashes, short-lived bearer tokens stored hashed, and a login
//! that slows down after repeated failures.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use rand_core::RngCore;
use sha2::{Digest, Sha256};

use anjian_domain::org::Person;
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult};
use crate::scope::Caller;
use crate::storage::{Account, Tx};
use crate::AppState;

/// Failures allowed before the account is locked for a while.
const FREE_FAILURES: i64 = 5;

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How long an account stays locked after `failures` consecutive failures.
pub fn lock_duration(failures: i64) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let exp = (failures - FREE_FAILURES).min(10) as u32;
    Duration::seconds((2i64.pow(exp) * 5).min(900))
}

pub enum LoginOutcome {
    Ok {
        token: String,
        expires_at: DateTime<Utc>,
        person: Person,
    },
    Locked {
        seconds: i64,
    },
    Wrong,
}

/// Checks a password and issues a token; runs inside one transaction. Password hashing is
/// done even for unknown users so timing does not reveal which usernames exist.
pub fn login(
    tx: &mut dyn Tx,
    username: &str,
    password: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> ApiResult<LoginOutcome> {
    let Some(mut account) = tx.get_account(username)? else {
        verify_password(password, DUMMY_HASH);
        return Ok(LoginOutcome::Wrong);
    };
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        return Ok(LoginOutcome::Locked {
            seconds: (until - now).num_seconds().max(1),
        });
    }
    if !verify_password(password, &account.password_hash) {
        account.failed_logins += 1;
        let lock = lock_duration(account.failed_logins);
        account.locked_until = (lock > Duration::zero()).then(|| now + lock);
        tx.put_account(&account)?;
        return Ok(LoginOutcome::Wrong);
    }
    account.failed_logins = 0;
    account.locked_until = None;
    tx.put_account(&account)?;
    let person = load_person(tx, &account.person_id)?;
    let token = new_token();
    let expires_at = now + ttl;
    tx.put_token(&token_hash(&token), &account.username, expires_at)?;
    Ok(LoginOutcome::Ok {
        token,
        expires_at,
        person,
    })
}

/// A valid argon2id hash of a random string, verified against for unknown usernames.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Kz1fM4d7u0m0d1xV1Q4cJY3xXl0B4Rr6mX7m1XyF0pQ";

pub fn load_person(tx: &mut dyn Tx, person_id: &str) -> ApiResult<Person> {
    let rec = tx
        .get_record(entity::PERSON, person_id)?
        .ok_or_else(|| ApiError::internal(format!("account without person {person_id}")))?;
    serde_json::from_value(rec.data).map_err(ApiError::internal)
}

pub fn create_account(
    tx: &mut dyn Tx,
    username: &str,
    password: &str,
    person_id: &str,
) -> ApiResult<()> {
    if username.trim().is_empty() || password.chars().count() < 8 {
        return Err(ApiError::invalid("用户名不能为空，密码至少 8 位"));
    }
    if tx.get_account(username)?.is_some() {
        return Err(ApiError::invalid(format!("用户名 {username} 已存在")));
    }
    tx.put_account(&Account {
        username: username.to_string(),
        person_id: person_id.to_string(),
        password_hash: hash_password(password)?,
        failed_logins: 0,
        locked_until: None,
    })?;
    Ok(())
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
                    .ok_or_else(ApiError::unauthorized)?;
                let person = load_person(tx, &account.person_id)?;
                Ok(Caller { person, username })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip_and_lock_growth() {
        let hash = hash_password("anjian-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("anjian-demo", &hash));
        assert!(!verify_password("anjian-dem0", &hash));
        assert!(!verify_password("x", DUMMY_HASH));
        assert_eq!(lock_duration(4), Duration::zero());
        assert_eq!(lock_duration(5), Duration::seconds(5));
        assert_eq!(lock_duration(7), Duration::seconds(20));
        assert_eq!(lock_duration(100), Duration::seconds(900));
    }
}
