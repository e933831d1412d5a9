//! API keys: `pk_live_…` (publishable, for browsers) and `sk_live_…` (secret, for servers).
//!
//! A key is `{kind}_live_` + 12 hex digits of lookup id + 48 hex digits of secret (192 bits).
//! The first 20 characters are the prefix, stored in the clear to find the row and shown in
//! listings; the whole key is stored only as its SHA-256 and shown once, when it is made.

use axum::http::HeaderName;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The header that carries a key: `X-Vouchgraph-Key: pk_live_…`.
pub const KEY_HEADER: HeaderName = HeaderName::from_static("x-vouchgraph-key");

const ID_HEX: usize = 12;
const SECRET_HEX: usize = 48;

pub use crate::domain::KeyKind;

/// A freshly made key: the full text (to show once), its prefix and its hash (to store).
pub struct NewKey {
    /// The whole key.
    pub key: String,
    /// Its first 20 characters.
    pub prefix: String,
    /// SHA-256 of the whole key.
    pub hash: Vec<u8>,
}

/// Makes a random key of `kind`.
pub fn generate(kind: KeyKind) -> NewKey {
    let mut bytes = [0u8; (ID_HEX + SECRET_HEX) / 2];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = format!("{}{}", kind.tag(), hex::encode(bytes));
    NewKey {
        prefix: key[..kind.tag().len() + ID_HEX].to_string(),
        hash: hash(&key),
        key,
    }
}

/// The kind and prefix of something shaped like a key, or `None`.
pub fn parse_prefix(key: &str) -> Option<(KeyKind, &str)> {
    let kind = [KeyKind::Publishable, KeyKind::Secret]
        .into_iter()
        .find(|k| key.starts_with(k.tag()))?;
    let rest = &key[kind.tag().len()..];
    if rest.len() != ID_HEX + SECRET_HEX || !rest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((kind, &key[..kind.tag().len() + ID_HEX]))
}

/// SHA-256 of a key: a fast hash is right for 192 random bits.
pub fn hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Whether `key` hashes to `stored`, compared in constant time.
pub fn matches(key: &str, stored: &[u8]) -> bool {
    bool::from(hash(key).ct_eq(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_parses_back_to_its_kind_and_prefix() {
        for kind in [KeyKind::Publishable, KeyKind::Secret] {
            let new = generate(kind);
            assert_eq!(parse_prefix(&new.key), Some((kind, new.prefix.as_str())));
            assert!(matches(&new.key, &new.hash));
            assert_eq!(new.key.len(), 8 + 60);
        }
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        assert_eq!(parse_prefix("pk_live_short"), None);
        assert_eq!(
            parse_prefix("xx_live_0123456789ab0123456789abcdef0123456789abcdef0123456789ab"),
            None
        );
        let not_hex = format!("sk_live_{}", "z".repeat(60));
        assert_eq!(parse_prefix(&not_hex), None);
    }

    #[test]
    fn a_key_with_one_character_changed_does_not_match() {
        let new = generate(KeyKind::Secret);
        let mut other = new.key.clone();
        let last = if other.ends_with('0') { "1" } else { "0" };
        other.replace_range(other.len() - 1.., last);
        assert!(!matches(&other, &new.hash));
    }
}
