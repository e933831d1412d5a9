//! Credentials: password hashing and policy, and session tokens.

pub mod password;
pub mod token;
pub mod cache;
