//! Which address a request comes from, for the sign-in throttle and the audit. The peer is the
//! client unless it is one of the configured reverse proxies: then the client is the nearest
//! address in `X-Forwarded-For` that is not a trusted proxy. A header from anyone else is
//! ignored, since any client can write one.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::types::ipnetwork::IpNetwork;

use app::auth::session::ClientAddress;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNetwork>);

#[derive(Debug, thiserror::Error)]
#[error("TRUSTED_PROXIES must list addresses or networks (10.0.0.5, 10.0.0.0/24), got {0:?}")]
pub struct BadProxyList(String);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks; empty trusts none.
    pub fn parse(list: &str) -> Result<Self, BadProxyList> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNetwork>()
                    .map_err(|_| BadProxyList(entry.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client of a request that reached us from `peer` with `forwarded` (the values of its
    /// `X-Forwarded-For` headers, in order).
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded.flat_map(|value| value.split(',')).collect();
        // From the nearest hop outwards; each trusted proxy vouches for the one before it.
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// Puts the request's `ClientAddress` among its extensions.
pub async fn determine(
    State(proxies): State<Arc<TrustedProxies>>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    // The extractor, not the extension: it also finds the address tests give with
    // `MockConnectInfo`.
    let peer = ConnectInfo::<SocketAddr>::from_request_parts(&mut parts, &())
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        let client = proxies.client(peer, forwarded);
        parts.extensions.insert(ClientAddress(client));
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), ["1.2.3.4"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/24, 192.0.2.7").expect("list");
        let peer = ip("10.0.0.5");
        assert_eq!(
            proxies.client(peer, ["198.51.100.1"].into_iter()),
            ip("198.51.100.1")
        );
        // A client-written hop before the real one is not believed.
        let spoofed = ["6.6.6.6, 198.51.100.1", "192.0.2.7"];
        assert_eq!(
            proxies.client(peer, spoofed.into_iter()),
            ip("198.51.100.1")
        );
        assert_eq!(proxies.client(peer, std::iter::empty()), peer);
        assert_eq!(proxies.client(peer, ["garbage"].into_iter()), peer);
    }

    #[test]
    fn a_bad_list_is_refused() {
        assert!(TrustedProxies::parse("10.0.0.1, proxy.local").is_err());
        assert!(TrustedProxies::parse("").is_ok());
    }
}
