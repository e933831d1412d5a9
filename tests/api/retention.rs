//! Retention (`store::retention::purge`, run by the expiry job): what has outlived its use goes,
//! and what is still in use stays, whatever its age.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use vouchgraph::store::retention::{purge, Purged};

use crate::common::{expect_json, spawn_app, LONDON};

#[sqlx::test]
async fn a_purge_removes_old_settled_data_and_keeps_what_is_live(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (lat, lon) = LONDON;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rossi = app
        .create_provider(&olga, "Rossi Tiling", &["tiler"], lat, lon, 30.0)
        .await;
    let invite =
        |email: &str| json!({ "provider_id": rossi, "trade": "tiler", "recipient_email": email });
    let old = app
        .post(
            "/v1/referrals",
            Some(&rita.token),
            &invite("old@example.com"),
        )
        .await;
    let old = expect_json(old, StatusCode::CREATED).await;
    let fresh = app
        .post(
            "/v1/referrals",
            Some(&rita.token),
            &invite("new@example.com"),
        )
        .await;
    expect_json(fresh, StatusCode::CREATED).await;
    // The first invitation lapsed 40 days ago; its events were fanned out and mailed then
    // (set here rather than left to the workers' timing), and an idempotency record is two
    // days old.
    sqlx::query(
        "update referrals set invite_expires_at = now() - interval '40 days' where id = $1",
    )
    .bind(old["id"].as_i64().unwrap())
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "update outbox_events set fanned_out_at = now() - interval '40 days',
                                 mailed_at = now() - interval '40 days'
         where id = (select min(id) from outbox_events)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into idempotency_keys (person_id, key, request_hash, response_status, response_body, created_at)
         values ($1, 'old', '\\x00', 201, '{}', now() - interval '2 days'),
                ($1, 'new', '\\x00', 201, '{}', now())",
    )
    .bind(rita.id)
    .execute(&app.pool)
    .await
    .unwrap();
    // Rita's data archive from two days ago has expired; today's has not.
    sqlx::query(
        "insert into export_archives (person_id, status, body, bytes, requested_at, expires_at)
         values ($1, 'ready', '{}', 2, now() - interval '2 days', now() - interval '1 day'),
                ($1, 'ready', '{}', 2, now(), now() + interval '1 day')",
    )
    .bind(rita.id)
    .execute(&app.pool)
    .await
    .unwrap();
    // A sent email and a used reset link from 40 days ago; today's email and a live link.
    sqlx::query(
        "insert into emails (to_address, kind, subject, text_body, html_body, message_id, status,
                             created_at, sent_at)
         values ('rita@example.com', 'verify', 'old', '', '', 'old@vouchgraph', 'sent',
                 now() - interval '40 days', now() - interval '40 days'),
                ('rita@example.com', 'verify', 'new', '', '', 'new@vouchgraph', 'sent', now(), now())",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into email_tokens (token_hash, person_id, purpose, email, created_at, expires_at, used_at)
         values ('\\x01', $1, 'reset', 'rita@example.com', now() - interval '40 days',
                 now() - interval '39 days', now() - interval '40 days'),
                ('\\x02', $1, 'verify', 'rita@example.com', now(), now() + interval '1 day', null)",
    )
    .bind(rita.id)
    .execute(&app.pool)
    .await
    .unwrap();
    let events_before: i64 = sqlx::query_scalar("select count(*) from outbox_events")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let purged = purge(&app.pool, 30).await.unwrap();

    assert_eq!(
        purged,
        Purged {
            invitation_addresses: 1,
            outbox_events: 1,
            delivery_attempts: 0,
            idempotency_keys: 1,
            export_archives: 1,
            emails: 1,
            email_tokens: 1,
        }
    );
    let addresses: Vec<Option<String>> =
        sqlx::query_scalar("select recipient_email from referrals order by id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(addresses, [None, Some("new@example.com".to_string())]);
    let events_after: i64 = sqlx::query_scalar("select count(*) from outbox_events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(events_after, events_before - 1);
    // A second purge finds nothing more.
    assert_eq!(purge(&app.pool, 30).await.unwrap(), Purged::default());
}
