//! Who a request comes from, as far as rate limiting cares: the client's address, and the
//! credential the request claims to carry (checked in [`super::verify`] before it earns a
//! bucket of its own).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::keys::{self, KeyKind, KEY_HEADER};
use crate::auth::SESSION_COOKIE;

/// The classes of caller, each with a quota of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerClass {
    /// No credentials, or credentials that did not verify.
    Anonymous,
    /// A verified session token (bearer or cookie).
    Session,
    /// A partner's verified publishable key, from a browser.
    Publishable,
    /// A partner's verified secret key, from a server.
    Secret,
    /// Sign-ups from one client address: a quota of its own on the sign-up routes, counted on
    /// top of the caller's class.
    SignUp,
}

impl CallerClass {
    /// The policy name in the headers.
    pub fn name(self) -> &'static str {
        match self {
            CallerClass::Anonymous => "anonymous",
            CallerClass::Session => "session",
            CallerClass::Publishable => "publishable",
            CallerClass::Secret => "secret",
            CallerClass::SignUp => "sign-up",
        }
    }
}

/// A class and the key of the caller's bucket in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerKey {
    /// The class.
    pub class: CallerClass,
    /// The bucket: a client address, a person, a partner (and visitor address).
    pub key: String,
}

impl CallerKey {
    /// The bucket of an anonymous caller at `ip`.
    pub fn anonymous(ip: IpAddr) -> CallerKey {
        CallerKey {
            class: CallerClass::Anonymous,
            key: ip.to_string(),
        }
    }
}

/// A credential as sent, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The class it would earn if it verifies.
    pub class: CallerClass,
    /// The credential's text (a session token or a whole key).
    pub secret: String,
}

/// The credential a request claims to carry, if any: a partner key (well-formed), else a
/// bearer token, else the session cookie. Nothing is verified here.
pub fn claim(headers: &HeaderMap) -> Option<Claim> {
    if let Some(key) = headers.get(KEY_HEADER).and_then(|v| v.to_str().ok()) {
        let key = key.trim();
        if let Some((kind, _)) = keys::parse_prefix(key) {
            let class = match kind {
                KeyKind::Secret => CallerClass::Secret,
                KeyKind::Publishable => CallerClass::Publishable,
            };
            return Some(Claim {
                class,
                secret: key.to_string(),
            });
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| v.trim().to_string());
    let cookie = || {
        CookieJar::from_headers(headers)
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
    };
    bearer.or_else(cookie).map(|token| Claim {
        class: CallerClass::Session,
        secret: token,
    })
}

/// The client's address, as resolved once per request by the rate limiter
/// ([`super::enforce`]) from the peer and the trusted proxies' `X-Forwarded-For`. Every
/// per-address decision (rate limits, sign-up and login throttles) uses this one value.
///
/// As an extractor it reads what the rate limiter stored, or, on a router driven without it
/// (unit tests), the peer's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(resolved) = parts.extensions.get::<ClientAddr>() {
            return Ok(*resolved);
        }
        Ok(ClientAddr(peer(&parts.extensions)))
    }
}

/// Records the resolved client address on the request: as [`ClientAddr`], and in place of the
/// peer address in `ConnectInfo`, so that a handler asking who connected (the login throttle
/// does) gets the client behind our proxies, never the proxy. The peer's port is kept.
pub fn record_client(request: &mut Request, ip: IpAddr) {
    let port = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.port())
        .unwrap_or(0);
    let extensions = request.extensions_mut();
    extensions.insert(ClientAddr(ip));
    extensions.insert(ConnectInfo(SocketAddr::new(ip, port)));
}

fn peer(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The client's IP: the peer's, unless the peer is a trusted proxy, in which case the nearest
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Without connect-info (a router
/// driven directly, as in unit tests) every request counts as from `0.0.0.0`.
pub fn client_ip(request: &Request, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = peer(request.extensions());
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
    fn the_recorded_client_replaces_the_proxy_in_connect_info() {
        let mut r = request("10.0.0.2", Some("198.51.100.7"));
        let ip = client_ip(&r, &["10.0.0.2".parse().unwrap()]);
        record_client(&mut r, ip);
        let ConnectInfo(addr) = r.extensions().get::<ConnectInfo<SocketAddr>>().unwrap();
        assert_eq!(addr.to_string(), "198.51.100.7:4000");
        assert_eq!(r.extensions().get::<ClientAddr>(), Some(&ClientAddr(ip)));
    }

    #[test]
    fn keys_sessions_and_cookies_are_claims_of_their_class() {
        let mut r = request("203.0.113.9", None);
        assert_eq!(claim(r.headers()), None);
        r.headers_mut()
            .insert(header::COOKIE, "vg_session=xyz".parse().unwrap());
        assert_eq!(claim(r.headers()).unwrap().class, CallerClass::Session);
        r.headers_mut()
            .insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(claim(r.headers()).unwrap().secret, "abc");
        let key = format!("sk_live_{}", "0".repeat(60));
        r.headers_mut().insert(KEY_HEADER, key.parse().unwrap());
        assert_eq!(
            claim(r.headers()),
            Some(Claim {
                class: CallerClass::Secret,
                secret: key
            })
        );
    }
}
