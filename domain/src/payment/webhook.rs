//! Stripe's webhook events, verified and read by async-stripe into its typed objects, and
//! from those the facts the shop acts on. The development gateway and reconciliation make
//! the same [`Event`]s, so every payment goes through one path.

use std::collections::HashMap;

use stripe_shared::{Charge, CheckoutSession, PaymentIntent};
use stripe_webhook::{EventObject, Webhook, WebhookError};

/// A payment event: Stripe's event id and type, and what its object says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `evt_…`.
    pub id: String,
    /// `payment_intent.succeeded`, ….
    pub kind: EventKind,
    /// `data.object`, as the facts we act on.
    pub object: PaymentObject,
}

/// The event types the shop acts on; every other type is [`EventKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `checkout.session.completed`: a Checkout Session was paid (or will be: see
    /// [`PaymentObject::settled`]).
    SessionCompleted,
    /// `checkout.session.expired`: a Checkout Session ended unpaid.
    SessionExpired,
    /// `payment_intent.succeeded`: the money arrived.
    IntentSucceeded,
    /// `payment_intent.payment_failed`: an attempt to pay failed.
    IntentFailed,
    /// `charge.refunded`: money went back (all of it or part).
    ChargeRefunded,
    /// Anything else, kept as Stripe named it.
    Other(String),
}

/// What an event of a kind means for its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// Money arrived.
    Paid,
    /// An attempt ended without money.
    Failed,
    /// Money went back.
    Refunded,
    /// Nothing we act on.
    Ignored,
}

impl EventKind {
    /// Stripe's name for it.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::SessionCompleted => "checkout.session.completed",
            EventKind::SessionExpired => "checkout.session.expired",
            EventKind::IntentSucceeded => "payment_intent.succeeded",
            EventKind::IntentFailed => "payment_intent.payment_failed",
            EventKind::ChargeRefunded => "charge.refunded",
            EventKind::Other(name) => name,
        }
    }

    /// What it means for the order it names.
    pub fn meaning(&self) -> Meaning {
        match self {
            EventKind::SessionCompleted | EventKind::IntentSucceeded => Meaning::Paid,
            EventKind::SessionExpired | EventKind::IntentFailed => Meaning::Failed,
            EventKind::ChargeRefunded => Meaning::Refunded,
            EventKind::Other(_) => Meaning::Ignored,
        }
    }
}

impl From<&str> for EventKind {
    fn from(name: &str) -> Self {
        match name {
            "checkout.session.completed" => EventKind::SessionCompleted,
            "checkout.session.expired" => EventKind::SessionExpired,
            "payment_intent.succeeded" => EventKind::IntentSucceeded,
            "payment_intent.payment_failed" => EventKind::IntentFailed,
            "charge.refunded" => EventKind::ChargeRefunded,
            other => EventKind::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which Stripe object an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectKind {
    /// A Checkout Session (web payments).
    #[default]
    Session,
    /// A PaymentIntent (app payments, and the money behind a session).
    Intent,
    /// A Charge (refunds are reported on it).
    Charge,
    /// Anything else: the event is not one we act on.
    Other,
}

/// What a Checkout Session, PaymentIntent or Charge says about money.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentObject {
    /// Which object.
    pub kind: ObjectKind,
    /// Its own id (`cs_…`, `pi_…`, `ch_…`).
    pub id: String,
    /// What was paid: a session's `amount_total`, an intent's `amount_received`, a charge's
    /// `amount`.
    pub paid: Option<i64>,
    /// What a charge has had refunded so far.
    pub refunded: Option<i64>,
    /// Lower case, as Stripe writes it.
    pub currency: Option<String>,
    /// The PaymentIntent behind it (its own id for an intent).
    pub intent: Option<String>,
    /// Its metadata (`order_id`, and `attempt` on a session's intent).
    pub metadata: HashMap<String, String>,
    /// A session whose money has arrived (`payment_status: paid`); true for the others.
    pub settled: bool,
}

impl From<&CheckoutSession> for PaymentObject {
    fn from(s: &CheckoutSession) -> Self {
        PaymentObject {
            kind: ObjectKind::Session,
            id: s.id.to_string(),
            paid: s.amount_total,
            refunded: None,
            currency: s.currency.as_ref().map(|c| c.to_string()),
            intent: s.payment_intent.as_ref().map(|i| i.id().to_string()),
            metadata: s.metadata.clone().unwrap_or_default(),
            settled: s.payment_status.as_str() == "paid",
        }
    }
}

impl From<&PaymentIntent> for PaymentObject {
    fn from(i: &PaymentIntent) -> Self {
        PaymentObject {
            kind: ObjectKind::Intent,
            id: i.id.to_string(),
            paid: Some(i.amount_received),
            refunded: None,
            currency: Some(i.currency.to_string()),
            intent: Some(i.id.to_string()),
            metadata: i.metadata.clone(),
            settled: true,
        }
    }
}

impl From<&Charge> for PaymentObject {
    fn from(c: &Charge) -> Self {
        PaymentObject {
            kind: ObjectKind::Charge,
            id: c.id.to_string(),
            paid: Some(c.amount),
            refunded: Some(c.amount_refunded),
            currency: Some(c.currency.to_string()),
            intent: c.payment_intent.as_ref().map(|i| i.id().to_string()),
            metadata: c.metadata.clone(),
            settled: true,
        }
    }
}

/// Why a webhook delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The `Stripe-Signature` header is missing, malformed, stale, or made with another
    /// secret, or the body was changed after signing.
    #[error("{0}")]
    Signature(String),
    /// Signed, but not an event we can read.
    #[error("{0}")]
    Event(String),
}

/// Verifies a delivery against each webhook secret (several during a rotation) and reads
/// it into an [`Event`]. Nothing in the body is read before a signature matches.
pub fn read_webhook(
    body: &[u8],
    header: Option<&str>,
    secrets: &[String],
) -> Result<Event, Refused> {
    let header = header.ok_or_else(|| Refused::Signature("no Stripe-Signature header".into()))?;
    let Ok(payload) = std::str::from_utf8(body) else {
        // Stripe signs UTF-8 JSON: other bytes were never signed by it.
        return Err(Refused::Signature("the body is not UTF-8".into()));
    };
    let mut refusal = Refused::Signature("no webhook secret is configured".into());
    for secret in secrets {
        match Webhook::construct_event(payload, header, secret) {
            Ok(event) => return from_stripe(event),
            Err(WebhookError::BadParse(reason)) => return Err(Refused::Event(reason)),
            Err(other) => refusal = Refused::Signature(other.to_string()),
        }
    }
    Err(refusal)
}

fn from_stripe(event: stripe_webhook::Event) -> Result<Event, Refused> {
    let id = event.id.to_string();
    if !id.starts_with("evt_") || id.len() > 255 {
        return Err(Refused::Event(format!("`{id:.40}` is not an event id")));
    }
    let object = match &event.data.object {
        EventObject::CheckoutSessionCompleted(s) | EventObject::CheckoutSessionExpired(s) => {
            PaymentObject::from(s.as_ref())
        }
        EventObject::PaymentIntentSucceeded(i) | EventObject::PaymentIntentPaymentFailed(i) => {
            PaymentObject::from(i.as_ref())
        }
        EventObject::ChargeRefunded(c) => PaymentObject::from(c.as_ref()),
        _ => PaymentObject {
            kind: ObjectKind::Other,
            ..PaymentObject::default()
        },
    };
    Ok(Event {
        id,
        kind: EventKind::from(event.type_.as_str()),
        object,
    })
}
