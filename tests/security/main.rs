//! Security tests against the real server (over a database of their own, `#[sqlx::test]`):
//!
//! * `authz`: the authorization matrix. Every operation in `/openapi.json` that declares a
//!   `security` requirement is called with another account's bearer token, another partner's
//!   secret key, and no credentials, with its path filled with the first account's ids. Nothing
//!   of the first account may be changed or read.
//! * `logs`: the server's log output, at debug level, never holds a secret.
//! * `made_up`: a made-up credential of each kind gets no more than anonymous.
//! * `login`: the login throttle behind a proxy, and an owner never locked out by a flood.
//! * `signup`: sign-ups limited per address, and password hashing under a memory ceiling.
//! * `slow`: slow and idle clients are cut off, and one address holds a bounded number of
//!   connections, while others are served.
//! * `ssrf`: webhook URLs that reach this machine or its network are refused at registration,
//!   and the delivery log never shows an address a name resolved to.
//! * `referrals`: a person sees only their own referrals; an email referral never tells
//!   whether the address has an account; an invitation reaches only its token's holder.
//! * `vouches`: a provider's edits never delete vouches nor let its outcomes re-weigh its
//!   referrers, and partners hear when a public vouch leaves public view.
//! * `heavy`: nobody may trust more people than a stated cap, which bounds a search's cost.
//! * `cookies`: session cookies are `Secure` by default outside loopback.

#[path = "../common/mod.rs"]
mod common;

// The API tests' requests (providers, trust, vouches, searches); this binary uses only some.
#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod authz;
mod cookies;
mod forms;
mod heavy;
mod login;
mod logs;
mod made_up;
mod nul;
mod referrals;
mod seed;
mod signup;
mod slow;
mod ssrf;
mod vouches;
