//! `/api/v1/admin/...`: catalog management (products, stock, categories, pictures) for the
//! `admin` role; content pages and the FAQ are `admin_content`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::catalog::{self, NewProduct, Saved, Slug, StockEdit};
use domain::shared::Locale;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{AdminUser, ApiJson};
use crate::startup::AppState;

/// A product's texts in one language.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslationBody {
    /// Name (1-200 characters).
    pub name: String,
    /// Longer name.
    pub full_name: Option<String>,
    /// Description in markdown.
    pub description: Option<String>,
}

/// Everything about a product; the SKU is in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    /// URL slug.
    pub slug: String,
    /// Category slug.
    pub category: String,
    /// Brand.
    pub brand: Option<String>,
    /// Gross list price in minor units.
    pub price_minor: i64,
    /// Gross price for individuals, when different.
    pub individual_price_minor: Option<i64>,
    /// Gross price for companies, when different.
    pub corporate_price_minor: Option<i64>,
    /// ISO 4217 currency (default PLN).
    pub currency: Option<String>,
    /// VAT rate in basis points (2300 = 23 %).
    pub vat_rate_bp: i32,
    /// Units to sell. A new product starts with it (default 0). Changing an existing
    /// product's stock needs `expected_stock`; left out, the stock is kept. Deliveries and
    /// shelf counts go to `POST /api/v1/admin/products/{sku}/stock`.
    pub stock: Option<i32>,
    /// The stock this change is based on (what the client last read). When the product has
    /// another stock now (a checkout took units), nothing is saved: 409 `stock_changed` with
    /// `details.current`.
    pub expected_stock: Option<i32>,
    /// Least quantity for individuals (default 1).
    pub min_qty_individual: Option<i32>,
    /// Least quantity for companies (default 1).
    pub min_qty_corporate: Option<i32>,
    /// Units per box.
    pub qty_per_box: Option<i32>,
    /// Net content amount.
    pub net_quantity: Option<i32>,
    /// g, ml or pcs.
    pub net_unit: Option<String>,
    /// ISO country of origin.
    pub origin_country: Option<String>,
    /// ambient, chilled or frozen.
    pub storage: Option<String>,
    /// EU allergen codes.
    #[serde(default)]
    pub allergens: Vec<String>,
    /// Labels such as vegan.
    #[serde(default)]
    pub badges: Vec<String>,
    /// Texts per language code (pl is required).
    pub translations: BTreeMap<String, TranslationBody>,
    /// Shown in the shop (default true).
    pub active: Option<bool>,
    /// Nutrition facts per 100 g / 100 ml: `energy_kcal`, `fat_g`, `saturates_g`,
    /// `carbohydrate_g`, `sugars_g`, `protein_g`, `salt_g`.
    #[schema(value_type = Option<Object>)]
    pub nutrition: Option<serde_json::Value>,
}

/// The saved product.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedProduct {
    /// Product id.
    pub id: Uuid,
    /// `created` or `updated`.
    pub result: &'static str,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::invalid(field, message)
}

impl ProductBody {
    fn into_product(self, sku: String) -> Result<NewProduct, ApiError> {
        let input = catalog::ProductInput {
            slug: self.slug,
            category: self.category,
            brand: self.brand,
            price_minor: self.price_minor,
            individual_price_minor: self.individual_price_minor,
            corporate_price_minor: self.corporate_price_minor,
            currency: self.currency,
            vat_rate_bp: self.vat_rate_bp,
            stock: match (self.stock, self.expected_stock) {
                (Some(to), seen) => StockEdit::Replace {
                    seen: seen.unwrap_or(0),
                    to,
                },
                (None, None) => StockEdit::default(),
                (None, Some(_)) => return Err(invalid("stock", "is required with expected_stock")),
            },
            min_qty_individual: self.min_qty_individual,
            min_qty_corporate: self.min_qty_corporate,
            qty_per_box: self.qty_per_box,
            net_quantity: self.net_quantity,
            net_unit: self.net_unit,
            origin_country: self.origin_country,
            storage: self.storage,
            allergens: self.allergens,
            badges: self.badges,
            nutrition: self.nutrition,
            translations: self
                .translations
                .into_iter()
                .map(|(locale, t)| catalog::TranslationInput {
                    locale,
                    name: t.name,
                    full_name: t.full_name,
                    description: t.description,
                })
                .collect(),
            active: self.active,
        };
        Ok(input.into_product(sku)?)
    }
}

/// Creates the product with this SKU or replaces its data (images are kept).
#[utoipa::path(
    put, path = "/api/v1/admin/products/{sku}", tag = "admin", request_body = ProductBody,
    params(("sku" = String, Path, description = "Stock-keeping unit")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = SavedProduct),
        (status = 200, description = "Updated", body = SavedProduct),
        (status = 401, description = "Not signed in", body = super::error::ErrorBody),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
        (status = 409, description = "`stock_changed`: `expected_stock` is not the stock any more; `details.current` has it", body = super::error::ErrorBody),
        (status = 422, description = "A field is invalid; `details.field` names it", body = super::error::ErrorBody),
    )
)]
pub async fn put_product(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(sku): Path<String>,
    ApiJson(body): ApiJson<ProductBody>,
) -> Result<(StatusCode, Json<SavedProduct>), ApiError> {
    let product = body.into_product(sku)?;
    let saved = catalog::upsert_product(&state.services, &product).await?;
    tracing::info!(admin = %admin.id, sku = %product.sku, "product saved");
    Ok(match saved {
        Saved::Created(id) => (
            StatusCode::CREATED,
            Json(SavedProduct {
                id: id.into(),
                result: "created",
            }),
        ),
        Saved::Updated(id) => (
            StatusCode::OK,
            Json(SavedProduct {
                id: id.into(),
                result: "updated",
            }),
        ),
    })
}

/// One stock edit: exactly one of `change`, `counted`, or `set` with `expected`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockBody {
    /// Units to add (a delivery) or, negative, to take away (breakage).
    pub change: Option<i32>,
    /// Units counted on the shelf; the units of orders not yet shipped are subtracted.
    pub counted: Option<i32>,
    /// The new stock, saved only if it is still `expected`.
    pub set: Option<i32>,
    /// With `set`: the stock the client last read.
    pub expected: Option<i32>,
}

impl StockBody {
    fn into_edit(self) -> Result<StockEdit, ApiError> {
        match (self.change, self.counted, self.set, self.expected) {
            (Some(units), None, None, None) => Ok(StockEdit::Change(units)),
            (None, Some(units), None, None) => Ok(StockEdit::Counted(units)),
            (None, None, Some(to), Some(seen)) => Ok(StockEdit::Replace { seen, to }),
            (None, None, Some(_), None) => Err(invalid("expected", "is required with set")),
            _ => Err(invalid(
                "change",
                "send exactly one of change, counted, or set with expected",
            )),
        }
    }
}

/// A product's stock after an edit.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockDto {
    /// Units available to sell.
    pub stock: i32,
    /// Units on the shelf that orders not yet shipped hold (counted only for `counted`).
    pub held: i32,
}

/// Edits a product's stock without overwriting what checkouts took meanwhile: a delivery
/// or breakage (`change`), a shelf count (`counted`), or a compare-and-set (`set`).
#[utoipa::path(
    post, path = "/api/v1/admin/products/{sku}/stock", tag = "admin", request_body = StockBody,
    params(("sku" = String, Path, description = "Stock-keeping unit")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = StockDto),
        (status = 404, description = "No such SKU", body = super::error::ErrorBody),
        (status = 409, description = "`stock_changed`: the stock is not `expected` any more; `details.current` has it", body = super::error::ErrorBody),
        (status = 422, description = "A malformed edit, or one that would leave the stock below zero", body = super::error::ErrorBody),
    )
)]
pub async fn edit_stock(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(sku): Path<String>,
    ApiJson(body): ApiJson<StockBody>,
) -> Result<Json<StockDto>, ApiError> {
    let edit = body.into_edit()?;
    let level = catalog::edit_stock(&state.services, &sku, edit).await?;
    tracing::info!(admin = %admin.id, %sku, ?edit, stock = level.stock, "stock edited");
    Ok(Json(StockDto {
        stock: level.stock,
        held: level.held,
    }))
}

/// Takes the product off the shop; it stays for order history.
#[utoipa::path(
    delete, path = "/api/v1/admin/products/{sku}", tag = "admin",
    params(("sku" = String, Path, description = "Stock-keeping unit")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deactivated"),
        (status = 401, description = "Not signed in", body = super::error::ErrorBody),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
        (status = 404, description = "No such SKU", body = super::error::ErrorBody),
    )
)]
pub async fn deactivate_product(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(sku): Path<String>,
) -> Result<StatusCode, ApiError> {
    catalog::deactivate_product(&state.services, &sku).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A category's data; the slug is in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// Parent category slug (none: a top-level category).
    pub parent: Option<String>,
    /// Order among siblings (reorder by changing it).
    pub position: i32,
    /// Name per language code (pl required).
    pub names: BTreeMap<String, String>,
    /// Description per language code.
    #[serde(default)]
    pub descriptions: BTreeMap<String, String>,
}

/// A language code exactly as written (`pl`, `en`, `tr`).
pub(super) fn locale_of(field: &str, code: &str) -> Result<Locale, ApiError> {
    Locale::parse(code)
        .filter(|l| l.code() == code)
        .ok_or_else(|| invalid(field, &format!("`{code}` is not one of pl, en, tr")))
}

/// Creates the category with this slug or updates it (names, descriptions, parent, position).
#[utoipa::path(
    put, path = "/api/v1/admin/categories/{slug}", tag = "admin", request_body = CategoryBody,
    params(("slug" = String, Path, description = "Category slug")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = SavedProduct),
        (status = 200, description = "Updated", body = SavedProduct),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
        (status = 422, description = "Invalid, or the parent would make a cycle", body = super::error::ErrorBody),
    )
)]
pub async fn put_category(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<(StatusCode, Json<SavedProduct>), ApiError> {
    let category = catalog::NewCategory {
        slug: Slug::parse(&slug).map_err(|e| invalid("slug", &e.to_string()))?,
        parent: body
            .parent
            .as_deref()
            .map(|p| Slug::parse(p).map_err(|_| invalid("parent", "is not a category slug")))
            .transpose()?,
        position: body.position,
        names: body
            .names
            .into_iter()
            .map(|(code, name)| Ok((locale_of("names", &code)?, name)))
            .collect::<Result<_, ApiError>>()?,
        descriptions: body
            .descriptions
            .into_iter()
            .map(|(code, text)| Ok((locale_of("descriptions", &code)?, text)))
            .collect::<Result<_, ApiError>>()?,
    };
    Ok(
        match catalog::save_category(&state.services, &category).await? {
            Saved::Created(id) => (
                StatusCode::CREATED,
                Json(SavedProduct {
                    id: id.into(),
                    result: "created",
                }),
            ),
            Saved::Updated(id) => (
                StatusCode::OK,
                Json(SavedProduct {
                    id: id.into(),
                    result: "updated",
                }),
            ),
        },
    )
}

/// A stored product picture.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductImageBody {
    /// Id (to delete it).
    pub id: Uuid,
    /// Where it is served.
    pub url: String,
    /// Display order, 0 first.
    pub position: i32,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
}

impl From<catalog::ProductImage> for ProductImageBody {
    fn from(i: catalog::ProductImage) -> Self {
        ProductImageBody {
            id: i.id,
            url: domain::shared::blob::media_url(&i.key),
            position: i.position,
            width: i.width,
            height: i.height,
        }
    }
}

/// The product's pictures in display order.
#[utoipa::path(
    get, path = "/api/v1/admin/products/{sku}/images", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "Pictures", body = [ProductImageBody]))
)]
pub async fn list_images(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(sku): Path<String>,
) -> Result<Json<Vec<ProductImageBody>>, ApiError> {
    let images = catalog::product_images(&state.services, &sku).await?;
    Ok(Json(images.into_iter().map(Into::into).collect()))
}

/// Adds a picture (multipart field `image`: JPEG, PNG or WebP by declared type and content,
/// at most 8 MB); it is fitted into 1200×1200 and stored as JPEG.
#[utoipa::path(
    post, path = "/api/v1/admin/products/{sku}/images", tag = "admin",
    request_body(content_type = "multipart/form-data", description = "Field `image`"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = ProductImageBody),
        (status = 404, description = "No such SKU", body = super::error::ErrorBody),
        (status = 413, description = "Over 8 MB", body = super::error::ErrorBody),
        (status = 422, description = "Not a JPEG/PNG/WebP, content does not match, damaged", body = super::error::ErrorBody),
    )
)]
pub async fn upload_image(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(sku): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<ProductImageBody>), ApiError> {
    let multipart = multipart.map_err(|e| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Send the image as multipart/form-data: {e}"),
        )
    })?;
    let (content_type, bytes) = super::me::read_file_field(multipart, "image").await?;
    let image = catalog::add_product_image(&state.services, &sku, content_type, bytes).await?;
    tracing::info!(admin = %admin.id, %sku, "product image added");
    Ok((StatusCode::CREATED, Json(image.into())))
}

/// Deletes a picture.
#[utoipa::path(
    delete, path = "/api/v1/admin/products/{sku}/images/{id}", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such picture of this product", body = super::error::ErrorBody),
    )
)]
pub async fn delete_image(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path((sku, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    catalog::delete_product_image(&state.services, &sku, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
