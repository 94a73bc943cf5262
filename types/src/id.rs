//! Ids that cannot be mixed up: an order's id is not a user's, even though both are UUIDs.
//!
//! Each is a UUID on the wire (serde transparent) and in the database (`sqlx` feature: the
//! same column type as `uuid`), so JSON, URLs and tables do not change; only the compiler
//! sees the difference.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub Uuid);

        impl $name {
            /// The UUID inside, for code that talks to the outside world in UUIDs.
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text.trim()).map($name)
            }
        }
    };
}

id_type!(
    /// An order.
    OrderId
);
id_type!(
    /// A person with an account (a customer or an admin).
    UserId
);
id_type!(
    /// A product in the catalog.
    ProductId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_plain_uuid_in_json_and_in_text() {
        let uuid = Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001);
        let id = OrderId(uuid);
        let json = serde_json::to_string(&id).unwrap_or_default();
        assert_eq!(json, format!("\"{uuid}\""));
        assert_eq!(id.to_string(), uuid.to_string());
        assert_eq!(format!(" {uuid} ").parse::<OrderId>().ok(), Some(id));
        assert!("not-an-id".parse::<UserId>().is_err());
    }
}
