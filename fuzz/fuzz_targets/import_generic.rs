//! The generic format `truster,trustee[,weight]` (`vouchgraph::import::generic::read_from`, the
//! reader of `vouchgraph import csv`), on any bytes.
//!
//! Checks: no panic; an accepted network satisfies the network invariants (trust levels 1 to 3,
//! distrust in (0, 1], no self-loops, one fact per pair, counts add up); written back as a
//! quoted CSV with a header it reads as the same network, keys and facts alike; a refusal
//! names a line the text has. Each row's weight field is also checked against `weight_fact`.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use vouchgraph::import::generic::{read_from, weight_fact};
use vouchgraph::import::{Fact, Network};
use vouchgraph_fuzz::{
    check_fact, check_line_error, check_network, input_path, keyed_edges, line_count,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines().take(64) {
            for field in line
                .split([',', ' ', '\t'])
                .filter(|f| !f.is_empty())
                .take(4)
            {
                check_weight(field);
            }
        }
    }
    match read_from(data, input_path()) {
        Ok(network) => {
            check_network(&network);
            let csv = written(&network);
            let again = read_from(csv.as_bytes(), input_path())
                .unwrap_or_else(|e| panic!("a written network reads back: {e:#}\n{csv}"));
            assert_eq!(keyed_edges(&network), keyed_edges(&again), "{csv}");
        }
        Err(error) => check_line_error(&error, line_count(data)),
    }
});

/// `weight_fact` accepts exactly the numbers ±1, ±2 and ±3, as the levels and strengths
/// the format documents.
fn check_weight(field: &str) {
    let weight = field.parse::<f64>().ok();
    match weight_fact(field) {
        Ok(fact) => {
            check_fact(fact);
            let weight = weight.expect("an accepted weight is a number");
            match fact {
                Fact::Trust(level) => assert_eq!(f64::from(level.get()), weight, "{field:?}"),
                Fact::Distrust(strength) => {
                    assert_eq!(strength, (-weight / 3.0) as f32, "{field:?}");
                    assert!([-1.0, -2.0, -3.0].contains(&weight), "{field:?}");
                }
            }
        }
        Err(message) => {
            assert!(!message.is_empty());
            assert!(![1.0, 2.0, 3.0, -1.0, -2.0, -3.0].contains(&weight.unwrap_or(0.0)));
        }
    }
}

/// A field as a spreadsheet quotes it: in double quotes, a `"` inside doubled.
fn quoted(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// The network as a generic file: a header, then one quoted row per edge.
fn written(network: &Network) -> String {
    let mut csv = String::from("truster,trustee,weight\n");
    let people = network.people();
    for edge in network.edges() {
        let weight = match edge.fact {
            Fact::Trust(level) => i32::from(level.get()),
            Fact::Distrust(strength) => -((strength * 3.0).round() as i32),
        };
        let (from, to) = (
            &people[edge.from as usize].key,
            &people[edge.to as usize].key,
        );
        writeln!(csv, "{},{},{weight}", quoted(from), quoted(to)).unwrap();
    }
    csv
}
