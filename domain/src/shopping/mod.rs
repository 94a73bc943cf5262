//! Shopping: pricing a basket (and, next, carts and favorites).
//!
//! Invariants: a quote prices every line from the database at the buyer's price list; the
//! VAT breakdown is computed per rate over the summed gross and adds up to the total.

mod quote;

pub use quote::{Error, Quote, QuoteLine, QuoteRequest, QuotedLine, quote_basket};
