//! The session cookie, set and cleared the same way by the API's login and the pages' log-in,
//! sign-up and log-out.

use axum_extra::extract::cookie::{Cookie, SameSite};

use super::SESSION_COOKIE;

/// The session cookie for a session just started: HttpOnly, SameSite=Lax (so a link from
/// another site still finds the visitor signed in), `Secure` behind TLS, living `ttl`.
pub fn session_cookie(token: &str, ttl: time::Duration, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(ttl)
        .build()
}

/// The cookie that clears the session cookie on log-out.
pub fn cleared_session_cookie() -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE).path("/").build()
}
