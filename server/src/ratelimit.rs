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
//! State is in memory (a restart forgets it) and bounded in size.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use tokio::sync::Semaphore;

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
    /// Entries kept per table.
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

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Debug, Clone, Copy)]
struct Pair {
    failures: u32,
    until: Option<Instant>,
    last: Instant,
}

#[derive(Debug, Default)]
struct Account {
    window: Option<Window>,
    next_stranger: Option<Instant>,
    known: Vec<IpAddr>,
}

#[derive(Default)]
struct Tables {
    addresses: HashMap<IpAddr, Window>,
    pairs: HashMap<(String, IpAddr), Pair>,
    accounts: HashMap<String, Account>,
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

pub struct LoginGuard {
    limits: LoginLimits,
    tables: Mutex<Tables>,
    pub hashing: Semaphore,
}

fn bounded_insert<K: std::hash::Hash + Eq + Clone, V>(
    map: &mut HashMap<K, V>,
    max: usize,
    key: K,
    keep: impl Fn(&V) -> bool,
) {
    if map.len() >= max && !map.contains_key(&key) {
        map.retain(|_, v| keep(v));
        if map.len() >= max {
            if let Some(k) = map.keys().next().cloned() {
                map.remove(&k);
            }
        }
    }
}

impl LoginGuard {
    pub fn new(limits: LoginLimits) -> LoginGuard {
        LoginGuard {
            hashing: Semaphore::new(limits.hashing.max(1)),
            limits,
            tables: Mutex::new(Tables::default()),
        }
    }

    pub fn limits(&self) -> &LoginLimits {
        &self.limits
    }

    fn live(&self, w: &Window, now: Instant) -> bool {
        now.duration_since(w.started) < self.limits.window
    }

    /// Whether this attempt may go ahead; if not, for how many seconds it must wait and why.
    pub fn check(&self, username: &str, ip: IpAddr, now: Instant) -> Result<(), (u64, Hold)> {
        let ip = address_key(ip);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let secs = |until: Instant| until.duration_since(now).as_secs().max(1);
        if let Some(w) = t.addresses.get(&ip) {
            if self.live(w, now) && w.failures >= self.limits.per_address {
                return Err((secs(w.started + self.limits.window), Hold::Address));
            }
        }
        if let Some(p) = t.pairs.get(&(username.to_string(), ip)) {
            if let Some(until) = p.until.filter(|u| *u > now) {
                return Err((secs(until), Hold::Pair));
            }
        }
        let window = self.limits.window;
        let per_account = self.limits.per_account;
        let interval = self.limits.stranger_interval;
        if let Some(a) = t.accounts.get_mut(username) {
            let busy = a.window.is_some_and(|w| {
                now.duration_since(w.started) < window && w.failures >= per_account
            });
            if busy && !a.known.contains(&ip) {
                if let Some(next) = a.next_stranger.filter(|n| *n > now) {
                    return Err((secs(next), Hold::Account));
                }
                a.next_stranger = Some(now + interval);
            }
        }
        Ok(())
    }

    /// Counts a failed attempt; returns the hold it newly starts, if any (for the audit log).
    pub fn failure(&self, username: &str, ip: IpAddr, now: Instant) -> Option<Hold> {
        let ip = address_key(ip);
        let limits = &self.limits;
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let mut started = None;

        let window = limits.window;
        bounded_insert(&mut t.addresses, limits.max_entries, ip, |w| {
            now.duration_since(w.started) < window
        });
        let w = t.addresses.entry(ip).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.duration_since(w.started) >= window {
            *w = Window {
                started: now,
                failures: 0,
            };
        }
        w.failures += 1;
        if w.failures == limits.per_address {
            started = Some(Hold::Address);
        }

        let key = (username.to_string(), ip);
        let max_wait = limits.max_pair_wait;
        bounded_insert(&mut t.pairs, limits.max_entries, key.clone(), |p| {
            p.until.is_some_and(|u| u > now) || now.duration_since(p.last) < max_wait
        });
        let p = t.pairs.entry(key).or_insert(Pair {
            failures: 0,
            until: None,
            last: now,
        });
        if now.duration_since(p.last) >= max_wait && p.until.is_none_or(|u| u <= now) {
            p.failures = 0;
        }
        p.failures += 1;
        p.last = now;
        if p.failures >= limits.free_failures {
            let exp = (p.failures - limits.free_failures).min(10);
            let wait = Duration::from_secs(5u64 << exp).min(max_wait);
            p.until = Some(now + wait);
            if started.is_none() {
                started = Some(Hold::Pair);
            }
        }

        bounded_insert(
            &mut t.accounts,
            limits.max_entries,
            username.to_string(),
            |a| {
                !a.known.is_empty()
                    || a.window
                        .is_some_and(|w| now.duration_since(w.started) < window)
            },
        );
        let a = t.accounts.entry(username.to_string()).or_default();
        match &mut a.window {
            Some(w) if now.duration_since(w.started) < window => w.failures += 1,
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
        started
    }

    /// A successful login: the pair starts afresh and the address is one the owner uses.
    pub fn success(&self, username: &str, ip: IpAddr) {
        let ip = address_key(ip);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        t.pairs.remove(&(username.to_string(), ip));
        let max = self.limits.max_entries;
        if t.accounts.len() >= max && !t.accounts.contains_key(username) {
            if let Some(k) = t.accounts.keys().next().cloned() {
                t.accounts.remove(&k);
            }
        }
        let a = t.accounts.entry(username.to_string()).or_default();
        if !a.known.contains(&ip) {
            if a.known.len() >= 8 {
                a.known.remove(0);
            }
            a.known.push(ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_stranger_cannot_lock_the_owner_out_and_unknown_names_count_alike() {
        let g = LoginGuard::new(LoginLimits::default());
        let t0 = Instant::now();
        let owner = ip("10.0.0.1");
        g.success("admin", owner);
        for i in 0..5 {
            assert!(g.check("admin", ip("10.9.9.9"), t0).is_ok(), "attempt {i}");
            g.failure("admin", ip("10.9.9.9"), t0);
        }
        assert_eq!(
            g.check("admin", ip("10.9.9.9"), t0).unwrap_err().1,
            Hold::Pair
        );
        assert!(g.check("admin", owner, t0).is_ok(), "the owner is not held");
        // The same for a name nobody has.
        for _ in 0..5 {
            g.failure("nobody", ip("10.9.9.8"), t0);
        }
        assert_eq!(
            g.check("nobody", ip("10.9.9.8"), t0).unwrap_err().1,
            Hold::Pair
        );
        // Spraying from one address stops at the address limit.
        let sprayer = ip("10.7.7.7");
        for n in 0..30 {
            g.failure(&format!("user{n}"), sprayer, t0);
        }
        assert_eq!(g.check("user99", sprayer, t0).unwrap_err().1, Hold::Address);
        // Many addresses against one account: strangers slowed, the owner not.
        for n in 0..25 {
            g.failure("leader", ip(&format!("10.1.1.{n}")), t0);
        }
        g.success("leader", owner);
        assert!(g.check("leader", ip("10.2.2.2"), t0).is_ok());
        assert_eq!(
            g.check("leader", ip("10.2.2.3"), t0).unwrap_err().1,
            Hold::Account
        );
        assert!(g.check("leader", owner, t0).is_ok());
        // The window passes.
        let later = t0 + Duration::from_secs(16 * 60);
        assert!(g.check("user99", sprayer, later).is_ok());
        assert!(g.check("admin", ip("10.9.9.9"), later).is_ok());
    }

    #[test]
    fn tables_stay_bounded() {
        let g = LoginGuard::new(LoginLimits {
            max_entries: 100,
            ..LoginLimits::default()
        });
        let t0 = Instant::now();
        for n in 0..1000u32 {
            g.failure(&format!("u{n}"), IpAddr::from(n.to_be_bytes()), t0);
        }
        let t = g.tables.lock().unwrap();
        assert!(t.addresses.len() <= 100 && t.pairs.len() <= 100 && t.accounts.len() <= 100);
    }
}
