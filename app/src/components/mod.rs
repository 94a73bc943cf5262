//! Shared UI pieces.

mod layout;
mod quantity;

pub use layout::Layout;
pub use quantity::QuantityStepper;
