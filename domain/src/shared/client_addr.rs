//! Who is asking: the client's address behind the shop's own reverse proxies, and the
//! subject a per-address limit counts it under.
//!
//! `Forwarded` and `X-Forwarded-For` are believed only from a peer in `TRUSTED_PROXIES`:
//! anybody else could write any address there. The list is read from the right (the hop
//! nearest to us), skipping our own proxies; the first address that is not one of them is
//! the client. IPv6 clients are counted per /64, the block one household or phone gets.

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

/// The client's address as the HTTP layer worked it out, kept in the request's extensions
/// for the API handlers and the server functions alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The reverse proxies whose forwarding headers are believed (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads a comma-separated list of CIDR blocks or single addresses
    /// (`10.0.0.0/8, 192.168.1.7, fd00::/8`); empty: trust nobody.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{s}` is not an address or a CIDR block"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether no proxy is trusted (then the peer is always the client).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with these `Forwarded` and
    /// `X-Forwarded-For` header values (each in the order received). `Forwarded` wins
    /// when both are present; an entry that is not an address (`unknown`, an obfuscated
    /// name) ends the walk at the proxy that wrote it.
    pub fn client(&self, peer: IpAddr, forwarded: &[&str], x_forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = if forwarded.iter().any(|v| !v.trim().is_empty()) {
            forwarded
                .iter()
                .flat_map(|v| v.split(','))
                .map(forwarded_for)
                .collect()
        } else {
            x_forwarded_for
                .iter()
                .flat_map(|v| v.split(','))
                .map(|hop| parse_node(hop.trim()))
                .collect()
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Some(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                None => break,
            }
        }
        client
    }
}

/// The subject a per-address limit counts: the address itself for IPv4, its /64 for IPv6
/// (one subscriber gets a whole /64 and may use any address in it).
pub fn limit_subject(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            format!("{}/64", Ipv6Addr::from(segments))
        }
    }
}

/// IPv4 addresses mapped into IPv6 (`::ffff:192.0.2.1`, a dual-stack socket) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The `for=` address of one `Forwarded` element (RFC 7239).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))?
    })
}

/// An address with an optional port: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`,
/// `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse().ok().or_else(|| {
        let (host, port) = node.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse("10.0.0.0/8, 192.168.1.7, fd00::/8").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let client = proxies().client(ip("203.0.113.9"), &[], &["198.51.100.1"]);
        assert_eq!(client, ip("203.0.113.9"));
        let nobody = TrustedProxies::default();
        assert_eq!(
            nobody.client(ip("10.0.0.1"), &["for=198.51.100.1"], &[]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn the_rightmost_address_that_is_not_our_proxy_is_the_client() {
        let p = proxies();
        // A client that forged its own header: the spoofed entry sits left of the truth.
        assert_eq!(
            p.client(
                ip("10.1.2.3"),
                &[],
                &["1.1.1.1, 198.51.100.7", "192.168.1.7"]
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            p.client(
                ip("192.168.1.7"),
                &[r#"for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.2"#],
                &["9.9.9.9"]
            ),
            ip("2001:db8:cafe::17"),
            "Forwarded wins over X-Forwarded-For"
        );
        assert_eq!(
            p.client(ip("10.0.0.1"), &[], &["198.51.100.2:5555"]),
            ip("198.51.100.2")
        );
        // `unknown` stops the walk at the proxy that wrote it; no header at all: the peer.
        assert_eq!(
            p.client(ip("10.0.0.1"), &["for=unknown"], &[]),
            ip("10.0.0.1")
        );
        assert_eq!(p.client(ip("10.0.0.1"), &[], &[]), ip("10.0.0.1"));
        assert_eq!(
            p.client(ip("::ffff:10.0.0.1"), &[], &["198.51.100.3"]),
            ip("198.51.100.3"),
            "a proxy reached over a dual-stack socket"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        assert_eq!(
            limit_subject(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            limit_subject(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            limit_subject(ip("2001:db8:1:2::1")),
            limit_subject(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_subject(ip("::ffff:198.51.100.4")), "198.51.100.4");
    }

    #[test]
    fn bad_proxy_lists_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert_eq!(TrustedProxies::parse(" "), Ok(TrustedProxies::default()));
    }
}
