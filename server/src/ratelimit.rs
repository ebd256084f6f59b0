//! Login throttling that neither tells which usernames exist nor lets strangers lock someone
//! out, and a bound on concurrent password hashing.
//!
//! Everything is keyed by the *normalised username as typed*, whether or not an account has
//! it, so an unknown name gets exactly the answers a known one does. Three counters:
//!
//! - **address**: failures from one client address (IPv6: its /64) across all usernames; past
//!   [`LoginLimits::per_address`] in the window the address waits for the window to end.
//!   Spraying one password over many usernames from one place is stopped here.
//! - **username × address**: after [`LoginLimits::free_failures`] failures the pair waits,
//!   doubling (5 s, 10 s, ... up to 15 min). Only that address is held back: someone guessing
//!   from elsewhere cannot lock the owner out.
//! - **username, all addresses**: past [`LoginLimits::per_account`] failures in the window,
//!   addresses that never signed in to that username successfully get one attempt per
//!   [`LoginLimits::stranger_interval`] for it; addresses that have (the owner's) are not held.
//!
//! The same module limits complaints left on a site's public page per address.
//!
//! The state is in the database ([`Throttles`]), so every server instance behind a balancer
//! counts the same failures; each counter row expires and each kind keeps a bounded number
//! of rows. Times are wall-clock (instances share no monotonic clock). Callers run these in a
//! write transaction, which both backends serialise.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::storage::{StorageError, Tx};

/// The client's address: as the connection loop resolved it (the peer, or behind a trusted
/// proxy the client it names: `crate::proxies`); else the peer; unspecified when the server
/// was started without connection info.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(resolved) = parts.extensions.get::<ClientAddr>() {
            return Ok(*resolved);
        }
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
        ))
    }
}

/// IPv4 addresses as they are; IPv6 by /64 (one subscriber's network).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[derive(Debug, Clone)]
pub struct LoginLimits {
    pub window: Duration,
    pub per_address: u32,
    pub free_failures: u32,
    pub max_pair_wait: Duration,
    pub per_account: u32,
    pub stranger_interval: Duration,
    /// Password hashes computed at once (each argon2id takes ~19 MiB and one core).
    pub hashing: usize,
    /// How long a login waits for a hashing slot before "busy".
    pub hashing_wait: Duration,
    /// Rows kept per counter kind.
    pub max_entries: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        LoginLimits {
            window: Duration::from_secs(15 * 60),
            per_address: 30,
            free_failures: 5,
            max_pair_wait: Duration::from_secs(15 * 60),
            per_account: 20,
            stranger_interval: Duration::from_secs(10),
            hashing: (cores / 2).max(1),
            hashing_wait: Duration::from_secs(10),
            max_entries: 50_000,
        }
    }
}

const ADDRESS: &str = "login_address";
const PAIR: &str = "login_pair";
const ACCOUNT: &str = "login_account";
const COMPLAINT: &str = "complaint_address";
/// How long an account remembers the addresses its owner signed in from.
const KNOWN_FOR: chrono::Duration = chrono::Duration::days(90);
/// Complaints one address may leave per hour, and addresses tracked at once.
const COMPLAINTS_PER_HOUR: u32 = 5;
const COMPLAINT_ADDRESSES: i64 = 10_000;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Window {
    started: DateTime<Utc>,
    failures: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Pair {
    failures: u32,
    until: Option<DateTime<Utc>>,
    last: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Account {
    window: Option<Window>,
    next_stranger: Option<DateTime<Utc>>,
    known: Vec<IpAddr>,
}

/// Why a login has to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    Address,
    Pair,
    Account,
}

impl Hold {
    pub fn code(self) -> &'static str {
        match self {
            Hold::Address => "address",
            Hold::Pair => "username_address",
            Hold::Account => "username",
        }
    }
}

/// May this attempt go ahead; if not, for how many seconds it must wait and why.
pub type Verdict = Result<(), (u64, Hold)>;

pub struct LoginGuard {
    limits: LoginLimits,
    pub hashing: Semaphore,
}

fn dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// A stored counter; one that does not parse counts as none.
fn load<T: DeserializeOwned>(
    tx: &mut dyn Tx,
    kind: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<T>, StorageError> {
    Ok(tx
        .get_throttle(kind, key, now)?
        .and_then(|v| serde_json::from_str(&v).ok()))
}

fn store<T: Serialize>(
    tx: &mut dyn Tx,
    kind: &str,
    key: &str,
    value: &T,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    max_rows: usize,
) -> Result<(), StorageError> {
    let value = serde_json::to_string(value)?;
    tx.put_throttle(kind, key, &value, expires_at, now, max_rows as i64)
}

/// A username as typed may be long: long ones are keyed by their hash.
fn name_key(username: &str) -> String {
    if username.len() <= 128 {
        username.to_string()
    } else {
        format!(
            "sha256:{}",
            anjian_evidence::sha256_hex(username.as_bytes())
        )
    }
}

fn pair_key(username: &str, ip: IpAddr) -> String {
    format!("{ip} {}", name_key(username))
}

fn wait_secs(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    (until - now).num_seconds().max(1) as u64
}

impl LoginGuard {
    pub fn new(limits: LoginLimits) -> LoginGuard {
        LoginGuard {
            hashing: Semaphore::new(limits.hashing.max(1)),
            limits,
        }
    }

    pub fn limits(&self) -> &LoginLimits {
        &self.limits
    }

    fn window(&self) -> chrono::Duration {
        dur(self.limits.window)
    }

    fn account_expiry(&self, a: &Account, now: DateTime<Utc>) -> DateTime<Utc> {
        let mut until = now;
        if let Some(w) = a.window {
            until = until.max(w.started + self.window());
        }
        if let Some(n) = a.next_stranger {
            until = until.max(n);
        }
        if !a.known.is_empty() {
            until = until.max(now + KNOWN_FOR);
        }
        until
    }

    /// Whether this attempt may go ahead (a stranger's attempt on a busy account uses up
    /// its turn).
    pub fn check(
        &self,
        tx: &mut dyn Tx,
        username: &str,
        ip: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Verdict, StorageError> {
        let ip = address_key(ip);
        let window = self.window();
        if let Some(w) = load::<Window>(tx, ADDRESS, &ip.to_string(), now)? {
            if now - w.started < window && w.failures >= self.limits.per_address {
                return Ok(Err((wait_secs(w.started + window, now), Hold::Address)));
            }
        }
        if let Some(p) = load::<Pair>(tx, PAIR, &pair_key(username, ip), now)? {
            if let Some(until) = p.until.filter(|u| *u > now) {
                return Ok(Err((wait_secs(until, now), Hold::Pair)));
            }
        }
        let key = name_key(username);
        if let Some(mut a) = load::<Account>(tx, ACCOUNT, &key, now)? {
            let busy = a
                .window
                .is_some_and(|w| now - w.started < window && w.failures >= self.limits.per_account);
            if busy && !a.known.contains(&ip) {
                if let Some(next) = a.next_stranger.filter(|n| *n > now) {
                    return Ok(Err((wait_secs(next, now), Hold::Account)));
                }
                a.next_stranger = Some(now + dur(self.limits.stranger_interval));
                let expires = self.account_expiry(&a, now);
                store(tx, ACCOUNT, &key, &a, expires, now, self.limits.max_entries)?;
            }
        }
        Ok(Ok(()))
    }

    /// Counts a failed attempt; returns the hold it newly starts, if any (for the audit log).
    pub fn failure(
        &self,
        tx: &mut dyn Tx,
        username: &str,
        ip: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Option<Hold>, StorageError> {
        let ip = address_key(ip);
        let limits = &self.limits;
        let max = limits.max_entries;
        let window = self.window();
        let mut started = None;

        let key = ip.to_string();
        let mut w = load::<Window>(tx, ADDRESS, &key, now)?
            .filter(|w| now - w.started < window)
            .unwrap_or(Window {
                started: now,
                failures: 0,
            });
        w.failures += 1;
        if w.failures == limits.per_address {
            started = Some(Hold::Address);
        }
        store(tx, ADDRESS, &key, &w, w.started + window, now, max)?;

        let key = pair_key(username, ip);
        let max_wait = dur(limits.max_pair_wait);
        let mut p = load::<Pair>(tx, PAIR, &key, now)?.unwrap_or(Pair {
            failures: 0,
            until: None,
            last: now,
        });
        if now - p.last >= max_wait && p.until.is_none_or(|u| u <= now) {
            p.failures = 0;
        }
        p.failures += 1;
        p.last = now;
        if p.failures >= limits.free_failures {
            let exp = (p.failures - limits.free_failures).min(10);
            let wait = dur(Duration::from_secs(5u64 << exp)).min(max_wait);
            p.until = Some(now + wait);
            if started.is_none() {
                started = Some(Hold::Pair);
            }
        }
        let expires = (p.last + max_wait).max(p.until.unwrap_or(now));
        store(tx, PAIR, &key, &p, expires, now, max)?;

        let key = name_key(username);
        let mut a = load::<Account>(tx, ACCOUNT, &key, now)?.unwrap_or_default();
        match &mut a.window {
            Some(w) if now - w.started < window => w.failures += 1,
            other => {
                *other = Some(Window {
                    started: now,
                    failures: 1,
                })
            }
        }
        if a.window.is_some_and(|w| w.failures == limits.per_account) && started.is_none() {
            started = Some(Hold::Account);
        }
        let expires = self.account_expiry(&a, now);
        store(tx, ACCOUNT, &key, &a, expires, now, max)?;
        Ok(started)
    }

    /// A successful login: the pair starts afresh and the address is one the owner uses.
    pub fn success(
        &self,
        tx: &mut dyn Tx,
        username: &str,
        ip: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let ip = address_key(ip);
        tx.delete_throttle(PAIR, &pair_key(username, ip))?;
        let key = name_key(username);
        let mut a = load::<Account>(tx, ACCOUNT, &key, now)?.unwrap_or_default();
        if !a.known.contains(&ip) {
            if a.known.len() >= 8 {
                a.known.remove(0);
            }
            a.known.push(ip);
        }
        let expires = self.account_expiry(&a, now);
        store(tx, ACCOUNT, &key, &a, expires, now, self.limits.max_entries)
    }
}

/// Whether `ip` may leave another complaint on a site's public page now (and counts it):
/// [`COMPLAINTS_PER_HOUR`] per address; a new address is refused while the table is full.
pub fn admit_complaint(
    tx: &mut dyn Tx,
    ip: IpAddr,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let key = address_key(ip).to_string();
    let hour = chrono::Duration::hours(1);
    let slot = load::<Window>(tx, COMPLAINT, &key, now)?.filter(|w| now - w.started < hour);
    let mut slot = match slot {
        Some(s) => s,
        None if tx.count_throttles(COMPLAINT)? >= COMPLAINT_ADDRESSES => return Ok(false),
        None => Window {
            started: now,
            failures: 0,
        },
    };
    if slot.failures >= COMPLAINTS_PER_HOUR {
        return Ok(false);
    }
    slot.failures += 1;
    let max = COMPLAINT_ADDRESSES as usize;
    store(tx, COMPLAINT, &key, &slot, slot.started + hour, now, max)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteDb;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn db() -> (tempfile::TempDir, SqliteDb) {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteDb::open(&dir.path().join("t.db")).unwrap();
        (dir, db)
    }

    #[test]
    fn a_stranger_cannot_lock_the_owner_out_and_unknown_names_count_alike() {
        let (_dir, db) = db();
        let g = LoginGuard::new(LoginLimits::default());
        let t0 = Utc::now();
        let check = |name: &str, addr: &str, t: DateTime<Utc>| {
            db.transact(|tx| g.check(tx, name, ip(addr), t)).unwrap()
        };
        let fail = |name: &str, addr: &str| {
            db.transact(|tx| g.failure(tx, name, ip(addr), t0)).unwrap();
        };
        let owner = "10.0.0.1";
        db.transact(|tx| g.success(tx, "admin", ip(owner), t0))
            .unwrap();
        for i in 0..5 {
            assert!(check("admin", "10.9.9.9", t0).is_ok(), "attempt {i}");
            fail("admin", "10.9.9.9");
        }
        assert_eq!(check("admin", "10.9.9.9", t0).unwrap_err().1, Hold::Pair);
        assert!(check("admin", owner, t0).is_ok(), "the owner is not held");
        // The same for a name nobody has.
        for _ in 0..5 {
            fail("nobody", "10.9.9.8");
        }
        assert_eq!(check("nobody", "10.9.9.8", t0).unwrap_err().1, Hold::Pair);
        // Spraying from one address stops at the address limit.
        for n in 0..30 {
            fail(&format!("user{n}"), "10.7.7.7");
        }
        assert_eq!(
            check("user99", "10.7.7.7", t0).unwrap_err().1,
            Hold::Address
        );
        // Many addresses against one account: strangers slowed, the owner not.
        for n in 0..25 {
            fail("leader", &format!("10.1.1.{n}"));
        }
        db.transact(|tx| g.success(tx, "leader", ip(owner), t0))
            .unwrap();
        assert!(check("leader", "10.2.2.2", t0).is_ok());
        assert_eq!(
            check("leader", "10.2.2.3", t0).unwrap_err().1,
            Hold::Account
        );
        assert!(check("leader", owner, t0).is_ok());
        // The window passes.
        let later = t0 + chrono::Duration::minutes(16);
        assert!(check("user99", "10.7.7.7", later).is_ok());
        assert!(check("admin", "10.9.9.9", later).is_ok());
    }

    #[test]
    fn tables_stay_bounded_and_long_names_are_hashed() {
        let (_dir, db) = db();
        let g = LoginGuard::new(LoginLimits {
            max_entries: 100,
            ..LoginLimits::default()
        });
        let t0 = Utc::now();
        db.transact(|tx| {
            for n in 0..300u32 {
                g.failure(tx, &format!("u{n}"), IpAddr::from(n.to_be_bytes()), t0)?;
            }
            g.failure(tx, &"长".repeat(10_000), ip("10.0.0.1"), t0)
        })
        .unwrap();
        db.read(|tx| {
            for kind in [ADDRESS, PAIR, ACCOUNT] {
                assert!(tx.count_throttles(kind)? <= 100, "{kind}");
            }
            assert!(tx
                .get_throttle(ACCOUNT, &"长".repeat(10_000), t0)?
                .is_none());
            Ok::<_, StorageError>(())
        })
        .unwrap();
    }

    #[test]
    fn complaints_per_address_per_hour() {
        let (_dir, db) = db();
        let t0 = Utc::now();
        let admit = |addr: &str, t| db.transact(|tx| admit_complaint(tx, ip(addr), t)).unwrap();
        for _ in 0..COMPLAINTS_PER_HOUR {
            assert!(admit("10.3.3.3", t0));
        }
        assert!(!admit("10.3.3.3", t0));
        assert!(admit("10.3.3.4", t0), "another address is not held");
        assert!(admit("10.3.3.3", t0 + chrono::Duration::minutes(61)));
    }
}
