//! The provider's relationship book: `GET /v1/providers/{id}/customers` (and `.csv`),
//! `GET /v1/providers/{id}/follow-ups` and `GET /v1/providers/{id}/responsiveness`.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use vouchgraph::domain::follow_up::{follow_up_due, FOLLOW_UP_WORKING_DAYS};

use crate::common::{assert_invalid_field, assert_problem, expect_json, spawn_app, TestApp};
use crate::referrals::{cast, id_of, make_move, send_referral, Cast};

/// Sets when a referral was accepted, and when (if ever) it was marked contacted.
async fn set_times(
    pool: &PgPool,
    id: i64,
    accepted: OffsetDateTime,
    contacted: Option<OffsetDateTime>,
) {
    sqlx::query("update referrals set accepted_at = $2 where id = $1")
        .bind(id)
        .bind(accepted)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "update referral_transitions set created_at = coalesce($2, created_at)
         where referral_id = $1 and to_status = 'contacted'",
    )
    .bind(id)
    .bind(contacted)
    .execute(pool)
    .await
    .unwrap();
}

/// `who` deletes their account.
async fn delete_account(app: &TestApp, who: &crate::common::TestUser) {
    let response = app
        .request(reqwest::Method::DELETE, "/v1/me", Some(&who.token))
        .json(&serde_json::json!({ "password": who.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

/// Rita refers Rossi Tiling to Rob, who accepts: one customer waiting for Olga's call.
async fn accepted_referral(app: &TestApp, c: &Cast) -> i64 {
    let id = id_of(&send_referral(app, &c.rita, c.rossi, &c.rob).await);
    make_move(app, &c.rob, id, "accepted").await;
    id
}

#[sqlx::test]
async fn only_the_owner_reads_the_book_the_csv_and_the_follow_ups(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = cast(&app).await;
    accepted_referral(&app, &c).await;
    for path in ["customers", "customers.csv", "follow-ups"] {
        let url = format!("/v1/providers/{}/{path}", c.rossi);
        // Olga owns Rossi Tiling.
        assert_eq!(
            app.get(&url, Some(&c.olga.token)).await.status(),
            StatusCode::OK,
            "{url}"
        );
        // Rita referred it, Rob is its customer, Sam is a stranger: none of them may read it.
        for other in [&c.rita, &c.rob, &c.sam] {
            assert_problem(
                app.get(&url, Some(&other.token)).await,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        assert_problem(app.get(&url, None).await, StatusCode::UNAUTHORIZED).await;
        let missing = format!("/v1/providers/999999/{path}");
        assert_problem(
            app.get(&missing, Some(&c.olga.token)).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // Responsiveness is for everyone, anonymous visitors included.
    let url = format!("/v1/providers/{}/responsiveness", c.rossi);
    assert_eq!(app.get(&url, None).await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn the_book_shows_each_customer_with_who_referred_them_and_the_dates_of_every_step(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let c = cast(&app).await;
    let id = accepted_referral(&app, &c).await;
    make_move(&app, &c.olga, id, "contacted").await;
    // Sam also refers Rob to Rossi Tiling: one customer, two referrals, two referrers.
    let again = id_of(&send_referral(&app, &c.sam, c.rossi, &c.rob).await);
    make_move(&app, &c.rob, again, "accepted").await;

    let url = format!("/v1/providers/{}/customers", c.rossi);
    let page = expect_json(app.get(&url, Some(&c.olga.token)).await, StatusCode::OK).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let rob = &items[0];
    assert_eq!(rob["name"], "Rob Quinn");
    assert_eq!(rob["referrals"], 2);
    assert_eq!(
        rob["referred_by"],
        serde_json::json!(["Rita Moreno", "Sam Tate"])
    );
    // The latest referral is the one shown: accepted, not yet contacted.
    assert_eq!(rob["status"], "accepted");
    assert!(
        rob["accepted_at"].is_string() && rob["contacted_at"].is_null(),
        "{rob}"
    );

    // Filters: Rob waits; nobody is in progress or done.
    for (filter, expected) in [
        ("waiting", 1),
        ("in_progress", 0),
        ("done", 0),
        ("went_well", 0),
    ] {
        let url = format!("/v1/providers/{}/customers?filter={filter}", c.rossi);
        let page = expect_json(app.get(&url, Some(&c.olga.token)).await, StatusCode::OK).await;
        assert_eq!(
            page["items"].as_array().unwrap().len(),
            expected,
            "{filter}: {page}"
        );
    }
    let bad = format!(
        "/v1/providers/{}/customers?filter=everyone&limit=0",
        c.rossi
    );
    let problem = assert_invalid_field(app.get(&bad, Some(&c.olga.token)).await, "filter").await;
    crate::common::assert_names_field(&problem, "limit");
}

#[sqlx::test]
async fn the_csv_has_a_row_per_customer_and_a_name_that_looks_like_a_formula_never_runs(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let c = cast(&app).await;
    let eve = app
        .signup("=HYPERLINK(\"http://x\")", "eve@example.com")
        .await;
    let id = id_of(&send_referral(&app, &c.rita, c.rossi, &eve).await);
    make_move(&app, &eve, id, "accepted").await;
    accepted_referral(&app, &c).await;

    let url = format!("/v1/providers/{}/customers.csv", c.rossi);
    let response = app.get(&url, Some(&c.olga.token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert!(
        lines[0].starts_with("customer,referred_by,referrals,status"),
        "{body}"
    );
    assert!(body.contains("Rob Quinn,Rita Moreno,1,accepted"), "{body}");
    assert!(body.contains("\"'=HYPERLINK("), "{body}");
}

#[sqlx::test]
async fn a_follow_up_appears_once_the_referral_has_waited_two_working_days_and_not_before(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    let now = OffsetDateTime::now_utc();
    // Two customers accepted: one just past its time, one just short of it. The clock is the
    // data: each acceptance is placed where its due time falls a few minutes from now.
    let accepted_when_due_at = |offset: Duration| {
        let mut accepted = now - Duration::hours(1);
        while follow_up_due(accepted, FOLLOW_UP_WORKING_DAYS) > now + offset {
            accepted -= Duration::minutes(5);
        }
        accepted
    };
    let late = accepted_referral(&app, &c).await;
    set_times(
        &pool,
        late,
        accepted_when_due_at(-Duration::minutes(10)),
        None,
    )
    .await;
    let sam = app.signup("Sam Two", "sam2@example.com").await;
    let on_time = id_of(&send_referral(&app, &c.rita, c.rossi, &sam).await);
    make_move(&app, &sam, on_time, "accepted").await;
    let not_yet = accepted_when_due_at(Duration::minutes(30)) + Duration::minutes(5);
    set_times(&pool, on_time, not_yet, None).await;
    // Two more, long past their time: one contacted, one declined. Neither is owed a call.
    let called = app.signup("Cal Led", "cal@example.com").await;
    let contacted = id_of(&send_referral(&app, &c.rita, c.rossi, &called).await);
    make_move(&app, &called, contacted, "accepted").await;
    make_move(&app, &c.olga, contacted, "contacted").await;
    set_times(&pool, contacted, now - Duration::days(20), None).await;
    let no = app.signup("Dee Clined", "dee@example.com").await;
    let declined = id_of(&send_referral(&app, &c.rita, c.rossi, &no).await);
    make_move(&app, &no, declined, "declined").await;

    let url = format!("/v1/providers/{}/follow-ups", c.rossi);
    let owed: Value = expect_json(app.get(&url, Some(&c.olga.token)).await, StatusCode::OK).await;
    let ids: Vec<i64> = owed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["referral_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![late], "{owed}");
    assert_eq!(owed[0]["name"], "Rob Quinn");

    // Once Olga calls Rob, the follow-up is gone.
    make_move(&app, &c.olga, late, "contacted").await;
    let owed: Value = expect_json(app.get(&url, Some(&c.olga.token)).await, StatusCode::OK).await;
    assert_eq!(owed, serde_json::json!([]));
}

#[sqlx::test]
async fn responsiveness_is_the_median_time_to_contact_and_the_share_within_a_week(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    let url = format!("/v1/providers/{}/responsiveness", c.rossi);
    let now = OffsetDateTime::now_utc();
    // Four customers accepted ten days ago. Olga called them after 2, 5 and 30 hours, and
    // one is still waiting (240 hours so far): sorted 2, 5, 30, 240, the median is
    // (5 + 30) / 2 = 17.5 hours, and 3 of 4 were called within a week.
    let hours = [Some(2), Some(5), Some(30), None];
    for (n, h) in hours.iter().enumerate() {
        let who = app
            .signup(&format!("Customer {n}"), &format!("c{n}@example.com"))
            .await;
        let id = id_of(&send_referral(&app, &c.rita, c.rossi, &who).await);
        make_move(&app, &who, id, "accepted").await;
        if h.is_some() {
            make_move(&app, &c.olga, id, "contacted").await;
        }
        let accepted = now - Duration::days(10);
        set_times(
            &pool,
            id,
            accepted,
            h.map(|h| accepted + Duration::hours(h)),
        )
        .await;
        if n == 1 {
            // Two referrals are too few to say anything.
            let early = expect_json(app.get(&url, None).await, StatusCode::OK).await;
            assert!(
                early["median_hours"].is_null() && early["summary"].is_null(),
                "{early}"
            );
        }
    }
    let r = expect_json(app.get(&url, None).await, StatusCode::OK).await;
    assert_eq!(r["accepted"], 4, "{r}");
    let median = r["median_hours"].as_f64().unwrap();
    assert!((median - 17.5).abs() < 0.01, "{r}");
    assert_eq!(r["within_week"], 0.75);
    assert_eq!(r["summary"], "usually gets in touch within a day");
}

#[sqlx::test]
async fn a_contacted_mark_the_customer_disputes_counts_as_no_contact(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    let url = format!("/v1/providers/{}/responsiveness", c.rossi);
    let now = OffsetDateTime::now_utc();
    // Three customers accepted ten days ago; Olga marked each contacted an hour later.
    let mut ids = Vec::new();
    for n in 0..3 {
        let who = app
            .signup(&format!("Customer {n}"), &format!("c{n}@example.com"))
            .await;
        let id = id_of(&send_referral(&app, &c.rita, c.rossi, &who).await);
        make_move(&app, &who, id, "accepted").await;
        make_move(&app, &c.olga, id, "contacted").await;
        let accepted = now - Duration::days(10);
        set_times(&pool, id, accepted, Some(accepted + Duration::hours(1))).await;
        ids.push((id, who));
    }
    let before = expect_json(app.get(&url, None).await, StatusCode::OK).await;
    assert_eq!(before["within_week"], 1.0, "{before}");

    // Nobody but the customer may dispute it: Olga and Rita are parties (403), Sam is not (404).
    let (first, customer) = &ids[0];
    let dispute = format!("/v1/referrals/{first}/contact-dispute");
    let empty = serde_json::json!({});
    assert_problem(
        app.post(&dispute, Some(&c.olga.token), &empty).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post(&dispute, Some(&c.rita.token), &empty).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post(&dispute, Some(&c.sam.token), &empty).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Two of the three customers say Olga never called.
    for (id, who) in &ids[..2] {
        let path = format!("/v1/referrals/{id}/contact-dispute");
        let response = app.post(&path, Some(&who.token), &empty).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    // Saying it again changes nothing.
    assert_eq!(
        app.post(&dispute, Some(&customer.token), &empty)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    // Now only one of three counts as contacted within a week; the two disputed ones count
    // as waiting since they accepted (240 hours), so the median is 240 hours.
    let after = expect_json(app.get(&url, None).await, StatusCode::OK).await;
    let within = after["within_week"].as_f64().unwrap();
    assert!((within - 1.0 / 3.0).abs() < 1e-9, "{after}");
    let median = after["median_hours"].as_f64().unwrap();
    assert!((median - 240.0).abs() < 0.1, "{after}");
    assert_eq!(after["summary"], "is often slow to get in touch");
    // Olga hears of it.
    let notified: i64 = sqlx::query_scalar(
        "select count(*) from notifications where person_id = $1 and kind = 'referral.contact_disputed'",
    )
    .bind(c.olga.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(notified, 2);
}

#[sqlx::test]
async fn a_referral_not_yet_marked_contacted_cannot_be_disputed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = cast(&app).await;
    let id = accepted_referral(&app, &c).await;
    let path = format!("/v1/referrals/{id}/contact-dispute");
    let response = app
        .post(&path, Some(&c.rob.token), &serde_json::json!({}))
        .await;
    assert_problem(response, StatusCode::CONFLICT).await;
}

#[sqlx::test]
async fn the_owner_keeps_a_private_note_per_customer_that_leaves_with_the_customer(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    accepted_referral(&app, &c).await;
    let note = format!("/v1/providers/{}/customers/{}/note", c.rossi, c.rob.id);
    let body = serde_json::json!({ "body": "  Wants the grey grout; call after 6.  " });

    // Only Olga may write it: the referrer, the customer and a stranger may not.
    for other in [&c.rita, &c.rob, &c.sam] {
        assert_problem(
            app.put(&note, Some(&other.token), &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let saved = expect_json(
        app.put(&note, Some(&c.olga.token), &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved["body"], "Wants the grey grout; call after 6.");
    // Only about a customer: Sam was never referred to Rossi Tiling.
    let sam = format!("/v1/providers/{}/customers/{}/note", c.rossi, c.sam.id);
    assert_problem(
        app.put(&sam, Some(&c.olga.token), &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Too long, or with a NUL: a 422 on the body, and the note stays as it was.
    let long = serde_json::json!({ "body": "x".repeat(2001) });
    assert_invalid_field(app.put(&note, Some(&c.olga.token), &long).await, "body").await;
    let nul = serde_json::json!({ "body": "a\u{0}b" });
    assert_invalid_field(app.put(&note, Some(&c.olga.token), &nul).await, "body").await;

    let book = format!("/v1/providers/{}/customers", c.rossi);
    let page = expect_json(app.get(&book, Some(&c.olga.token)).await, StatusCode::OK).await;
    assert_eq!(
        page["items"][0]["note"], "Wants the grey grout; call after 6.",
        "{page}"
    );
    let csv = app
        .get(&format!("{book}.csv"), Some(&c.olga.token))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Wants the grey grout; call after 6."), "{csv}");

    // When Rob deletes his account, the note about him goes too.
    delete_account(&app, &c.rob).await;
    let left: i64 = sqlx::query_scalar("select count(*) from customer_notes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test]
async fn an_empty_note_removes_it(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    accepted_referral(&app, &c).await;
    let note = format!("/v1/providers/{}/customers/{}/note", c.rossi, c.rob.id);
    app.put(
        &note,
        Some(&c.olga.token),
        &serde_json::json!({ "body": "call back" }),
    )
    .await;
    let cleared = app
        .put(
            &note,
            Some(&c.olga.token),
            &serde_json::json!({ "body": "  " }),
        )
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    let left: i64 = sqlx::query_scalar("select count(*) from customer_notes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test]
async fn of_two_providers_with_the_same_vouches_the_one_that_leaves_customers_waiting_comes_second(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    let (lat, lon) = crate::common::LONDON;
    // A second tiler, run by Ben, with exactly the same evidence: Rita recommends both
    // publicly, and Sam, the seeker, trusts Rita.
    let ben = app.signup("Ben Stone", "ben@example.com").await;
    let stone = app
        .create_provider(&ben, "Stone Tiling", &["tiler"], lat, lon, 25.0)
        .await;
    for provider in [c.rossi, stone] {
        app.vouch(&c.rita, provider, "tiler", "recommend", "public")
            .await;
    }
    app.trust(&c.sam, &c.rita, 3, "public").await;
    let order = |search: Value| -> Vec<i64> {
        search["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["provider_id"].as_i64().unwrap())
            .collect()
    };
    // Equal scores: the older listing (Rossi Tiling) first.
    assert_eq!(
        order(app.search("tiler", Some(&c.sam.token)).await),
        vec![c.rossi, stone]
    );

    // Three customers accepted Rossi Tiling ten days ago and have heard nothing.
    for n in 0..3 {
        let who = app
            .signup(&format!("Waiting {n}"), &format!("w{n}@example.com"))
            .await;
        let id = id_of(&send_referral(&app, &c.rita, c.rossi, &who).await);
        make_move(&app, &who, id, "accepted").await;
        set_times(
            &pool,
            id,
            OffsetDateTime::now_utc() - Duration::days(10),
            None,
        )
        .await;
    }
    // Any move on one of its referrals brings its figure up to date (a fourth, declined).
    let late = app.signup("Late Comer", "late@example.com").await;
    let id = id_of(&send_referral(&app, &c.rita, c.rossi, &late).await);
    make_move(&app, &late, id, "declined").await;

    let search = app.search("tiler", Some(&c.sam.token)).await;
    assert_eq!(order(search.clone()), vec![stone, c.rossi], "{search}");
    assert_eq!(
        search["results"][1]["responsiveness"],
        "is often slow to get in touch"
    );
    // Lowered by a quarter, no more.
    let (first, second) = (
        search["results"][0]["score"].as_f64().unwrap(),
        search["results"][1]["score"].as_f64().unwrap(),
    );
    assert!((second / first - 0.75).abs() < 1e-9, "{search}");
}

#[sqlx::test]
async fn the_owner_is_reminded_once_in_the_inbox_when_a_customer_has_waited_too_long(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    let id = accepted_referral(&app, &c).await;
    let accepted: OffsetDateTime =
        sqlx::query_scalar("select accepted_at from referrals where id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let due = follow_up_due(accepted, FOLLOW_UP_WORKING_DAYS);
    let reminders = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from notifications where person_id = $1 and kind = 'referral.follow_up_due'",
        )
        .bind(c.olga.id)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    // The job's clock, a minute before the call is due: nothing.
    let sent = vouchgraph::jobs::remind_follow_ups(&pool, due - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((sent, reminders().await), (0, 0));
    // A minute after: one reminder, naming Rob; running again (or on another instance) adds none.
    let sent = vouchgraph::jobs::remind_follow_ups(&pool, due + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((sent, reminders().await), (1, 1));
    let again = vouchgraph::jobs::remind_follow_ups(&pool, due + Duration::days(3))
        .await
        .unwrap();
    assert_eq!((again, reminders().await), (0, 1));
    let inbox = expect_json(
        app.get("/v1/me/notifications", Some(&c.olga.token)).await,
        StatusCode::OK,
    )
    .await;
    assert!(inbox.to_string().contains("Rob Quinn"), "{inbox}");

    // A declined or contacted referral is never a reminder.
    let sam = app.signup("Sam Two", "sam2@example.com").await;
    let contacted = id_of(&send_referral(&app, &c.rita, c.rossi, &sam).await);
    make_move(&app, &sam, contacted, "accepted").await;
    make_move(&app, &c.olga, contacted, "contacted").await;
    let dee = app.signup("Dee Clined", "dee@example.com").await;
    let declined = id_of(&send_referral(&app, &c.rita, c.rossi, &dee).await);
    make_move(&app, &dee, declined, "declined").await;
    let later = OffsetDateTime::now_utc() + Duration::days(30);
    assert_eq!(
        vouchgraph::jobs::remind_follow_ups(&pool, later)
            .await
            .unwrap(),
        0
    );

    // When Rob deletes his account, the reminder no longer names him.
    delete_account(&app, &c.rob).await;
    let named: i64 = sqlx::query_scalar(
        "select count(*) from notifications where payload::text like '%Rob Quinn%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(named, 0);
}

#[sqlx::test]
async fn the_owner_may_ask_a_customer_whose_job_went_well_for_a_vouch_once(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let c = cast(&app).await;
    let id = accepted_referral(&app, &c).await;
    let ask = format!(
        "/v1/providers/{}/customers/{}/vouch-request",
        c.rossi, c.rob.id
    );
    let empty = serde_json::json!({});
    // Not before the job is done and went well.
    assert_problem(
        app.post(&ask, Some(&c.olga.token), &empty).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    make_move(&app, &c.olga, id, "contacted").await;
    make_move(&app, &c.rob, id, "hired").await;
    make_move(&app, &c.rob, id, "completed").await; // "good", rated 4
                                                    // Only the owner may ask: not Rita, not Rob himself.
    for other in [&c.rita, &c.rob] {
        assert_problem(
            app.post(&ask, Some(&other.token), &empty).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(
        app.post(&ask, Some(&c.olga.token), &empty).await.status(),
        StatusCode::NO_CONTENT
    );
    // Once: asking again is a 409, and Rob has one request in his inbox.
    assert_problem(
        app.post(&ask, Some(&c.olga.token), &empty).await,
        StatusCode::CONFLICT,
    )
    .await;
    let asked: i64 = sqlx::query_scalar(
        "select count(*) from notifications where person_id = $1 and kind = 'vouch.requested'",
    )
    .bind(c.rob.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(asked, 1);
    // Sam was never a customer.
    let sam = format!(
        "/v1/providers/{}/customers/{}/vouch-request",
        c.rossi, c.sam.id
    );
    assert_problem(
        app.post(&sam, Some(&c.olga.token), &empty).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[sqlx::test]
async fn a_customer_opens_to_every_step_of_their_history_for_the_owner_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let c = cast(&app).await;
    let empty = serde_json::json!({});
    // Rita refers Rossi Tiling to Rob, with a note that is theirs, not the book's.
    let body = serde_json::json!({ "provider_id": c.rossi, "trade": "tiler",
        "recipient_id": c.rob.id, "note": "rita-to-rob-words-8812" });
    let sent = crate::referrals::refer(&app, &c.rita, &body).await;
    let id = id_of(&expect_json(sent, StatusCode::CREATED).await);
    // Rob accepts; Olga marks him contacted; Rob says she has not called; then he hires her,
    // and says the job went well.
    make_move(&app, &c.rob, id, "accepted").await;
    make_move(&app, &c.olga, id, "contacted").await;
    let dispute = format!("/v1/referrals/{id}/contact-dispute");
    let disputed = app.post(&dispute, Some(&c.rob.token), &empty).await;
    assert!(disputed.status().is_success(), "{}", disputed.status());
    make_move(&app, &c.rob, id, "hired").await;
    make_move(&app, &c.rob, id, "completed").await;
    // Olga asks for a vouch; Rob vouches privately (his to show, so not in the book), then
    // Olga writes a note.
    let ask = format!(
        "/v1/providers/{}/customers/{}/vouch-request",
        c.rossi, c.rob.id
    );
    assert_eq!(
        app.post(&ask, Some(&c.olga.token), &empty).await.status(),
        StatusCode::NO_CONTENT
    );
    app.vouch(&c.rob, c.rossi, "tiler", "recommend", "private")
        .await;
    let note = format!("/v1/providers/{}/customers/{}/note", c.rossi, c.rob.id);
    let body = serde_json::json!({ "body": "wants the grey grout" });
    assert_eq!(
        app.put(&note, Some(&c.olga.token), &body).await.status(),
        StatusCode::OK
    );

    let url = format!("/v1/providers/{}/customers/{}", c.rossi, c.rob.id);
    let opened = expect_json(app.get(&url, Some(&c.olga.token)).await, StatusCode::OK).await;
    assert_eq!(opened["name"], "Rob Quinn");
    assert_eq!(opened["note"], "wants the grey grout");
    let kinds: Vec<&str> = opened["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "referred",
            "accepted",
            "contacted",
            "contact_disputed",
            "hired",
            "completed",
            "vouch_asked",
            "note"
        ],
        "{opened}"
    );
    assert_eq!(opened["steps"][0]["who"], "Rita Moreno");
    assert_eq!(opened["steps"][5]["detail"], "good");
    assert!(
        !opened.to_string().contains("rita-to-rob-words-8812"),
        "{opened}"
    );
    // Once Rob's vouch is public, the book shows it.
    app.vouch(&c.rob, c.rossi, "tiler", "recommend", "public")
        .await;
    let opened = expect_json(app.get(&url, Some(&c.olga.token)).await, StatusCode::OK).await;
    let vouched = opened["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "vouched")
        .cloned();
    assert_eq!(
        vouched.map(|s| s["detail"].clone()),
        Some(serde_json::json!("recommend")),
        "{opened}"
    );

    // Only Olga: the referrer, the customer and a stranger are refused; anonymous callers must
    // sign in; someone who is not a customer is not in the book.
    for other in [&c.rita, &c.rob, &c.sam] {
        assert_problem(
            app.get(&url, Some(&other.token)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(app.get(&url, None).await, StatusCode::UNAUTHORIZED).await;
    let sam = format!("/v1/providers/{}/customers/{}", c.rossi, c.sam.id);
    assert_problem(
        app.get(&sam, Some(&c.olga.token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
