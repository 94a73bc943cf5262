//! Order: checkout, stock reservation and release, the order lifecycle and tracking, VAT
//! invoices.
//!
//! Invariants: stock never goes negative (a CHECK, and a conditional decrement per line in
//! the order transaction, lines taken in product-id order so that two checkouts never
//! deadlock); Redis is only a gate in front of Postgres (see [`gate`]); an order's prices,
//! VAT, names and addresses are copied at checkout and never recomputed; an order moves
//! only along [`OrderStatus::can_move_to`], each move recorded with its actor; invoice
//! numbers are yearly, sequential and without gaps (the counter row is locked by the
//! transaction that issues the invoice); a customer only ever sees their own orders.

mod admin;
mod buyer;
mod checkout;
mod correction;
mod correction_pdf;
pub mod fa3;
pub mod gate;
mod invoice;
mod lifecycle;
mod model;
pub mod paying;
mod reminders;
mod retention;
mod terms;

use std::time::Duration;

pub use admin::{
    Dashboard, LowStock, OrderFilter, dashboard, placed_on_days, search_orders, send_staff_digest,
};
pub use checkout::{AddressChoice, PlaceOrder, Placed, place_order};
pub use correction::{
    Amounts, CorrectedLine, CorrectedRate, Correction, Reason, correction_pdf, corrections,
};
pub use invoice::{Invoice, Seller, invoice_pdf, render_invoice_pdf};
pub use lifecycle::{
    Move, OrderSummary, Viewer, expire_unpaid, get_order, list_orders, move_order, set_tracking,
};
pub(crate) use lifecycle::{apply, lock_order};
pub use model::{
    Actor, AddressSnapshot, CARRIERS, Order, OrderEvent, OrderLine, OrderStatus, PaymentStatus,
    parse_status, tracking_url,
};
pub use reminders::remind_unpaid;
pub use retention::forget_expired_contacts;
pub use terms::{
    TERMS, default_terms, flag_overdue, set_customer_terms, set_default_terms, terms_for,
};

/// Shop-wide order settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long an unpaid order holds its stock.
    pub reservation: Duration,
    /// The seller printed on invoices.
    pub seller: Seller,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reservation: Duration::from_secs(30 * 60),
            seller: Seller::default(),
        }
    }
}

/// What can go wrong placing or changing an order.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The customer has not finished their profile (names, or company for corporate).
    #[error("complete your profile before ordering")]
    ProfileIncomplete,
    /// An order is placed only with the terms and the privacy policy accepted.
    #[error(transparent)]
    TermsNotAccepted(#[from] crate::user::consent::TermsNotAccepted),
    /// Nothing to order.
    #[error("the cart is empty")]
    EmptyCart,
    /// Products no longer sold.
    #[error("no longer sold: {0:?}")]
    Unavailable(Vec<String>),
    /// A quantity under the buyer's minimum.
    #[error("{sku} needs a quantity of at least {minimum}")]
    BelowMinimum {
        /// The product's SKU.
        sku: String,
        /// Its minimum.
        minimum: i32,
    },
    /// Not enough stock for a line.
    #[error("only {available} of {product_id} in stock")]
    OutOfStock {
        /// The product.
        product_id: crate::shared::ProductId,
        /// Units left.
        available: i32,
    },
    /// The total is not the one the customer confirmed.
    #[error("the total changed to {total_minor}")]
    PriceChanged {
        /// The total now.
        total_minor: i64,
    },
    /// The order cannot move this way.
    #[error("an order that is {from} cannot become {to}")]
    Transition {
        /// Its status.
        from: OrderStatus,
        /// The status asked for.
        to: OrderStatus,
    },
    /// An idempotency key sent again with a different request.
    #[error("this idempotency key was used for a different request")]
    IdempotencyKeyReused,
    /// A paid order can only be cancelled with a refund, which needs the payment gateway.
    #[error("this order is paid; it can be cancelled once the refund is made")]
    RefundRequired,
    /// No such order, or somebody else's.
    #[error("not found")]
    NotFound,
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl Error {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<crate::user::Error> for Error {
    fn from(e: crate::user::Error) -> Self {
        use crate::user::Error as E;
        match e {
            E::Invalid { field, message } => Error::Invalid { field, message },
            E::NotFound => Error::NotFound,
            E::Unexpected(e) => Error::Unexpected(e),
            E::Unavailable(what) => Error::Unexpected(crate::shared::Outage(what).into()),
            other => Error::Unexpected(anyhow::Error::new(other)),
        }
    }
}

/// Reading a cart for an order fails only when the database does.
impl From<crate::shopping::Error> for Error {
    fn from(e: crate::shopping::Error) -> Self {
        match e {
            crate::shopping::Error::Unexpected(e) => Error::Unexpected(e),
            other => Error::Unexpected(anyhow::Error::new(other)),
        }
    }
}
