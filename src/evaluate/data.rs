//! The evaluation's inputs: ratings `rater,item,rating` and queries `seeker,item`, read with the
//! importer's row reader (so a BOM, CRLF, comments, commas or whitespace are all fine) and with
//! raters and seekers in the same id space as the trust network's people.

use std::io::BufRead;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::import::table::read_rows_from;
use crate::import::Network;

/// One rating: a person's opinion of an item, on the input's own scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rating {
    /// The rater, by index in the trust network's people.
    pub rater: u32,
    /// The item, by index in [`Ratings::items`].
    pub item: u32,
    /// The rating as given.
    pub value: f64,
}

/// Every rating, one per (rater, item), with the items' keys.
#[derive(Debug, Default)]
pub struct Ratings {
    rows: Vec<Rating>,
    by_pair: FxHashMap<(u32, u32), u32>,
    items: Vec<Box<str>>,
    by_key: FxHashMap<Box<str>, u32>,
}

impl Ratings {
    /// The ratings, in file order; a repeated (rater, item) kept its last value.
    pub fn rows(&self) -> &[Rating] {
        &self.rows
    }

    /// The items' keys, by index.
    pub fn items(&self) -> &[Box<str>] {
        &self.items
    }

    /// The index of the item with this key, adding it if it is new.
    pub fn item(&mut self, key: &str) -> u32 {
        if let Some(&index) = self.by_key.get(key) {
            return index;
        }
        let index = self.items.len() as u32;
        self.items.push(key.into());
        self.by_key.insert(key.into(), index);
        index
    }

    /// The lowest and highest rating: the scale predictions are made on.
    pub fn scale(&self) -> Option<(f64, f64)> {
        self.rows.iter().fold(None, |scale, rating| {
            let (lo, hi) = scale.unwrap_or((rating.value, rating.value));
            Some((lo.min(rating.value), hi.max(rating.value)))
        })
    }

    fn push(&mut self, rating: Rating) {
        match self.by_pair.get(&(rating.rater, rating.item)) {
            Some(&index) => self.rows[index as usize] = rating,
            None => {
                self.by_pair
                    .insert((rating.rater, rating.item), self.rows.len() as u32);
                self.rows.push(rating);
            }
        }
    }
}

/// Reads `rater,item,rating[,anything else]` rows; a first row whose rating is not a number is
/// a header. Raters join `people` (those without trust edges have no network, which is fine).
///
/// # Errors
/// The file is unreadable, or a line is malformed (named by its number).
pub fn read_ratings(path: &Path, people: &mut Network) -> anyhow::Result<Ratings> {
    read_ratings_from(open(path)?, path, people)
}

/// [`read_ratings`] from the text; `path` only names it in errors.
///
/// # Errors
/// The text is unreadable, or a line is malformed (named by its number).
pub fn read_ratings_from(
    text: impl BufRead,
    path: &Path,
    people: &mut Network,
) -> anyhow::Result<Ratings> {
    let mut ratings = Ratings::default();
    read_rows_from(text, path, |row| {
        let rater = row.field(0, "rater")?;
        let item = row.field(1, "item")?;
        let value = row.field(2, "rating")?;
        let value: f64 = match value.parse() {
            Ok(value) => value,
            Err(_) if row.first => return Ok(()), // a header
            Err(_) => return Err(format!("rating {value:?} is not a number")),
        };
        if !value.is_finite() {
            return Err(format!("rating {value} is not finite"));
        }
        let rating = Rating {
            rater: people.person(rater),
            item: ratings.item(item),
            value,
        };
        ratings.push(rating);
        Ok(())
    })?;
    anyhow::ensure!(
        !ratings.rows.is_empty(),
        "{} holds no ratings",
        path.display()
    );
    Ok(ratings)
}

/// Reads `seeker,item` rows; a first row reading `seeker,item` is a header. Seekers and items
/// unknown so far are added (they will get no personal evidence, or no prediction at all).
///
/// # Errors
/// The file is unreadable, or a line is malformed (named by its number).
pub fn read_queries(
    path: &Path,
    people: &mut Network,
    ratings: &mut Ratings,
) -> anyhow::Result<Vec<(u32, u32)>> {
    read_queries_from(open(path)?, path, people, ratings)
}

/// [`read_queries`] from the text; `path` only names it in errors.
///
/// # Errors
/// The text is unreadable, or a line is malformed (named by its number).
pub fn read_queries_from(
    text: impl BufRead,
    path: &Path,
    people: &mut Network,
    ratings: &mut Ratings,
) -> anyhow::Result<Vec<(u32, u32)>> {
    let mut queries = Vec::new();
    read_rows_from(text, path, |row| {
        let seeker = row.field(0, "seeker")?;
        let item = row.field(1, "item")?;
        if row.first && seeker.eq_ignore_ascii_case("seeker") && item.eq_ignore_ascii_case("item") {
            return Ok(());
        }
        queries.push((people.person(seeker), ratings.item(item)));
        Ok(())
    })?;
    Ok(queries)
}

/// The file at `path`, plain or gzip-compressed, buffered for reading rows.
fn open(path: &Path) -> anyhow::Result<impl BufRead> {
    crate::import::input::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::tests::TempFile;

    #[test]
    fn ratings_share_the_people_of_the_trust_network_and_a_repeat_keeps_the_last_value() {
        let mut people = Network::new();
        people.edge(
            "anna",
            "ben",
            crate::import::Fact::Trust(crate::domain::TrustLevel::KNOW),
        );
        let file =
            TempFile::with(b"rater,item,rating\nben,tiles,4\ncara,tiles,2\nben,tiles,5\n").unwrap();
        let ratings = read_ratings(&file.0, &mut people).unwrap();
        assert_eq!(people.people().len(), 3); // anna, ben, and cara who only rates
        assert_eq!(
            ratings.rows(),
            [
                Rating {
                    rater: 1,
                    item: 0,
                    value: 5.0
                }, // ben's second rating replaced his first
                Rating {
                    rater: 2,
                    item: 0,
                    value: 2.0
                },
            ]
        );
        assert_eq!(ratings.scale(), Some((2.0, 5.0)));
    }

    #[test]
    fn a_malformed_rating_names_its_line() {
        let mut people = Network::new();
        let file = TempFile::with(b"ben tiles 4\nben grout lots\n").unwrap();
        let error = read_ratings(&file.0, &mut people).unwrap_err().to_string();
        assert!(
            error.contains("line 2") && error.contains("lots"),
            "{error}"
        );
    }
}
