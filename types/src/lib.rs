//! The shop's vocabulary, shared by `domain` (the server) and `app` (also compiled to wasm
//! for the browser): one definition of each language, customer type, order status and its
//! allowed moves, carrier, VAT rate, amount of money and kind of id, so that no page keeps its own copy.
//!
//! Nothing here does I/O or needs the server's crates.

pub mod carrier;
pub mod customer;
pub mod id;
pub mod locale;
pub mod money;
pub mod order_status;
pub mod payment_status;

pub use carrier::{CARRIERS, tracking_url};
pub use customer::CustomerType;
pub use id::{OrderId, ProductId, UserId};
pub use locale::Locale;
pub use money::{
    Currency, Money, MoneyError, VatLine, VatRate, apportion, format_money, split, vat_breakdown,
};
pub use order_status::{Actor, OrderStatus};
pub use payment_status::PaymentStatus;
