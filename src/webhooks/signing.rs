//! Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id`,
//! `webhook-timestamp` and `webhook-signature` headers, HMAC-SHA256 over
//! `{id}.{timestamp}.{body}` with a `whsec_` secret. The `standardwebhooks` crate signs, so
//! receivers can verify with any Standard Webhooks library.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use standardwebhooks::Webhook;

/// A new endpoint secret: `whsec_` and 24 random bytes in base64, the form the specification
/// and its libraries expect.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The three headers of one delivery attempt.
pub struct SignedHeaders {
    /// `webhook-id`: the event's id, the same on every attempt, for deduplication.
    pub id: String,
    /// `webhook-timestamp`: Unix seconds of this attempt.
    pub timestamp: i64,
    /// `webhook-signature`: `v1,{base64 HMAC}`.
    pub signature: String,
}

/// Signs `body` for the event `id` at `timestamp`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> anyhow::Result<SignedHeaders> {
    let webhook = Webhook::new(secret).map_err(|e| anyhow::anyhow!("bad endpoint secret: {e}"))?;
    let signature = webhook
        .sign(id, timestamp, body)
        .map_err(|e| anyhow::anyhow!("signing failed: {e}"))?;
    Ok(SignedHeaders {
        id: id.to_string(),
        timestamp,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[test]
    fn a_signature_verifies_with_the_crate_and_fails_on_another_body() {
        let secret = generate_secret();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let body = br#"{"type":"vouch.created","data":{}}"#;
        let signed = sign(&secret, "evt_1", now, body).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", signed.id.parse().unwrap());
        headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
        headers.insert("webhook-signature", signed.signature.parse().unwrap());
        let webhook = Webhook::new(&secret).unwrap();
        webhook.verify(body, &headers).unwrap();
        assert!(webhook.verify(b"{}", &headers).is_err());
    }
}
