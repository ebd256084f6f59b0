//! Which client a request comes from when the server stands behind a reverse proxy.
//!
//! Login throttling and the audit log key on the client's address. Behind a proxy every
//! connection comes from the proxy, so the proxy's `X-Forwarded-For` is believed — but only
//! from the addresses configured as trusted proxies (`ANJIAN_TRUSTED_PROXIES`, e.g.
//! `127.0.0.1/32,10.0.0.0/8`); from anyone else the header is ignored (a client could write
//! any address there). The header is read from the right: each hop that is itself a trusted
//! proxy is skipped, and the first address that is not is the client. An entry that is not
//! an address stops the walk at the last hop believed.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::HeaderMap;

/// Addresses read from `X-Forwarded-For` at most (a longer chain is no proxy set-up of ours).
const MAX_HOPS: usize = 32;

/// One network: an address and its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Net {
    type Err = String;

    /// `127.0.0.1/32`, `10.0.0.0/8`, `::1/128`, or a bare address (one host).
    fn from_str(s: &str) -> Result<Net, String> {
        let s = s.trim();
        let bad = || format!("受信任的代理地址无效：{s}（应为 IP 地址或网段，如 127.0.0.1/32）");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Net { addr, prefix })
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The configured trusted proxies (none by default: the header is never believed).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[Net]>);

impl TrustedProxies {
    /// A comma- or space-separated list of networks; empty for none.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let nets = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<Net>, String>>()?;
        Ok(TrustedProxies(nets.into()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client behind a connection from `peer` with these request headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        // Every X-Forwarded-For header, in order, as one list; read from the right.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev().take(MAX_HOPS) {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("127.0.0.1/32, 10.0.0.0/8").unwrap();
        let h = headers(&["203.0.113.7"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.7"));
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &h),
            ip("203.0.113.7")
        );
        assert_eq!(proxies.client(ip("127.0.0.2"), &h), ip("127.0.0.2"));
        assert_eq!(proxies.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        // No header: the proxy itself.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &HeaderMap::new()),
            ip("10.1.2.3")
        );
        // Nobody is trusted by default.
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn the_chain_is_read_from_the_right_past_trusted_hops_only() {
        let proxies = TrustedProxies::parse("127.0.0.1,10.0.0.0/8").unwrap();
        // A client's own forged entry on the left is not believed: the first untrusted hop
        // from the right is the client.
        let h = headers(&["1.2.3.4, 203.0.113.7, 10.0.0.5"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.7"));
        // Several headers are one list.
        let h = headers(&["1.2.3.4", "203.0.113.9", "10.0.0.6"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        // Garbage stops the walk at the last hop believed.
        let h = headers(&["203.0.113.7, junk, 10.0.0.5"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("10.0.0.5"));
        let h = headers(&["2001:db8::1"]);
        assert_eq!(proxies.client(ip("10.9.9.9"), &h), ip("2001:db8::1"));
    }

    #[test]
    fn bad_lists_are_refused_with_the_entry() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("::1/128 fd00::/8").is_ok());
        for bad in ["127.0.0.1/33", "localhost", "10.0.0.0/x", "::1/129"] {
            let e = TrustedProxies::parse(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
        let any = TrustedProxies::parse("0.0.0.0/0").unwrap();
        assert!(any.trusts(ip("8.8.8.8")));
    }
}
