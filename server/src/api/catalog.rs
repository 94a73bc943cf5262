//! `/api/v1/products`.

use axum::Json;
use axum::extract::State;
use domain::catalog::{self, ProductSummary};
use domain::shared::{CustomerType, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiLocale, ApiQuery};
use crate::startup::AppState;

/// Paging of a listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 24).
    pub per_page: Option<u32>,
    /// Language of translated fields: pl, en or tr (default: Accept-Language, then pl).
    pub lang: Option<String>,
}

/// A product in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductItem {
    /// Public id.
    pub id: Uuid,
    /// URL slug.
    pub slug: String,
    /// SKU.
    pub sku: String,
    /// Name in the requested language.
    pub name: String,
    /// Brand.
    pub brand: Option<String>,
    /// Gross unit price in minor units (grosze).
    pub price_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// VAT rate in basis points (2300 = 23 %).
    pub vat_rate_bp: i32,
    /// Units in stock.
    pub stock: i32,
    /// Net content amount.
    pub net_quantity: Option<i32>,
    /// Net content unit: g, ml or pcs.
    pub net_unit: Option<String>,
    /// Labels such as vegan or halal.
    pub badges: Vec<String>,
    /// Path of the first image.
    pub image_url: Option<String>,
}

impl From<ProductSummary> for ProductItem {
    fn from(p: ProductSummary) -> Self {
        ProductItem {
            id: p.id,
            price_minor: p.price.minor,
            currency: p.price.currency.to_string(),
            vat_rate_bp: p.vat_rate.basis_points(),
            image_url: p.image_key.map(|k| format!("/media/{k}")),
            slug: p.slug,
            sku: p.sku,
            name: p.name,
            brand: p.brand,
            stock: p.stock,
            net_quantity: p.net_quantity,
            net_unit: p.net_unit,
            badges: p.badges,
        }
    }
}

/// A page of products.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    /// The products.
    pub items: Vec<ProductItem>,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Products across all pages.
    pub total: u64,
    /// Number of pages.
    pub total_pages: u64,
}

/// Lists active products, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "catalog",
    params(ListParams),
    responses(
        (status = 200, description = "A page of products", body = ProductList),
        (status = 400, description = "Malformed query", body = super::error::ErrorBody),
        (status = 422, description = "Unsupported language", body = super::error::ErrorBody),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ProductList>, ApiError> {
    let query = catalog::ListProducts {
        locale,
        customer_type: CustomerType::Individual,
        page: PageRequest::new(params.page.unwrap_or(1), params.per_page.unwrap_or(24)),
    };
    let page = catalog::list_products(&state.services, query).await?;
    let total_pages = page.total_pages();
    let page = page.map(ProductItem::from);
    Ok(Json(ProductList {
        items: page.items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        total_pages,
    }))
}
