//! `/api/v1/products`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::catalog::{
    self, Category, CategoryNode, ListProducts, ProductFilter, ProductSort, ProductSummary,
};
use domain::shared::{CustomerType, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiLocale, ApiQuery};
use crate::startup::AppState;

/// Paging, filters and sort of a product listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page number (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4294967295_u64)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 24).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
    /// Language of translated fields: pl, en or tr (default: Accept-Language, then pl).
    pub lang: Option<String>,
    /// Category slug; its subcategories are included.
    pub category: Option<String>,
    /// Least gross price in minor units (grosze), inclusive.
    pub min_price: Option<i64>,
    /// Greatest gross price in minor units, inclusive.
    pub max_price: Option<i64>,
    /// Exact brand, case-insensitive.
    pub brand: Option<String>,
    /// `true` for products in stock only.
    pub in_stock: Option<bool>,
    /// Search text (full text over name, brand, category and description; typo-tolerant).
    pub q: Option<String>,
    /// relevance (default: best match with `q`, newest without), price_asc, price_desc, newest, name.
    pub sort: Option<String>,
}

impl ListParams {
    fn into_query(self, locale: domain::shared::Locale) -> Result<ListProducts, ApiError> {
        let per_page = self.per_page.unwrap_or(24);
        if !(1..=PageRequest::MAX_PER_PAGE).contains(&per_page) {
            return Err(bad_parameter("per_page", "must be between 1 and 100"));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            return Err(bad_parameter("page", "must be at least 1"));
        }
        let sort = match self.sort.as_deref() {
            None | Some("") => ProductSort::default(),
            Some(key) => ProductSort::parse(key).map_err(parameter_error)?,
        };
        let filter = ProductFilter {
            category: self.category,
            min_price_minor: self.min_price,
            max_price_minor: self.max_price,
            brand: self.brand,
            in_stock_only: self.in_stock.unwrap_or(false),
            query: self.q,
        }
        .validate()
        .map_err(parameter_error)?;
        Ok(ListProducts {
            locale,
            customer_type: CustomerType::Individual,
            page: PageRequest::new(page, per_page),
            filter,
            sort,
        })
    }
}

/// 400 for a query parameter, naming it.
fn bad_parameter(field: &str, message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
        format!("{field}: {message}"),
    )
    .with_details(serde_json::json!({ "field": field, "reason": message }))
}

fn parameter_error(e: catalog::Error) -> ApiError {
    match e {
        catalog::Error::Invalid { field, message } => bad_parameter(field, &message),
        other => ApiError::from(other),
    }
}

/// A product in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductItem {
    /// Public id.
    pub id: Uuid,
    /// URL slug.
    #[schema(example = "maslo-extra-200g")]
    pub slug: String,
    /// SKU.
    #[schema(example = "MT-0102-1")]
    pub sku: String,
    /// Name in the requested language.
    #[schema(example = "Masło extra 82% 200 g")]
    pub name: String,
    /// Brand.
    #[schema(example = "Łaciate")]
    pub brand: Option<String>,
    /// Gross unit price in minor units (grosze).
    #[schema(example = 799)]
    pub price_minor: i64,
    /// ISO 4217 currency.
    #[schema(example = "PLN")]
    pub currency: String,
    /// VAT rate in basis points (2300 = 23 %).
    #[schema(example = 500)]
    pub vat_rate_bp: i32,
    /// Units in stock.
    #[schema(example = 53)]
    pub stock: i32,
    /// Net content amount.
    #[schema(example = 200)]
    pub net_quantity: Option<i32>,
    /// Net content unit: g, ml or pcs.
    #[schema(example = "g")]
    pub net_unit: Option<String>,
    /// Labels such as vegan or halal.
    pub badges: Vec<String>,
    /// Path of the first image.
    #[schema(example = "/media/demo/maslo-extra-200g.svg")]
    pub image_url: Option<String>,
}

impl From<ProductSummary> for ProductItem {
    fn from(p: ProductSummary) -> Self {
        ProductItem {
            id: p.id.into(),
            price_minor: p.price.minor,
            currency: p.price.currency.to_string(),
            vat_rate_bp: p.vat_rate.basis_points(),
            image_url: p.image_key.map(|k| domain::shared::blob::media_url(&k)),
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

/// Lists active products with filters, sort and pagination.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "catalog",
    params(ListParams),
    responses(
        (status = 200, description = "A page of products", body = ProductList),
        (status = 400, description = "A parameter is invalid; `details.field` names it", body = super::error::ErrorBody),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ProductList>, ApiError> {
    let query = params.into_query(locale)?;
    page_response(catalog::list_products(&state.services, query).await?)
}

/// Searches active products; same parameters as the listing, `q` required, best match first.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "catalog",
    params(ListParams),
    responses(
        (status = 200, description = "Matching products", body = ProductList),
        (status = 400, description = "`q` missing or a parameter invalid", body = super::error::ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ProductList>, ApiError> {
    if params.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return Err(bad_parameter("q", "is required"));
    }
    let query = params.into_query(locale)?;
    page_response(catalog::list_products(&state.services, query).await?)
}

fn page_response(
    page: domain::shared::Page<ProductSummary>,
) -> Result<Json<ProductList>, ApiError> {
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

/// A category as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryItem {
    /// Public id.
    pub id: Uuid,
    /// URL slug.
    #[schema(example = "nabial")]
    pub slug: String,
    /// Name in the requested language.
    #[schema(example = "Nabiał i jaja")]
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Subcategories (only in the tree listing).
    #[schema(no_recursion)]
    pub children: Vec<CategoryItem>,
}

impl From<CategoryNode> for CategoryItem {
    fn from(node: CategoryNode) -> Self {
        let mut item = CategoryItem::from(node.category);
        item.children = node.children.into_iter().map(CategoryItem::from).collect();
        item
    }
}

impl From<Category> for CategoryItem {
    fn from(c: Category) -> Self {
        CategoryItem {
            id: c.id,
            slug: c.slug,
            name: c.name,
            description: c.description,
            children: Vec::new(),
        }
    }
}

/// The category tree.
#[utoipa::path(
    get, path = "/api/v1/categories", tag = "catalog",
    params(("lang" = Option<String>, Query, description = "pl, en or tr")),
    responses((status = 200, description = "Root categories with their children", body = [CategoryItem]))
)]
pub async fn list_categories(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
) -> Result<Json<Vec<CategoryItem>>, ApiError> {
    let tree = catalog::list_categories(&state.services, locale).await?;
    Ok(Json(tree.into_iter().map(CategoryItem::from).collect()))
}

/// A category with its breadcrumb and subcategories.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDetail {
    /// The category.
    pub category: CategoryItem,
    /// Root first, ending with the category.
    pub breadcrumb: Vec<CategoryItem>,
    /// Direct subcategories.
    pub children: Vec<CategoryItem>,
}

/// One category.
#[utoipa::path(
    get, path = "/api/v1/categories/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "Category slug"), ("lang" = Option<String>, Query, description = "pl, en or tr")),
    responses(
        (status = 200, description = "The category", body = CategoryDetail),
        (status = 404, description = "No such category", body = super::error::ErrorBody),
    )
)]
pub async fn get_category(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    Path(slug): Path<String>,
) -> Result<Json<CategoryDetail>, ApiError> {
    let view = catalog::get_category(&state.services, &slug, locale).await?;
    Ok(Json(CategoryDetail {
        category: view.category.into(),
        breadcrumb: view
            .breadcrumb
            .into_iter()
            .map(CategoryItem::from)
            .collect(),
        children: view.children.into_iter().map(CategoryItem::from).collect(),
    }))
}

/// Everything about one product.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDetailBody {
    /// Listing fields (name, price for guests and individuals, stock, first image).
    #[serde(flatten)]
    pub product: ProductItem,
    /// Longer name.
    pub full_name: Option<String>,
    /// Description in markdown.
    pub description_md: Option<String>,
    /// Least quantity per order.
    pub min_qty: i32,
    /// Units per box.
    pub qty_per_box: Option<i32>,
    /// ISO country of origin.
    pub origin_country: Option<String>,
    /// ambient, chilled or frozen.
    pub storage: Option<String>,
    /// EU allergen codes.
    pub allergens: Vec<String>,
    /// Nutrition facts per 100 g / 100 ml.
    #[schema(value_type = Option<Object>)]
    pub nutrition: Option<serde_json::Value>,
    /// Every image URL in order.
    pub images: Vec<String>,
    /// Category path, root first.
    pub breadcrumb: Vec<CategoryItem>,
}

/// One active product by id or slug.
#[utoipa::path(
    get, path = "/api/v1/products/{id_or_slug}", tag = "catalog",
    params(("id_or_slug" = String, Path, description = "Product UUID or slug"), ("lang" = Option<String>, Query, description = "pl, en or tr")),
    responses(
        (status = 200, description = "The product", body = ProductDetailBody),
        (status = 404, description = "No such product", body = super::error::ErrorBody),
    )
)]
pub async fn get_product(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    Path(id_or_slug): Path<String>,
) -> Result<Json<ProductDetailBody>, ApiError> {
    let detail = catalog::get_product(
        &state.services,
        &id_or_slug,
        locale,
        CustomerType::Individual,
    )
    .await?;
    Ok(Json(ProductDetailBody {
        product: detail.summary.into(),
        full_name: detail.full_name,
        description_md: detail.description_md,
        min_qty: detail.min_qty,
        qty_per_box: detail.qty_per_box,
        origin_country: detail.origin_country,
        storage: detail.storage,
        allergens: detail.allergens,
        nutrition: detail.nutrition,
        images: detail
            .image_keys
            .iter()
            .map(|k| domain::shared::blob::media_url(k))
            .collect(),
        breadcrumb: detail
            .breadcrumb
            .into_iter()
            .map(CategoryItem::from)
            .collect(),
    }))
}

/// What `q` to complete.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What the user has typed so far.
    pub q: String,
    /// Language: pl, en or tr.
    pub lang: Option<String>,
}

/// A suggestion for the search box.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionItem {
    /// Product slug (`/p/{slug}`, `/api/v1/products/{slug}`).
    pub slug: String,
    /// Product name.
    pub name: String,
}

/// Up to 8 products whose words start with what was typed.
#[utoipa::path(
    get, path = "/api/v1/search/suggest", tag = "catalog",
    params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions, best first", body = [SuggestionItem]),
        (status = 400, description = "`q` missing or longer than 200 characters", body = super::error::ErrorBody),
    )
)]
pub async fn suggest(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    ApiQuery(params): ApiQuery<SuggestParams>,
) -> Result<Json<Vec<SuggestionItem>>, ApiError> {
    if params.q.chars().count() > catalog::MAX_QUERY_LEN {
        return Err(bad_parameter("q", "must be at most 200 characters"));
    }
    let suggestions = catalog::suggest_products(&state.services, &params.q, locale, 8).await?;
    Ok(Json(
        suggestions
            .into_iter()
            .map(|s| SuggestionItem {
                slug: s.slug,
                name: s.name,
            })
            .collect(),
    ))
}
