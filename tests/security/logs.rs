//! Secrets never reach the logs: the server's tracing output, captured at debug level for
//! vouchgraph, tower_http and sqlx, is searched for every secret a test session handles.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use tracing_subscriber::fmt::MakeWriter;

use crate::common::{expect_json, spawn_app_with};
use crate::seed;

/// Everything every subscriber writer wrote, for the whole test binary.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("the log buffer")
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs the capturing subscriber (once) as the global default: the server's tasks run on
/// the test's runtime, so a thread-local default would miss some of them.
fn capture() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter("info,vouchgraph=debug,tower_http=debug,sqlx=debug")
                .with_ansi(false)
                .with_writer(captured.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber in this binary");
            captured
        })
        .clone()
}

#[sqlx::test]
async fn no_secret_appears_in_the_logs(pool: PgPool) {
    let captured = capture();
    let app = spawn_app_with(pool, |config| {
        config.webhooks.allow_http = true;
        config.webhooks.allow_loopback = true;
    })
    .await;

    // Sign-up, log-in (in `seed`), and everything an account owns, with its secrets.
    let world = seed::world(&app).await;
    let a = &world.a;

    // A second log-in (a new token), a failed one, and a too-short password at sign-up.
    let session = app.login(&a.user.email, &a.user.password).await;
    let second_token = session["token"].as_str().expect("a token").to_string();
    let wrong_password = "wrong-horse-battery-staple-77";
    let response = app
        .post(
            "/v1/sessions",
            None,
            &json!({ "email": a.user.email, "password": wrong_password }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let short_password = "shrtpw9";
    let response = app
        .post(
            "/v1/accounts",
            None,
            &json!({ "email": "short@sec.test", "password": short_password, "display_name": "S" }),
        )
        .await;
    assert!(response.status().is_client_error());

    // The bearer token, then the cookie with the CSRF header on a write.
    expect_json(app.get("/v1/me", Some(&a.user.token)).await, StatusCode::OK).await;
    let response = app
        .client
        .put(app.url(&format!("/v1/trust/{}", world.carol.id)))
        .header("cookie", format!("vg_session={}", a.user.token))
        .header("x-csrf-token", &a.user.csrf)
        .json(&json!({ "level": 3, "visibility": "private" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);

    // The partner's keys in use, and an embed token minted from the link token.
    let response = app
        .client
        .get(app.url("/v1/widget/badge"))
        .query(&[("provider", a.provider.to_string())])
        .header("x-vouchgraph-key", &a.publishable_key)
        .header("origin", "https://shop.example")
        .send()
        .await
        .expect("sent");
    assert!(!response.status().is_server_error());
    let response = app
        .client
        .post(app.url("/v1/embed-tokens"))
        .header("x-vouchgraph-key", &a.secret_key)
        .json(&json!({ "link_token": a.link_token, "scope": ["read", "refer"] }))
        .send()
        .await
        .expect("sent");
    let embed = expect_json(response, StatusCode::CREATED).await;
    let embed_token = embed["token"]
        .as_str()
        .or_else(|| embed["embed_token"].as_str())
        .unwrap_or_else(|| panic!("an embed token: {embed}"))
        .to_string();

    // Log out: the token is revoked, and its use after is logged as a refusal.
    let response = app.delete("/v1/sessions", Some(&second_token)).await;
    assert!(response.status().is_success());
    let response = app.get("/v1/me", Some(&second_token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let argon2_hash: String = sqlx::query_scalar("select password_hash from accounts limit 1")
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|_| "$argon2id$".to_string());
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("the log buffer")).into_owned();
    assert!(
        logs.contains("/v1/sessions") || logs.contains("request"),
        "the capture saw no request log at all:\n{logs}"
    );
    let secrets = [
        ("the password", a.user.password.clone()),
        ("a wrong password", wrong_password.to_string()),
        ("a rejected short password", short_password.to_string()),
        ("the session token", a.user.token.clone()),
        ("the second session token", second_token),
        ("the CSRF token", a.user.csrf.clone()),
        ("an argon2 hash", "$argon2id$".to_string()),
        ("A's password hash", argon2_hash),
        ("the secret key", a.secret_key.clone()),
        ("the publishable key", a.publishable_key.clone()),
        ("the webhook secret", a.webhook_secret.clone()),
        ("the partner link token", a.link_token.clone()),
        ("the embed token", embed_token),
        ("B's secret key", world.b.secret_key.clone()),
        ("B's session token", world.b.user.token.clone()),
    ];
    let mut found: Vec<_> = secrets
        .iter()
        .filter(|(_, secret)| !secret.is_empty() && logs.contains(secret.as_str()))
        .map(|(name, _)| *name)
        .collect();
    if holds_a_webhook_secret(&logs) {
        found.push("a whsec_ secret");
    }
    println!(
        "captured {} bytes, {} lines of logs",
        logs.len(),
        logs.lines().count()
    );
    assert!(
        found.is_empty(),
        "the logs hold {found:?}; the logs:\n{logs}"
    );
}

/// Whether `text` holds a webhook signing secret: `whsec_` followed by its base64 key. The
/// prefix alone is no secret, and it does appear in logs: sqlx logs the migrations it applies,
/// and a migration's comment names the format ("whsec_...").
fn holds_a_webhook_secret(text: &str) -> bool {
    text.match_indices("whsec_").any(|(at, prefix)| {
        text[at + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .count()
            >= 16
    })
}

#[test]
fn a_webhook_secret_is_recognized_by_its_key_not_by_its_prefix() {
    assert!(holds_a_webhook_secret(
        "secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw end"
    ));
    assert!(!holds_a_webhook_secret(
        "-- The signing secret (\"whsec_...\") must be kept in the clear"
    ));
}
