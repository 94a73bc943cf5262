//! Who buys: a private person or a company, each with its own price list and minimums.

/// Which price list and minimum quantities apply to a buyer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
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
