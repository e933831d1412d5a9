//! The mail worker: fans the outbox out into the queue, then sends what is due over SMTP.
//!
//! Delivery is at least once, and as close to exactly once as SMTP allows: an email is marked
//! sent as soon as the relay accepted it, and one claimed but not marked (the server killed
//! between the relay's "250 OK" and that commit, a window of a few milliseconds) is sent
//! again after its lease, with the same Message-ID, so the copy is recognisably the same
//! message. The fan-out never composes an event's email twice.

use std::time::Duration;

use anyhow::Context;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::webhooks::schedule::retry_delay;

use super::queue::{self, Due};
use super::{fanout, MailSettings};

/// Emails claimed per round. They are sent one after another, so that a crash leaves at most
/// one in the relay's hands unrecorded.
pub const SEND_BATCH: i64 = 10;

/// The SMTP transport for `settings.smtp_url`, if one is set.
pub fn transport(
    settings: &MailSettings,
) -> anyhow::Result<Option<AsyncSmtpTransport<Tokio1Executor>>> {
    let Some(url) = &settings.smtp_url else {
        return Ok(None);
    };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .context("VOUCHGRAPH_SMTP_URL is not a valid smtp:// or smtps:// URL")?
        .timeout(Some(settings.timeout))
        .build();
    Ok(Some(transport))
}

/// Runs until `stop` is cancelled.
pub async fn run(pool: PgPool, settings: MailSettings, stop: CancellationToken) {
    let transport = match transport(&settings) {
        Ok(Some(transport)) => Some(transport),
        Ok(None) => {
            tracing::warn!("VOUCHGRAPH_SMTP_URL is not set: emails are queued, not sent");
            None
        }
        Err(error) => {
            tracing::error!(
                ?error,
                "mail sender not started; emails are queued, not sent"
            );
            None
        }
    };
    loop {
        if stop.is_cancelled() {
            return;
        }
        match tick(&pool, transport.as_ref(), &settings).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(?error, "mail round failed; retrying"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(settings.poll_interval) => {}
        }
    }
}

/// One round: fan out, then send. True when either had a full batch.
pub async fn tick(
    pool: &PgPool,
    transport: Option<&AsyncSmtpTransport<Tokio1Executor>>,
    settings: &MailSettings,
) -> anyhow::Result<bool> {
    let fanned = fanout::fan_out(pool, settings)
        .await
        .context("fanning the outbox out to mail")?;
    let sent = match transport {
        Some(transport) => send_due(pool, transport, settings).await?,
        None => 0,
    };
    Ok(fanned == fanout::FAN_OUT_BATCH as usize || sent == SEND_BATCH as usize)
}

/// Sends one batch of due emails; returns how many it claimed.
pub async fn send_due(
    pool: &PgPool,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    settings: &MailSettings,
) -> anyhow::Result<usize> {
    let due = queue::claim_due(pool, SEND_BATCH, settings.lease).await?;
    for email in &due {
        match send_one(transport, settings, email).await {
            Ok(()) => queue::mark_sent(pool, email.id).await?,
            Err(failure) => {
                let retry =
                    (!failure.permanent && email.attempts < settings.max_attempts).then(|| {
                        retry_delay(
                            email.attempts as u32,
                            settings.base_delay,
                            settings.max_delay,
                        )
                    });
                tracing::warn!(id = email.id, attempts = email.attempts, error = %failure.reason,
                               will_retry = retry.is_some(), "email not sent");
                queue::mark_failed_attempt(pool, email.id, &failure.reason, retry).await?;
            }
        }
    }
    Ok(due.len())
}

/// Why an email was not sent, and whether trying again could help.
struct Failure {
    reason: String,
    permanent: bool,
}

/// The MIME message for a queued email: plain text and HTML alternatives, its stable
/// Message-ID, and one-click unsubscribe headers (RFC 2369, RFC 8058) when it can be declined.
pub fn message(settings: &MailSettings, email: &Due) -> anyhow::Result<Message> {
    let from: Mailbox = settings.from.parse().context("VOUCHGRAPH_MAIL_FROM")?;
    let to: Mailbox = email
        .to_address
        .parse()
        .context("the recipient's address")?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(email.message_id.clone()));
    if let Some(url) = &email.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(
        email.text_body.clone(),
        email.html_body.clone(),
    ))?)
}

async fn send_one(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    settings: &MailSettings,
    email: &Due,
) -> Result<(), Failure> {
    let message = message(settings, email).map_err(|e| Failure {
        reason: format!("{e:#}"),
        // An address that does not parse will not parse next time either.
        permanent: true,
    })?;
    match tokio::time::timeout(
        settings.timeout + Duration::from_secs(5),
        transport.send(message),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(Failure {
            permanent: error.is_permanent(),
            reason: error.to_string(),
        }),
        Err(_) => Err(Failure {
            reason: "timed out".into(),
            permanent: false,
        }),
    }
}
