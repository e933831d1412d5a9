//! Email: composed from the transactional outbox, queued in `emails`, sent over SMTP with
//! retries and backoff.
//!
//! | file | what |
//! |---|---|
//! | `compose.rs` | what each email says, in plain text and HTML |
//! | `fanout.rs` | outbox events to queued emails, once per event |
//! | `queue.rs` | the mail queue's SQL |
//! | `sender.rs` | the worker: fan out, then send what is due, over SMTP (lettre) |
//! | `catcher.rs` | `vouchgraph mail-catcher`: an SMTP listener that keeps every message in a folder, for the demo and tests |

pub mod catcher;
pub mod compose;
pub mod fanout;
pub mod queue;
pub mod sender;

pub use crate::config::mail::MailSettings;

impl MailSettings {
    /// An absolute link to `path` carrying a one-time `token`.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!("{}{path}?token={token}", self.public_url)
    }

    /// An absolute link to a page.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// The domain of Message-IDs: the public URL's host.
    pub fn domain(&self) -> String {
        url::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "vouchgraph.localhost".into())
    }
}
