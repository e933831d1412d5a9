//! The harness every integration-test binary shares: one way to start the application with
//! settings ([`spawn_app`], [`spawn_app_with`]; [`server`] for the real binary as a child
//! process), one sign-up helper ([`sign_up`], also as [`TestApp::signup`]) and one check of
//! RFC 9457 problems ([`assert_problem`]), and one way to wait for background work
//! ([`eventually`]).
//!
//! A binary includes it with `#[path = "../common/mod.rs"] mod common;`. Each binary is its own
//! crate, so helpers of its own may add methods to [`TestApp`] in that binary's `helpers.rs`;
//! they must not reuse the names of the methods here.

// Every binary compiles all of this and uses a part of it.
#![allow(dead_code)]

mod accounts;
mod app;
mod db;
mod problem;
pub mod server;
mod wait;

// The same reason: a binary that never names one of these would warn about its re-export.
#[allow(unused_imports)]
pub use accounts::{sign_up, TestUser, PASSWORD};
#[allow(unused_imports)]
pub use app::{spawn_app, spawn_app_with, TestApp};
#[allow(unused_imports)]
pub use db::count;
#[allow(unused_imports)]
pub use problem::{assert_invalid_field, assert_names_field, assert_problem, expect_json};
#[allow(unused_imports)]
pub use wait::{eventually, PATIENCE};

/// Central London: providers are created here and searches are made from here.
pub const LONDON: (f64, f64) = (51.5074, -0.1278);
