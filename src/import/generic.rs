//! The generic format: rows `truster,trustee[,weight]`, comma- or whitespace-separated, with an
//! optional header. Ids are any text. The weight is a trust level, 1 ("knows"), 2 ("trusts
//! their judgement") or 3 ("trusts completely"); -1, -2 and -3 state distrust of strength 1/3,
//! 2/3 and 1; with no weight the row means level 1. A first row is taken as a header when its
//! weight is not a number, or when it reads `truster,trustee`.

use std::io::BufRead;
use std::path::Path;

use crate::domain::TrustLevel;

use super::network::{Fact, Network};
use super::table::read_rows_from;

/// Reads a generic trust file, plain or gzip-compressed.
///
/// # Errors
/// The file is missing or unreadable, or a line is malformed (named by its line number).
pub fn read(path: &Path) -> anyhow::Result<Network> {
    let path = super::input::resolve(path);
    read_from(super::input::open(&path)?, &path)
}

/// [`read`] from the text; `path` only names it in errors.
///
/// # Errors
/// The text is unreadable, or a line is malformed (named by its line number).
pub fn read_from(text: impl BufRead, path: &Path) -> anyhow::Result<Network> {
    let mut network = Network::new();
    read_rows_from(text, path, |row| {
        let truster = row.field(0, "truster")?;
        let trustee = row.field(1, "trustee")?;
        let weight = row.fields.get(2).copied().filter(|w| !w.is_empty());
        let is_header = (truster.eq_ignore_ascii_case("truster")
            && trustee.eq_ignore_ascii_case("trustee"))
            || weight.is_some_and(|w| w.parse::<f64>().is_err());
        if row.first && is_header {
            return Ok(());
        }
        let fact = match weight {
            None => Fact::Trust(TrustLevel::KNOW),
            Some(weight) => weight_fact(weight)?,
        };
        network.edge(truster, trustee, fact);
        Ok(())
    })?;
    Ok(network)
}

/// A weight from -3 to 3, not 0: see the module documentation.
pub fn weight_fact(field: &str) -> Result<Fact, String> {
    let weight: f64 = field
        .parse()
        .map_err(|_| format!("weight {field:?} is not a number"))?;
    match weight {
        w if w == 1.0 || w == 2.0 || w == 3.0 => {
            Ok(Fact::Trust(TrustLevel::new(w as u8).expect("1 to 3")))
        }
        w if w == -1.0 || w == -2.0 || w == -3.0 => Ok(Fact::Distrust((-w / 3.0) as f32)),
        _ => Err(format!(
            "weight {field:?} is not a trust level 1, 2 or 3 (or -1, -2, -3 for distrust)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::tests::TempFile;

    #[test]
    fn weights_are_levels_and_negative_weights_distrust() {
        assert_eq!(weight_fact("3"), Ok(Fact::Trust(TrustLevel::COMPLETE)));
        assert_eq!(weight_fact("-3"), Ok(Fact::Distrust(1.0)));
        assert!(weight_fact("0").is_err());
        assert!(weight_fact("2.5").is_err());
    }

    #[test]
    fn a_header_is_skipped_and_a_missing_weight_means_level_one() {
        let file = TempFile::with(b"truster,trustee\nanna,ben\nben,cara,-3\n").unwrap();
        let network = read(&file.0).unwrap();
        let keys: Vec<&str> = network.people().iter().map(|p| &*p.key).collect();
        assert_eq!(keys, ["anna", "ben", "cara"]);
        assert_eq!(
            network.trust_edges().collect::<Vec<_>>(),
            vec![(0, 1, TrustLevel::KNOW)]
        );
        assert_eq!(
            network.distrust_edges().collect::<Vec<_>>(),
            vec![(1, 2, 1.0)]
        );
    }

    #[test]
    fn a_bad_weight_is_refused_with_its_line_number() {
        let file = TempFile::with(b"anna,ben,2\nben,cara,7\n").unwrap();
        let error = read(&file.0).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("\"7\""), "{error}");
    }
}
