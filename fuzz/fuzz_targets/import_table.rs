//! The row reader under every import format and the evaluation inputs
//! (`vouchgraph::import::table::read_rows_from`), on any bytes.
//!
//! Checks: no panic; rows come in increasing line order, only the first is marked first, no
//! field carries surrounding whitespace, no blank or comment line is a row;
//! a refusal is a `LineError` naming a line the text has.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouchgraph::import::table::read_rows_from;
use vouchgraph_fuzz::{check_line_error, input_path, line_count};

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut last_line = 0u64;
    let mut rows = 0usize;
    let result = read_rows_from(data, input_path(), |row| {
        assert!(row.line > last_line, "line {} after {last_line}", row.line);
        assert_eq!(row.first, rows == 0, "line {}", row.line);
        assert!(
            !row.fields.is_empty(),
            "a row without fields at line {}",
            row.line
        );
        for field in row.fields {
            assert_eq!(
                *field,
                field.trim(),
                "an untrimmed field at line {}",
                row.line
            );
        }
        let raw = lines
            .get(row.line as usize - 1)
            .expect("a line the text has");
        let raw = if row.line == 1 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        let raw = std::str::from_utf8(raw).expect("a row is UTF-8").trim();
        assert!(
            !raw.is_empty() && !raw.starts_with(['%', '#']),
            "a blank or comment line read as a row at line {}",
            row.line
        );
        last_line = row.line;
        rows += 1;
        // Refuse some rows, to check that a refusal names the row's line.
        if row.fields[0] == "refuse" {
            return Err("refused".into());
        }
        Ok(())
    });
    if let Err(error) = result {
        check_line_error(&error, line_count(data));
    }
});
