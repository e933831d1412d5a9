//! The API tests: one binary, so the crate links once. Each test starts the real server over a
//! database of its own (see `common`, the harness every test binary shares; `helpers` has the
//! API's own requests).

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod circle;
mod customers;
mod deletion;
mod email;
mod export;
mod health;
mod helpers;
mod insights;
mod isolation;
mod notifications;
mod openapi;
mod people;
mod places;
mod providers;
mod referrals;
mod requests;
mod retention;
mod search;
mod sessions;
mod trust;
mod vouches;
