//! An account's side of email: verified addresses, one-time links (verification, password
//! reset), opt-outs and unsubscribe links. The mail queue itself is in `mail::queue`.

use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Proves the account's address.
    Verify,
    /// Sets a new password.
    Reset,
}

impl TokenPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Verify => "verify",
            TokenPurpose::Reset => "reset",
        }
    }
}

/// The SHA-256 of a lower-cased address: how opt-outs name an address without keeping it.
pub fn address_hash(address: &str) -> Vec<u8> {
    Sha256::digest(address.trim().to_lowercase().as_bytes()).to_vec()
}

/// An account's address and whether it is verified.
#[derive(sqlx::FromRow)]
pub struct Mailbox {
    /// The address.
    pub email: String,
    /// The name others see, for the greeting.
    pub display_name: String,
    /// Whether its owner followed a verification link sent to it.
    pub verified: bool,
}

/// The address of `person`'s account, if they have one.
pub async fn mailbox(db: impl PgExecutor<'_>, person: PersonId) -> sqlx::Result<Option<Mailbox>> {
    sqlx::query_as(
        "select a.email, p.display_name, a.email_verified_at is not null as verified
         from accounts a join people p on p.id = a.person_id where a.person_id = $1",
    )
    .bind(person)
    .fetch_optional(db)
    .await
}

/// Stores a new one-time link for `person` (only its hash), replacing their unused links of
/// the same purpose: only the newest link works.
pub async fn create_token(
    tx: &mut PgConnection,
    person: PersonId,
    purpose: TokenPurpose,
    email: &str,
    token_hash: &[u8],
    valid_for: time::Duration,
) -> sqlx::Result<()> {
    sqlx::query(
        "delete from email_tokens where person_id = $1 and purpose = $2 and used_at is null",
    )
    .bind(person)
    .bind(purpose.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into email_tokens (token_hash, person_id, purpose, email, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(secs => $5))",
    )
    .bind(token_hash)
    .bind(person)
    .bind(purpose.as_str())
    .bind(email)
    .bind(valid_for.as_seconds_f64())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Uses up a one-time link: the person it is for, if it is unused, unexpired, of this purpose,
/// and the account still has the address it was sent to.
pub async fn use_token(
    tx: &mut PgConnection,
    token_hash: &[u8],
    purpose: TokenPurpose,
) -> sqlx::Result<Option<(PersonId, String)>> {
    sqlx::query_as(
        "update email_tokens t set used_at = now()
         from accounts a
         where t.token_hash = $1 and t.purpose = $2 and t.used_at is null and t.expires_at > now()
           and a.person_id = t.person_id and lower(a.email) = lower(t.email)
         returning t.person_id, t.email",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut *tx)
    .await
}

/// Marks `person`'s address verified (it is `email`, checked by the caller); false if it
/// already was.
pub async fn mark_verified(tx: &mut PgConnection, person: PersonId) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update accounts set email_verified_at = now()
         where person_id = $1 and email_verified_at is null",
    )
    .bind(person)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The categories of mail the address has declined.
pub async fn opted_out(db: impl PgExecutor<'_>, address: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("select category from email_opt_outs where address_hash = $1")
        .bind(address_hash(address))
        .fetch_all(db)
        .await
}

/// Declines (`wanted` false) or accepts again one category of mail for an address.
pub async fn set_wanted(
    db: impl PgExecutor<'_>,
    address_hash: &[u8],
    category: &str,
    wanted: bool,
) -> sqlx::Result<()> {
    let sql = if wanted {
        "delete from email_opt_outs where address_hash = $1 and category = $2"
    } else {
        "insert into email_opt_outs (address_hash, category) values ($1, $2)
         on conflict do nothing"
    };
    sqlx::query(sql)
        .bind(address_hash)
        .bind(category)
        .execute(db)
        .await?;
    Ok(())
}

/// Stores an unsubscribe link's token (its hash) for an address and category.
pub async fn create_unsubscribe(
    tx: &mut PgConnection,
    token_hash: &[u8],
    address: &str,
    category: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into unsubscribe_tokens (token_hash, address_hash, category) values ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(address_hash(address))
    .bind(category)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The address (hash) and category an unsubscribe link stands for.
pub async fn unsubscribe_target(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> sqlx::Result<Option<(Vec<u8>, String)>> {
    sqlx::query_as("select address_hash, category from unsubscribe_tokens where token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await
}

/// The person whose account has this address, if any (for password reset, which answers the
/// same whether or not there is one).
pub async fn person_with_address(
    db: impl PgExecutor<'_>,
    address: &str,
) -> sqlx::Result<Option<PersonId>> {
    sqlx::query_scalar("select person_id from accounts where lower(email) = lower($1)")
        .bind(address)
        .fetch_optional(db)
        .await
}

/// Sets a new password hash and ends every session of the person (a reset is what someone
/// does when they fear another has their password).
pub async fn set_password(
    tx: &mut PgConnection,
    person: PersonId,
    password_hash: &str,
) -> sqlx::Result<Vec<Vec<u8>>> {
    sqlx::query("update accounts set password_hash = $2 where person_id = $1")
        .bind(person)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query_scalar("delete from sessions where person_id = $1 returning token_hash")
        .bind(person)
        .fetch_all(&mut *tx)
        .await
}

/// Erases `person`'s email traces: their links, and the queued and sent mail to them or to
/// their address. Opt-outs stay: they hold no address, and must outlive the account.
pub async fn erase(tx: &mut PgConnection, person: PersonId, address: &str) -> sqlx::Result<()> {
    sqlx::query("delete from email_tokens where person_id = $1")
        .bind(person)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "delete from emails
         where person_id = $1 or sender_id = $1 or lower(to_address) = lower($2)",
    )
    .bind(person)
    .bind(address)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update referrals set invite_email_token_hash = null
         where referrer_id = $1 or recipient_id = $1 or lower(recipient_email) = lower($2)",
    )
    .bind(person)
    .bind(address)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Whether `person` was sent a link of this purpose in the last `within`: a second request
/// so soon sends nothing, so nobody can use vouchgraph to flood an inbox.
pub async fn sent_recently(
    db: impl PgExecutor<'_>,
    person: PersonId,
    purpose: TokenPurpose,
    within: time::Duration,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from email_tokens where person_id = $1 and purpose = $2
                        and created_at > now() - make_interval(secs => $3))",
    )
    .bind(person)
    .bind(purpose.as_str())
    .bind(within.as_seconds_f64())
    .fetch_one(db)
    .await
}
