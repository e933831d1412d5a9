//! Reading answers: JSON bodies and RFC 9457 problems.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// Asserts the status and parses the JSON body; on a mismatch, shows the body.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("a readable body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the body is not JSON ({e}): {text}"))
}

/// Asserts that `response` is an RFC 9457 problem with `status`: `application/problem+json`,
/// a `status` member equal to it, and `type`, `title` and `detail` strings (every problem the
/// server sends has all three, so a client can always show something); returns its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], json!(status.as_u16()), "body: {body}");
    for member in ["type", "title", "detail"] {
        assert!(
            body[member].is_string(),
            "the problem has no {member:?}: {body}"
        );
    }
    body
}

/// Asserts that a 422 problem names `field` among its `errors`.
pub fn assert_names_field(problem: &Value, field: &str) {
    let named = problem["errors"]
        .as_array()
        .is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
    assert!(named, "expected an error on {field:?}, got {problem}");
}

/// Asserts a 422 problem naming `field`; returns its body.
pub async fn assert_invalid_field(response: Response, field: &str) -> Value {
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_names_field(&problem, field);
    problem
}
