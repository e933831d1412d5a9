//! Properties shared by the fuzz targets: what every network read from any text must satisfy,
//! and what every refusal must say.

use std::collections::HashSet;
use std::path::Path;

use vouchgraph::import::table::LineError;
use vouchgraph::import::{Fact, Network};

/// The name the fuzzed text goes by in error messages.
pub const INPUT: &str = "fuzz-input";

/// The path the readers are given for the fuzzed text.
pub fn input_path() -> &'static Path {
    Path::new(INPUT)
}

/// The number of lines `text` has, as the row reader counts them (a last line without a line
/// end counts).
pub fn line_count(text: &[u8]) -> u64 {
    let ends = text.iter().filter(|&&b| b == b'\n').count() as u64;
    if text.last().is_some_and(|&b| b != b'\n') {
        ends + 1
    } else {
        ends
    }
}

/// A fact is one of the three trust levels, or a distrust strength in (0, 1].
pub fn check_fact(fact: Fact) {
    match fact {
        Fact::Trust(level) => assert!((1..=3).contains(&level.get()), "{fact:?}"),
        Fact::Distrust(strength) => {
            assert!(
                strength.is_finite() && strength > 0.0 && strength <= 1.0,
                "{fact:?}"
            )
        }
    }
}

/// A network's people are unique by key and findable, its edges join two different known
/// people, one per ordered pair, and its counts add up.
pub fn check_network(network: &Network) {
    let people = network.people();
    for (index, person) in people.iter().enumerate() {
        assert!(!person.key.is_empty(), "an empty key at {index}");
        assert_eq!(
            network.find(&person.key),
            Some(index as u32),
            "{:?}",
            person.key
        );
    }
    let mut pairs = HashSet::new();
    for edge in network.edges() {
        assert_ne!(edge.from, edge.to, "a self-loop was kept");
        assert!((edge.from as usize) < people.len() && (edge.to as usize) < people.len());
        assert!(pairs.insert((edge.from, edge.to)), "a pair twice: {edge:?}");
        check_fact(edge.fact);
    }
    let counts = network.counts();
    assert_eq!(
        counts.edge_rows,
        network.edges().len() + counts.self_loops + counts.repeats,
        "{counts:?}"
    );
    let trust = network.trust_edges().count();
    let distrust = network.distrust_edges().count();
    assert_eq!(trust + distrust, network.edges().len());
}

/// A refusal of a text holding `lines` lines is a [`LineError`] naming the input and a line
/// that exists, and its message says which.
pub fn check_line_error(error: &anyhow::Error, lines: u64) {
    let line_error = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<LineError>())
        .unwrap_or_else(|| panic!("a refusal without a line number: {error:#}"));
    assert!(
        (1..=lines).contains(&line_error.line),
        "line {} of {lines}: {error:#}",
        line_error.line
    );
    assert!(!line_error.message.is_empty(), "{error:#}");
    let text = format!("{error:#}");
    assert!(text.contains(INPUT), "{text}");
    assert!(
        text.contains(&format!("line {}", line_error.line)),
        "{text}"
    );
}

/// A network's edges by the people's keys in the file (not their dense indices), so that two
/// reads of the same edges written differently compare equal.
pub fn keyed_edges(network: &Network) -> Vec<(String, String, Fact)> {
    let people = network.people();
    network
        .edges()
        .iter()
        .map(|e| {
            let key = |i: u32| people[i as usize].key.to_string();
            (key(e.from), key(e.to), e.fact)
        })
        .collect()
}
