//! What every page shares: the chrome around it (navigation, the signed-in person, a notice
//! after a form), rendering, and the security headers; the chrome itself, redirects and the
//! error page are in `chrome.rs`, `redirect.rs` and `error.rs`.

use askama::Template;
use axum::http::header::{self, HeaderValue};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::app::notifications;
use crate::error::ApiError;
use crate::state::AppState;

use super::session::Visitor;

pub use super::chrome::{Chrome, ChromeUser};
pub use super::error::WebError;
pub use super::redirect::{encode, see_other};

impl Chrome {
    /// The chrome for `visitor` on the page `nav`, titled `title`.
    pub async fn new(
        state: &AppState,
        visitor: &Visitor,
        nav: &'static str,
        title: impl Into<String>,
    ) -> Result<Chrome, WebError> {
        let (user, unread) = match &visitor.user {
            Some(me) => {
                // 100 is plenty for a badge; "99+" beyond.
                let unread = notifications::unread_count(state, me.person, 100).await?;
                let user = ChromeUser {
                    name: me.name.clone(),
                    csrf: me.csrf.clone(),
                    dashboard: me.providers.first().map(|p| p.0),
                };
                (Some(user), unread)
            }
            None => (None, 0),
        };
        Ok(Chrome {
            title: title.into(),
            user,
            nav,
            notice: visitor.done.as_deref().and_then(notice),
            unread,
            minimal: false,
        })
    }
}

/// The confirmation shown after a form redirects with `?done=key`. Only known keys show, so a
/// link cannot put words on our pages.
fn notice(key: &str) -> Option<&'static str> {
    Some(match key {
        "welcome" => "Welcome to vouchgraph! Start by trusting a few people you know.",
        "logged-in" => "You are logged in.",
        "logged-out" => "You are logged out.",
        "trusted" => "Saved: your circle is updated.",
        "revoked" => "Done: you no longer trust them.",
        "vouched" => "Thanks: your vouch is saved.",
        "withdrawn" => "Your vouch is withdrawn.",
        "referred" => "Referral sent.",
        "deleted" => "Your account is deleted, and everything personal with it. Goodbye.",
        "claimed" => "The invitation is yours: the referral is in your list.",
        "moved" => "Referral updated.",
        "disputed" => "Noted: until they get in touch, it counts as no contact.",
        "taken" => "Asked: the provider sees your request to get in touch, with what you chose to share.",
        "asked" => "Asked: they will find your request in their inbox.",
        "read" => "All notifications are marked read.",
        "request-asked" => "Asked: the people best placed to answer will find your request.",
        "answered" => "Thanks: your suggestion is on its way to them.",
        "request-closed" => "Closed. Thank you for saying who helped: it counts for them.",
        "saved" => "Your profile is saved.",
        "listed" => "Your business is listed. Ask the customers you did good work for to vouch for you: people whose friends vouch for you will find you.",
        "password" => "Your password is changed, and you are logged out everywhere else.",
        "invited" => "Invitation on its way (once your own address is confirmed). Whoever joins with it can trust you back in one click.",
        "declined" => "No thanks: they will not be offered again.",
        "joined" => "You joined from the invitation. Trust them back below, if you like.",
        "join-expired" => "That invitation link has expired or was already used.",
        "imported" => "Done: the people you chose are in your circle, and your invitations are on their way.",
        _ => return None,
    })
}

/// Renders a page with `status`.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Result<Response, WebError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("rendering a page")))?;
    Ok((status, Html(html)).into_response())
}

/// A day, as people write it: "23 Nov 2026".
pub fn day(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[day padding:none] [month repr:short] [year]"
    ))
    .unwrap_or_default()
}

/// The site's own address as the browser asked for it (scheme and the `Host` header), for
/// links a page hands out to be used elsewhere: the provider's share link, the widget snippet.
/// A `Host` that does not look like a host name gives `localhost`, so nothing odd is echoed.
pub fn base_url(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The headers every page and asset gets. The policy allows nothing but our own files: no
/// inline script or style, no framing, forms posting only to us.
pub async fn security_headers(mut response: Response) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    // A page that needs another policy (the widget preview) sets its own; every other page
    // gets the strict one.
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    if is_html {
        // Pages are personal and carry a CSRF token: never keep them in a shared cache.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode("/circle?q=Matt Hughes"),
            "/circle%3Fq%3DMatt%20Hughes"
        );
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn a_redirect_never_carries_raw_controls_or_spaces() {
        let response = see_other("/search?q=a b\r\nSet-Cookie: x=1&n=é");
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert_eq!(location, "/search?q=a%20b%0D%0ASet-Cookie:%20x=1&n=%C3%A9");
    }

    #[test]
    fn links_use_the_host_the_browser_asked_for_and_nothing_odd() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(base_url(&headers, false), "http://127.0.0.1:8080");
        headers.insert(header::HOST, "evil.example/<x>".parse().unwrap());
        assert_eq!(base_url(&headers, true), "https://localhost");
    }

    #[test]
    fn only_known_notices_show() {
        assert!(notice("trusted").is_some());
        assert!(notice("<script>").is_none());
    }
}
