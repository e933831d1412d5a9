//! The partner tests: keys, origins and CORS, embed tokens, widgets, webhooks (against a local
//! receiver) and rate limits. One binary; each test starts the real server over a database of
//! its own (see `common`, the harness every test binary shares; `helpers` has the partners' own).
//! Run with `bash scripts/with-postgres.sh cargo test --test partners`.

#[path = "../common/mod.rs"]
mod common;

mod embed;
mod helpers;
mod keys;
mod openapi;
mod ratelimit;
mod webhooks;
