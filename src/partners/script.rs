//! `/widget.js`: the embeddable widget (`web/widget/widget.js`), compiled into the binary.

use axum::http::header::{self, HeaderValue};
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// The script, as served.
pub const WIDGET_JS: &str = include_str!("../../web/widget/widget.js");

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(widget_js))
}

/// The widget script: `<script src="/widget.js" data-vouchgraph-key="pk_live_…"
/// data-widget="badge|list|refer" …>`. See docs/partners.md for its attributes.
#[utoipa::path(get, path = "/widget.js", tag = "widgets", security(()),
    responses((status = 200, description = "The script", content_type = "text/javascript")))]
async fn widget_js() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            // Short: partners cannot add a version to the URL in their pages, so a fix must
            // reach them within minutes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        WIDGET_JS,
    )
}
