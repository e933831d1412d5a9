//! Which credentials earn a bucket of their own: only those that verify.
//!
//! A request's credential is looked up at most once a minute (then remembered by its SHA-256,
//! never its text). A lookup is itself rationed per client address, at the anonymous rate, so
//! a flood of made-up credentials buys neither buckets nor free database reads: it is counted
//! against its address, exactly as if it carried nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::client::{CallerClass, CallerKey, Claim};
use crate::auth::keys;

/// How long a verified credential keeps its bucket before it is looked up again. A revoked
/// session or key keeps its bucket at most this long, and is refused by the handler anyway.
const REMEMBER_FOR: Duration = Duration::from_secs(60);
/// The most credentials remembered; beyond it the memory starts over (a forgotten credential
/// is only looked up again).
const CAPACITY: usize = 100_000;

/// How long a verified credential is kept at all: while the database is unreachable, one
/// verified in the last hour keeps its bucket (as the session cache keeps sessions working).
const KEEP_FOR: Duration = Duration::from_secs(3600);
/// After a failed look-up, how long the database is taken to be unreachable: no look-up
/// meanwhile, so an outage does not add a connection timeout to every request.
const UNREACHABLE_FOR: Duration = Duration::from_secs(5);

/// Looks credentials up in the database and remembers the ones that verified.
pub struct Verifier {
    pool: Option<PgPool>,
    /// SHA-256 of class and credential -> (the bucket it earned, without the visitor's address
    /// for publishable keys; when it was verified).
    verified: Mutex<HashMap<[u8; 32], (String, Instant)>>,
    unreachable_until: Mutex<Option<Instant>>,
}

impl Verifier {
    /// A verifier over `pool`; without one (unit tests) no credential verifies.
    pub fn new(pool: Option<PgPool>) -> Verifier {
        Verifier {
            pool,
            verified: Mutex::new(HashMap::new()),
            unreachable_until: Mutex::new(None),
        }
    }

    fn unreachable(&self) -> bool {
        self.unreachable_until
            .lock()
            .is_some_and(|until| Instant::now() < until)
    }

    /// The bucket of a credential verified within the last minute (or the last hour, while
    /// the database is unreachable), if any.
    pub fn recall(&self, claim: &Claim, ip: IpAddr) -> Option<CallerKey> {
        let verified = self.verified.lock();
        let (bucket, at) = verified.get(&digest(claim))?;
        let fresh = at.elapsed() <= REMEMBER_FOR;
        (fresh || self.unreachable()).then(|| bucket_for(claim.class, bucket, ip))
    }

    /// Looks the credential up; its bucket if it is live. While the database cannot be
    /// reached, a credential not verified before does not verify: the request is counted as
    /// anonymous, never refused for it.
    pub async fn verify(&self, claim: &Claim, ip: IpAddr) -> Option<CallerKey> {
        let pool = self.pool.as_ref()?;
        if self.unreachable() {
            return None;
        }
        let found = match claim.class {
            CallerClass::Anonymous | CallerClass::SignUp => return None,
            CallerClass::Session => {
                let hash = crate::auth::token::hash(&claim.secret);
                crate::store::sessions::find_live(pool, &hash)
                    .await
                    .map(|row| row.map(|(person, _, _)| format!("person {person}")))
            }
            CallerClass::Secret | CallerClass::Publishable => {
                let (kind, prefix) = keys::parse_prefix(&claim.secret)?;
                crate::store::partners::key_by_prefix(pool, prefix)
                    .await
                    .map(|row| {
                        row.filter(|row| {
                            keys::matches(&claim.secret, &row.key_hash)
                                && row.kind == kind
                                && row.live
                        })
                        .map(|row| format!("key {}", row.id))
                    })
            }
        };
        let digest = digest(claim);
        match found {
            Ok(Some(bucket)) => {
                let caller = bucket_for(claim.class, &bucket, ip);
                let mut verified = self.verified.lock();
                if verified.len() >= CAPACITY {
                    verified.clear();
                }
                verified.insert(digest, (bucket, Instant::now()));
                Some(caller)
            }
            Ok(None) => {
                self.verified.lock().remove(&digest);
                None
            }
            Err(error) => {
                tracing::warn!(%error, "credential look-up failed; counting as anonymous");
                *self.unreachable_until.lock() = Some(Instant::now() + UNREACHABLE_FOR);
                None
            }
        }
    }

    /// Forgets credentials verified more than an hour ago.
    pub fn forget_stale(&self) {
        self.verified
            .lock()
            .retain(|_, (_, at)| at.elapsed() <= KEEP_FOR);
    }
}

fn digest(claim: &Claim) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(claim.class.name());
    hasher.update([0]);
    hasher.update(&claim.secret);
    hasher.finalize().into()
}

/// A session's bucket is its person's (however many sessions they open), a secret key's its
/// own, a publishable key's its own per visitor.
fn bucket_for(class: CallerClass, bucket: &str, ip: IpAddr) -> CallerKey {
    let key = match class {
        CallerClass::Publishable => format!("{bucket} {ip}"),
        _ => bucket.to_string(),
    };
    CallerKey { class, key }
}
