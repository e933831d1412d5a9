//! Reading the rows of a delimited text file as published: a UTF-8 byte-order mark, CRLF line
//! ends, a missing final line end, `%` or `#` comment lines (KONECT starts its files with
//! them) and blank lines are all taken in stride. Fields are separated by commas when the first
//! row has one, otherwise by runs of whitespace (spaces, tabs, or any other Unicode whitespace),
//! so one reader serves CSV, TSV and KONECT.
//!
//! Comma-separated fields may be double-quoted (a `""` inside is one `"`), as spreadsheets
//! write them; a quoted field cannot span lines, which no trust-network format needs.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A row refused, with the line it came from (1-based, as an editor counts).
#[derive(Debug, thiserror::Error)]
#[error("{}, line {line}: {message}", path.display())]
pub struct LineError {
    /// The file.
    pub path: PathBuf,
    /// Its line number, counting from 1.
    pub line: u64,
    /// What is wrong with the line.
    pub message: String,
}

/// One row: its line number, and its fields with surrounding whitespace trimmed.
pub struct Row<'a> {
    /// The line number, counting from 1.
    pub line: u64,
    /// Whether this is the first row of the file (the only one that may be a header).
    pub first: bool,
    /// The fields.
    pub fields: &'a [&'a str],
}

impl Row<'_> {
    /// Field `index`, or an error naming it.
    pub fn field(&self, index: usize, name: &str) -> Result<&str, String> {
        self.fields
            .get(index)
            .copied()
            .filter(|field| !field.is_empty())
            .ok_or_else(|| {
                format!(
                    "expected a {name} in column {}, found {} column(s)",
                    index + 1,
                    self.fields.len()
                )
            })
    }
}

/// How a file separates its fields, decided by its first row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separator {
    Comma,
    Whitespace,
}

/// How often a long file reports progress, in lines.
const PROGRESS_EVERY: u64 = 500_000;

/// Calls `each` with every row of the file at `path` (plain or gzip-compressed, see
/// [`super::input::open`]), in order. A row `each` refuses stops the
/// reading with a [`LineError`] naming the line.
///
/// # Errors
/// The file cannot be read, is not UTF-8, or `each` refused a row.
///
/// # Complexity
/// O(size of the file) time; memory for one line at a time.
pub fn read_rows(
    path: &Path,
    each: impl FnMut(&Row<'_>) -> Result<(), String>,
) -> anyhow::Result<()> {
    read_rows_from(super::input::open(path)?, path, each)
}

/// [`read_rows`] over any reader; `path` only names the text in errors and progress logs.
///
/// # Errors
/// The text cannot be read, is not UTF-8, or `each` refused a row.
///
/// # Complexity
/// O(length of the text) time; memory for one line at a time.
pub fn read_rows_from(
    mut reader: impl BufRead,
    path: &Path,
    mut each: impl FnMut(&Row<'_>) -> Result<(), String>,
) -> anyhow::Result<()> {
    let mut buffer = Vec::new();
    let mut separator = None;
    let mut line = 0u64;
    let mut first = true;
    let fail = |line: u64, message: String| LineError {
        path: path.to_owned(),
        line,
        message,
    };
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            break;
        }
        line += 1;
        if line.is_multiple_of(PROGRESS_EVERY) {
            tracing::info!(file = %path.display(), line, "reading");
        }
        let mut bytes = buffer.as_slice();
        if line == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| fail(line, format!("not UTF-8 text ({e})")))?;
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('%') || trimmed.starts_with('#') {
            continue;
        }
        let separator = *separator.get_or_insert(if trimmed.contains(',') {
            Separator::Comma
        } else {
            Separator::Whitespace
        });
        let unquoted: Vec<String>;
        let fields: Vec<&str> = match separator {
            // The same whitespace as `trim` above, so no field keeps any at its ends.
            Separator::Whitespace => trimmed.split_whitespace().collect(),
            Separator::Comma if !trimmed.contains('"') => {
                trimmed.split(',').map(str::trim).collect()
            }
            Separator::Comma => {
                unquoted = split_quoted(trimmed).map_err(|message| fail(line, message))?;
                unquoted.iter().map(|field| field.trim()).collect()
            }
        };
        let row = Row {
            line,
            first,
            fields: &fields,
        };
        each(&row).map_err(|message| fail(line, message))?;
        first = false;
    }
    Ok(())
}

/// Splits a comma-separated line whose fields may be double-quoted.
fn split_quoted(line: &str) -> Result<Vec<String>, String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        let field = fields.last_mut().expect("never empty");
        match (c, quoted) {
            ('"', false) => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            (',', false) => fields.push(String::new()),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    Ok(fields)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes `text` to a file of its own and reads it back.
    pub(crate) fn rows_of(text: &[u8]) -> anyhow::Result<Vec<(u64, Vec<String>)>> {
        let file = TempFile::with(text)?;
        let mut rows = Vec::new();
        read_rows(&file.0, |row| {
            rows.push((row.line, row.fields.iter().map(|f| f.to_string()).collect()));
            Ok(())
        })?;
        Ok(rows)
    }

    /// A file in the temporary directory, deleted on drop.
    pub(crate) struct TempFile(pub(crate) PathBuf);

    impl TempFile {
        pub(crate) fn with(text: &[u8]) -> std::io::Result<TempFile> {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("vouchgraph-{}-{n}.txt", std::process::id());
            let path = std::env::temp_dir().join(name);
            std::fs::write(&path, text)?;
            Ok(TempFile(path))
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn a_byte_order_mark_crlf_and_a_missing_last_line_end_are_taken_in_stride() {
        let rows = rows_of(b"\xEF\xBB\xBF1,7188,10\r\n430,1,-2").unwrap();
        assert_eq!(rows[0], (1, vec!["1".into(), "7188".into(), "10".into()]));
        assert_eq!(rows[1], (2, vec!["430".into(), "1".into(), "-2".into()]));
    }

    #[test]
    fn konect_comments_and_whitespace_runs_are_read_with_their_line_numbers() {
        let rows = rows_of(b"% sym unweighted\n\n1  2\t.8\n").unwrap();
        assert_eq!(rows, vec![(3, vec!["1".into(), "2".into(), ".8".into()])]);
    }

    #[test]
    fn every_kind_of_whitespace_separates_fields_as_it_trims_lines() {
        let rows = rows_of("1 2 .8\n3\u{b}4\u{a0}1\n5 \u{b},6\n".as_bytes()).unwrap();
        assert_eq!(rows[0].1, ["1", "2", ".8"]);
        assert_eq!(rows[1], (2, vec!["3".into(), "4".into(), "1".into()]));
        assert_eq!(rows[2].1, ["5", ",6"]);
    }

    #[test]
    fn quoted_fields_may_hold_commas_and_quotes() {
        let rows = rows_of(b"\"Smith, Anna\",\"say \"\"hi\"\"\",3\n").unwrap();
        assert_eq!(
            rows[0].1,
            vec!["Smith, Anna".to_string(), "say \"hi\"".into(), "3".into()]
        );
    }

    #[test]
    fn a_refused_row_names_its_line() {
        let file = TempFile::with(b"a,b\nc,d\n").unwrap();
        let error = read_rows(&file.0, |row| {
            if row.line == 2 {
                Err("bad".into())
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert!(error.to_string().ends_with("line 2: bad"), "{error}");
    }
}
