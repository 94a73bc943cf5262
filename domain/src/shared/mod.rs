//! Value types shared by every context: money, VAT, locales and pagination.

pub mod blob;
pub mod client_addr;
pub mod image;
pub mod locale;
pub mod markdown;
pub mod money;
pub mod outage;
pub mod pagination;
pub mod rate_limit;

pub use client_addr::{ClientAddr, TrustedProxies, limit_subject};
pub use locale::Locale;
pub use money::{Currency, Money, VatLine, VatRate};
pub use outage::{Outage, is_outage, is_unstorable_text, violated_constraint};
pub use pagination::{Page, PageRequest};

/// Which price list and minimum quantities apply to a buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CustomerType {
    /// A private person (and every guest).
    #[default]
    Individual,
    /// A company identified by its tax number.
    Corporate,
}

impl CustomerType {
    /// `individual` or `corporate`, as clients send it; anything else is `None`.
    pub fn from_code(text: &str) -> Option<CustomerType> {
        match text.trim() {
            "individual" => Some(CustomerType::Individual),
            "corporate" => Some(CustomerType::Corporate),
            _ => None,
        }
    }

    /// Reads the stored value (anything but `corporate` is individual).
    pub fn parse(text: &str) -> CustomerType {
        if text == "corporate" {
            CustomerType::Corporate
        } else {
            CustomerType::Individual
        }
    }

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::Individual => "individual",
            CustomerType::Corporate => "corporate",
        }
    }
}
