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

/// Why an address may not be called, or `None` if it may: every range of IANA's IPv4 and IPv6
/// special-purpose address registries (RFC 6890 and its updates) is refused, whether or not
/// the registry calls it globally reachable (no webhook receiver lives on an AS112 server or
/// an AMT relay). The IPv6 forms that carry an IPv4 address and may be how this host reaches a
/// public one (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64 `64:ff9b::/96` from DNS64)
/// are judged by the IPv4 address they carry; the tunnelling forms 6to4 (`2002::/16`) and
/// Teredo (`2001::/32`) and local-use NAT64 (`64:ff9b:1::/48`) are refused whole, whatever
/// they carry.
pub fn forbidden(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4, allow_loopback),
        IpAddr::V6(v6) => forbidden_v6(v6, allow_loopback),
    }
}

/// The IPv4 special-purpose ranges (and multicast), each as (network, prefix length, kind).
const SPECIAL_V4: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "unspecified"), // "this network", RFC 791
    ([10, 0, 0, 0], 8, "private"),    // RFC 1918
    ([100, 64, 0, 0], 10, "shared address space"), // carrier-grade NAT, RFC 6598
    ([169, 254, 0, 0], 16, "link-local"), // 169.254.169.254: cloud metadata
    ([172, 16, 0, 0], 12, "private"), // RFC 1918
    ([192, 0, 0, 0], 24, "special-purpose"), // IETF protocol assignments, RFC 6890
    ([192, 0, 2, 0], 24, "documentation"), // TEST-NET-1, RFC 5737
    ([192, 31, 196, 0], 24, "special-purpose"), // AS112-v4, RFC 7535
    ([192, 52, 193, 0], 24, "special-purpose"), // AMT, RFC 7450
    ([192, 88, 99, 0], 24, "special-purpose"), // 6to4 relay anycast, RFC 7526
    ([192, 168, 0, 0], 16, "private"), // RFC 1918
    ([192, 175, 48, 0], 24, "special-purpose"), // direct delegation AS112, RFC 7534
    ([198, 18, 0, 0], 15, "special-purpose"), // benchmarking, RFC 2544
    ([198, 51, 100, 0], 24, "documentation"), // TEST-NET-2, RFC 5737
    ([203, 0, 113, 0], 24, "documentation"), // TEST-NET-3, RFC 5737
    ([224, 0, 0, 0], 4, "multicast"), // RFC 5771
    ([240, 0, 0, 0], 4, "reserved"),  // RFC 1112, and 255.255.255.255 broadcast
];

/// The IPv6 special-purpose ranges that carry no IPv4 address to judge them by.
const SPECIAL_V6: &[([u16; 8], u8, &str)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified"),
    ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "local-use NAT64"), // RFC 8215
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only"),        // RFC 6666
    ([0x100, 0, 0, 1, 0, 0, 0, 0], 64, "special-purpose"),     // dummy prefix, RFC 9780
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "special-purpose"),    // IETF assignments, Teredo
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation"),  // RFC 3849
    ([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "6to4"),               // deprecated, RFC 7526
    ([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48, "special-purpose"), // AS112, RFC 7534
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation"),      // RFC 9637
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "special-purpose"),    // SRv6 SIDs, RFC 9602
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "private"),             // unique local, RFC 4193
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local"),         // RFC 4291
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local"),         // deprecated, RFC 3879
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"),           // RFC 4291
];

fn forbidden_v4(ip: Ipv4Addr, allow_loopback: bool) -> Option<&'static str> {
    if ip.is_loopback() {
        return (!allow_loopback).then_some("loopback");
    }
    let bits = u32::from(ip);
    SPECIAL_V4
        .iter()
        .find(|(net, len, _)| bits >> (32 - len) == u32::from_be_bytes(*net) >> (32 - len))
        .map(|(_, _, kind)| *kind)
}

fn forbidden_v6(ip: Ipv6Addr, allow_loopback: bool) -> Option<&'static str> {
    if ip.is_loopback() {
        return (!allow_loopback).then_some("loopback");
    }
    let bits = u128::from(ip);
    let in_range = |net: &[u16; 8], len: u8| {
        let shift = 128 - u32::from(len);
        shift == 128 || bits >> shift == u128::from(Ipv6Addr::from(*net)) >> shift
    };
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4, allow_loopback);
    }
    SPECIAL_V6
        .iter()
        .find(|(net, len, _)| in_range(net, *len))
        .map(|(_, _, kind)| *kind)
}

/// The IPv4 address carried by an IPv4-mapped (`::ffff:0:0/96`), IPv4-translated
/// (`::ffff:0:0:0/96`), IPv4-compatible (`::/96`, not `::` nor `::1`) or NAT64 (`64:ff9b::/96`)
/// address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let last = Ipv4Addr::from(u128::from(ip) as u32);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => Some(last),
        [0, 0, 0, 0, 0, 0, _, _] if u128::from(ip) > 1 => Some(last),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(last),
        _ => None,
    }
}

/// Host names that always mean this machine or its own network, whatever DNS says: refused
/// when a webhook is registered (RFC 6761 `localhost`, RFC 6762 `.local`, RFC 8375
/// `.home.arpa`, ICANN's private-use `.internal`, the usual `/etc/hosts` names), and names
/// of one label, which a resolver completes with the machine's own search domains.
pub fn local_name(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    const EXACT: &[&str] = &[
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "broadcasthost",
    ];
    const SUFFIXES: &[&str] = &[
        ".localhost",
        ".localdomain",
        ".local",
        ".internal",
        ".home.arpa",
        ".intranet",
        ".lan",
        ".corp",
        ".private",
    ];
    if EXACT.contains(&host.as_str()) || SUFFIXES.iter().any(|s| host.ends_with(s)) {
        Some("a name that always resolves to this machine or its own network")
    } else if !host.contains('.') {
        Some("a name of one label, which resolves within this machine's own network")
    } else {
        None
    }
}

/// Checks a URL as it is registered (and again before each delivery): https (or http where
/// allowed), a host, no credentials, no forbidden IP literal and no name that always resolves
/// locally ([`local_name`]; `localhost` is allowed with loopback, for tests). What any other
/// name resolves to is checked when it is resolved, at each delivery.
pub fn check_url(raw: &str, policy: Policy) -> Result<Url, String> {
    // The parser's own words ("relative URL without a base") tell a person nothing.
    let url = Url::parse(raw.trim()).map_err(|_| {
        "must be a whole address, such as https://example.com/hooks/vouchgraph".to_string()
    })?;
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
        Some(url::Host::Domain(name)) => {
            let loopback_name = matches!(name.trim_end_matches('.'), "localhost")
                || name.trim_end_matches('.').ends_with(".localhost");
            match local_name(name) {
                Some(_) if loopback_name && policy.allow_loopback => Ok(url.clone()),
                Some(kind) => Err(format!("refused: {name} is {kind}")),
                None => Ok(url.clone()),
            }
        }
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

/// The error a refused name fails with; its text ends up in the delivery log, so it never says
/// what the name resolved to (the log would be an oracle for mapping internal DNS).
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Refused {}

/// The addresses `host` resolves to, if every one is allowed. The error names neither the
/// addresses nor their kind: only that the name may not be called.
pub async fn resolve_checked(host: &str, allow_loopback: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|_| format!("could not resolve {host}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no addresses"));
    }
    if addrs
        .iter()
        .any(|addr| forbidden(addr.ip(), allow_loopback).is_some())
    {
        return Err(format!(
            "refused: {host} resolves to an address webhooks may not reach"
        ));
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
            "64:ff9b::a00:1",                       // NAT64 of 10.0.0.1
            "2002:a00:1::1",                        // 6to4 of 10.0.0.1
            "::ffff:0:7f00:1",                      // IPv4-translated 127.0.0.1
            "64:ff9b:1::a00:1",                     // local-use NAT64
            "::a00:1",                              // IPv4-compatible 10.0.0.1
            "2002:808:808::1",                      // 6to4, even of a public address
            "2001:0:4136:e378:8000:63bf:f5ff:fffe", // Teredo, client 10.0.0.1
            "192.88.99.1",
            "192.0.0.9",
            "100::1",
            "3fff::1",
            "5f00::1",
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
            "64:ff9b::808:808", // NAT64 of 8.8.8.8: how an IPv6-only host reaches it
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

    #[test]
    fn names_that_always_resolve_locally_are_refused_at_registration() {
        for url in [
            "https://localhost/hook",
            "https://LOCALHOST./hook",
            "https://api.localhost/hook",
            "https://printer.local/hook",
            "https://metadata.google.internal/computeMetadata/v1/",
            "https://nas.home.arpa/hook",
            "https://intranet/hook",
            "https://ip6-localhost/hook",
        ] {
            assert!(check_url(url, STRICT).is_err(), "{url} was allowed");
        }
        assert!(check_url("https://hooks.example.com/", STRICT).is_ok());
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_without_saying_where_it_resolves() {
        let error = resolve_checked("localhost", false).await.unwrap_err();
        assert!(error.starts_with("refused: localhost resolves to an address"));
        assert!(
            !error.contains("127.0.0.1") && !error.contains("::1") && !error.contains("loopback")
        );
        assert!(resolve_checked("localhost", true).await.is_ok());
    }
}
