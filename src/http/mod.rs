//! The HTTP layer: one file per resource (a folder for `referrals`), each exposing a
//! `router()`; this file assembles the route table, the OpenAPI document and the middleware
//! stack.

pub mod accounts;
pub mod archives;
pub mod auth;
pub mod circle;
pub mod customers;
pub mod docs;
pub mod email;
pub mod extract;
pub mod health;
pub mod insights;
pub mod notifications;
pub mod people;
pub mod places;
pub mod providers;
pub mod referrals;
pub mod requests;
pub mod search;
pub mod sessions;
pub mod trust;
pub mod vouches;
pub mod webhooks;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route with its OpenAPI description, before state is attached.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .merge(health::router())
        .merge(accounts::router())
        .merge(archives::router())
        .merge(email::router())
        .merge(sessions::router())
        .merge(trust::router())
        .merge(circle::router())
        .merge(providers::router())
        .merge(vouches::router())
        .merge(people::router())
        .merge(search::router())
        .merge(places::router())
        .merge(referrals::router())
        .merge(requests::router())
        .merge(notifications::router())
        .merge(insights::router())
        .merge(customers::router())
        .merge(crate::partners::router())
        .merge(webhooks::router())
        .split_for_parts();
    // The partner consent pages are web pages, documented here because partners send their
    // visitors to them.
    openapi.merge(crate::web::partner_link::ConsentDoc::openapi());
    docs::add_problem_responses(&mut openapi);
    (router, openapi)
}

/// The whole application: routes, docs, fallbacks and middleware.
pub fn app(state: AppState) -> Router {
    let (router, openapi) = api();
    let max_body = state.config.max_body_bytes;
    let rate_limits = state.rate_limits.clone();
    router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .merge(crate::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
        // Inside the trace layer, so a 429 is logged with its request id.
        .layer(axum::middleware::from_fn_with_state(
            rate_limits,
            crate::ratelimit::enforce,
        ))
        .layer(
            ServiceBuilder::new()
                // Outermost first: give every request an id, log it, keep secrets out of logs.
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                    HeaderName::from_static("x-csrf-token"),
                ]))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("-");
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), route, request_id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                )),
        )
}

async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal(anyhow::anyhow!("a handler panicked")).into_response()
}
