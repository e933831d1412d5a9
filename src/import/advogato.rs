//! KONECT's `advogato`: `out.advogato` ("source_id target_id trust_value", space-separated,
//! after a header line) and `ent.advogato.user.name`, whose line k after its header names id k.
//!
//! Advogato certified people at three levels, which map onto ours one to one: apprentice (0.6)
//! -> 1 "knows", journeyer (0.8) -> 2 "trusts their judgement", master (1.0) -> 3 "trusts
//! completely". The site's original trust seeds, raph, miguel, federico and alan, are marked
//! pre-trusted, so the global prior restarts where Advogato's own trust metric did.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::domain::TrustLevel;

use super::input;
use super::network::{Fact, Network};
use super::table::{read_rows_from, LineError};

/// The edge file's name in the KONECT folder.
pub const EDGE_FILE: &str = "out.advogato";
/// The user-name file's name, beside the edge file.
pub const NAME_FILE: &str = "ent.advogato.user.name";
/// Advogato's original trust seeds, by user name.
pub const SEEDS: [&str; 4] = ["raph", "miguel", "federico", "alan"];

/// Reads the network from the KONECT folder, or from `out.advogato` with the name file beside it;
/// either file may be gzip-compressed.
///
/// # Errors
/// A file is missing or unreadable, or a line is malformed (named by its line number).
pub fn read(path: &Path) -> anyhow::Result<Network> {
    let (edges, names) = locate(path)?;
    read_from(input::open(&names)?, &names, input::open(&edges)?, &edges)
}

/// [`read`] from the user-name text and the edge text; the paths only name them in errors.
///
/// # Errors
/// A text is unreadable, or a line is malformed (named by its line number).
pub fn read_from(
    names: impl BufRead,
    names_path: &Path,
    edges: impl BufRead,
    edges_path: &Path,
) -> anyhow::Result<Network> {
    let mut network = Network::new();
    read_names(names, names_path, &mut network)?;
    for seed in SEEDS {
        // Names are unique on Advogato; a seed missing from the file is simply not marked.
        let found = network
            .people()
            .iter()
            .position(|p| p.name.as_deref() == Some(seed));
        if let Some(index) = found {
            network.set_pre_trusted(index as u32);
        }
    }
    read_rows_from(edges, edges_path, |row| {
        let source = row.field(0, "source id")?;
        if row.first && source.parse::<u64>().is_err() {
            return Ok(()); // the header "source_id target_id trust_value"
        }
        let from = parse_id(source)?;
        let to = parse_id(row.field(1, "target id")?)?;
        let level = parse_level(row.field(2, "trust value")?)?;
        network.edge(&from.to_string(), &to.to_string(), Fact::Trust(level));
        Ok(())
    })?;
    Ok(network)
}

/// The edge file and the name file for a folder or an edge-file path; either may be
/// gzip-compressed, as `out.advogato.gz` or `ent.advogato.user.name.gz` (see [`input::resolve`]).
fn locate(path: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let edges = input::resolve(&if path.is_dir() {
        path.join(EDGE_FILE)
    } else {
        path.to_owned()
    });
    let folder = edges.parent().unwrap_or(Path::new("."));
    let names = input::resolve(&folder.join(NAME_FILE));
    if !edges.is_file() {
        bail!("no Advogato edge file at {}", edges.display());
    }
    if !names.is_file() {
        bail!(
            "the Advogato user-name file {NAME_FILE} is not beside {}",
            edges.display()
        );
    }
    Ok((edges, names))
}

/// Reads the names: line 1 is the header, line k + 1 names id k. Read line by line rather than
/// as rows, because a name is a whole line and no line may be skipped without shifting ids.
fn read_names(names: impl BufRead, path: &Path, network: &mut Network) -> anyhow::Result<()> {
    for (index, line) in names.lines().enumerate() {
        let line_number = index as u64 + 1;
        let line = line.map_err(|e| LineError {
            path: path.to_owned(),
            line: line_number,
            message: format!("unreadable ({e})"),
        })?;
        if index == 0 {
            continue; // the header "user_name"
        }
        let name = line.trim_start_matches('\u{feff}').trim();
        let person = network.person(&index.to_string());
        if !name.is_empty() {
            network.set_name(person, name);
        }
    }
    Ok(())
}

fn parse_id(field: &str) -> Result<u64, String> {
    match field.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!("{field:?} is not a user id (a positive integer)")),
    }
}

/// 0.6, 0.8 and 1.0 (however written: ".8", "0.80", "1") to levels 1, 2 and 3.
pub fn parse_level(field: &str) -> Result<TrustLevel, String> {
    let value: f64 = field
        .parse()
        .map_err(|_| format!("trust value {field:?} is not a number"))?;
    [
        (0.6, TrustLevel::KNOW),
        (0.8, TrustLevel::JUDGEMENT),
        (1.0, TrustLevel::COMPLETE),
    ]
    .into_iter()
    .find(|(level_value, _)| (value - level_value).abs() < 1e-9)
    .map(|(_, level)| level)
    .ok_or_else(|| {
        format!(
            "trust value {field:?} is not one of 0.6, 0.8 and 1.0 (apprentice, journeyer, master)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_certification_levels_map_to_ours_one_to_one() {
        assert_eq!(parse_level(".6"), Ok(TrustLevel::KNOW));
        assert_eq!(parse_level("0.8"), Ok(TrustLevel::JUDGEMENT));
        assert_eq!(parse_level("1"), Ok(TrustLevel::COMPLETE));
        assert!(parse_level("0.7").unwrap_err().contains("0.6, 0.8 and 1.0"));
    }
}
