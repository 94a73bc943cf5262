//! Catalog: categories, products and their translations, listing.
//!
//! Invariants: prices are gross minor units with a VAT rate per product; stock is never
//! negative (a database CHECK backs the domain); a product's name falls back to the shop's
//! default language when the asked-for translation is missing.

mod cache;
mod error;
mod images;
mod input;
mod model;
mod repo;
mod service;
mod stock;

pub use cache::{CatalogCache, INVALIDATION_CHANNEL, invalidate_catalog, listen_for_invalidations};
pub use error::{Error, Result};
pub use images::{
    MAX_IMAGE_BYTES, ProductImage, add_product_image, delete_product_image, product_images,
};
pub use input::{CategorySource, ProductInput, TranslationInput, category_sources, product_input};
pub use model::{
    ALLERGENS, Category, CategoryNode, CategoryView, MAX_QUERY_LEN, NewCategory, NewProduct,
    NewProductTranslation, ProductDetail, ProductFilter, ProductSort, ProductSummary, Slug,
    category_tree,
};
pub use service::{
    ListProducts, Saved, Suggestion, create_product_if_absent, deactivate_product, edit_stock,
    get_category, get_product, list_categories, list_products, prefix_tsquery, save_category,
    suggest_products, update_price_and_stock, upsert_category, upsert_product,
};
pub use stock::{StockEdit, StockLevel};
