//! Credentials: password hashing and policy, session tokens, the session cookie and finding a
//! token's live session, and partner API keys.

pub mod cache;
pub mod cookies;
pub mod keys;
pub mod password;
pub mod sessions;
pub mod throttle;
pub mod token;

/// The session cookie's name: the pages, the API's cookie sessions and the rate limiter's
/// caller classes all read it.
pub const SESSION_COOKIE: &str = "vg_session";
