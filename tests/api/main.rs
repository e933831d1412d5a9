//! The API tests: one binary, so the crate links once. Each test starts the real server over a
//! database of its own (see `helpers`).

mod accounts;
mod health;
mod helpers;
mod isolation;
mod openapi;
mod people;
mod providers;
mod search;
mod sessions;
mod trust;
mod vouches;
