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
use crate::partners::keys::{self, KeyKind};

/// How long a verified credential keeps its bucket before it is looked up again. A revoked
/// session or key keeps its bucket at most this long, and is refused by the handler anyway.
const REMEMBER_FOR: Duration = Duration::from_secs(60);
/// The most credentials remembered; beyond it the memory starts over (a forgotten credential
/// is only looked up again).
const CAPACITY: usize = 100_000;

/// Looks credentials up in the database and remembers the ones that verified.
pub struct Verifier {
    pool: Option<PgPool>,
    /// SHA-256 of class and credential -> (the bucket it earned, without the visitor's address
    /// for publishable keys; when it was verified).
    verified: Mutex<HashMap<[u8; 32], (String, Instant)>>,
}

impl Verifier {
    /// A verifier over `pool`; without one (unit tests) no credential verifies.
    pub fn new(pool: Option<PgPool>) -> Verifier {
        Verifier {
            pool,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// The bucket of a credential verified within the last minute, if any.
    pub fn recall(&self, claim: &Claim, ip: IpAddr) -> Option<CallerKey> {
        let digest = digest(claim);
        let mut verified = self.verified.lock();
        let (bucket, at) = verified.get(&digest)?;
        if at.elapsed() > REMEMBER_FOR {
            verified.remove(&digest);
            return None;
        }
        Some(bucket_for(claim.class, bucket, ip))
    }

    /// Looks the credential up; its bucket if it is live. A database error counts as "does
    /// not verify": the request is then counted as anonymous, never refused for it.
    pub async fn verify(&self, claim: &Claim, ip: IpAddr) -> Option<CallerKey> {
        let pool = self.pool.as_ref()?;
        let bucket = match claim.class {
            CallerClass::Anonymous | CallerClass::SignUp => return None,
            CallerClass::Session => {
                let hash = crate::auth::token::hash(&claim.secret);
                let (person, _, _) = crate::store::sessions::find_live(pool, &hash)
                    .await
                    .ok()??;
                format!("person {person}")
            }
            CallerClass::Secret | CallerClass::Publishable => {
                let (kind, prefix) = keys::parse_prefix(&claim.secret)?;
                let row = crate::partners::store::key_by_prefix(pool, prefix)
                    .await
                    .ok()??;
                let genuine = keys::matches(&claim.secret, &row.key_hash)
                    && KeyKind::parse(&row.kind) == Some(kind)
                    && row.live;
                if !genuine {
                    return None;
                }
                format!("key {}", row.id)
            }
        };
        let caller = bucket_for(claim.class, &bucket, ip);
        let mut verified = self.verified.lock();
        if verified.len() >= CAPACITY {
            verified.clear();
        }
        verified.insert(digest(claim), (bucket, Instant::now()));
        Some(caller)
    }

    /// Forgets credentials verified more than a minute ago.
    pub fn forget_stale(&self) {
        self.verified
            .lock()
            .retain(|_, (_, at)| at.elapsed() <= REMEMBER_FOR);
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
