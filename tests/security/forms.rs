//! Posting a page's form as a browser does, from a client behind the trusted proxy.

use reqwest::StatusCode;

use crate::common::TestApp;

/// Opens the form at `path` from `client`, takes the CSRF token its cookie carries, and posts
/// `fields` with it.
pub async fn post_page_form_from(
    app: &TestApp,
    client: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> StatusCode {
    page_form_response(app, client, path, fields).await.status()
}

/// As [`post_page_form_from`], with the whole response.
pub async fn page_form_response(
    app: &TestApp,
    client: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = app
        .client
        .get(app.url(path))
        .header("x-forwarded-for", client)
        .send()
        .await
        .expect("sent");
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    app.client
        .post(app.url(path))
        .header("x-forwarded-for", client)
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("sent")
}
