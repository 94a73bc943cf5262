//! What every context shares: ids, money, VAT, languages and customer types (defined in
//! `shop-types`, which the browser shares too), pagination, blobs, limits, outages.

pub mod blob;
pub mod client_addr;
pub mod image;
pub mod markdown;
pub mod outage;
pub mod pagination;
pub mod rate_limit;
pub mod warsaw;

pub use client_addr::{ClientAddr, TrustedProxies, limit_subject};
pub use outage::{Outage, is_outage, is_unstorable_text, violated_constraint};
pub use pagination::{Page, PageRequest};
pub use shop_types::money;
pub use shop_types::{
    Currency, CustomerType, Locale, Money, OrderId, ProductId, UserId, VatLine, VatRate,
};
pub use warsaw::warsaw_date;
