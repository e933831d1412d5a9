//! Email, end to end: the server sends over SMTP to a real SMTP listener started by the test
//! (`vouchgraph::mail::catcher`, in-process), and the tests read what arrived, follow its
//! links and check what they did.

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use vouchgraph::config::Config;
use vouchgraph::mail::catcher::{self, Caught};

use crate::common::{expect_json, spawn_app_with, TestApp, TestUser, PASSWORD};
use crate::referrals::{cast, invitation_to, make_move, refer, referral_to};

/// A server whose mail goes to a catcher of the test's own.
pub(crate) struct MailApp {
    pub(crate) app: TestApp,
    inbox: Arc<Mutex<Vec<Caught>>>,
}

/// Starts the server with its mail going to a new in-process SMTP catcher, and the test's own
/// settings on top (`spawn_app_with`).
pub(crate) async fn spawn_with_mail(pool: PgPool, configure: impl FnOnce(&mut Config)) -> MailApp {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port for the catcher");
    let port = listener.local_addr().expect("an address").port();
    let (sink, inbox) = catcher::memory();
    catcher::spawn(listener, sink).expect("the catcher starts");
    let app = spawn_app_with(pool, |config| {
        config.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        configure(config);
    })
    .await;
    MailApp { app, inbox }
}

impl MailApp {
    /// Waits until a message to `to` whose subject contains `subject` has arrived.
    pub(crate) async fn wait_for(&self, to: &str, subject: &str) -> Caught {
        let started = Instant::now();
        loop {
            if let Some(found) = self.find(to, subject) {
                return found;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no email to {to} about {subject:?}; caught: {:?}",
                self.inbox
                    .lock()
                    .iter()
                    .map(|c| (c.to.clone(), c.header("Subject")))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) fn find(&self, to: &str, subject: &str) -> Option<Caught> {
        self.inbox
            .lock()
            .iter()
            .find(|c| {
                c.to.iter().any(|t| t.eq_ignore_ascii_case(to))
                    && c.header("Subject").is_some_and(|s| s.contains(subject))
            })
            .cloned()
    }

    fn count_to(&self, to: &str) -> usize {
        self.inbox
            .lock()
            .iter()
            .filter(|c| c.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .count()
    }

    /// Lets the mail worker run a few rounds, for tests that check that nothing arrives.
    pub(crate) async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
}

/// The message's text with quoted-printable soft line breaks joined and `=3D` decoded, enough
/// to read the links in it.
pub(crate) fn decoded(caught: &Caught) -> String {
    caught.text().replace("=\r\n", "").replace("=3D", "=")
}

/// The token of the first link to `path` in the message.
pub(crate) fn token_in(caught: &Caught, path: &str) -> String {
    let text = decoded(caught);
    let start = text
        .find(&format!("{path}?token="))
        .unwrap_or_else(|| panic!("no {path} link in:\n{text}"))
        + path.len()
        + "?token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub(crate) async fn verify(m: &MailApp, user: &TestUser) {
    let mail = m.wait_for(&user.email, "Confirm your email address").await;
    let body = json!({ "token": token_in(&mail, "/verify-email") });
    expect_json(
        m.app.post("/v1/email/verify", None, &body).await,
        StatusCode::OK,
    )
    .await;
}

#[sqlx::test]
async fn signing_up_emails_a_link_that_confirms_the_address(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let anna = m.app.signup("Anna Berg", "anna@example.com").await;
    let me = expect_json(m.app.get("/v1/me", Some(&anna.token)).await, StatusCode::OK).await;
    assert_eq!(me["email_verified"], false);

    let mail = m
        .wait_for("anna@example.com", "Confirm your email address")
        .await;
    let raw = mail.text();
    // Plain text and HTML, and nothing that phones home.
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(
        raw.contains("text/plain") && raw.contains("text/html"),
        "{raw}"
    );
    assert!(!raw.contains("<img"), "{raw}");
    // Verification always goes out: it cannot be unsubscribed from.
    assert_eq!(mail.header("List-Unsubscribe"), None);
    let message_id = mail.header("Message-ID").expect("a Message-ID");
    assert!(
        message_id.starts_with('<') && message_id.ends_with('>'),
        "{message_id}"
    );

    let body = json!({ "token": token_in(&mail, "/verify-email") });
    expect_json(
        m.app.post("/v1/email/verify", None, &body).await,
        StatusCode::OK,
    )
    .await;
    let me = expect_json(m.app.get("/v1/me", Some(&anna.token)).await, StatusCode::OK).await;
    assert_eq!(me["email_verified"], true);

    // The link works once.
    let again = m.app.post("/v1/email/verify", None, &body).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The sent email's bodies are not kept: they carried the link.
    let kept: String = sqlx::query_scalar("select text_body from emails where kind = 'verify'")
        .fetch_one(&m.app.pool)
        .await
        .unwrap();
    assert_eq!(kept, "");
}

#[sqlx::test]
async fn an_invitation_waits_for_the_senders_verification_and_its_link_attaches_the_referral(
    pool: PgPool,
) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let c = cast(&m.app).await;
    let body = invitation_to(c.rossi, "tiler", "newcomer@example.com");
    let sent = expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;

    // Rita's own address is unproved: vouchgraph must not mail a stranger in her name yet.
    m.wait_for("rita@example.com", "Confirm your email address")
        .await;
    let started = Instant::now();
    let held = loop {
        let status: Option<String> =
            sqlx::query_scalar("select status from emails where kind = 'invitation'")
                .fetch_optional(&m.app.pool)
                .await
                .unwrap();
        if let Some(status) = status {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the invitation was never composed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(held, "held");
    m.settle().await;
    assert_eq!(m.count_to("newcomer@example.com"), 0);

    verify(&m, &c.rita).await;
    let invitation = m
        .wait_for(
            "newcomer@example.com",
            "Rita Moreno referred you to Rossi Tiling",
        )
        .await;
    // Invitations can be declined in one click (RFC 8058).
    let unsubscribe = invitation
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert!(unsubscribe.contains("/unsubscribe?token="), "{unsubscribe}");
    assert_eq!(
        invitation.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );

    // The newcomer signs up through the link in the email: the referral is theirs.
    let token = token_in(&invitation, "/invitation");
    let signup = json!({
        "email": "newcomer@example.com", "password": PASSWORD,
        "display_name": "Nia Newcomer", "invite_token": token,
    });
    expect_json(
        m.app.post("/v1/accounts", None, &signup).await,
        StatusCode::CREATED,
    )
    .await;
    let recipient: Option<i64> =
        sqlx::query_scalar("select recipient_id from referrals where id = $1")
            .bind(sent["id"].as_i64().unwrap())
            .fetch_one(&m.app.pool)
            .await
            .unwrap();
    assert!(
        recipient.is_some(),
        "the emailed link attached the referral"
    );
}

#[sqlx::test]
async fn a_verified_address_receives_the_invitations_sent_to_it_before(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let c = cast(&m.app).await;
    verify(&m, &c.rita).await;
    let body = invitation_to(c.rossi, "tiler", "later@example.com");
    let sent = expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;

    // Signing up with the address is not enough: anyone can type an address.
    let later = m.app.signup("Lee Later", "later@example.com").await;
    let recipient = || async {
        sqlx::query_scalar::<_, Option<i64>>("select recipient_id from referrals where id = $1")
            .bind(sent["id"].as_i64().unwrap())
            .fetch_one(&m.app.pool)
            .await
            .unwrap()
    };
    assert_eq!(recipient().await, None);
    // Proving it is.
    verify(&m, &later).await;
    assert_eq!(recipient().await, Some(later.id));
}

#[sqlx::test]
async fn a_referral_emails_its_recipient_and_the_providers_owner_once_each(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let c = cast(&m.app).await;
    for who in [&c.rob, &c.olga] {
        verify(&m, who).await;
    }
    let body = referral_to(c.rossi, "tiler", &c.rob);
    expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;

    let to_rob = m
        .wait_for(
            "rob@example.com",
            "Rita Moreno referred you to Rossi Tiling",
        )
        .await;
    assert!(decoded(&to_rob).contains("Olga did our bathroom; call her."));
    m.wait_for("olga@example.com", "New referral for Rossi Tiling")
        .await;
    m.settle().await;
    // One verification and one referral each, however many rounds the worker ran.
    assert_eq!(m.count_to("rob@example.com"), 2);
    assert_eq!(m.count_to("olga@example.com"), 2);
    // Sam has nothing to do with it, and his address is unverified anyway.
    assert_eq!(m.count_to("sam@example.com"), 1);
}

#[sqlx::test]
async fn one_click_unsubscribe_stops_that_kind_of_email(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let c = cast(&m.app).await;
    verify(&m, &c.rob).await;
    let body = referral_to(c.rossi, "tiler", &c.rob);
    expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;
    let mail = m.wait_for("rob@example.com", "referred you to").await;
    let token = token_in(&mail, "/unsubscribe");

    // What a mail program does with List-Unsubscribe-Post: no cookie, no form token.
    let response = m
        .app
        .post_raw(
            &format!("/unsubscribe?token={token}"),
            "application/x-www-form-urlencoded",
            b"List-Unsubscribe=One-Click".to_vec(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let prefs = expect_json(
        m.app
            .get("/v1/me/email-preferences", Some(&c.rob.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(prefs["wanted"]["referrals"], false);

    let before = m.count_to("rob@example.com");
    let again = json!({ "provider_id": c.rossi, "trade": "plasterer", "recipient_id": c.rob.id });
    expect_json(refer(&m.app, &c.rita, &again).await, StatusCode::CREATED).await;
    m.settle().await;
    assert_eq!(m.count_to("rob@example.com"), before);

    // And back on, from the settings.
    let on = json!({ "wanted": { "referrals": true } });
    let prefs = expect_json(
        m.app
            .put("/v1/me/email-preferences", Some(&c.rob.token), &on)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(prefs["wanted"]["referrals"], true);
    let unknown = json!({ "wanted": { "spam": true } });
    let response = m
        .app
        .put("/v1/me/email-preferences", Some(&c.rob.token), &unknown)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn a_password_reset_answers_alike_for_any_address_and_its_link_sets_a_new_password(
    pool: PgPool,
) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let anna = m.app.signup("Anna Berg", "anna@example.com").await;
    for email in ["anna@example.com", "nobody@example.com"] {
        let response = m
            .app
            .post("/v1/password-reset", None, &json!({ "email": email }))
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{email}");
        assert_eq!(response.text().await.unwrap(), "", "{email}");
    }
    let mail = m
        .wait_for("anna@example.com", "Reset your vouchgraph password")
        .await;
    m.settle().await;
    assert_eq!(m.count_to("nobody@example.com"), 0);

    let token = token_in(&mail, "/reset-password");
    let weak = json!({ "token": token, "password": "short" });
    let response = m.app.post("/v1/password-reset/confirm", None, &weak).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A refused password does not use the link up.
    let new_password = "a brand new passphrase 7";
    let good = json!({ "token": token, "password": new_password });
    let response = m.app.post("/v1/password-reset/confirm", None, &good).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Every old session ended; the new password works, the old one does not.
    assert_eq!(
        m.app.get("/v1/me", Some(&anna.token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    m.app.login("anna@example.com", new_password).await;
    let old = m
        .app
        .post(
            "/v1/sessions",
            None,
            &json!({ "email": "anna@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    // The link worked once, and proved the address.
    let response = m.app.post("/v1/password-reset/confirm", None, &good).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let verified: bool = sqlx::query_scalar(
        "select email_verified_at is not null from accounts where person_id = $1",
    )
    .bind(anna.id)
    .fetch_one(&m.app.pool)
    .await
    .unwrap();
    assert!(verified);
}

#[sqlx::test]
async fn asking_again_and_again_sends_one_reset_email(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    m.app.signup("Anna Berg", "anna@example.com").await;
    for _ in 0..5 {
        let response = m
            .app
            .post(
                "/v1/password-reset",
                None,
                &json!({ "email": "anna@example.com" }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    m.wait_for("anna@example.com", "Reset your vouchgraph password")
        .await;
    m.settle().await;
    // The verification from sign-up, and one reset.
    assert_eq!(m.count_to("anna@example.com"), 2);
}

#[sqlx::test]
async fn over_the_daily_cap_mail_is_recorded_and_not_sent(pool: PgPool) {
    let m = spawn_with_mail(pool, |config| config.mail.daily_cap = 1).await;
    let c = cast(&m.app).await;
    verify(&m, &c.rob).await;
    for trade in ["tiler", "plasterer"] {
        let body = json!({ "provider_id": c.rossi, "trade": trade, "recipient_id": c.rob.id });
        expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;
    }
    m.wait_for("rob@example.com", "referred you to").await;
    m.settle().await;
    // The verification, which is never capped, and the first referral.
    assert_eq!(m.count_to("rob@example.com"), 2);
    let capped: i64 = sqlx::query_scalar(
        "select count(*) from emails where lower(to_address) = 'rob@example.com' and status = 'capped'",
    )
    .fetch_one(&m.app.pool)
    .await
    .unwrap();
    assert_eq!(capped, 1);
}

#[sqlx::test]
async fn a_customer_left_waiting_is_a_reminder_email_to_the_owner_once(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let c = cast(&m.app).await;
    verify(&m, &c.olga).await;
    let body = referral_to(c.rossi, "tiler", &c.rob);
    let sent = expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;
    make_move(&m.app, &c.rob, sent["id"].as_i64().unwrap(), "accepted").await;

    // A week later by the job's clock, Rob still waits for Olga's call.
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    for _ in 0..2 {
        vouchgraph::jobs::remind_follow_ups(&m.app.pool, later)
            .await
            .unwrap();
    }
    let mail = m
        .wait_for(
            "olga@example.com",
            "Rob Quinn is waiting to hear from Rossi Tiling",
        )
        .await;
    assert!(decoded(&mail).contains("/dashboard"), "{}", decoded(&mail));
    m.settle().await;
    let reminders = m
        .inbox
        .lock()
        .iter()
        .filter(|c| {
            c.header("Subject")
                .is_some_and(|s| s.contains("is waiting to hear"))
        })
        .count();
    assert_eq!(reminders, 1);
}

#[sqlx::test]
async fn deleting_an_account_takes_its_mail_and_links_but_keeps_its_opt_outs(pool: PgPool) {
    let m = spawn_with_mail(pool, |_| {}).await;
    let c = cast(&m.app).await;
    verify(&m, &c.rob).await;
    let body = referral_to(c.rossi, "tiler", &c.rob);
    expect_json(refer(&m.app, &c.rita, &body).await, StatusCode::CREATED).await;
    let mail = m.wait_for("rob@example.com", "referred you to").await;
    let unsubscribe = format!("/unsubscribe?token={}", token_in(&mail, "/unsubscribe"));
    let response = m
        .app
        .post_raw(
            &unsubscribe,
            "application/x-www-form-urlencoded",
            Vec::new(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let response = m
        .app
        .request(reqwest::Method::DELETE, "/v1/me", Some(&c.rob.token))
        .json(&json!({ "password": c.rob.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar(
        "select (select count(*) from emails where lower(to_address) = 'rob@example.com' or person_id = $1)
              + (select count(*) from email_tokens where person_id = $1)",
    )
    .bind(c.rob.id)
    .fetch_one(&m.app.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    // The opt-out outlives the account, without the address: a hash of it.
    let opt_outs: i64 = sqlx::query_scalar("select count(*) from email_opt_outs")
        .fetch_one(&m.app.pool)
        .await
        .unwrap();
    assert_eq!(opt_outs, 1);
    let leaked: i64 = sqlx::query_scalar(
        "select count(*) from email_opt_outs where encode(address_hash, 'escape') like '%rob%'",
    )
    .fetch_one(&m.app.pool)
    .await
    .unwrap();
    assert_eq!(leaked, 0);
}
