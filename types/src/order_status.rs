//! Where an order is in its life and who may move it where: the one status machine, which
//! the pages also use to offer only the moves that are allowed.

use serde::{Deserialize, Serialize};

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

    /// Reads the stored value (anything unknown is the system).
    pub fn parse(text: &str) -> Actor {
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

    /// Whether the shop keeps the order's money (paid, not cancelled or refunded): what an
    /// admin can refund.
    pub fn holds_payment(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid
                | OrderStatus::Processing
                | OrderStatus::Shipped
                | OrderStatus::Delivered
        )
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
    fn statuses_round_trip_through_their_codes() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::from_code("lost"), None);
    }
}
