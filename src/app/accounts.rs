//! Signing up: an account, its person in the graph, and the invitation it came with.

use crate::auth::password;
use crate::domain::{Email, Name, PersonId};
use crate::feed::GraphChange;
use crate::state::AppState;
use crate::store;

use super::validate::Fields;
use super::{AppError, AppResult};

/// A sign-up as typed, before validation.
pub struct SignUp<'a> {
    /// Email address, used to log in.
    pub email: &'a str,
    /// The password, checked against the policy and then hashed.
    pub password: String,
    /// The name others see.
    pub display_name: &'a str,
    /// The home: a point as the channel parsed it, or a place typed (`home`); its errors are
    /// reported with the others.
    pub home: super::places::PlaceInput<'a>,
    /// The token from a referral invitation, if the sign-up came from one.
    pub invite_token: Option<&'a str>,
    /// The token from an invitation into someone's circle, if the sign-up came from one: the
    /// new person is then offered to trust the inviter back (`app::circle`).
    pub circle_token: Option<&'a str>,
}

/// Creates an account and its person, and hands it the invitation whose token it brought. Every invalid field is reported at once (`email`, `display_name`, `password`,
/// `lat`/`lon`, `invite_token`,
/// `circle_invitation`); an email already taken is a conflict.
pub async fn sign_up(state: &AppState, input: SignUp<'_>) -> AppResult<PersonId> {
    let mut fields = Fields::new();
    let email = fields.check("email", Email::parse(input.email));
    let name = fields.check("display_name", Name::parse(input.display_name, 100));
    if let Err(reason) = password::check_policy(&input.password, input.email) {
        fields.push("password", reason);
    }
    let home = fields.absorb(input.home.point(state).await)?.flatten();
    fields.finish()?;
    // `finish` refused the input if either was missing.
    let (email, name) = (email.expect("checked"), name.expect("checked"));

    let memory = state.config.argon2_memory_kib;
    let hash = password::hash_bounded(input.password, memory)
        .await
        .map_err(|e| AppError::Internal(e.into()))??;

    let mut tx = state.pool.begin().await?;
    let id = store::accounts::create(
        &mut tx,
        &store::accounts::NewAccount {
            email: email.as_str(),
            password_hash: &hash,
            display_name: name.as_str(),
            home: home.map(|p| (p.lat, p.lon)),
        },
    )
    .await?;
    // Only the invitation's token hands it over: an address nobody has proved is not enough.
    if let Some(invite) = input.invite_token {
        super::referrals::claim(&mut tx, invite, email.as_str(), id).await?;
    }
    if let Some(circle) = input.circle_token {
        super::circle::accept_in(&mut tx, circle, id).await?;
    }
    super::email::account_created(&mut tx, id).await?;
    let change = GraphChange::PersonUpsert {
        id,
        name: name.as_str().to_string(),
        pre_trusted: false,
    };
    store::changes::record(&mut tx, Some(id), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(id)
}
