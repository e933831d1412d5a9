//! SNAP's signed Bitcoin networks, `soc-sign-bitcoinotc` and `soc-sign-bitcoinalpha`: rows
//! `source,target,rating[,timestamp]` with ratings from -10 (fraudster) to +10 (total trust).
//! OTC's file has a header; Alpha's has none but starts with a byte-order mark and ends its
//! lines with CRLF, which the row reader takes care of.
//!
//! Positive ratings become trust, in three bands of the scale's own wording ("1: know them a
//! little" ... "10: total trust"): 1-3 -> level 1 "knows", 4-7 -> level 2 "trusts their
//! judgement", 8-10 -> level 3 "trusts completely". Negative ratings become distrust of strength
//! |rating| / 10 (a -10 fraud report is 1.0), never trust. A rating of 0 does not occur in the
//! published data and is refused as a malformed line.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::domain::TrustLevel;

use super::input;
use super::network::{Fact, Network};
use super::table::read_rows_from;

/// Reads a signed network from its CSV file, or from a folder holding exactly one CSV file; the
/// file may be gzip-compressed (`.csv.gz`, as SNAP publishes it).
///
/// # Errors
/// The file is missing or unreadable, or a line is malformed (named by its line number).
pub fn read(path: &Path) -> anyhow::Result<Network> {
    let path = locate(path)?;
    read_from(input::open(&path)?, &path)
}

/// [`read`] from the CSV text; `path` only names it in errors.
///
/// # Errors
/// The text is unreadable, or a line is malformed (named by its line number).
pub fn read_from(csv: impl BufRead, path: &Path) -> anyhow::Result<Network> {
    let mut network = Network::new();
    read_rows_from(csv, path, |row| {
        let source = row.field(0, "source id")?;
        if row.first && source.parse::<u64>().is_err() {
            return Ok(()); // OTC's header "Source,Target,Weight,Timestamp"
        }
        let from = parse_id(source)?;
        let to = parse_id(row.field(1, "target id")?)?;
        let fact = rating_fact(row.field(2, "rating")?)?;
        network.edge(&from.to_string(), &to.to_string(), fact);
        Ok(())
    })?;
    Ok(network)
}

/// What a rating from -10 to 10 says: see the module documentation.
pub fn rating_fact(field: &str) -> Result<Fact, String> {
    let rating: i32 = field
        .parse()
        .map_err(|_| format!("rating {field:?} is not a whole number from -10 to 10"))?;
    let level = match rating {
        1..=3 => TrustLevel::KNOW,
        4..=7 => TrustLevel::JUDGEMENT,
        8..=10 => TrustLevel::COMPLETE,
        -10..=-1 => return Ok(Fact::Distrust(rating.unsigned_abs() as f32 / 10.0)),
        _ => return Err(format!("rating {rating} is not from -10 to -1 or 1 to 10")),
    };
    Ok(Fact::Trust(level))
}

fn locate(path: &Path) -> anyhow::Result<PathBuf> {
    if !path.is_dir() {
        return Ok(input::resolve(path));
    }
    let csvs: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(".csv") || name.ends_with(".csv.gz"))
        })
        .collect();
    match csvs.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "{} holds {} CSV files; name the one to import",
            path.display(),
            csvs.len()
        ),
    }
}

fn parse_id(field: &str) -> Result<u64, String> {
    field
        .parse::<u64>()
        .map_err(|_| format!("{field:?} is not a user id (a whole number)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_map_to_three_trust_bands_and_negatives_to_distrust() {
        assert_eq!(rating_fact("1"), Ok(Fact::Trust(TrustLevel::KNOW)));
        assert_eq!(rating_fact("3"), Ok(Fact::Trust(TrustLevel::KNOW)));
        assert_eq!(rating_fact("4"), Ok(Fact::Trust(TrustLevel::JUDGEMENT)));
        assert_eq!(rating_fact("7"), Ok(Fact::Trust(TrustLevel::JUDGEMENT)));
        assert_eq!(rating_fact("8"), Ok(Fact::Trust(TrustLevel::COMPLETE)));
        assert_eq!(rating_fact("10"), Ok(Fact::Trust(TrustLevel::COMPLETE)));
        assert_eq!(rating_fact("-10"), Ok(Fact::Distrust(1.0)));
        assert_eq!(rating_fact("-1"), Ok(Fact::Distrust(0.1)));
        assert!(rating_fact("0").is_err());
        assert!(rating_fact("11").is_err());
        assert!(rating_fact("x").is_err());
    }
}
