//! Embed tokens: what lets a widget show one visitor their own ranking.
//!
//! A partner's server trades a link token (the visitor's consent) and its secret key for an
//! embed token, and puts it in the page. The token is `v1.{claims}.{mac}`: base64url JSON
//! claims and their HMAC-SHA256 under a server secret, so any instance can check it without a
//! database read. It names the partner it was minted for and lives ten minutes; a leaked token
//! is worth little, and an unlinked visitor's tokens stop at their next use (the link is
//! checked too).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::{PartnerId, PersonId};

/// How long an embed token lives.
pub const EMBED_TOKEN_TTL_SECS: i64 = 600;

/// The header a widget sends it in.
pub const EMBED_HEADER: &str = "x-vouchgraph-embed-token";

/// What a token may be used for.
pub const SCOPE_READ: &str = "read";
/// Sending referrals in the visitor's name.
pub const SCOPE_REFER: &str = "refer";
/// Asking the visitor's circle for a recommendation, in their name. Never granted unless the
/// partner asks for it by name.
pub const SCOPE_ASK: &str = "ask";

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedClaims {
    /// The partner it was minted for: it works only with that partner's keys.
    pub partner: PartnerId,
    /// The visitor.
    pub person: PersonId,
    /// The link (consent) it came from.
    pub link: i64,
    /// `read`, `refer`.
    pub scope: Vec<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
}

impl EmbedClaims {
    /// Whether the token grants `scope`.
    pub fn allows(&self, scope: &str) -> bool {
        self.scope.iter().any(|s| s == scope)
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// Not of the token's shape, or its MAC does not match.
    #[error("the embed token is not valid")]
    Invalid,
    /// Past its expiry.
    #[error("the embed token has expired; the partner's page must fetch a new one")]
    Expired,
}

/// Signs and checks tokens with one server secret.
pub struct EmbedSigner {
    key: Vec<u8>,
}

impl EmbedSigner {
    /// A signer with `secret`; a random one when `None` (tokens then die with the process and
    /// do not cross instances, which only a single-instance deployment can accept).
    pub fn new(secret: Option<&str>) -> EmbedSigner {
        let key = match secret {
            Some(s) => s.as_bytes().to_vec(),
            None => {
                let mut key = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                key
            }
        };
        EmbedSigner { key }
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    /// The token for `claims`.
    pub fn sign(&self, claims: &EmbedClaims) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
        let signed = format!("v1.{body}");
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signed}.{tag}")
    }

    /// The claims of a valid, unexpired token; `now` in Unix seconds.
    pub fn verify(&self, token: &str, now: i64) -> Result<EmbedClaims, EmbedError> {
        let (signed, tag) = token.rsplit_once('.').ok_or(EmbedError::Invalid)?;
        let body = signed.strip_prefix("v1.").ok_or(EmbedError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| EmbedError::Invalid)?;
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        // verify_slice compares in constant time.
        mac.verify_slice(&tag).map_err(|_| EmbedError::Invalid)?;
        let json = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| EmbedError::Invalid)?;
        let claims: EmbedClaims = serde_json::from_slice(&json).map_err(|_| EmbedError::Invalid)?;
        if claims.exp <= now {
            return Err(EmbedError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> EmbedClaims {
        EmbedClaims {
            partner: PartnerId(7),
            person: PersonId(42),
            link: 3,
            scope: vec![SCOPE_READ.into()],
            exp,
        }
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let signer = EmbedSigner::new(Some("server secret"));
        let token = signer.sign(&claims(1_000));
        assert_eq!(signer.verify(&token, 999), Ok(claims(1_000)));
        assert_eq!(signer.verify(&token, 1_000), Err(EmbedError::Expired));
    }

    #[test]
    fn a_token_from_another_secret_or_with_edited_claims_is_invalid() {
        let ours = EmbedSigner::new(Some("server secret"));
        let theirs = EmbedSigner::new(Some("another secret"));
        let token = theirs.sign(&claims(1_000));
        assert_eq!(ours.verify(&token, 0), Err(EmbedError::Invalid));

        // Swap in claims for another person, keeping the original MAC.
        let good = ours.sign(&claims(1_000));
        let mut forged = claims(1_000);
        forged.person = PersonId(1);
        let forged_body = ours.sign(&forged);
        let spliced = format!(
            "{}.{}",
            forged_body.rsplit_once('.').unwrap().0,
            good.rsplit_once('.').unwrap().1
        );
        assert_eq!(ours.verify(&spliced, 0), Err(EmbedError::Invalid));
        assert_eq!(ours.verify("v1.garbage", 0), Err(EmbedError::Invalid));
    }

    #[test]
    fn scopes_are_checked_by_name() {
        let c = claims(1);
        assert!(c.allows(SCOPE_READ));
        assert!(!c.allows(SCOPE_REFER));
    }
}
