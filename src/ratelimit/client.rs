//! Who a request comes from, as far as rate limiting cares: its class of credential and the
//! key of its bucket.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::header;
use axum_extra::extract::cookie::CookieJar;

use crate::http::auth::SESSION_COOKIE;
use crate::partners::keys::{self, KeyKind, KEY_HEADER};

/// The classes of caller, each with a quota of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerClass {
    /// No credentials.
    Anonymous,
    /// A session token (bearer or cookie).
    Session,
    /// A partner's publishable key, from a browser.
    Publishable,
    /// A partner's secret key, from a server.
    Secret,
}

impl CallerClass {
    /// The policy name in the headers.
    pub fn name(self) -> &'static str {
        match self {
            CallerClass::Anonymous => "anonymous",
            CallerClass::Session => "session",
            CallerClass::Publishable => "publishable",
            CallerClass::Secret => "secret",
        }
    }
}

/// A class and the key of the caller's bucket in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerKey {
    /// The class.
    pub class: CallerClass,
    /// The bucket: an IP, a key prefix, or a session token's hash.
    pub key: String,
}

/// Classifies a request by the credential it carries, without verifying it.
pub fn classify(request: &Request, trusted_proxies: &[IpAddr]) -> CallerKey {
    let headers = request.headers();
    let ip = client_ip(request, trusted_proxies);
    if let Some(key) = headers.get(KEY_HEADER).and_then(|v| v.to_str().ok()) {
        if let Some((kind, prefix)) = keys::parse_prefix(key) {
            return match kind {
                KeyKind::Secret => CallerKey {
                    class: CallerClass::Secret,
                    key: prefix.to_string(),
                },
                KeyKind::Publishable => CallerKey {
                    class: CallerClass::Publishable,
                    key: format!("{prefix} {ip}"),
                },
            };
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim_start_matches("Bearer ").trim().to_string());
    let cookie = || {
        CookieJar::from_headers(headers)
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
    };
    match bearer.or_else(cookie) {
        // The hash, not the token: the limiter's map must not become a store of live tokens.
        Some(token) => CallerKey {
            class: CallerClass::Session,
            key: hex::encode(&crate::auth::token::hash(&token)[..16]),
        },
        None => CallerKey {
            class: CallerClass::Anonymous,
            key: ip.to_string(),
        },
    }
}

/// The client's IP: the peer's, unless the peer is a trusted proxy, in which case the nearest
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Without connect-info (a router
/// driven directly, as in unit tests) every request counts as from `0.0.0.0`.
pub fn client_ip(request: &Request, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    // Each proxy appends the address it received from; read from the right, skipping our own.
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in forwarded.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(ip) if trusted_proxies.contains(&ip) => continue,
            Ok(ip) => return ip,
            // A garbled entry ends what can be believed.
            Err(_) => break,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(peer: &str, forwarded: Option<&str>) -> Request {
        let mut builder = Request::builder().uri("/v1/search");
        if let Some(f) = forwarded {
            builder = builder.header("x-forwarded-for", f);
        }
        let mut request = builder.body(Body::empty()).unwrap();
        let addr: SocketAddr = format!("{peer}:4000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(addr));
        request
    }

    #[test]
    fn forwarded_for_is_ignored_from_an_untrusted_peer() {
        let r = request("203.0.113.9", Some("198.51.100.1"));
        assert_eq!(client_ip(&r, &[]), "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_entry_is_the_client() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        // A client can put anything on the left; only what our proxy appended counts.
        let r = request("10.0.0.2", Some("1.2.3.4, 198.51.100.7"));
        assert_eq!(
            client_ip(&r, &[proxy]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn keys_sessions_and_addresses_get_their_classes() {
        let mut r = request("203.0.113.9", None);
        assert_eq!(classify(&r, &[]).class, CallerClass::Anonymous);
        r.headers_mut()
            .insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(classify(&r, &[]).class, CallerClass::Session);
        let key = format!("sk_live_{}", "0".repeat(60));
        r.headers_mut().insert(KEY_HEADER, key.parse().unwrap());
        let secret = classify(&r, &[]);
        assert_eq!(secret.class, CallerClass::Secret);
        assert_eq!(secret.key, "sk_live_000000000000");
    }
}
