//! Security tests against the real server (over a database of their own, `#[sqlx::test]`):
//!
//! * `authz`: the authorization matrix. Every operation in `/openapi.json` that declares a
//!   `security` requirement is called with another account's bearer token, another partner's
//!   secret key, and no credentials, with its path filled with the first account's ids. Nothing
//!   of the first account may be changed or read.
//! * `logs`: the server's log output, at debug level, never holds a secret.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod authz;
mod logs;
mod nul;
mod seed;
