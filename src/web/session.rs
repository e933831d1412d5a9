//! Who is looking at a page, and the CSRF check every form post must pass.
//!
//! Pages use the API's sessions: the same `vg_session` cookie (HttpOnly, SameSite=Lax), the
//! same `sessions` table. A browser attaches that cookie to a post from any site, so every
//! form carries the session's CSRF token in a hidden `csrf` field, which only a page of ours
//! can read; a post whose field does not match (compared in constant time) gets a 403 page and
//! writes nothing.
//!
//! Log in and sign up come before any session, so their forms use a double-submit token
//! instead: a random value in the `vg_form` cookie (HttpOnly, SameSite=Strict, so a foreign
//! page's post never carries it) that the form echoes. Without it, another site could log a
//! visitor into an account of the attacker's choosing.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::app::sessions::NewSession;
use crate::app::{accounts, providers};
use crate::auth::cookies::session_cookie;
use crate::auth::SESSION_COOKIE;
use crate::auth::{sessions, token};
use crate::domain::{PersonId, ProviderId};
use crate::error::ApiError;
use crate::state::AppState;

use super::error::WebError;

/// The cookie holding the pre-sign-in form token.
pub const FORM_COOKIE: &str = "vg_form";

/// A signed-in visitor.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The person.
    pub person: PersonId,
    /// Their display name.
    pub name: String,
    /// The session's CSRF token, put in every form.
    pub csrf: String,
    /// The SHA-256 of the session token, to end the session on log out.
    pub token_hash: Vec<u8>,
    /// Their home, the default place to search near.
    pub home: Option<(f64, f64)>,
    /// The providers they own.
    pub providers: Vec<ProviderId>,
}

impl SignedIn {
    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if bool::from(sent.as_bytes().ct_eq(self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Whether this person owns `provider`.
    pub fn owns(&self, provider: ProviderId) -> bool {
        self.providers.contains(&provider)
    }
}

/// Whoever is looking: signed in or not, with what the page chrome needs.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The signed-in person, if any.
    pub user: Option<SignedIn>,
    /// The pre-sign-in form token from the `vg_form` cookie, if the browser has one.
    pub form_token: Option<String>,
    /// The `done` query parameter: which notice to show after a form's redirect.
    pub done: Option<String>,
    /// The path and query asked for, to come back to after logging in.
    pub path: String,
}

impl Visitor {
    /// The signed-in person, or a redirect to the login page that comes back here.
    pub fn require(&self) -> Result<&SignedIn, WebError> {
        self.user.as_ref().ok_or_else(|| WebError::SignIn {
            next: self.path.clone(),
        })
    }

    /// Like [`Visitor::require`], for a form post: after logging in, go back to `page`
    /// rather than to the post's own URL.
    pub fn require_for(&self, page: &str) -> Result<&SignedIn, WebError> {
        self.user.as_ref().ok_or_else(|| WebError::SignIn {
            next: page.to_string(),
        })
    }

    /// The signed-in person's id, if any.
    pub fn person(&self) -> Option<PersonId> {
        self.user.as_ref().map(|u| u.person)
    }
}

impl<S> FromRequestParts<S> for Visitor
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let jar = CookieJar::from_headers(&parts.headers);
        let user = match jar.get(SESSION_COOKIE) {
            // A stale or forged cookie makes an anonymous visitor, not an error page: the
            // login link is right there.
            Some(cookie) => signed_in(&state, cookie.value()).await?,
            None => None,
        };
        let done = parts.uri.query().and_then(|q| {
            url_pairs(q)
                .find(|(k, _)| *k == "done")
                .map(|(_, v)| v.to_string())
        });
        Ok(Visitor {
            user,
            form_token: jar.get(FORM_COOKIE).map(|c| c.value().to_string()),
            done,
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

async fn signed_in(state: &AppState, token: &str) -> Result<Option<SignedIn>, ApiError> {
    let token_hash = token::hash(token);
    let Some(session) = sessions::find_live(&state.pool, &token_hash).await? else {
        return Ok(None);
    };
    let Some(account) = accounts::find(state, session.person).await? else {
        return Ok(None);
    };
    let providers = providers::owned_by(state, session.person).await?;
    Ok(Some(SignedIn {
        person: session.person,
        name: account.display_name,
        csrf: session.csrf,
        token_hash,
        home: account.lat.zip(account.lon),
        providers,
    }))
}

/// The `key=value` pairs of a query string, without percent-decoding (only used for simple
/// ASCII keys and values).
fn url_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
}

/// The visitor's pre-sign-in form token, minting one (and its cookie) if they have none. The
/// cookie is `Secure` exactly when session cookies are (`secure`).
pub fn form_token(visitor: &Visitor, jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = &visitor.form_token {
        return (jar, existing.clone());
    }
    let fresh = token::generate();
    let cookie = Cookie::build((FORM_COOKIE, fresh.clone()))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    (jar.add(cookie), fresh)
}

/// Refuses a pre-sign-in form whose `csrf` field does not match its `vg_form` cookie.
pub fn check_form_token(visitor: &Visitor, sent: &str) -> Result<(), WebError> {
    match &visitor.form_token {
        Some(cookie) if bool::from(sent.as_bytes().ct_eq(cookie.as_bytes())) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}

/// Sets the cookie of a session just started, as `POST /v1/sessions` does.
pub fn with_session(state: &AppState, jar: CookieJar, session: &NewSession) -> CookieJar {
    jar.add(session_cookie(
        &session.token,
        session.ttl,
        state.config.secure_cookies,
    ))
}

/// A form post that passed the CSRF check, with who posted it.
///
/// The check comes first, before the body is parsed into `T`: a forged post is refused with
/// a 403 whatever else it carries. A signed-in visitor's form must carry their session's
/// token; a visitor without a session can only post the pre-sign-in forms, whose token is the
/// `vg_form` cookie's. A malformed body is a 400 page.
pub struct Posted<T> {
    /// Who posted it.
    pub visitor: Visitor,
    /// The form's fields (other than `csrf`).
    pub form: T,
}

impl<S, T> FromRequest<S> for Posted<T>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    T: DeserializeOwned,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest(rejection.body_text()),
            })?;
        let sent = csrf_field(&bytes);
        match &visitor.user {
            Some(me) => me.check_csrf(&sent)?,
            None => check_form_token(&visitor, &sent)?,
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("the form is not valid: {e}")))?;
        Ok(Posted { visitor, form })
    }
}

/// The `csrf` field of a url-encoded body, or "" when there is none.
pub fn csrf_field(body: &[u8]) -> String {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .find(|(key, _)| key == "csrf")
        .map(|(_, value)| value)
        .unwrap_or_default()
}

/// A query string; a malformed one is a 400 page.
pub struct WebQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for WebQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|query| WebQuery(query.0))
            .map_err(|rejection| ApiError::BadRequest(rejection.body_text()).into())
    }
}

/// Where to go after logging in: a local path only, so a crafted link cannot send a visitor
/// off to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/search".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/circle?q=matt")), "/circle?q=matt");
        assert_eq!(safe_next(Some("https://evil.example/")), "/search");
        assert_eq!(safe_next(Some("//evil.example/")), "/search");
        assert_eq!(safe_next(Some("/\\evil.example")), "/search");
        assert_eq!(safe_next(None), "/search");
    }

    #[test]
    fn the_csrf_field_is_found_among_the_others() {
        assert_eq!(csrf_field(b"level=3&csrf=a%2Bb&q="), "a+b");
        assert_eq!(csrf_field(b"level=3"), "");
        assert_eq!(csrf_field(b"%%%"), "");
    }
}
