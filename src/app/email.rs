//! Email for a person: proving their address, resetting a forgotten password, and saying
//! which mail they want. The mail itself is composed by `mail::fanout` from the outbox events
//! written here, and sent by `mail::sender`.

use crate::auth::{password, token};
use crate::domain::{Email, PersonId, ReferralId};
use crate::state::AppState;
use crate::store;
use crate::store::email::TokenPurpose;

use super::{AppError, AppResult};

/// The categories of mail a person can decline. Verification and password reset are not
/// among them: they always go out.
pub const CATEGORIES: &[(&str, &str)] = &[
    (
        "referrals",
        "Referrals: someone referred you, a new referral for your business, and its progress",
    ),
    ("reminders", "Reminders: referrals waiting for your reply"),
    (
        "requests",
        "Requests: someone in your circle asks for a recommendation, and answers to yours",
    ),
    (
        "invitations",
        "Invitations: someone asks you to join their circle",
    ),
];

use crate::mail::fanout::RESEND_AFTER;

/// What following a verification link did.
pub struct Verified {
    /// Whose address it proved.
    pub person: PersonId,
    /// Invitations to the address that now belong to them.
    pub claimed: Vec<ReferralId>,
    /// Invitations they sent that were waiting for this, now on their way.
    pub released: u64,
}

/// Proves an address with the token from its verification email: marks it verified, hands the
/// person every open invitation to it, and sends the invitations they wrote while unverified.
pub async fn verify(state: &AppState, secret: &str) -> AppResult<Verified> {
    let mut tx = state.pool.begin().await?;
    let (person, address) =
        store::email::use_token(&mut tx, &token::hash(secret.trim()), TokenPurpose::Verify)
            .await?
            .ok_or_else(|| {
                AppError::field(
                    "token",
                    "this link is not valid: it has expired or been used",
                )
            })?;
    let verified = proved(&mut tx, person, &address).await?;
    tx.commit().await?;
    Ok(verified)
}

async fn proved(
    tx: &mut sqlx::PgConnection,
    person: PersonId,
    address: &str,
) -> AppResult<Verified> {
    store::email::mark_verified(tx, person).await?;
    let claimed = store::referrals::claim_by_verified_address(tx, address, person).await?;
    for id in &claimed {
        if let Some(row) = store::referrals::get(&mut *tx, *id).await? {
            let payload = super::referrals::event(&row, row.status);
            store::notifications::notify(tx, person, "referral.received", &payload).await?;
        }
    }
    let released = crate::mail::queue::release_held(tx, person).await?;
    Ok(Verified {
        person,
        claimed,
        released,
    })
}

/// Sends `person` a new verification link, unless their address is verified or a link went
/// out moments ago.
pub async fn resend_verification(state: &AppState, person: PersonId) -> AppResult<()> {
    let mailbox = store::email::mailbox(&state.pool, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    if mailbox.verified
        || store::email::sent_recently(&state.pool, person, TokenPurpose::Verify, RESEND_AFTER)
            .await?
    {
        return Ok(());
    }
    let mut tx = state.pool.begin().await?;
    let event = serde_json::json!({ "person_id": person });
    store::notifications::outbox(&mut tx, "account.verification_requested", &event).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a password-reset link to `address`. The answer is the same whether or not an
/// account has the address, so nobody learns who has an account; the work differs only by a
/// row written in the background.
pub async fn request_reset(state: &AppState, address: &str) -> AppResult<()> {
    let email = Email::parse(address).map_err(|reason| AppError::field("email", reason))?;
    let Some(person) = store::email::person_with_address(&state.pool, email.as_str()).await? else {
        return Ok(());
    };
    if store::email::sent_recently(&state.pool, person, TokenPurpose::Reset, RESEND_AFTER).await? {
        return Ok(());
    }
    let mut tx = state.pool.begin().await?;
    let event = serde_json::json!({ "person_id": person });
    store::notifications::outbox(&mut tx, "account.password_reset_requested", &event).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password with the token from a reset email, and ends every session of the
/// account. Following the link also proves the address, as a verification link would.
pub async fn reset_password(
    state: &AppState,
    secret: &str,
    new_password: String,
) -> AppResult<PersonId> {
    let token_hash = token::hash(secret.trim());
    // The policy needs the address; the token is checked again, and used up, below.
    let mut tx = state.pool.begin().await?;
    let (person, address) = store::email::use_token(&mut tx, &token_hash, TokenPurpose::Reset)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "token",
                "this link is not valid: it has expired or been used",
            )
        })?;
    if let Err(reason) = password::check_policy(&new_password, &address) {
        return Err(AppError::field("password", reason));
    }
    let hash = password::hash_bounded(new_password, state.config.argon2_memory_kib)
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let ended = store::email::set_password(&mut tx, person, &hash).await?;
    proved(&mut tx, person, &address).await?;
    tx.commit().await?;
    for token_hash in &ended {
        state.sessions.forget(token_hash);
    }
    Ok(person)
}

/// One category of mail and whether the person wants it.
pub struct Preference {
    /// The category's name.
    pub category: &'static str,
    /// What it covers.
    pub label: &'static str,
    /// Whether it is sent.
    pub wanted: bool,
}

/// The person's address, whether it is verified, and their mail preferences.
pub struct MailSettingsView {
    /// The address.
    pub email: String,
    /// Whether it is verified.
    pub verified: bool,
    /// Each category.
    pub preferences: Vec<Preference>,
}

/// What mail `person` gets.
pub async fn preferences(state: &AppState, person: PersonId) -> AppResult<MailSettingsView> {
    let mailbox = store::email::mailbox(&state.pool, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let declined = store::email::opted_out(&state.pool, &mailbox.email).await?;
    Ok(MailSettingsView {
        preferences: CATEGORIES
            .iter()
            .map(|(category, label)| Preference {
                category,
                label,
                wanted: !declined.iter().any(|d| d == category),
            })
            .collect(),
        email: mailbox.email,
        verified: mailbox.verified,
    })
}

/// Sets which categories `person` wants; categories not named keep their setting. An unknown
/// category is a 422.
pub async fn set_preferences(
    state: &AppState,
    person: PersonId,
    wanted: &[(String, bool)],
) -> AppResult<()> {
    for (category, _) in wanted {
        if !CATEGORIES.iter().any(|(c, _)| c == category) {
            return Err(AppError::field(
                "category",
                format!("unknown category {category:?}: referrals or reminders"),
            ));
        }
    }
    let mailbox = store::email::mailbox(&state.pool, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let address = store::email::address_hash(&mailbox.email);
    for (category, on) in wanted {
        store::email::set_wanted(&state.pool, &address, category, *on).await?;
    }
    Ok(())
}

/// Follows a one-click unsubscribe link: the category it names is no longer sent to the
/// address it was sent to. Returns the category.
pub async fn unsubscribe(state: &AppState, secret: &str) -> AppResult<String> {
    let (address, category) =
        store::email::unsubscribe_target(&state.pool, &token::hash(secret.trim()))
            .await?
            .ok_or_else(|| AppError::field("token", "this unsubscribe link is not valid"))?;
    store::email::set_wanted(&state.pool, &address, &category, false).await?;
    Ok(category)
}

/// The outbox event a new account writes: the fan-out sends its verification link.
pub async fn account_created(tx: &mut sqlx::PgConnection, person: PersonId) -> AppResult<()> {
    let event = serde_json::json!({ "person_id": person });
    store::notifications::outbox(tx, "account.created", &event).await?;
    Ok(())
}
