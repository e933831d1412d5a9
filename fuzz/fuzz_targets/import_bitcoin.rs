//! SNAP's signed Bitcoin networks (`vouchgraph::import::bitcoin::read_from`, the reader of
//! `vouchgraph import bitcoin-otc|bitcoin-alpha`), on any bytes.
//!
//! Checks: no panic; an accepted network satisfies the network invariants (trust levels 1 to 3,
//! distrust in (0, 1], no self-loops, one fact per pair, counts add up) and its ids are whole
//! numbers written canonically; written back as a CSV it reads as the same network (the
//! rating mapping round-trips); a refusal names a line the text has. Each row's rating field
//! is also checked against `rating_fact` directly.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use vouchgraph::import::bitcoin::{rating_fact, read_from};
use vouchgraph::import::{Fact, Network};
use vouchgraph_fuzz::{
    check_fact, check_line_error, check_network, input_path, keyed_edges, line_count,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines().take(64) {
            if let Some(field) = line.split(',').nth(2) {
                check_rating(field.trim());
            }
        }
    }
    match read_from(data, input_path()) {
        Ok(network) => {
            check_network(&network);
            for person in network.people() {
                let id: u64 = person.key.parse().expect("ids are whole numbers");
                assert_eq!(id.to_string(), &*person.key);
            }
            let again = read_from(written(&network).as_bytes(), input_path())
                .expect("a written network reads back");
            assert_eq!(keyed_edges(&network), keyed_edges(&again));
        }
        Err(error) => check_line_error(&error, line_count(data)),
    }
});

/// `rating_fact` accepts exactly the whole numbers -10 to 10 but 0, in their bands.
fn check_rating(field: &str) {
    let rating = field
        .parse::<i32>()
        .ok()
        .filter(|r| (-10..=10).contains(r) && *r != 0);
    match (rating_fact(field), rating) {
        (Ok(fact), Some(rating)) => {
            check_fact(fact);
            match fact {
                Fact::Trust(level) => {
                    let band = match rating {
                        1..=3 => 1,
                        4..=7 => 2,
                        _ => 3,
                    };
                    assert_eq!(level.get(), band, "{field:?}");
                }
                Fact::Distrust(strength) => {
                    assert!(rating < 0, "{field:?}");
                    assert_eq!(strength, rating.unsigned_abs() as f32 / 10.0, "{field:?}");
                }
            }
        }
        (Err(message), None) => assert!(!message.is_empty()),
        (result, rating) => panic!("{field:?}: {result:?} for {rating:?}"),
    }
}

/// The network as an OTC file: a header, then one row per edge with a rating of its band.
fn written(network: &Network) -> String {
    let mut csv = String::from("Source,Target,Weight,Timestamp\n");
    let people = network.people();
    for edge in network.edges() {
        let rating = match edge.fact {
            Fact::Trust(level) => [0, 1, 4, 8][level.get() as usize],
            Fact::Distrust(strength) => -((strength * 10.0).round() as i32),
        };
        let (from, to) = (
            &people[edge.from as usize].key,
            &people[edge.to as usize].key,
        );
        writeln!(csv, "{from},{to},{rating},1289241911.72836").unwrap();
    }
    csv
}
