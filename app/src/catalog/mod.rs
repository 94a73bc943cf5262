//! Catalog pages: the home page listing, and the server functions behind them.

mod home;
mod server_fns;

pub use home::HomePage;
pub use server_fns::{ListProducts, ProductCard, ProductPage, list_products};
