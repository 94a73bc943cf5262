//! Shared UI pieces.

mod layout;
mod quantity;
mod search_box;

pub use layout::Layout;
pub use quantity::QuantityStepper;
pub use search_box::SearchBox;
