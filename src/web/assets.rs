//! `/static/`: the stylesheet, the script and the icon, embedded in the binary so the server
//! needs no files beside it and works from any directory.

use axum::extract::Path;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

use super::error::WebError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../web/static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../web/static/app.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../../web/static/icon.svg"),
    ),
];

/// Serves one embedded file.
pub async fn asset(Path(file): Path<String>) -> Result<Response, WebError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(ApiError::NotFound("file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Links carry ?v=VERSION (`chrome::VERSION`), so a day's caching never serves a stale file for long.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *body,
    )
        .into_response())
}
