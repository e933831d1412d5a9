//! The HTTP API's query parameters, through the real extractor
//! (`vouchgraph::http::extract::Query`, as the handlers receive them) and the handlers'
//! validation functions, on any query string. The first byte picks the parameter struct, the
//! rest is the query string (inputs that are not a valid request target are skipped, as the
//! HTTP server would refuse them before any handler).
//!
//! Checks: no panic; a query the extractor refuses is a 400; what validation accepts is in
//! range (`limit` 1 to 100, a place with a latitude in [-90, 90] and a longitude in [-180, 180],
//! days that write back as themselves), and what it refuses is a 422 naming only the fields
//! of the request.
#![no_main]

use axum::extract::FromRequestParts;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use time::macros::format_description;
use vouchgraph::error::ApiError;
use vouchgraph::http::extract::Query;
use vouchgraph::http::insights::{parse_day, RangeParams};
use vouchgraph::http::notifications::InboxParams;
use vouchgraph::http::people::FindPeopleQuery;
use vouchgraph::http::referrals::{parse_list, ListParams};
use vouchgraph::http::search::{parse_near, SearchParams, WhyParams};
use vouchgraph::http::validate::Fields;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, query)) = data.split_first() else {
        return;
    };
    let Ok(query) = std::str::from_utf8(query) else {
        return;
    };
    let Ok(request) = Request::builder().uri(format!("/v1/fuzz?{query}")).body(()) else {
        return;
    };
    let (mut parts, ()) = request.into_parts();
    match pick % 6 {
        0 => {
            if let Some(params) = extract::<SearchParams>(&mut parts) {
                search(&params);
            }
        }
        1 => {
            extract::<WhyParams>(&mut parts);
        }
        2 => {
            if let Some(query) = extract::<FindPeopleQuery>(&mut parts) {
                let _ = query.q.trim().chars().count();
            }
        }
        3 => {
            if let Some(params) = extract::<ListParams>(&mut parts) {
                list(&params);
            }
        }
        4 => {
            if let Some(range) = extract::<RangeParams>(&mut parts) {
                days(&range);
            }
        }
        _ => {
            extract::<InboxParams>(&mut parts);
        }
    }
});

/// Runs the extractor; a refusal must be a 400.
fn extract<T: DeserializeOwned>(parts: &mut axum::http::request::Parts) -> Option<T> {
    match futures::executor::block_on(Query::<T>::from_request_parts(parts, &())) {
        Ok(Query(params)) => Some(params),
        Err(ApiError::BadRequest(message)) => {
            assert!(!message.is_empty());
            None
        }
        Err(other) => panic!("a malformed query answered {other:?}"),
    }
}

/// The fields a 422 names.
fn refused_fields(result: Result<(), ApiError>) -> Vec<String> {
    match result {
        Ok(()) => Vec::new(),
        Err(ApiError::Unprocessable(errors)) => {
            assert!(!errors.is_empty());
            errors.into_iter().map(|e| e.field).collect()
        }
        Err(other) => panic!("validation answered {other:?}"),
    }
}

fn search(params: &SearchParams) {
    let mut fields = Fields::new();
    let near = parse_near(&mut fields, params.lat, params.lon);
    let refused = refused_fields(fields.finish());
    assert!(
        refused.iter().all(|f| f == "lat" || f == "lon"),
        "{refused:?}"
    );
    match near {
        Some((lat, lon)) => {
            assert!(refused.is_empty());
            assert!(lat.is_finite() && (-90.0..=90.0).contains(&lat), "{lat}");
            assert!(lon.is_finite() && (-180.0..=180.0).contains(&lon), "{lon}");
            assert_eq!((Some(lat), Some(lon)), (params.lat, params.lon));
        }
        None => assert!(
            !refused.is_empty() || (params.lat.is_none() && params.lon.is_none()),
            "a place dropped without a reason"
        ),
    }
}

fn list(params: &ListParams) {
    match parse_list(params) {
        Ok(filter) => {
            assert!((1..=100).contains(&filter.limit), "{}", filter.limit);
            assert_eq!(filter.status.is_some(), params.status.is_some());
            assert_eq!(
                filter.before,
                params.cursor.as_ref().map(|c| c.parse().unwrap())
            );
        }
        Err(error) => {
            let refused = refused_fields(Err(error));
            let known = ["status", "cursor", "limit"];
            assert!(
                refused.iter().all(|f| known.contains(&f.as_str())),
                "{refused:?}"
            );
        }
    }
}

fn days(range: &RangeParams) {
    let format = format_description!("[year]-[month]-[day]");
    let mut fields = Fields::new();
    for (name, raw) in [("from", &range.from), ("to", &range.to)] {
        if let Some(day) = parse_day(&mut fields, name, raw) {
            let text = day.format(&format).expect("a day formats");
            let mut again = Fields::new();
            assert_eq!(
                parse_day(&mut again, name, &Some(text.clone())),
                Some(day),
                "{text}"
            );
        }
    }
    let refused = refused_fields(fields.finish());
    assert!(
        refused.iter().all(|f| f == "from" || f == "to"),
        "{refused:?}"
    );
    let given = usize::from(range.from.is_some()) + usize::from(range.to.is_some());
    assert!(refused.len() <= given);
}
