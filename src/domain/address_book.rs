//! The email addresses in an address book, as phones and mail programs export it: vCard
//! (`.vcf`, versions 2.1, 3.0 and 4.0) or CSV (any columns; every cell that is an address
//! counts).
//!
//! The vCard reading is deliberately lenient rather than a validating RFC 6350 parser: real
//! exports are mostly vCard 2.1 and 3.0, carry vendor properties and photos, and a strict
//! parser refuses the whole file for one odd line. Only `EMAIL` values are read; everything
//! else (names, numbers, photos) is never looked at, and nothing is kept.

use super::values::Email;

/// Why an address book could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum BookError {
    /// Nothing in it looks like an email address.
    NoAddresses,
    /// More distinct addresses than one import may hold.
    TooMany {
        /// The most allowed.
        most: usize,
    },
}

impl std::fmt::Display for BookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BookError::NoAddresses => write!(
                f,
                "no email addresses found: paste a vCard (.vcf) or CSV export of your contacts"
            ),
            BookError::TooMany { most } => write!(
                f,
                "more than {most} addresses: import your contacts in smaller parts"
            ),
        }
    }
}

/// The distinct addresses in `text`, lower-cased, in the order they first appear; at most
/// `most` of them.
pub fn addresses(text: &str, most: usize) -> Result<Vec<Email>, BookError> {
    let found = if text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        from_vcard(text)
    } else {
        from_csv(text)
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for email in found {
        if seen.insert(email.as_str().to_string()) {
            if out.len() == most {
                return Err(BookError::TooMany { most });
            }
            out.push(email);
        }
    }
    if out.is_empty() {
        return Err(BookError::NoAddresses);
    }
    Ok(out)
}

/// `EMAIL` properties, after unfolding continuation lines (RFC 6350 §3.2, RFC 2425 §5.8.1).
fn from_vcard(text: &str) -> Vec<Email> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match (
            line.strip_prefix(' ').or_else(|| line.strip_prefix('\t')),
            lines.last_mut(),
        ) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(line.to_string()),
        }
    }
    lines
        .iter()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            // "item1.EMAIL;TYPE=INTERNET,HOME": a group, the name, then parameters.
            let name = name.split(';').next()?;
            let name = name.rsplit('.').next()?;
            if !name.eq_ignore_ascii_case("EMAIL") {
                return None;
            }
            let value = value.trim();
            let value = value
                .get(..7)
                .filter(|p| p.eq_ignore_ascii_case("mailto:"))
                .map_or(value, |_| &value[7..]);
            Email::parse(value).ok()
        })
        .collect()
}

/// Every cell of every row that is an address; a row that is not CSV is skipped.
fn from_csv(text: &str) -> Vec<Email> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .flat_map(|record| {
            record
                .iter()
                .filter(|cell| cell.contains('@'))
                .filter_map(|cell| Email::parse(cell.trim_matches(|c| c == '<' || c == '>')).ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        addresses(text, 100)
            .unwrap()
            .iter()
            .map(|e| e.as_str().to_string())
            .collect()
    }

    #[test]
    fn a_phone_export_in_vcard_3_gives_every_address_once() {
        let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Matt Hughes\r\n\
                   EMAIL;TYPE=INTERNET;TYPE=HOME:Matt@Example.org\r\n\
                   item1.EMAIL;TYPE=INTERNET:matt.work@example.org\r\n\
                   PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n  AAAQABAAD\r\nEND:VCARD\r\n\
                   BEGIN:VCARD\r\nVERSION:2.1\r\nN:Berg;Anna\r\nEMAIL;INTERNET:anna@exa\r\n mple.org\r\n\
                   EMAIL:matt@example.org\r\nEND:VCARD\r\n";
        assert_eq!(
            found(vcf),
            [
                "matt@example.org",
                "matt.work@example.org",
                "anna@example.org"
            ]
        );
    }

    #[test]
    fn a_vcard_4_uri_value_is_read_without_its_scheme() {
        let vcf =
            "BEGIN:VCARD\nVERSION:4.0\nFN:Jo\nEMAIL;VALUE=uri:mailto:jo@example.org\nEND:VCARD\n";
        assert_eq!(found(vcf), ["jo@example.org"]);
    }

    #[test]
    fn a_csv_export_gives_the_addresses_in_any_column() {
        let csv = "Name,E-mail 1 - Value,Phone\n\
                   Matt Hughes,matt@example.org,0117 000\n\
                   \"Berg, Anna\",<anna@example.org>,\n\
                   Not an address,@,x@y\n";
        assert_eq!(found(csv), ["matt@example.org", "anna@example.org"]);
    }

    #[test]
    fn text_with_no_address_is_refused_with_a_reason() {
        assert_eq!(addresses("hello, world", 10), Err(BookError::NoAddresses));
        assert_eq!(addresses("", 10), Err(BookError::NoAddresses));
    }

    #[test]
    fn too_many_addresses_are_refused_rather_than_cut() {
        let csv: String = (0..11).map(|i| format!("p{i}@example.org\n")).collect();
        assert_eq!(addresses(&csv, 10), Err(BookError::TooMany { most: 10 }));
        assert_eq!(addresses(&csv, 11).unwrap().len(), 11);
    }
}
