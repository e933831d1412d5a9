//! How mail is sent.

use std::time::Duration;

use super::env_or;

/// How mail is sent.
#[derive(Clone)]
pub struct MailSettings {
    /// The SMTP relay (`VOUCHGRAPH_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or
    /// `smtps://user:pass@relay:465`). Unset: emails are composed and queued, and sent once a
    /// relay is set.
    pub smtp_url: Option<String>,
    /// The From address (`VOUCHGRAPH_MAIL_FROM`).
    pub from: String,
    /// Where links in emails point (`VOUCHGRAPH_PUBLIC_URL`, default the listen address).
    pub public_url: String,
    /// At most this many emails that can be declined go to one address a day
    /// (`VOUCHGRAPH_MAIL_DAILY_CAP`); verification and reset always go.
    pub daily_cap: i64,
    /// How often the worker looks for work.
    pub poll_interval: Duration,
    /// The first retry's wait (`VOUCHGRAPH_MAIL_RETRY_SECS`), doubling up to `max_delay`.
    pub base_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
    /// Attempts before an email is given up.
    pub max_attempts: i32,
    /// How long a claimed email is reserved for its sender (`VOUCHGRAPH_MAIL_LEASE_SECS`):
    /// after a crash mid-send it is tried again this long after it was claimed.
    pub lease: Duration,
    /// One SMTP conversation's timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The relay URL may carry a password: never print it.
        f.debug_struct("MailSettings")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("from", &self.from)
            .field("public_url", &self.public_url)
            .field("daily_cap", &self.daily_cap)
            .finish_non_exhaustive()
    }
}

impl MailSettings {
    /// Reads the settings from the environment; links point at `addr` unless
    /// `VOUCHGRAPH_PUBLIC_URL` says otherwise.
    pub fn from_env(addr: std::net::SocketAddr) -> anyhow::Result<MailSettings> {
        let smtp_url = std::env::var("VOUCHGRAPH_SMTP_URL")
            .ok()
            .filter(|u| !u.trim().is_empty());
        let public_url: String = env_or("VOUCHGRAPH_PUBLIC_URL", &format!("http://{addr}"))?;
        Ok(MailSettings {
            smtp_url,
            from: env_or(
                "VOUCHGRAPH_MAIL_FROM",
                "vouchgraph <no-reply@vouchgraph.localhost>",
            )?,
            public_url: public_url.trim_end_matches('/').to_string(),
            daily_cap: env_or("VOUCHGRAPH_MAIL_DAILY_CAP", "20")?,
            poll_interval: Duration::from_millis(500),
            base_delay: Duration::from_secs(env_or("VOUCHGRAPH_MAIL_RETRY_SECS", "30")?),
            max_delay: Duration::from_secs(3600),
            max_attempts: 12,
            lease: Duration::from_secs(env_or("VOUCHGRAPH_MAIL_LEASE_SECS", "120")?),
            timeout: Duration::from_secs(30),
        })
    }

    /// Settings for tests: no relay (a test that reads mail sets one), quick retries.
    pub fn for_tests() -> MailSettings {
        MailSettings {
            smtp_url: None,
            from: "vouchgraph <no-reply@vouchgraph.localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            daily_cap: 20,
            poll_interval: Duration::from_millis(50),
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            max_attempts: 12,
            lease: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}
