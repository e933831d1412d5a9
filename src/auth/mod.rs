//! Credentials: password hashing and policy, and session tokens.

pub mod cache;
pub mod password;
pub mod throttle;
pub mod token;
