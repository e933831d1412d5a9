//! A small in-memory copy of recently seen sessions, used only when the database cannot be
//! reached, so that signed-in searches (served from the in-memory graph) keep working through
//! a database outage. It never overrides the database: while the database answers, every
//! request is checked there, so a logout anywhere takes effect at once.

use std::collections::HashMap;

use parking_lot::Mutex;
use time::OffsetDateTime;

use crate::domain::PersonId;

/// The most sessions remembered; beyond it the cache starts over (it is only a fallback).
const CAPACITY: usize = 100_000;

/// Recently verified sessions by token hash.
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<Vec<u8>, (PersonId, String, OffsetDateTime)>>,
}

impl SessionCache {
    /// Remembers a session verified against the database.
    pub fn remember(
        &self,
        token_hash: &[u8],
        person: PersonId,
        csrf: &str,
        expires_at: OffsetDateTime,
    ) {
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(token_hash.to_vec(), (person, csrf.to_string(), expires_at));
    }

    /// Forgets a session (logout, or the database said it is gone).
    pub fn forget(&self, token_hash: &[u8]) {
        self.entries.lock().remove(token_hash);
    }

    /// A remembered, unexpired session.
    pub fn get(&self, token_hash: &[u8]) -> Option<(PersonId, String)> {
        let entries = self.entries.lock();
        let (person, csrf, expires_at) = entries.get(token_hash)?;
        (*expires_at > OffsetDateTime::now_utc()).then(|| (*person, csrf.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_session_is_found_until_forgotten_or_expired() {
        let cache = SessionCache::default();
        let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
        cache.remember(b"a", PersonId(1), "csrf", later);
        assert_eq!(cache.get(b"a"), Some((PersonId(1), "csrf".to_string())));
        cache.forget(b"a");
        assert_eq!(cache.get(b"a"), None);
        cache.remember(
            b"b",
            PersonId(2),
            "csrf",
            OffsetDateTime::now_utc() - time::Duration::hours(1),
        );
        assert_eq!(cache.get(b"b"), None);
    }
}
