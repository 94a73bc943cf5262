//! Where an order's money is, as the payment gateway reported it.

use serde::{Deserialize, Serialize};

/// The payment side of an order (its status says where the goods are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing paid yet.
    #[default]
    Unpaid,
    /// A payment was started or completed but its money has not arrived.
    Processing,
    /// Paid in full.
    Paid,
    /// The last attempt failed; the order can be paid again.
    Failed,
    /// Part of the money was returned.
    PartiallyRefunded,
    /// All of the money was returned.
    Refunded,
}

impl PaymentStatus {
    /// Every payment status.
    pub const ALL: [PaymentStatus; 6] = [
        PaymentStatus::Unpaid,
        PaymentStatus::Processing,
        PaymentStatus::Paid,
        PaymentStatus::Failed,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Processing => "processing",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// From its code; `None` for anything else.
    pub fn from_code(text: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_statuses_round_trip_through_their_codes() {
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::from_code(status.as_str()), Some(status));
        }
        assert_eq!(PaymentStatus::from_code("pending"), None);
    }
}
