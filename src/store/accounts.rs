//! Accounts: the credentials of people who signed up.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::PersonId;

/// The fields stored for a new account and its person.
pub struct NewAccount<'a> {
    /// Lower-cased email.
    pub email: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Display name of the person.
    pub display_name: &'a str,
    /// Optional home location.
    pub home: Option<(f64, f64)>,
}

/// Creates the person and the account in the caller's transaction.
pub async fn create(tx: &mut PgConnection, new: &NewAccount<'_>) -> sqlx::Result<PersonId> {
    let id: PersonId = sqlx::query_scalar(
        "insert into people (display_name, lat, lon) values ($1, $2, $3) returning id",
    )
    .bind(new.display_name)
    .bind(new.home.map(|h| h.0))
    .bind(new.home.map(|h| h.1))
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into accounts (person_id, email, password_hash) values ($1, $2, $3)")
        .bind(id)
        .bind(new.email)
        .bind(new.password_hash)
        .execute(&mut *tx)
        .await?;
    Ok(id)
}

/// Looks up an account's id and password hash by email (case-insensitive).
pub async fn credentials_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<(PersonId, String)>> {
    sqlx::query_as("select person_id, password_hash from accounts where lower(email) = lower($1)")
        .bind(email)
        .fetch_optional(db)
        .await
}

/// The signed-in account's own view of itself.
#[derive(sqlx::FromRow)]
pub struct AccountRow {
    /// The person id.
    pub id: PersonId,
    /// The email.
    pub email: String,
    /// The display name.
    pub display_name: String,
    /// Home latitude.
    pub lat: Option<f64>,
    /// Home longitude.
    pub lon: Option<f64>,
    /// When the account was created.
    pub created_at: time::OffsetDateTime,
}

/// Reads an account with its person.
pub async fn get(db: impl PgExecutor<'_>, id: PersonId) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(
        "select p.id, a.email, p.display_name, p.lat, p.lon, a.created_at
         from accounts a join people p on p.id = a.person_id where a.person_id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether `id` is an account (and not only an imported person).
pub async fn exists(db: impl PgExecutor<'_>, id: PersonId) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists(select 1 from accounts where person_id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// Changes a person's name and, when `home` is given, their home (`Some(None)` clears it);
/// returns whether they seed the global prior (for the change feed's person record).
pub async fn update_profile(
    tx: &mut PgConnection,
    person: PersonId,
    display_name: &str,
    home: Option<Option<(f64, f64)>>,
) -> sqlx::Result<bool> {
    let (set_home, lat, lon) = match home {
        None => (false, None, None),
        Some(point) => (true, point.map(|p| p.0), point.map(|p| p.1)),
    };
    sqlx::query_scalar(
        "update people set display_name = $2,
             lat = case when $3 then $4 else lat end,
             lon = case when $3 then $5 else lon end
         where id = $1 returning pre_trusted",
    )
    .bind(person)
    .bind(display_name)
    .bind(set_home)
    .bind(lat)
    .bind(lon)
    .fetch_one(&mut *tx)
    .await
}
