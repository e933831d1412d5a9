// The migrations are embedded at compile time (`sqlx::migrate!`): rebuild when one is added or
// changed, or a binary would run with the old set (sqlx's own recommendation).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
