//! Shared UI pieces.

mod consent;
mod layout;
mod notice;
mod quantity;
mod search_box;

pub use consent::AcceptTerms;
pub use layout::Layout;
pub use notice::{ActionNotice, error_text};
pub use quantity::QuantityStepper;
pub use search_box::SearchBox;
