//! Nothing private of one account shows on another account's pages.

use sqlx::PgPool;

use crate::common::spawn_app;

#[sqlx::test]
async fn a_private_vouch_shows_to_its_author_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let pat = app.signup("Pat Private", "pat@example.com").await;
    let quinn = app.signup("Quinn Other", "quinn@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    app.vouch(
        &pat,
        provider,
        "warn",
        "private",
        "secret grumble about grout",
    )
    .await;
    // Quinn even trusts Pat, and Pat trusts Quinn: a private vouch stays private all the same.
    app.trust(&quinn, &pat, 3, "public").await;
    app.trust(&pat, &quinn, 3, "public").await;

    let path = format!("/providers/{provider}");
    let mine = app.html(&path, Some(&pat.cookie())).await;
    assert!(mine.contains("secret grumble about grout"));
    for cookie in [Some(quinn.cookie()), Some(mario.cookie()), None] {
        let html = app.html(&path, cookie.as_deref()).await;
        assert!(!html.contains("secret grumble"), "shown to {cookie:?}");
        assert!(!html.contains("Pat Private"), "shown to {cookie:?}");
    }
    let dashboard = app
        .html(&format!("{path}/dashboard"), Some(&mario.cookie()))
        .await;
    assert!(!dashboard.contains("Pat Private"));
}

#[sqlx::test]
async fn a_private_trust_edge_never_shows_on_someone_elses_network_map(pool: PgPool) {
    let app = spawn_app(pool).await;
    let quinn = app.signup("Quinn Other", "quinn@example.com").await;
    let pat = app.signup("Pat Private", "pat@example.com").await;
    let hidden = app.signup("Hidden Friend", "hidden@example.com").await;
    let shown = app.signup("Shown Friend", "shown@example.com").await;
    let networked = app.signup("Network Friend", "network@example.com").await;
    app.trust(&quinn, &pat, 3, "public").await;
    app.trust(&pat, &hidden, 3, "private").await;
    app.trust(&pat, &shown, 2, "public").await;
    // A network edge shows only to the people Pat trusts directly: not to Quinn.
    app.trust(&pat, &networked, 2, "network").await;

    let map = app.html("/network", Some(&quinn.cookie())).await;
    assert!(map.contains("Pat Private"));
    assert!(map.contains("Shown Friend"));
    assert!(
        !map.contains("Hidden Friend"),
        "a private edge of Pat's shows to Quinn"
    );
    assert!(
        !map.contains("Network Friend"),
        "a network edge of Pat's shows to Quinn"
    );
    assert!(map.contains(r#"<svg class="network-map""#));

    // Pat sees all of Pat's own edges.
    let own = app.html("/network", Some(&pat.cookie())).await;
    assert!(own.contains("Hidden Friend") && own.contains("Network Friend"));

    // Once Pat trusts Quinn (visibly), Pat's network edges open up to Quinn; the private one
    // never does. A private edge back to Quinn would open nothing.
    app.trust(&pat, &quinn, 1, "private").await;
    let map = app.html("/network", Some(&quinn.cookie())).await;
    assert!(
        !map.contains("Network Friend"),
        "a private edge granted visibility"
    );
    app.trust(&pat, &quinn, 1, "public").await;
    let map = app.html("/network", Some(&quinn.cookie())).await;
    assert!(map.contains("Network Friend"));
    assert!(!map.contains("Hidden Friend"));
}

#[sqlx::test]
async fn the_search_page_draws_the_trust_path_to_the_voucher(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    app.vouch(&matt, provider, "recommend", "public", "").await;
    app.trust(&anna, &matt, 3, "public").await;

    let html = app.html("/search?trade=tiler", Some(&anna.cookie())).await;
    let svg_start = html
        .find(r#"<svg class="trust-paths""#)
        .expect("a trust path diagram");
    let svg = &html[svg_start..svg_start + html[svg_start..].find("</svg>").unwrap()];
    assert!(svg.contains(">Matt Hughes</text>"));
    assert!(
        svg.contains(r#"stroke-width="5""#),
        "level 3 is the heaviest line"
    );
    assert!(html.contains("you → Matt Hughes → recommends Rossi Tiling"));
    assert!(html.contains("1 person in your network recommends them as a tiler, none warn"));
    // What the rank rests on, in words, not a raw score.
    assert!(
        html.contains(">Vouched for in your network</span>"),
        "{html}"
    );
    assert!(!html.contains(">score "));
    let anonymous = app.html("/search?trade=tiler", None).await;
    assert!(
        anonymous.contains(">Public reputation</span>"),
        "{anonymous}"
    );
}
