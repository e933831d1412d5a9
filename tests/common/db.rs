//! Looking at the test's database directly.

use sqlx::PgPool;

/// How many rows `table` has. Only for table names written in the tests: the name is pasted
/// into the query.
pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(pool)
        .await
        .expect("counting rows")
}
