//! Catalog use-cases.

use anyhow::Context;
use sqlx::PgConnection;

use super::model::{NewCategory, NewProduct, ProductSummary};
use super::{Error, Result, repo};
use crate::Services;
use crate::shared::{Currency, CustomerType, Locale, Money, Page, PageRequest, VatRate};

/// What a listing asks for.
#[derive(Debug, Clone, Copy)]
pub struct ListProducts {
    /// Language of the names.
    pub locale: Locale,
    /// Whose prices to show.
    pub customer_type: CustomerType,
    /// Which page.
    pub page: PageRequest,
}

/// One page of active products, newest first.
#[tracing::instrument(skip(svc), err)]
pub async fn list_products(svc: &Services, query: ListProducts) -> Result<Page<ProductSummary>> {
    let rows = repo::select_active_products(
        &svc.db,
        query.locale.code(),
        svc.default_locale.code(),
        query.customer_type.as_str(),
        query.page.limit(),
        query.page.offset(),
    )
    .await
    .context("Failed to list products")?;
    let total = rows.first().map_or(0, |r| r.total.max(0).unsigned_abs());
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(ProductSummary {
                id: r.id,
                price: Money::new(r.price_minor, Currency::parse(&r.currency)?),
                vat_rate: VatRate::from_basis_points(r.vat_rate_bp)?,
                slug: r.slug,
                sku: r.sku,
                brand: r.brand,
                name: r.name,
                stock: r.stock,
                net_quantity: r.net_quantity,
                net_unit: r.net_unit,
                badges: r.badges,
                image_key: r.image_key,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        page: query.page.page(),
        per_page: query.page.per_page(),
        total,
    })
}

/// Creates a category or updates the one with the same slug, inside the caller's
/// transaction.
pub async fn upsert_category(
    conn: &mut PgConnection,
    category: &NewCategory,
) -> Result<uuid::Uuid> {
    repo::upsert_category(conn, category)
        .await
        .context("Failed to save category")
        .map_err(Error::from)
}

/// Creates a product unless one with the same SKU exists, inside the caller's transaction.
/// Returns whether it was created.
pub async fn create_product_if_absent(
    conn: &mut PgConnection,
    default_locale: Locale,
    product: &NewProduct,
) -> Result<bool> {
    product.validate(default_locale)?;
    let category_id = repo::find_category_id(&mut *conn, product.category.as_str())
        .await
        .context("Failed to look up category")?
        .ok_or_else(|| Error::UnknownCategory(product.category.as_str().to_owned()))?;
    repo::insert_product_if_absent(conn, category_id, product)
        .await
        .context("Failed to insert product")
        .map_err(Error::from)
}
