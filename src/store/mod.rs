//! Storage: sqlx queries, one file per table group, plain functions over a `PgExecutor` or a
//! transaction's connection. SQL is checked at run time, so building needs no live database.

pub mod accounts;
pub mod archives;
pub mod changes;
pub mod circle;
pub mod customer_book;
pub mod email;
pub mod export;
pub mod graph_load;
pub mod idempotency;
pub mod ids;
pub mod insights;
pub mod neighbourhood;
pub mod notifications;
pub mod partners;
pub mod people;
pub mod providers;
pub mod referrals;
pub mod requests;
pub mod retention;
pub mod seeds;
pub mod sessions;
pub mod track_records;
pub mod trust;
pub mod vouches;
pub mod webhooks;

/// An `ilike` pattern for names containing `q`, its wildcards taken literally.
pub(crate) fn contains_pattern(q: &str) -> String {
    format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
