//! `/api/v1/admin/...`: catalog management for the `admin` role.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::catalog::{self, NewProduct, NewProductTranslation, Saved, Slug};
use domain::shared::{Currency, Locale, Money, VatRate};
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
    /// Units in stock.
    pub stock: i32,
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

fn one_of(
    field: &str,
    value: Option<String>,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, ApiError> {
    value
        .map(|v| {
            allowed
                .iter()
                .copied()
                .find(|a| *a == v)
                .ok_or_else(|| invalid(field, &format!("must be one of {}", allowed.join(", "))))
        })
        .transpose()
}

impl ProductBody {
    fn into_product(self, sku: String) -> Result<NewProduct, ApiError> {
        let currency = Currency::parse(self.currency.as_deref().unwrap_or("PLN"))
            .map_err(|e| invalid("currency", &e.to_string()))?;
        let translations = self
            .translations
            .into_iter()
            .map(|(code, t)| {
                let locale = Locale::parse(&code)
                    .filter(|l| l.code() == code)
                    .ok_or_else(|| {
                        invalid(
                            "translations",
                            &format!("`{code}` is not one of pl, en, tr"),
                        )
                    })?;
                Ok(NewProductTranslation {
                    locale,
                    name: t.name,
                    full_name: t.full_name,
                    description: t.description,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let net_unit = one_of("net_unit", self.net_unit, &["g", "ml", "pcs"])?;
        Ok(NewProduct {
            slug: Slug::parse(&self.slug).map_err(|e| invalid("slug", &e.to_string()))?,
            sku,
            brand: self.brand,
            category: Slug::parse(&self.category)
                .map_err(|_| invalid("category", "is not a category slug"))?,
            base_price: Money::new(self.price_minor, currency),
            individual_price_minor: self.individual_price_minor,
            corporate_price_minor: self.corporate_price_minor,
            vat_rate: VatRate::from_basis_points(self.vat_rate_bp)
                .map_err(|e| invalid("vat_rate_bp", &e.to_string()))?,
            stock: self.stock,
            min_qty_individual: self.min_qty_individual.unwrap_or(1),
            min_qty_corporate: self.min_qty_corporate.unwrap_or(1),
            qty_per_box: self.qty_per_box,
            net_content: match (self.net_quantity, net_unit) {
                (Some(q), Some(u)) if q > 0 => Some((q, u)),
                (None, None) => None,
                _ => {
                    return Err(invalid(
                        "net_quantity",
                        "needs a positive net_quantity with net_unit",
                    ));
                }
            },
            origin_country: self.origin_country.map(|c| c.to_ascii_uppercase()),
            storage: one_of("storage", self.storage, &["ambient", "chilled", "frozen"])?,
            allergens: self.allergens,
            nutrition: None,
            badges: self.badges,
            translations,
            image_keys: Vec::new(),
            is_active: self.active.unwrap_or(true),
        })
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
    catalog::invalidate_catalog(&state.services).await;
    tracing::info!(admin = %admin.id, sku = %product.sku, "product saved");
    Ok(match saved {
        Saved::Created(id) => (
            StatusCode::CREATED,
            Json(SavedProduct {
                id,
                result: "created",
            }),
        ),
        Saved::Updated(id) => (
            StatusCode::OK,
            Json(SavedProduct {
                id,
                result: "updated",
            }),
        ),
    })
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

fn locale_of(field: &str, code: &str) -> Result<Locale, ApiError> {
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
                    id,
                    result: "created",
                }),
            ),
            Saved::Updated(id) => (
                StatusCode::OK,
                Json(SavedProduct {
                    id,
                    result: "updated",
                }),
            ),
        },
    )
}

/// One language of a content page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageBody {
    /// pl, en or tr.
    pub locale: String,
    /// Title.
    pub title: String,
    /// Body in markdown (rendered sanitized).
    pub body_md: String,
    /// Shown on the site (default true).
    pub published: Option<bool>,
}

/// Saves one language of a page; an edit keeps the replaced text as a revision.
#[utoipa::path(
    put, path = "/api/v1/admin/content/pages/{slug}", tag = "admin", request_body = PageBody,
    params(("slug" = String, Path, description = "Page slug")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created"),
        (status = 200, description = "Updated; the previous text is kept"),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
        (status = 422, description = "Invalid", body = super::error::ErrorBody),
    )
)]
pub async fn put_page(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PageBody>,
) -> Result<StatusCode, ApiError> {
    let edit = domain::content::PageEdit {
        slug,
        locale: locale_of("locale", &body.locale)?,
        title: body.title,
        body_md: body.body_md,
        published: body.published.unwrap_or(true),
    };
    Ok(
        match domain::content::save_page(&state.services, admin.id, &edit).await? {
            domain::content::PageSaved::Created => StatusCode::CREATED,
            domain::content::PageSaved::Updated => StatusCode::OK,
        },
    )
}

/// An earlier version of a page.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionBody {
    /// Language.
    pub locale: String,
    /// Title then.
    pub title: String,
    /// Markdown then.
    pub body_md: String,
    /// When it was replaced.
    pub replaced_at: chrono::DateTime<chrono::Utc>,
    /// The admin who replaced it.
    pub edited_by: Option<Uuid>,
}

/// Earlier versions of a page, newest first.
#[utoipa::path(
    get, path = "/api/v1/admin/content/pages/{slug}/revisions", tag = "admin",
    params(("slug" = String, Path, description = "Page slug")),
    security(("bearer" = [])),
    responses((status = 200, description = "Revisions", body = [RevisionBody]))
)]
pub async fn page_revisions(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RevisionBody>>, ApiError> {
    let revisions = domain::content::page_revisions(&state.services, &slug).await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|r| RevisionBody {
                locale: r.locale,
                title: r.title,
                body_md: r.body_md,
                replaced_at: r.replaced_at,
                edited_by: r.edited_by,
            })
            .collect(),
    ))
}

/// A FAQ entry as an admin writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqBody {
    /// Order (reorder by changing it).
    pub position: i32,
    /// Shown on the site (default true).
    pub published: Option<bool>,
    /// Question and markdown answer per language code (pl required).
    pub translations: BTreeMap<String, FaqText>,
}

/// One language of a FAQ entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqText {
    /// Question.
    pub question: String,
    /// Answer in markdown.
    pub answer_md: String,
}

/// Creates or replaces the FAQ entry with this id.
#[utoipa::path(
    put, path = "/api/v1/admin/content/faq/{id}", tag = "admin", request_body = FaqBody,
    params(("id" = Uuid, Path, description = "Entry id (choose a UUID to create one)")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created"),
        (status = 200, description = "Updated"),
        (status = 422, description = "Invalid", body = super::error::ErrorBody),
    )
)]
pub async fn put_faq(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<FaqBody>,
) -> Result<StatusCode, ApiError> {
    let texts = body
        .translations
        .into_iter()
        .map(|(code, t)| Ok((locale_of("translations", &code)?, t.question, t.answer_md)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let saved = domain::content::save_faq(
        &state.services,
        id,
        body.position,
        body.published.unwrap_or(true),
        &texts,
    )
    .await?;
    Ok(match saved {
        domain::content::PageSaved::Created => StatusCode::CREATED,
        domain::content::PageSaved::Updated => StatusCode::OK,
    })
}

/// Deletes a FAQ entry.
#[utoipa::path(
    delete, path = "/api/v1/admin/content/faq/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such entry", body = super::error::ErrorBody))
)]
pub async fn delete_faq(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    domain::content::delete_faq(&state.services, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
