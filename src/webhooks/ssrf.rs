//! The SSRF guard: a webhook URL is chosen by a partner, so a request to it must never reach
//! this machine, its network or a cloud metadata service.
//!
//! A URL is checked when it is registered (https only, and no forbidden IP literal) and again
//! at every delivery, when its name is resolved by [`GuardedResolver`]: the addresses checked
//! are the very ones the client connects to, so a DNS answer that changes between a check and
//! the connection (rebinding) changes nothing. Redirects are not followed (the client's
//! policy is `none`), so a 30x to an internal address is just a failed attempt.

use std::error::Error;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// What the guard lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// `http://` URLs (tests only; `VOUCHGRAPH_WEBHOOK_ALLOW_HTTP`).
    pub allow_http: bool,
    /// Loopback addresses, 127.0.0.0/8 and ::1 (tests only; `VOUCHGRAPH_WEBHOOK_ALLOW_LOOPBACK`).
    pub allow_loopback: bool,
}

/// Why an address may not be called, or `None` if it may. IPv6 forms that embed an IPv4
/// address (mapped, NAT64, 6to4) are judged by that address.
pub fn forbidden(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4, allow_loopback),
        IpAddr::V6(v6) => forbidden_v6(v6, allow_loopback),
    }
}

fn forbidden_v4(ip: Ipv4Addr, allow_loopback: bool) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        return (!allow_loopback).then_some("loopback");
    }
    if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        // 169.254.169.254 is the cloud metadata service.
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else if a == 100 && (64..128).contains(&b) {
        // 100.64.0.0/10: carrier-grade NAT, internal to a provider's network.
        Some("shared address space")
    } else if (a == 192 && b == 0 && c == 0) || (a == 198 && (18..20).contains(&b)) {
        Some("special-purpose")
    } else if (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
    {
        Some("documentation")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr, allow_loopback: bool) -> Option<&'static str> {
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4, allow_loopback);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() {
        (!allow_loopback).then_some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if first & 0xffc0 == 0xfec0 {
        Some("site-local")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private")
    } else if first == 0x2001 && ip.segments()[1] == 0x0db8 {
        Some("documentation")
    } else {
        None
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`),
/// NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(from(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return Some(from(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(from(s[1], s[2]));
    }
    None
}

/// Checks a URL as it is registered: https (or http where allowed), a host, no credentials,
/// and no forbidden IP literal. A name is checked when it is resolved, at each delivery.
pub fn check_url(raw: &str, policy: Policy) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err("must be an https:// URL".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    match url.host() {
        None => Err("must have a host".into()),
        Some(url::Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), policy).map(|_| url.clone()),
        Some(url::Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), policy).map(|_| url.clone()),
        Some(url::Host::Domain(_)) => Ok(url.clone()),
    }
}

fn check_ip(ip: IpAddr, policy: Policy) -> Result<(), String> {
    match forbidden(ip, policy.allow_loopback) {
        Some(kind) => Err(format!("refused: {ip} is a {kind} address")),
        None => Ok(()),
    }
}

/// The IP literal in a URL's host, if it is one.
pub fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// Checks an IP literal at delivery time (the resolver is not asked about literals).
pub fn check_literal(url: &Url, policy: Policy) -> Result<(), String> {
    match literal_ip(url) {
        Some(ip) => check_ip(ip, policy),
        None => Ok(()),
    }
}

/// A DNS resolver that refuses a name if any address it resolves to is forbidden. All or
/// nothing: a name that answers with one public and one private address could otherwise be
/// made to connect to the private one.
pub struct GuardedResolver {
    /// Whether loopback is allowed (tests).
    pub allow_loopback: bool,
}

/// The error a refused name fails with; its text ends up in the delivery log.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Refused {}

/// The addresses `host` resolves to, if every one is allowed.
pub async fn resolve_checked(host: &str, allow_loopback: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| format!("could not resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no addresses"));
    }
    for addr in &addrs {
        if let Some(kind) = forbidden(addr.ip(), allow_loopback) {
            return Err(format!(
                "refused: {host} resolves to {}, a {kind} address",
                addr.ip()
            ));
        }
    }
    Ok(addrs)
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let addrs = resolve_checked(name.as_str(), allow_loopback)
                .await
                .map_err(|e| Box::new(Refused(e)) as Box<dyn Error + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        allow_http: false,
        allow_loopback: false,
    };

    fn refused(ip: &str) -> bool {
        forbidden(ip.parse().unwrap(), false).is_some()
    }

    #[test]
    fn internal_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.9.9.9",
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254", // cloud metadata
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1", // IPv4-mapped loopback
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1", // NAT64 of 10.0.0.1
            "2002:a00:1::1",  // 6to4 of 10.0.0.1
        ] {
            assert!(refused(ip), "{ip} was allowed");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(ip), "{ip} was refused");
        }
    }

    #[test]
    fn loopback_can_be_allowed_for_tests_but_nothing_else_internal() {
        assert_eq!(forbidden("127.0.0.1".parse().unwrap(), true), None);
        assert_eq!(forbidden("::1".parse().unwrap(), true), None);
        assert!(forbidden("10.0.0.1".parse().unwrap(), true).is_some());
        assert!(forbidden("169.254.169.254".parse().unwrap(), true).is_some());
    }

    #[test]
    fn registration_wants_https_and_no_internal_literal() {
        assert!(check_url("https://hooks.example.com/vg", STRICT).is_ok());
        assert!(check_url("http://hooks.example.com/vg", STRICT).is_err());
        assert!(check_url("https://127.0.0.1/vg", STRICT).is_err());
        assert!(check_url("https://[::1]:8443/vg", STRICT).is_err());
        assert!(check_url("https://169.254.169.254/latest/meta-data", STRICT).is_err());
        assert!(check_url("https://user:pw@hooks.example.com/", STRICT).is_err());
        let lax = Policy {
            allow_http: true,
            allow_loopback: true,
        };
        assert!(check_url("http://127.0.0.1:9000/vg", lax).is_ok());
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let error = resolve_checked("localhost", false).await.unwrap_err();
        assert!(
            error.starts_with("refused: localhost resolves to"),
            "{error}"
        );
        assert!(resolve_checked("localhost", true).await.is_ok());
    }
}
