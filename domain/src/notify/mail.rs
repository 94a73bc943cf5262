//! E-mail over SMTP with lettre, or to the log in development.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Email {
    /// The one recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// Files: name, MIME type, bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
    /// `Message-ID`, the same on every try of one notice.
    pub message_id: String,
}

/// Why a message did not go.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth another try later (server down, a 4xx answer).
    #[error("{0}")]
    Retry(String),
    /// Never going to work (a refused address, a malformed message).
    #[error("{0}")]
    Permanent(String),
    /// Nobody left to send it to (the user's app devices are all gone): not a failure.
    #[error("{0}")]
    Skipped(String),
}

/// Where e-mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server (`SMTP_URL`), as `MAIL_FROM`.
    Smtp {
        /// Pooled connections.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The sender.
        from: Mailbox,
    },
    /// Development: messages are written to the log.
    Log,
}

impl Mailer {
    /// A mailer for `url` (`smtp://host:port`, `smtps://user:pass@host`,
    /// `smtp://host:587?tls=required`) sending as `from` (`Shop <shop@example.com>`), with up
    /// to `connections` open at once (one per delivery worker).
    pub fn smtp(url: &str, from: &str, connections: u32) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM is not an address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .pool_config(PoolConfig::new().max_size(connections.max(1)))
            .build();
        Ok(Mailer::Smtp { transport, from })
    }

    /// Sends one message.
    pub async fn send(&self, email: Email) -> Result<(), SendError> {
        match self {
            Mailer::Log => {
                tracing::info!(to = %email.to, subject = %email.subject, attachments = email.attachments.len(), "e-mail (log mailer)");
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let message = build(from.clone(), email)?;
                match transport.send(message).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                    Err(e) => Err(SendError::Retry(e.to_string())),
                }
            }
        }
    }
}

fn build(from: Mailbox, email: Email) -> Result<Message, SendError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| SendError::Permanent(format!("not an address: {e}")))?;
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(email.text))
        .singlepart(SinglePart::html(email.html));
    let mut mixed = MultiPart::mixed().multipart(body);
    for (name, mime, bytes) in email.attachments {
        let kind = ContentType::parse(&mime)
            .map_err(|e| SendError::Permanent(format!("attachment type {mime}: {e}")))?;
        mixed = mixed.singlepart(Attachment::new(name).body(bytes, kind));
    }
    Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject)
        .message_id(Some(email.message_id))
        .multipart(mixed)
        .map_err(|e| SendError::Permanent(format!("message: {e}")))
}
