//! Orders as stored: the status machine, lines snapshotted at checkout, the timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::shared::{CustomerType, Money, OrderId, ProductId, UserId, VatLine, VatRate};

pub use shop_types::{Actor, CARRIERS, OrderStatus, PaymentStatus, tracking_url};

/// An order status from a `status` field a person or a client sent; an unknown code names
/// the field.
pub fn parse_status(text: &str) -> Result<OrderStatus, super::Error> {
    OrderStatus::from_code(text).ok_or_else(|| {
        super::Error::invalid(
            "status",
            format!("`{}` is not an order status", text.trim()),
        )
    })
}

/// An address copied into the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AddressSnapshot {
    /// Recipient.
    pub name: String,
    /// Company, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Phone for the courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A line of an order: what was bought at which price, as it was at checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// The product, while it exists.
    pub product_id: Option<ProductId>,
    /// SKU at checkout.
    pub sku: String,
    /// Name at checkout, in the buyer's language.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price.
    pub unit_price: Money,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Gross line total.
    pub line_total: Money,
    /// VAT in the line total.
    pub line_vat: Money,
}

/// A change of status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    /// Before (none for the placement).
    pub from: Option<OrderStatus>,
    /// After.
    pub to: OrderStatus,
    /// Who did it.
    pub actor: Actor,
    /// A note (why, carrier and tracking number).
    pub note: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order with its lines and timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Id.
    pub id: OrderId,
    /// Human number, e.g. 100123.
    pub number: i64,
    /// Who placed it.
    pub user_id: Option<UserId>,
    /// Status.
    pub status: OrderStatus,
    /// Where its money is.
    pub payment_status: PaymentStatus,
    /// Payment method.
    pub payment_method: String,
    /// Individual or corporate prices.
    pub customer_type: CustomerType,
    /// Buyer's name.
    pub contact_name: String,
    /// Buyer's e-mail.
    pub contact_email: Option<String>,
    /// Buyer's phone.
    pub contact_phone: Option<String>,
    /// Where it goes.
    pub shipping_address: AddressSnapshot,
    /// Who is invoiced.
    pub billing_address: Option<AddressSnapshot>,
    /// Company NIP on the invoice.
    pub buyer_nip: Option<String>,
    /// Company name on the invoice.
    pub buyer_company_name: Option<String>,
    /// Sum of the lines.
    pub items_total: Money,
    /// Shipping.
    pub shipping: Money,
    /// Total to pay.
    pub total: Money,
    /// VAT in the total.
    pub vat_total: Money,
    /// Net, VAT and gross per rate (shipping included).
    pub vat_breakdown: Vec<VatLine>,
    /// Carrier, once shipped.
    pub carrier: Option<String>,
    /// Tracking number, once shipped.
    pub tracking_number: Option<String>,
    /// The customer's note.
    pub notes: Option<String>,
    /// Unpaid orders are cancelled after this.
    pub reserved_until: Option<DateTime<Utc>>,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// Lines in checkout order.
    pub lines: Vec<OrderLine>,
    /// Timeline, oldest first.
    pub events: Vec<OrderEvent>,
    /// The invoice number, once issued.
    pub invoice_number: Option<String>,
    /// Why a payment needs an admin's look (amount mismatch, paid after cancellation).
    pub review_reason: Option<String>,
    /// Days to pay by bank transfer (0: paid online).
    pub payment_terms_days: i32,
    /// When a transfer is due.
    pub payment_due_at: Option<DateTime<Utc>>,
    /// The transfer is late (flagged by the daily job).
    pub overdue: bool,
}

impl Order {
    /// The carrier's tracking page for this order, when it is known.
    pub fn tracking_url(&self) -> Option<String> {
        tracking_url(self.carrier.as_deref()?, self.tracking_number.as_deref()?)
    }
}

pub(super) fn parse_actor(text: &str) -> Actor {
    Actor::parse(text)
}
