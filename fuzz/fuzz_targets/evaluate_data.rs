//! The inputs of `vouchgraph predict` (`vouchgraph::evaluate::data::read_ratings_from` and
//! `read_queries_from`), on any bytes: the text up to the first NUL byte is the ratings file,
//! the rest the queries file.
//!
//! Checks: no panic; accepted ratings are finite, one per (rater, item), with raters among the
//! people and items among the items, and their scale spans them; queries point at known people
//! and items; a refusal names a line of the file it is about (an empty ratings file excepted,
//! which is refused as such).
#![no_main]

use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vouchgraph::evaluate::data::{read_queries_from, read_ratings_from};
use vouchgraph::import::Network;
use vouchgraph_fuzz::{check_line_error, line_count, INPUT};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let ratings_text = &data[..split];
    let queries_text = data.get(split + 1..).unwrap_or_default();
    let ratings_path = Path::new(INPUT).join("ratings.csv");
    let queries_path = Path::new(INPUT).join("queries.csv");
    let mut people = Network::new();
    let mut ratings = match read_ratings_from(ratings_text, &ratings_path, &mut people) {
        Ok(ratings) => ratings,
        Err(error) if format!("{error}").ends_with("holds no ratings") => return,
        Err(error) => return check_line_error(&error, line_count(ratings_text)),
    };
    let rows = ratings.rows();
    assert!(!rows.is_empty());
    let mut pairs = HashSet::new();
    for rating in rows {
        assert!(rating.value.is_finite(), "{rating:?}");
        assert!(
            (rating.rater as usize) < people.people().len(),
            "{rating:?}"
        );
        assert!((rating.item as usize) < ratings.items().len(), "{rating:?}");
        assert!(
            pairs.insert((rating.rater, rating.item)),
            "{rating:?} twice"
        );
    }
    let (lo, hi) = ratings.scale().expect("ratings have a scale");
    assert!(lo <= hi && rows.iter().all(|r| (lo..=hi).contains(&r.value)));
    let items: HashSet<&str> = ratings.items().iter().map(|i| &**i).collect();
    assert_eq!(items.len(), ratings.items().len(), "an item twice");

    match read_queries_from(queries_text, &queries_path, &mut people, &mut ratings) {
        Ok(queries) => {
            for (seeker, item) in queries {
                assert!((seeker as usize) < people.people().len());
                assert!((item as usize) < ratings.items().len());
            }
        }
        Err(error) => check_line_error(&error, line_count(queries_text)),
    }
});
