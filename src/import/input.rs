//! Opening an input file, plain or gzip-compressed: SNAP publishes its networks as `.gz`, and
//! the copies kept in `tests/data` are compressed too. Every reader of a network, a ratings
//! file or a queries file opens through [`open`], so a compressed file works wherever a plain
//! one does.
//!
//! A file is decompressed when it starts with gzip's magic bytes, whatever its name. A path
//! that does not exist but has a `.gz` beside it (`out.advogato` -> `out.advogato.gz`) opens the
//! compressed file, so the commands written for the published layout work on the compressed
//! copies unchanged.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::bufread::MultiGzDecoder;

/// The first two bytes of every gzip member (RFC 1952, section 2.3.1).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How much of the file, or of the decompressed text, is read at a time.
const BUFFER: usize = 1 << 16;

/// The file that reading `path` opens: `path` itself if it exists, otherwise `path` with `.gz`
/// appended if that exists, otherwise `path` (so an error names what was asked for).
pub fn resolve(path: &Path) -> PathBuf {
    if path.exists() {
        return path.to_owned();
    }
    let mut name = OsString::from(path.as_os_str());
    name.push(".gz");
    let compressed = PathBuf::from(name);
    if compressed.is_file() {
        compressed
    } else {
        path.to_owned()
    }
}

/// Opens the file for `path` (see [`resolve`]) for buffered reading, decompressing it if it
/// starts with gzip's magic bytes. A gzip file of several members reads as their concatenation,
/// as `gzip -d` gives it.
///
/// # Errors
/// The file cannot be opened or its first bytes cannot be read. A corrupt compressed stream is
/// reported later, by the read that meets it.
pub fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead + Send>> {
    let path = resolve(path);
    let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut file = BufReader::with_capacity(BUFFER, file);
    let start = file
        .fill_buf()
        .with_context(|| format!("reading {}", path.display()))?;
    if start.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(file),
        )))
    } else {
        Ok(Box::new(file))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;
    use crate::import::table::tests::TempFile;

    fn gzip(text: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    fn read_all(path: &Path) -> anyhow::Result<String> {
        let mut text = String::new();
        open(path)?.read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn a_gzip_file_is_decompressed_by_its_magic_bytes_whatever_its_name() {
        let text = b"\xEF\xBB\xBF1,7188,10\r\n430,1,-2\r\n";
        let file = TempFile::with(&gzip(text)).unwrap(); // named .txt
        assert_eq!(read_all(&file.0).unwrap().as_bytes(), text);
    }

    #[test]
    fn a_plain_file_is_read_as_it_is() {
        let file = TempFile::with(b"anna,ben,2\n").unwrap();
        assert_eq!(read_all(&file.0).unwrap(), "anna,ben,2\n");
        let empty = TempFile::with(b"").unwrap();
        assert_eq!(read_all(&empty.0).unwrap(), "");
    }

    #[test]
    fn concatenated_gzip_members_read_as_one_text() {
        let mut bytes = gzip(b"1,2,3\n");
        bytes.extend(gzip(b"4,5,6\n"));
        let file = TempFile::with(&bytes).unwrap();
        assert_eq!(read_all(&file.0).unwrap(), "1,2,3\n4,5,6\n");
    }

    #[test]
    fn a_missing_path_opens_the_compressed_file_beside_it() {
        let file = TempFile::with(&gzip(b"anna,ben,3\n")).unwrap();
        let compressed = file.0.with_extension("csv.gz");
        std::fs::rename(&file.0, &compressed).unwrap();
        let _cleanup = TempFile(compressed.clone());
        let plain = file.0.with_extension("csv");
        assert_eq!(resolve(&plain), compressed);
        assert_eq!(read_all(&plain).unwrap(), "anna,ben,3\n");
    }

    #[test]
    fn a_missing_file_is_named_as_asked_for() {
        let path = std::env::temp_dir().join("vouchgraph-no-such-file.csv");
        assert_eq!(resolve(&path), path);
        let error = format!("{:#}", open(&path).err().unwrap());
        assert!(
            error.contains("opening") && error.contains("no-such-file.csv"),
            "{error}"
        );
        assert!(!error.contains(".gz"), "{error}");
    }

    #[test]
    fn every_format_reads_its_network_from_compressed_files() {
        use crate::import::{read_network, Format};

        let dir = std::env::temp_dir().join(format!("vouchgraph-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &[u8]| std::fs::write(dir.join(name), gzip(text)).unwrap();
        write(
            "out.advogato.gz",
            b"source_id target_id trust_value\n1 2 1\n2 1 .6\n",
        );
        write("ent.advogato.user.name.gz", b"user_name\nraph\nanna\n");
        write(
            "otc.csv.gz",
            b"Source,Target,Weight,Timestamp\n6,2,4,1289241912\n6,5,-10,1\n",
        );
        write("trust.txt.gz", b"truster,trustee,weight\nanna,ben,3\n");

        // The folder, and the edge file by its plain name: both find the compressed pair.
        for path in [dir.clone(), dir.join("out.advogato")] {
            let advogato = read_network(Format::Advogato, &path).unwrap();
            assert_eq!(advogato.people().len(), 2);
            assert_eq!(advogato.people()[0].name.as_deref(), Some("raph"));
            assert!(advogato.people()[0].pre_trusted);
            assert_eq!(advogato.edges().len(), 2);
        }
        let otc = read_network(Format::BitcoinOtc, &dir.join("otc.csv.gz")).unwrap();
        assert_eq!(
            (otc.trust_edges().count(), otc.distrust_edges().count()),
            (1, 1)
        );
        let csv = read_network(Format::Csv, &dir.join("trust.txt")).unwrap();
        assert_eq!(csv.edges().len(), 1);
        // A folder's one CSV file may be the compressed one.
        std::fs::remove_file(dir.join("out.advogato.gz")).unwrap();
        let folder = read_network(Format::BitcoinOtc, &dir).unwrap();
        assert_eq!(folder.edges().len(), 2);
        // A malformed line is named in the compressed file too.
        write("bad.csv.gz", b"1,2,3\n2,3,12\n");
        let error = read_network(Format::BitcoinAlpha, &dir.join("bad.csv.gz")).unwrap_err();
        assert!(error.to_string().contains("bad.csv.gz, line 2"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ratings_and_queries_read_from_compressed_files() {
        use crate::evaluate::data::{read_queries, read_ratings};

        let mut people = crate::import::Network::new();
        let ratings = TempFile::with(&gzip(b"rater,item,rating\nben,tiles,4\n")).unwrap();
        let mut ratings = read_ratings(&ratings.0, &mut people).unwrap();
        assert_eq!(ratings.rows().len(), 1);
        let queries = TempFile::with(&gzip(b"seeker,item\nanna,tiles\n")).unwrap();
        let queries = read_queries(&queries.0, &mut people, &mut ratings).unwrap();
        assert_eq!(queries, [(1, 0)]);
    }

    #[test]
    fn a_corrupt_compressed_stream_fails_the_read() {
        let mut bytes = gzip(b"anna,ben,2\n".repeat(100).as_slice());
        let middle = bytes.len() / 2;
        bytes.truncate(middle);
        let file = TempFile::with(&bytes).unwrap();
        assert!(read_all(&file.0).is_err());
    }
}
