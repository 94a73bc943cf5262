//! Shopping: carts for guests and users, favorites, and the one cart calculation.
//!
//! Invariants: a cart holds a product at most once (primary key); a line's quantity is at
//! least the buyer's minimum and at most the stock when it is set; prices are never stored
//! in a cart, only read at the buyer's price list when it is shown (the price at adding is
//! kept to warn about changes); the VAT breakdown is computed per rate over the summed gross
//! and adds up to the total.

mod calc;
mod cart;
mod favorites;
mod handoff;
mod quote;
mod rules;

pub use calc::{CalcLine, Overflow, ShippingRule, Totals, calculate};
pub use cart::{
    Cart, CartLine, GUEST_CART_TTL, MAX_LINE_QUANTITY, Owner, Unit, add_item, clear_cart,
    create_guest_cart, delete_expired_guest_carts, discard_guest_cart, get_cart, item_count,
    remove_item, set_quantity,
};
pub use favorites::{Favorite, add_favorite, list_favorites, remove_favorite};
pub use handoff::{LockedCart, forget_user, lock_priced_cart, merge_guest};
pub use quote::{Error, Quote, QuoteLine, QuoteRequest, QuotedLine, quote_basket};
