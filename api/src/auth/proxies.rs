//! The caller's address behind reverse proxies. `X-Forwarded-For` is anyone's to write, so it
//! is read only when the connection comes from a configured trusted proxy, and then from the
//! right: each proxy appends the address it saw, so the right-most address that is not itself
//! a trusted proxy is the first one no trusted party vouches for — the caller.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The proxies whose `X-Forwarded-For` is believed: addresses and CIDR networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of addresses or networks (`10.0.0.1`, `10.0.0.0/8`, `::1`), separated by
    /// commas or white space.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(parse_net)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// Whether no proxy is trusted (then `X-Forwarded-For` is never read).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether an address belongs to a trusted proxy.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }
}

fn parse_net(part: &str) -> Result<IpNet, String> {
    part.parse::<IpNet>()
        .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("trusted_proxies: {part} is neither an IP address nor a CIDR network"))
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(IpNet::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

impl Serialize for TrustedProxies {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(IpNet::to_string))
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TrustedProxies, D::Error> {
        // A list in a TOML file, or one comma-separated string (how an environment variable
        // such as PUBEVAL_TRUSTED_PROXIES gives it).
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::One(text) => text,
            Raw::Many(parts) => parts.join(","),
        };
        TrustedProxies::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The caller's address: the peer's, unless the peer is a trusted proxy, in which case the
/// right-most address of `X-Forwarded-For` (all its lines, in order) that is not a trusted
/// proxy. An entry that is not an address ends the walk at the last address vouched for.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let mut caller = peer;
    let hops = forwarded_for
        .iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        let Some(address) = parse_hop(hop) else {
            break;
        };
        caller = address;
        if !trusted.contains(address) {
            break;
        }
    }
    Some(caller)
}

/// An address as proxies write it: bare, with a port (`1.2.3.4:80`) or bracketed (`[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|a| a.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn parses_addresses_and_networks() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1 ::1").expect("parse");
        assert!(t.contains(ip("10.1.2.3")));
        assert!(t.contains(ip("192.0.2.1")));
        assert!(!t.contains(ip("192.0.2.2")));
        assert!(t.contains(ip("::1")));
        assert!(t.contains(ip("::ffff:10.9.9.9")), "IPv4-mapped");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
    }

    #[test]
    fn an_untrusted_peer_is_the_caller_whatever_it_forwards() {
        let t = TrustedProxies::parse("10.0.0.1").expect("parse");
        let got = client_address(Some(ip("198.51.100.9")), &["203.0.113.5"], &t);
        assert_eq!(got, Some(ip("198.51.100.9")));
        let none = TrustedProxies::default();
        let got = client_address(Some(ip("10.0.0.1")), &["203.0.113.5"], &none);
        assert_eq!(got, Some(ip("10.0.0.1")));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_caller() {
        let t = TrustedProxies::parse("10.0.0.0/8").expect("parse");
        let peer = Some(ip("10.0.0.1"));
        // The caller wrote a fake first hop; the proxies appended the real one and themselves.
        let got = client_address(peer, &["1.1.1.1, 203.0.113.5", "10.0.0.7"], &t);
        assert_eq!(got, Some(ip("203.0.113.5")));
        assert_eq!(
            client_address(peer, &["203.0.113.5:4711"], &t),
            Some(ip("203.0.113.5"))
        );
        assert_eq!(
            client_address(peer, &["[2001:db8::1]:443"], &t),
            Some(ip("2001:db8::1"))
        );
        // No header, or nothing but proxies: the left-most proxy is as far as anyone vouches.
        assert_eq!(client_address(peer, &[], &t), peer);
        assert_eq!(
            client_address(peer, &["10.0.0.9"], &t),
            Some(ip("10.0.0.9"))
        );
        // Garbage stops the walk at the last address vouched for.
        assert_eq!(
            client_address(peer, &["203.0.113.5, unknown, 10.0.0.8"], &t),
            Some(ip("10.0.0.8"))
        );
        assert_eq!(client_address(None, &["203.0.113.5"], &t), None);
    }
}
