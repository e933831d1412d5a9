//! KONECT's Advogato (`vouchgraph::import::advogato::read_from`, the reader of
//! `vouchgraph import advogato`), on any bytes: the text up to the first NUL byte is the
//! user-name file, the rest the edge file.
//!
//! Checks: no panic; an accepted network satisfies the network invariants and has only trust
//! at levels 1 to 3 between positive whole-number ids; line k + 1 of the name file names id k;
//! only people named as Advogato's seeds are pre-trusted; a refusal names a line of the file
//! it is about. Each row's trust value is also checked against `parse_level`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vouchgraph::import::advogato::{parse_level, read_from, SEEDS};
use vouchgraph::import::table::LineError;
use vouchgraph::import::Fact;
use vouchgraph_fuzz::{check_line_error, check_network, line_count, INPUT};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let names = &data[..split];
    let edges = data.get(split + 1..).unwrap_or_default();
    if let Ok(text) = std::str::from_utf8(edges) {
        for line in text.lines().take(64) {
            if let Some(field) = line.split_ascii_whitespace().nth(2) {
                check_level(field);
            }
        }
    }
    let names_path = Path::new(INPUT).join("ent.advogato.user.name");
    let edges_path = Path::new(INPUT).join("out.advogato");
    match read_from(names, &names_path, edges, &edges_path) {
        Ok(network) => {
            check_network(&network);
            for edge in network.edges() {
                assert!(matches!(edge.fact, Fact::Trust(_)), "{edge:?}");
            }
            let name_lines: Vec<&[u8]> = names.split(|&b| b == b'\n').collect();
            for person in network.people() {
                let id: u64 = person.key.parse().expect("ids are whole numbers");
                assert!(id > 0 && id.to_string() == *person.key, "{:?}", person.key);
                if let Some(name) = &person.name {
                    assert!(!name.is_empty() && name.trim() == &**name, "{name:?}");
                    assert!(
                        (id as usize) < name_lines.len(),
                        "{id} named beyond the file"
                    );
                }
                if person.pre_trusted {
                    assert!(SEEDS.contains(&person.name.as_deref().unwrap_or("")));
                }
            }
        }
        Err(error) => {
            let line_error = error
                .chain()
                .find_map(|cause| cause.downcast_ref::<LineError>())
                .unwrap_or_else(|| panic!("a refusal without a line number: {error:#}"));
            let text = if line_error.path == names_path {
                names
            } else {
                edges
            };
            check_line_error(&error, line_count(text));
        }
    }
});

/// `parse_level` accepts exactly the numbers 0.6, 0.8 and 1.0, as levels 1, 2 and 3.
fn check_level(field: &str) {
    let value = field.parse::<f64>().ok();
    let expected = value.and_then(|v| {
        [(0.6, 1), (0.8, 2), (1.0, 3)]
            .into_iter()
            .find(|(level_value, _)| (v - level_value).abs() < 1e-9)
            .map(|(_, level)| level)
    });
    assert_eq!(
        parse_level(field).ok().map(|l| l.get()),
        expected,
        "{field:?}"
    );
}
