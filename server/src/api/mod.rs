//! The JSON API for mobile apps, mounted under `/api/v1`.
//!
//! Handlers are thin: extract, convert to a domain command, call the use-case, map the
//! result to a response DTO or an [`ApiError`].

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod content;
pub mod docs;
pub mod error;
pub mod extract;
pub mod shopping;

use axum::Router;
use axum::routing::{get, post, put};

pub use error::ApiError;

use crate::startup::AppState;

/// Every `/api/v1` route; unknown paths and wrong methods answer in the error shape.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(catalog::list_products))
        .route("/products/{id_or_slug}", get(catalog::get_product))
        .route("/search", get(catalog::search))
        .route("/search/suggest", get(catalog::suggest))
        .route("/categories", get(catalog::list_categories))
        .route("/categories/{slug}", get(catalog::get_category))
        .route("/content/faq", get(content::list_faq))
        .route("/content/pages/{slug}", get(content::get_page))
        .route("/quotes", post(shopping::create_quote))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route(
            "/admin/products/{sku}",
            put(admin::put_product).delete(admin::deactivate_product),
        )
        .route("/admin/categories/{slug}", put(admin::put_category))
        .route("/admin/content/pages/{slug}", put(admin::put_page))
        .route(
            "/admin/content/pages/{slug}/revisions",
            get(admin::page_revisions),
        )
        .route(
            "/admin/content/faq/{id}",
            put(admin::put_faq).delete(admin::delete_faq),
        )
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn fallback() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::from_status(axum::http::StatusCode::METHOD_NOT_ALLOWED)
}
