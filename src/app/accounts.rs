//! Signing up: an account, its person in the graph, and the invitation it came with; and
//! one's own account as one sees it.

use crate::auth::password;
use crate::domain::GraphChange;
use crate::domain::{Email, Name, PersonId};
use crate::state::AppState;
use crate::store;

use super::validate::Fields;
use super::{AppError, AppResult};

/// An account as stored; adapters name it through here.
pub use crate::store::accounts::AccountRow;

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

/// A change of one's own profile, as typed.
pub struct ProfileChange<'a> {
    /// The name others see.
    pub display_name: &'a str,
    /// A new home (typed, or a point), or `PlaceInput::None` to keep it.
    pub home: super::places::PlaceInput<'a>,
    /// Forget the home altogether.
    pub clear_home: bool,
}

/// Changes `person`'s name and home. The name reaches every explanation at once through the
/// change feed; the home is where their searches start.
pub async fn update_profile(
    state: &AppState,
    person: PersonId,
    input: ProfileChange<'_>,
) -> AppResult<()> {
    let mut fields = Fields::new();
    let name = fields.check("display_name", Name::parse(input.display_name, 100));
    let home = fields.absorb(input.home.point(state).await)?.flatten();
    fields.finish()?;
    let name = name.expect("checked");
    let home = match (input.clear_home, home) {
        (true, _) => Some(None),
        (false, Some(point)) => Some(Some((point.lat, point.lon))),
        (false, None) => None,
    };
    let mut tx = state.pool.begin().await?;
    let pre_trusted = store::accounts::update_profile(&mut tx, person, name.as_str(), home).await?;
    let change = GraphChange::PersonUpsert {
        id: person,
        name: name.as_str().to_string(),
        pre_trusted,
    };
    store::changes::record(&mut tx, Some(person), &change).await?;
    tx.commit().await?;
    state.live.catch_up_after_write(&state.pool).await;
    Ok(())
}

/// Changes `person`'s password, given the current one (checked under the login throttle, so
/// no form guesses faster than the login page). Every session ends, the other devices'
/// included, and a fresh one starts for the device that made the change.
pub async fn change_password(
    state: &AppState,
    person: PersonId,
    current: String,
    new: String,
    address: std::net::IpAddr,
) -> AppResult<super::sessions::NewSession> {
    let account = store::accounts::get(&state.pool, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let checked = super::sessions::check_credentials(state, &account.email, current, address).await;
    match checked {
        Ok(who) if who == person => {}
        Ok(_) | Err(AppError::Unauthenticated(_)) => {
            return Err(AppError::field(
                "current_password",
                "this is not your password",
            ))
        }
        Err(other) => return Err(other),
    }
    if let Err(reason) = password::check_policy(&new, &account.email) {
        return Err(AppError::field("new_password", reason));
    }
    let hash = password::hash_bounded(new, state.config.argon2_memory_kib)
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let mut tx = state.pool.begin().await?;
    let ended = store::email::set_password(&mut tx, person, &hash).await?;
    tx.commit().await?;
    for token_hash in &ended {
        state.sessions.forget(token_hash);
    }
    super::sessions::start_session(state, person).await
}

/// The account of `person`, if they have one (an imported person has none).
pub async fn find(state: &AppState, person: PersonId) -> AppResult<Option<AccountRow>> {
    Ok(store::accounts::get(&state.pool, person).await?)
}

/// One's own account as one sees it.
pub struct Account {
    /// The account.
    pub row: AccountRow,
    /// Whether its address has been proved.
    pub verified: bool,
    /// The businesses it runs, oldest first.
    pub providers: Vec<crate::domain::ProviderId>,
}

/// `person`'s own account, with whether its address is proved and the businesses it runs;
/// [`AppError::NotFound`] when they have no account.
pub async fn account(state: &AppState, person: PersonId) -> AppResult<Account> {
    let row = find(state, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let providers = super::providers::owned_by(state, person).await?;
    let verified = store::email::mailbox(&state.pool, person)
        .await?
        .is_some_and(|m| m.verified);
    Ok(Account {
        row,
        verified,
        providers,
    })
}
