//! Sessions: logging in with an email and password, starting a session for a person, and
//! ending one.

use std::net::IpAddr;

use crate::auth::{password, token};
use crate::domain::PersonId;
use crate::state::AppState;
use crate::store;

use super::{AppError, AppResult};

/// A session just started. The token is known only here and to the client it is given to:
/// the database keeps its hash.
pub struct NewSession {
    /// The person signed in.
    pub person: PersonId,
    /// The bearer token (also the session cookie's value).
    pub token: String,
    /// The token forms and cookie-authenticated writes must echo.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: time::OffsetDateTime,
    /// How long it lasts, for the cookie's `Max-Age`.
    pub ttl: time::Duration,
}

/// Checks an email and password and starts a session. Throttled per account and per address
/// ([`AppError::TooManyAttempts`]); an unknown email is verified against a dummy hash so the
/// answer takes as long, and gets the same [`AppError::Unauthenticated`] as a wrong password.
pub async fn log_in(
    state: &AppState,
    email: &str,
    password: String,
    address: IpAddr,
) -> AppResult<NewSession> {
    let person = check_credentials(state, email, password, address).await?;
    start_session(state, person).await
}

/// Starts a session for `person`, who has just proved who they are (logged in or signed up).
pub async fn start_session(state: &AppState, person: PersonId) -> AppResult<NewSession> {
    let session_token = token::generate();
    let csrf_token = token::generate();
    let ttl = time::Duration::try_from(state.config.session_ttl)
        .map_err(|e| AppError::Internal(e.into()))?;
    let expires_at = time::OffsetDateTime::now_utc() + ttl;
    store::sessions::create(
        &state.pool,
        &token::hash(&session_token),
        person,
        &csrf_token,
        expires_at,
    )
    .await?;
    Ok(NewSession {
        person,
        token: session_token,
        csrf_token,
        expires_at,
        ttl,
    })
}

/// Ends the session whose token hashes to `token_hash`, here and in the cache that serves
/// sessions while the database is unreachable.
pub async fn end_session(state: &AppState, token_hash: &[u8]) -> AppResult<()> {
    store::sessions::delete(&state.pool, token_hash).await?;
    state.sessions.forget(token_hash);
    Ok(())
}

/// "The email or password is wrong", with a warning once few tries are left before a wait, so
/// that a lock-out never comes as a surprise. The count is per account and address, the same
/// whether or not the account exists.
fn wrong_password(left: u32) -> String {
    let window = crate::auth::throttle::LoginThrottle::WINDOW_MINUTES;
    match left {
        0 => format!(
            "the email or password is wrong; the next try from here must wait, up to \
             {window} minutes (or reset your password)"
        ),
        1..=3 => format!(
            "the email or password is wrong; {left} more {} from here, then a wait of up to \
             {window} minutes (or reset your password)",
            if left == 1 { "try" } else { "tries" }
        ),
        _ => "the email or password is wrong".into(),
    }
}

/// Checks an email and password under the login throttle, and says whose they are: log-in
/// and every other "type your password again" share its limits, so no form can be used to
/// guess a password faster than the login page allows.
pub(crate) async fn check_credentials(
    state: &AppState,
    email: &str,
    password: String,
    address: IpAddr,
) -> AppResult<PersonId> {
    let left = match state.logins.check(email, address) {
        Ok(left) => left,
        Err(retry_after_secs) => return Err(AppError::TooManyAttempts { retry_after_secs }),
    };
    // Postgres text cannot hold NUL (a 500 from the query): no account has such an email.
    let found = if email.contains('\0') {
        None
    } else {
        store::accounts::credentials_by_email(&state.pool, email.trim()).await?
    };
    let (person, phc) = match found {
        Some((person, phc)) => (Some(person), phc),
        None => (None, state.dummy_hash.to_string()),
    };
    let ok = password::verify_bounded(password, phc)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    match (person, ok) {
        (Some(person), true) => {
            state.logins.succeeded(email, address);
            Ok(person)
        }
        _ => Err(AppError::Unauthenticated(wrong_password(left))),
    }
}
