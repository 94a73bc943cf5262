//! Orders as stored: the status machine, lines snapshotted at checkout, the timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::shared::{CustomerType, VatLine};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock held, waiting for the payment.
    PendingPayment,
    /// Placed on payment terms, waiting for a bank transfer.
    AwaitingTransfer,
    /// Paid; the invoice is issued.
    Paid,
    /// Being picked and packed.
    Processing,
    /// Handed to the carrier.
    Shipped,
    /// Delivered.
    Delivered,
    /// Cancelled; its stock went back.
    Cancelled,
    /// Money returned.
    Refunded,
}

/// Who moves an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The customer who placed it.
    Customer,
    /// A shop admin.
    Admin,
    /// A background job (expiry).
    System,
    /// The payment gateway.
    Payment,
}

impl Actor {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Customer => "customer",
            Actor::Admin => "admin",
            Actor::System => "system",
            Actor::Payment => "payment",
        }
    }

    fn parse(text: &str) -> Actor {
        match text {
            "customer" => Actor::Customer,
            "admin" => Actor::Admin,
            "payment" => Actor::Payment,
            _ => Actor::System,
        }
    }
}

impl OrderStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::PendingPayment,
        OrderStatus::AwaitingTransfer,
        OrderStatus::Paid,
        OrderStatus::Processing,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::AwaitingTransfer => "awaiting_transfer",
            OrderStatus::Paid => "paid",
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// From its code; `None` for anything else.
    pub fn from_code(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
    }

    /// From a `status` field a person or a client sent; an unknown code names the field.
    pub fn parse(text: &str) -> Result<OrderStatus, super::Error> {
        OrderStatus::from_code(text).ok_or_else(|| {
            super::Error::invalid(
                "status",
                format!("`{}` is not an order status", text.trim()),
            )
        })
    }

    /// Whether `actor` may move an order from `self` to `to`. Customers may only cancel,
    /// and only before the order is being processed; admins move it along the lifecycle;
    /// the payment gateway marks it paid or refunded; jobs only cancel unpaid orders.
    pub fn can_move_to(self, to: OrderStatus, actor: Actor) -> bool {
        use OrderStatus::*;
        let allowed_by_lifecycle = matches!(
            (self, to),
            (PendingPayment | AwaitingTransfer, Paid | Cancelled)
                | (Paid, Processing | Cancelled | Refunded)
                | (Processing, Shipped | Cancelled | Refunded)
                | (Shipped, Delivered)
                | (Delivered, Refunded)
        );
        allowed_by_lifecycle
            && match actor {
                Actor::Admin => true,
                Actor::Customer => {
                    to == Cancelled && matches!(self, PendingPayment | AwaitingTransfer | Paid)
                }
                Actor::System => {
                    to == Cancelled && matches!(self, PendingPayment | AwaitingTransfer)
                }
                Actor::Payment => matches!(to, Paid | Refunded | Cancelled),
            }
    }

    /// Whether the order still holds stock that a cancellation returns.
    pub fn holds_stock(self) -> bool {
        matches!(
            self,
            OrderStatus::PendingPayment
                | OrderStatus::AwaitingTransfer
                | OrderStatus::Paid
                | OrderStatus::Processing
        )
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    pub product_id: Option<Uuid>,
    /// SKU at checkout.
    pub sku: String,
    /// Name at checkout, in the buyer's language.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price in minor units.
    pub unit_price_minor: i64,
    /// VAT rate in basis points.
    pub vat_rate_bp: i32,
    /// Gross line total.
    pub line_total_minor: i64,
    /// VAT in the line total.
    pub line_vat_minor: i64,
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
    pub id: Uuid,
    /// Human number, e.g. 100123.
    pub number: i64,
    /// Who placed it.
    pub user_id: Option<Uuid>,
    /// Status.
    pub status: OrderStatus,
    /// Payment status (`pending`, `paid`, ...).
    pub payment_status: String,
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
    /// ISO 4217.
    pub currency: String,
    /// Sum of the lines.
    pub items_total_minor: i64,
    /// Shipping.
    pub shipping_minor: i64,
    /// Total to pay.
    pub total_minor: i64,
    /// VAT in the total.
    pub vat_total_minor: i64,
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

/// A tracking page for a parcel of a carrier we know.
pub fn tracking_url(carrier: &str, number: &str) -> Option<String> {
    let number: String = number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if number.is_empty() {
        return None;
    }
    let base = match carrier.trim().to_ascii_lowercase().as_str() {
        "inpost" => "https://inpost.pl/sledzenie-przesylek?number=",
        "dpd" => "https://tracktrace.dpd.com.pl/parcelDetails?p1=",
        "dhl" => "https://www.dhl.com/pl-pl/home/tracking.html?tracking-id=",
        "gls" => "https://gls-group.com/PL/pl/sledzenie-paczek?match=",
        "poczta polska" | "pocztapolska" => "https://emonitoring.poczta-polska.pl/?numer=",
        "ups" => "https://www.ups.com/track?tracknum=",
        _ => return None,
    };
    Some(format!("{base}{number}"))
}

/// The carriers offered when shipping.
pub const CARRIERS: [&str; 6] = ["InPost", "DPD", "DHL", "GLS", "Poczta Polska", "UPS"];

pub(super) fn parse_actor(text: &str) -> Actor {
    Actor::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn customers_cancel_only_before_processing_and_never_move_orders_along() {
        assert!(PendingPayment.can_move_to(Cancelled, Actor::Customer));
        assert!(Paid.can_move_to(Cancelled, Actor::Customer));
        assert!(!PendingPayment.can_move_to(Paid, Actor::Customer));
        assert!(!Processing.can_move_to(Cancelled, Actor::Customer));
    }

    #[test]
    fn the_lifecycle_only_goes_forward() {
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let allowed = from.can_move_to(to, Actor::Admin);
                let expected = matches!(
                    (from, to),
                    (PendingPayment, Paid)
                        | (PendingPayment, Cancelled)
                        | (AwaitingTransfer, Paid)
                        | (AwaitingTransfer, Cancelled)
                        | (Paid, Processing)
                        | (Paid, Cancelled)
                        | (Paid, Refunded)
                        | (Processing, Shipped)
                        | (Processing, Cancelled)
                        | (Processing, Refunded)
                        | (Shipped, Delivered)
                        | (Delivered, Refunded)
                );
                assert_eq!(allowed, expected, "{from} -> {to}");
            }
        }
        assert!(!Cancelled.can_move_to(PendingPayment, Actor::Admin));
        assert!(!PendingPayment.can_move_to(Processing, Actor::System));
    }

    #[test]
    fn tracking_links_for_known_carriers_only() {
        assert_eq!(
            tracking_url("InPost", "6200 1234 5678"),
            Some("https://inpost.pl/sledzenie-przesylek?number=620012345678".into())
        );
        assert_eq!(tracking_url("Pigeon", "1"), None);
        assert_eq!(tracking_url("DPD", "<>"), None);
    }

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::from_code("lost"), None);
    }
}
