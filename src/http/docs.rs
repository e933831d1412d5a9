//! The OpenAPI document: generated from the handlers, plus security schemes and the problem
//! responses every operation can return.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::Modify;

use crate::error::{FieldError, Problem};

/// The document's fixed parts; paths come from the routers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "vouchgraph",
        description = "Find tradespeople through the people you trust, and see why.",
        version = "0.1.0"
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&SecurityAndProblems),
    tags(
        (name = "accounts", description = "Sign-up, login and the signed-in account"),
        (name = "email", description = "Confirming an address, password reset and email preferences"),
        (name = "trust", description = "Whom you trust"),
        (name = "providers", description = "Businesses and trades"),
        (name = "vouches", description = "Recommendations and warnings"),
        (name = "people", description = "Public profiles"),
        (name = "search", description = "Ranking providers by who vouches for them"),
        (name = "referrals", description = "Referrals, the inbox and provider insights"),
        (name = "requests", description = "Asking your circle for a recommendation, and answering"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct SecurityAndProblems;

impl Modify for SecurityAndProblems {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The session token from POST /v1/sessions"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "vg_session",
                "The session cookie set by POST /v1/sessions; writes also need X-CSRF-Token",
            ))),
        );
    }
}

/// Adds the problem responses to every operation, after all routers are merged.
pub fn add_problem_responses(openapi: &mut OpenApi) {
    let problems = [
        ("400", "The request is malformed"),
        ("401", "No valid session"),
        ("403", "Not allowed for this caller"),
        ("404", "Not found"),
        ("409", "Conflicts with the current state"),
        ("413", "The body is too large"),
        ("415", "The body is not JSON"),
        ("422", "Invalid fields"),
        ("429", "Too many requests"),
        ("500", "Unexpected error"),
        ("503", "The database is unavailable"),
    ];
    for item in openapi.paths.paths.values_mut() {
        let operations: [&mut Option<Operation>; 5] = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (code, description) in problems {
                operation
                    .responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| {
                        ResponseBuilder::new()
                            .description(description)
                            .content(
                                "application/problem+json",
                                ContentBuilder::new()
                                    .schema(Some(Ref::from_schema_name("Problem")))
                                    .build(),
                            )
                            .build()
                            .into()
                    });
            }
        }
    }
}
