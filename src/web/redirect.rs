//! Redirects and query values: a 303 after every form, and percent-encoding.

use axum::response::{IntoResponse, Redirect, Response};

/// A 303 to `to`: where every successful form post goes, so a reload does not post again.
/// Bytes a header may not hold (spaces, controls, non-ASCII) are percent-encoded, so no typed
/// value can break the header.
pub fn see_other(to: &str) -> Response {
    let mut location = String::with_capacity(to.len());
    for byte in to.bytes() {
        if (0x21..=0x7e).contains(&byte) {
            location.push(byte as char);
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    Redirect::to(&location).into_response()
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
