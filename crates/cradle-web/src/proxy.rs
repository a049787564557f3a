//! Which address a request came from, when Cradle runs behind the reverse proxy that the
//! README asks for (TLS ends there).
//!
//! Behind a proxy every request arrives from the proxy's own address, so limits by address
//! would treat the whole organisation as one computer. The `X-Forwarded-For` header names the
//! client, but anyone can send one, so it is believed only from a proxy the operator has named
//! (`--trusted-proxy`; none by default), and only the part of it that trusted proxies wrote.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The reverse proxies whose `X-Forwarded-For` is believed: addresses or ranges.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads "10.0.0.5", "10.0.0.0/8" or "::1" (each entry may hold several, separated by
    /// commas). Names the first entry that is neither an address nor a range.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in entries
            .iter()
            .flat_map(|e| e.as_ref().split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("\"{entry}\" is not an address or range such as 10.0.0.5 or 10.0.0.0/8")
                })?;
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    /// nearest address in `X-Forwarded-For` (read from the right, as each proxy appends the
    /// address it was reached from) that is not itself a trusted proxy. An entry that cannot
    /// be read ends the walk: what lies to the left of it was not written by a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in forwarded.iter().rev() {
            match entry.parse::<IpAddr>() {
                Ok(address) => {
                    client = address.to_canonical();
                    if !self.trusts(client) {
                        return client;
                    }
                }
                Err(_) => return client,
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
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn with_no_trusted_proxy_the_header_is_ignored() {
        let proxies = TrustedProxies::default();
        assert_eq!(
            proxies.client(ip("203.0.113.9"), &headers(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["198.51.100.1"])),
            ip("198.51.100.1")
        );
        // The peer is not a trusted proxy: whatever it claims, it is the client.
        assert_eq!(
            proxies.client(ip("192.0.2.7"), &headers(&["198.51.100.1"])),
            ip("192.0.2.7")
        );
    }

    #[test]
    fn a_client_cannot_choose_its_address_by_sending_the_header_itself() {
        let proxies = TrustedProxies::parse(&["10.0.0.1", "10.0.0.2"]).unwrap();
        // The client sent "1.1.1.1"; the proxies appended what they saw.
        let sent = headers(&["1.1.1.1, 198.51.100.1", "10.0.0.2"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &sent), ip("198.51.100.1"));
        let garbage = headers(&["1.1.1.1, not-an-address, 198.51.100.1"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &garbage), ip("198.51.100.1"));
        let only_garbage = headers(&["nonsense"]);
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &only_garbage),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ipv4_peers_seen_through_ipv6_sockets_match_ipv4_ranges() {
        let proxies = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &headers(&["2001:db8::5"])),
            ip("2001:db8::5")
        );
    }

    #[test]
    fn settings_that_are_not_addresses_are_named() {
        let error = TrustedProxies::parse(&["10.0.0.1, proxy.local"]).unwrap_err();
        assert!(error.contains("\"proxy.local\""), "{error}");
        assert!(TrustedProxies::parse(&[""]).unwrap().is_empty());
    }
}
