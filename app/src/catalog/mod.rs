//! Catalog pages: home, category, search and product pages, and their server functions.

mod category;
mod grid;
mod home;
mod product;
mod search;
mod server_fns;

pub use category::CategoryPage;
pub use home::HomePage;
pub use product::ProductPage as ProductDetailPage;
pub use search::SearchPage;
pub use server_fns::{
    CategoryHeader, CategoryLink, ListingQuery, ProductCard, ProductPage, ProductView,
    get_category, get_product, list_categories, list_listing, suggest,
};
