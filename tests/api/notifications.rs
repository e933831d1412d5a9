//! The inbox (`GET /v1/me/notifications`, `POST /v1/me/notifications/{id}/read`,
//! `POST /v1/me/notifications/read-all`) and the transactional outbox (`outbox_events`), both
//! written in the same transaction as the referral change they describe.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{
    assert_invalid_field, assert_problem, count, expect_json, spawn_app, TestApp, TestUser,
};
use crate::referrals::{
    cast, id_of, make_move, move_body, post_move, refer, refer_with_key, referral_to, send_referral,
};

/// A page of `who`'s inbox at `path`.
async fn inbox(app: &TestApp, who: &TestUser, path: &str) -> Value {
    expect_json(app.get(path, Some(&who.token)).await, StatusCode::OK).await
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("a page has items")
}

/// (kind, referral id, status) of each notification on a page, newest first.
fn summary(page: &Value) -> Vec<(String, i64, String)> {
    items(page)
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_string(),
                n["payload"]["referral_id"].as_i64().unwrap(),
                n["payload"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(page: &Value) -> Vec<i64> {
    items(page)
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

/// (event type, payload) of every outbox event, oldest first.
async fn outbox(pool: &PgPool) -> Vec<(String, Value)> {
    sqlx::query_as("select event_type, payload from outbox_events where event_type not like 'account.%' order by id")
        .fetch_all(pool)
        .await
        .expect("reading the outbox")
}

fn s(text: &str) -> String {
    text.to_string()
}

#[sqlx::test]
async fn a_new_referral_notifies_its_recipient_and_the_providers_owner_but_not_its_sender(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);

    let robs = inbox(&app, &cast.rob, "/v1/me/notifications").await;
    assert_eq!(summary(&robs), [(s("referral.received"), id, s("sent"))]);
    let note = &items(&robs)[0];
    assert_eq!(note["read"], false);
    assert!(note["created_at"].is_string(), "{note}");
    assert_eq!(note["payload"]["referrer_id"], cast.rita.id);
    assert_eq!(note["payload"]["referrer_name"], "Rita Moreno");
    assert_eq!(note["payload"]["provider_id"], cast.rossi);
    assert_eq!(note["payload"]["provider_name"], "Rossi Tiling");
    assert_eq!(note["payload"]["trade"], "tiler");
    let olgas = inbox(&app, &cast.olga, "/v1/me/notifications").await;
    assert_eq!(
        summary(&olgas),
        [(s("referral.received_for_provider"), id, s("sent"))]
    );
    for who in [&cast.rita, &cast.sam] {
        let theirs = inbox(&app, who, "/v1/me/notifications").await;
        assert_eq!(theirs, json!({ "items": [], "next_cursor": null }));
    }
}

#[sqlx::test]
async fn an_owner_who_refers_their_own_business_is_not_notified_of_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    // Olga -> Rob: Rossi Tiling, her own business
    let id = id_of(&send_referral(&app, &cast.olga, cast.rossi, &cast.rob).await);

    let robs = inbox(&app, &cast.rob, "/v1/me/notifications").await;
    assert_eq!(summary(&robs), [(s("referral.received"), id, s("sent"))]);
    // As with a move, nobody is told about what they did themselves.
    let olgas = inbox(&app, &cast.olga, "/v1/me/notifications").await;
    assert_eq!(olgas, json!({ "items": [], "next_cursor": null }));
}

#[sqlx::test]
async fn a_move_notifies_every_other_party_of_the_old_and_new_status(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);

    make_move(&app, &cast.rob, id, "accepted").await;
    make_move(&app, &cast.olga, id, "contacted").await;

    let changed = s("referral.status_changed");
    let ritas = inbox(&app, &cast.rita, "/v1/me/notifications").await;
    assert_eq!(
        summary(&ritas),
        [
            (changed.clone(), id, s("contacted")),
            (changed.clone(), id, s("accepted")),
        ]
    );
    assert_eq!(items(&ritas)[0]["payload"]["from"], "accepted");
    assert_eq!(items(&ritas)[1]["payload"]["from"], "sent");
    // Nobody is told about their own move.
    let robs = inbox(&app, &cast.rob, "/v1/me/notifications").await;
    assert_eq!(
        summary(&robs),
        [
            (changed.clone(), id, s("contacted")),
            (s("referral.received"), id, s("sent")),
        ]
    );
    let olgas = inbox(&app, &cast.olga, "/v1/me/notifications").await;
    assert_eq!(
        summary(&olgas),
        [
            (changed, id, s("accepted")),
            (s("referral.received_for_provider"), id, s("sent")),
        ]
    );
    let sams = inbox(&app, &cast.sam, "/v1/me/notifications").await;
    assert_eq!(items(&sams).len(), 0);
}

#[sqlx::test]
async fn reading_one_notification_marks_only_that_one_and_unread_filters_the_rest(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    for _ in 0..3 {
        send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await;
    }
    let all = ids(&inbox(&app, &cast.rob, "/v1/me/notifications").await);
    assert_eq!(all.len(), 3);

    let path = format!("/v1/me/notifications/{}/read", all[1]);
    let response = app.post(&path, Some(&cast.rob.token), &json!({})).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let page = inbox(&app, &cast.rob, "/v1/me/notifications").await;
    let read: Vec<bool> = items(&page)
        .iter()
        .map(|n| n["read"].as_bool().unwrap())
        .collect();
    assert_eq!(read, [false, true, false]);
    let unread = inbox(&app, &cast.rob, "/v1/me/notifications?unread=true").await;
    assert_eq!(ids(&unread), [all[0], all[2]]);
    let everything = inbox(&app, &cast.rob, "/v1/me/notifications?unread=false").await;
    assert_eq!(ids(&everything), all);
    // Reading it again is harmless.
    let again = app.post(&path, Some(&cast.rob.token), &json!({})).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
}

#[sqlx::test]
async fn marking_someone_elses_notification_read_is_a_404_and_leaves_it_unread(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await;
    let robs = ids(&inbox(&app, &cast.rob, "/v1/me/notifications").await)[0];

    for who in [&cast.rita, &cast.olga, &cast.sam] {
        let path = format!("/v1/me/notifications/{robs}/read");
        let response = app.post(&path, Some(&who.token), &json!({})).await;
        let theirs = assert_problem(response, StatusCode::NOT_FOUND).await;
        // Indistinguishable from a notification that does not exist.
        let path = format!("/v1/me/notifications/{}/read", robs + 1000);
        let response = app.post(&path, Some(&who.token), &json!({})).await;
        let missing = assert_problem(response, StatusCode::NOT_FOUND).await;
        assert_eq!(theirs, missing);
    }

    let unread = inbox(&app, &cast.rob, "/v1/me/notifications?unread=true").await;
    assert_eq!(ids(&unread), [robs]);
}

#[sqlx::test]
async fn read_all_marks_every_notification_of_the_caller_and_no_one_elses(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await;
    make_move(&app, &cast.rob, id, "declined").await;

    let response = app
        .post(
            "/v1/me/notifications/read-all",
            Some(&cast.rob.token),
            &json!({}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let unread = inbox(&app, &cast.rob, "/v1/me/notifications?unread=true").await;
    assert_eq!(unread, json!({ "items": [], "next_cursor": null }));
    let all = inbox(&app, &cast.rob, "/v1/me/notifications").await;
    assert_eq!(items(&all).len(), 2);
    assert!(items(&all).iter().all(|n| n["read"] == true), "{all}");
    // Olga's inbox is untouched: two new referrals and Rob's refusal, all unread.
    let olgas = inbox(&app, &cast.olga, "/v1/me/notifications?unread=true").await;
    assert_eq!(items(&olgas).len(), 3);
}

#[sqlx::test]
async fn the_inbox_pages_newest_first_through_next_cursor(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    for _ in 0..5 {
        send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await;
    }
    let all = ids(&inbox(&app, &cast.rob, "/v1/me/notifications?limit=100").await);
    assert_eq!(all.len(), 5);
    assert!(
        all.windows(2).all(|w| w[0] > w[1]),
        "not newest first: {all:?}"
    );

    let first = inbox(&app, &cast.rob, "/v1/me/notifications?limit=2").await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = inbox(
        &app,
        &cast.rob,
        &format!("/v1/me/notifications?limit=2&cursor={cursor}"),
    )
    .await;
    let cursor = second["next_cursor"].as_str().expect("a third page");
    let third = inbox(
        &app,
        &cast.rob,
        &format!("/v1/me/notifications?limit=2&cursor={cursor}"),
    )
    .await;

    assert_eq!(ids(&first), all[0..2]);
    assert_eq!(ids(&second), all[2..4]);
    assert_eq!(ids(&third), all[4..]);
    assert_eq!(third["next_cursor"], Value::Null);
}

#[sqlx::test]
async fn unread_pages_skip_what_was_read(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    for _ in 0..4 {
        send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await;
    }
    let all = ids(&inbox(&app, &cast.rob, "/v1/me/notifications").await);
    for read in [all[0], all[2]] {
        let path = format!("/v1/me/notifications/{read}/read");
        let response = app.post(&path, Some(&cast.rob.token), &json!({})).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    let first = inbox(&app, &cast.rob, "/v1/me/notifications?unread=true&limit=1").await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let path = format!("/v1/me/notifications?unread=true&limit=1&cursor={cursor}");
    let second = inbox(&app, &cast.rob, &path).await;

    assert_eq!(ids(&first), [all[1]]);
    assert_eq!(ids(&second), [all[3]]);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[sqlx::test]
async fn the_inbox_refuses_a_bad_limit_or_cursor_and_anonymous_callers(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=abc", "cursor"),
    ] {
        let path = format!("/v1/me/notifications?{query}");
        let response = app.get(&path, Some(&cast.rob.token)).await;
        assert_invalid_field(response, field).await;
    }
    let anonymous = app.get("/v1/me/notifications", None).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let anonymous = app
        .post("/v1/me/notifications/read-all", None, &json!({}))
        .await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_referral_and_each_move_write_one_outbox_event_in_their_transaction(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;

    let id = id_of(&send_referral(&app, &cast.rita, cast.rossi, &cast.rob).await);
    let after_create = outbox(&app.pool).await;
    make_move(&app, &cast.rob, id, "accepted").await;
    let after_move = outbox(&app.pool).await;

    assert_eq!(after_create.len(), 1, "{after_create:?}");
    let (kind, payload) = &after_create[0];
    assert_eq!(kind, "referral.created");
    assert_eq!(payload["referral_id"], id);
    assert_eq!(payload["provider_id"], cast.rossi);
    assert_eq!(payload["referrer_id"], cast.rita.id);
    assert_eq!(payload["recipient_id"], cast.rob.id);
    assert_eq!(payload["status"], "sent");
    assert_eq!(after_move.len(), 2, "{after_move:?}");
    let (kind, payload) = &after_move[1];
    assert_eq!(kind, "referral.status_changed");
    assert_eq!(payload["referral_id"], id);
    assert_eq!(payload["from"], "sent");
    assert_eq!(payload["status"], "accepted");
    // Every event has its own stable id for receivers to deduplicate by.
    let distinct: i64 = sqlx::query_scalar(
        "select count(distinct event_id) from outbox_events where event_type not like 'account.%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(distinct, 2);
}

#[sqlx::test]
async fn a_rejected_request_writes_no_outbox_event_and_no_notification(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cast = cast(&app).await;
    let body = referral_to(cast.rossi, "tiler", &cast.rob);
    let created = refer_with_key(&app, &cast.rita, "once", &body).await;
    let id = id_of(&expect_json(created, StatusCode::CREATED).await);
    let events = count(
        &app.pool,
        "outbox_events where event_type not like 'account.%'",
    )
    .await;
    let notifications = count(&app.pool, "notifications").await;

    // A referral to oneself: 422.
    let to_self = referral_to(cast.rossi, "tiler", &cast.rita);
    assert_invalid_field(refer(&app, &cast.rita, &to_self).await, "recipient_id").await;
    // A replay of the first request: the original response, no new work.
    let replay = refer_with_key(&app, &cast.rita, "once", &body).await;
    expect_json(replay, StatusCode::CREATED).await;
    // The key reused with another body: 422.
    let other = referral_to(cast.rossi, "plasterer", &cast.rob);
    let reused = refer_with_key(&app, &cast.rita, "once", &other).await;
    assert_invalid_field(reused, "Idempotency-Key").await;
    // The owner accepting for Rob: 403.
    let response = post_move(&app, &cast.olga, id, &move_body("accepted")).await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    // Hiring before accepting: 409.
    let response = post_move(&app, &cast.rob, id, &move_body("hired")).await;
    assert_problem(response, StatusCode::CONFLICT).await;
    // A stranger's move: 404.
    let response = post_move(&app, &cast.sam, id, &move_body("accepted")).await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
    // An outcome on an acceptance: 422.
    let body = json!({ "to": "accepted", "outcome": "good" });
    assert_invalid_field(post_move(&app, &cast.rob, id, &body).await, "outcome").await;

    assert_eq!(
        count(
            &app.pool,
            "outbox_events where event_type not like 'account.%'"
        )
        .await,
        events
    );
    assert_eq!(count(&app.pool, "notifications").await, notifications);
    assert_eq!(count(&app.pool, "referrals").await, 1);
}
