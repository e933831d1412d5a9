//! The web pages' tests: one binary, each test starting the real server over a database of its
//! own (see `common`, the harness every test binary shares), talking to it as a browser would,
//! with forms and cookies (see `helpers`).

#[path = "../common/mod.rs"]
mod common;

mod channels;
mod circle;
mod csrf;
mod deletion;
mod email;
mod helpers;
mod owner;
mod pages;
mod partners;
mod privacy;
mod referrals;
mod requests;
mod settings;
