//! Payment: Stripe (through async-stripe: its client for the calls we make, its webhook
//! verification and typed events), exactly-once application of payment events, and the
//! development gateway that goes through the same path.
//!
//! Invariants: a signature is verified before anything in the body is parsed into an action;
//! an event's id is recorded in the same transaction as its effect, so duplicates, retries
//! and concurrent copies change an order once; money state only moves forward (a late
//! failure or unpaid completion after a success does nothing, an older refund event never
//! lowers the refunded amount); only the attempt an event names changes; money no order
//! keeps (a payment on a cancelled order, a second payment) is refunded automatically and
//! flagged; a Checkout Session ends with the order's reservation and open attempts are
//! closed before an unpaid order is cancelled; refunds go to the payment the order kept; a
//! payment whose amount or currency differs from the order is flagged for review, never
//! marked paid; the development gateway cannot exist in production.

mod dev;
mod events;
mod gateway;
pub mod signature;
mod stripe;
mod webhook;

pub use dev::{dev_outcome, start_dev_payment};
pub use events::{Outcome, handle_event};
pub(crate) use gateway::{Closed, close_attempts, paid_through_gateway};
pub use gateway::{
    Moved, app_payment, cancel, move_order, place_and_pay, reconcile, refund, start_payment,
};
pub use stripe::{CheckoutSession, Intent, StripeClient};
pub use webhook::{Event, EventKind, Meaning, ObjectKind, PaymentObject, Refused, read_webhook};

/// What can go wrong with a payment event or a payment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The event is not one we can read (no id, no object, a negative amount).
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    /// The event names no order of ours.
    #[error("the event names no known order")]
    UnknownOrder,
    /// The order cannot be paid now (not waiting for payment).
    #[error("this order is not waiting for payment")]
    NotPayable,
    /// The development gateway is off (production, or Stripe configured).
    #[error("the development gateway is not enabled")]
    DevGatewayDisabled,
    /// App payments need Stripe (the development gateway is a web page).
    #[error("payments from apps need Stripe")]
    AppPaymentsUnavailable,
    /// Stripe refused or could not be reached.
    #[error("the payment gateway failed: {0}")]
    Gateway(String),
    /// Nothing was paid through the gateway, or the order is not in a refundable state.
    #[error("this order has no refundable payment")]
    NotRefundable,
    /// A refund amount outside 1..=what is left.
    #[error("the refund must be between 0.01 and {refundable} minor units")]
    InvalidAmount {
        /// What can still be refunded.
        refundable: i64,
    },
    /// The order refused the change (see the order context's errors).
    #[error(transparent)]
    Order(crate::order::Error),
    /// No such order, or somebody else's.
    #[error("not found")]
    NotFound,
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<crate::order::Error> for Error {
    fn from(e: crate::order::Error) -> Self {
        match e {
            crate::order::Error::NotFound => Error::NotFound,
            crate::order::Error::Unexpected(e) => Error::Unexpected(e),
            // Kept whole: an order refusal is the caller's 409 or 422, not a server error.
            other => Error::Order(other),
        }
    }
}
