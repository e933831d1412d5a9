//! The web pages' tests: one binary, each test starting the real server over a database of its
//! own (see `helpers`), talking to it as a browser would, with forms and cookies.

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
