//! Catalog use-cases.

use anyhow::Context;
use sqlx::PgConnection;

use super::model::{
    Category, CategoryNode, CategoryView, NewCategory, NewProduct, ProductDetail, ProductFilter,
    ProductSort, ProductSummary, category_tree,
};
use super::stock::{self, StockEdit, StockLevel};
use super::{Error, Result, repo};
use crate::Services;
use crate::shared::{Currency, CustomerType, Locale, Money, Page, PageRequest, ProductId, VatRate};

/// What a listing asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListProducts {
    /// Language of the names.
    pub locale: Locale,
    /// Whose prices to show and filter by.
    pub customer_type: CustomerType,
    /// Which page.
    pub page: PageRequest,
    /// Which products; run through [`ProductFilter::validate`] by [`list_products`].
    pub filter: ProductFilter,
    /// Order; `Relevance` without a query falls back to newest.
    pub sort: ProductSort,
}

/// One page of active products matching the filter, in one query. A search that finds
/// nothing by full text is retried by trigram similarity, so small typos still find.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn list_products(svc: &Services, query: ListProducts) -> Result<Page<ProductSummary>> {
    let page = svc
        .catalog_cache
        .listing(query.clone(), list_products_uncached(svc, query))
        .await?;
    Ok(Page::clone(&page))
}

async fn list_products_uncached(
    svc: &Services,
    query: ListProducts,
) -> Result<Page<ProductSummary>> {
    let filter = query.filter.validate()?;
    let sort = match (query.sort, &filter.query) {
        (ProductSort::Relevance, None) => ProductSort::Newest,
        (sort, _) => sort,
    };
    let mut params = repo::ListingParams {
        locale: query.locale.code(),
        fallback_locale: svc.default_locale.code(),
        customer_type: query.customer_type.as_str(),
        limit: query.page.limit(),
        offset: query.page.offset(),
        category: filter.category.as_deref(),
        min_price: filter.min_price_minor,
        max_price: filter.max_price_minor,
        brand: filter.brand.as_deref(),
        query: filter.query.as_deref(),
        fuzzy: false,
        in_stock_only: filter.in_stock_only,
        sort: sort.key(),
    };
    let mut rows = repo::select_active_products(&svc.db, &params)
        .await
        .context("Failed to list products")?;
    if rows.is_empty() && params.query.is_some() && query.page.page() == 1 {
        params.fuzzy = true;
        rows = repo::select_active_products(&svc.db, &params)
            .await
            .context("Failed to list products by similarity")?;
    }
    let total = rows.first().map_or(0, |r| r.total.max(0).unsigned_abs());
    let items = rows
        .into_iter()
        .map(summary_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        page: query.page.page(),
        per_page: query.page.per_page(),
        total,
    })
}

fn summary_from_row(r: repo::ProductRow) -> Result<ProductSummary> {
    Ok(ProductSummary {
        id: r.id.into(),
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
}

async fn categories(svc: &Services, locale: Locale) -> Result<std::sync::Arc<Vec<Category>>> {
    svc.catalog_cache
        .categories(locale, categories_uncached(svc, locale))
        .await
}

async fn categories_uncached(svc: &Services, locale: Locale) -> Result<Vec<Category>> {
    let rows = repo::select_categories(&svc.db, locale.code(), svc.default_locale.code())
        .await
        .context("Failed to load categories")?;
    Ok(rows
        .into_iter()
        .map(|r| Category {
            id: r.id,
            slug: r.slug,
            parent_id: r.parent_id,
            name: r.name,
            description: r.description,
            position: r.position,
        })
        .collect())
}

/// The path from the root to `id`, root first; empty when `id` is unknown.
fn breadcrumb(all: &[Category], id: uuid::Uuid) -> Vec<Category> {
    let mut path = Vec::new();
    let mut current = all.iter().find(|c| c.id == id);
    while let Some(category) = current {
        // A cycle cannot be stored (parent_id <> id covers only one level), so bound the walk.
        if path.len() > all.len() {
            break;
        }
        path.push(category.clone());
        current = category
            .parent_id
            .and_then(|p| all.iter().find(|c| c.id == p));
    }
    path.reverse();
    path
}

/// Every active category as a tree, named in `locale`.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn list_categories(svc: &Services, locale: Locale) -> Result<Vec<CategoryNode>> {
    Ok(category_tree(categories(svc, locale).await?.to_vec()))
}

/// One category with its breadcrumb and subcategories.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn get_category(svc: &Services, slug: &str, locale: Locale) -> Result<CategoryView> {
    let all = categories(svc, locale).await?;
    let category = all
        .iter()
        .find(|c| c.slug == slug)
        .cloned()
        .ok_or(Error::NotFound)?;
    Ok(CategoryView {
        breadcrumb: breadcrumb(&all, category.id),
        children: all
            .iter()
            .filter(|c| c.parent_id == Some(category.id))
            .cloned()
            .collect(),
        category,
    })
}

/// One active product by id or slug, for the product page.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn get_product(
    svc: &Services,
    id_or_slug: &str,
    locale: Locale,
    customer_type: CustomerType,
) -> Result<ProductDetail> {
    let key = (id_or_slug.to_owned(), locale, customer_type);
    let detail = svc
        .catalog_cache
        .product(
            key,
            get_product_uncached(svc, id_or_slug, locale, customer_type),
        )
        .await?;
    Ok(ProductDetail::clone(&detail))
}

async fn get_product_uncached(
    svc: &Services,
    id_or_slug: &str,
    locale: Locale,
    customer_type: CustomerType,
) -> Result<ProductDetail> {
    let id = uuid::Uuid::parse_str(id_or_slug).ok();
    let detail = repo::select_product_detail(
        &svc.db,
        id,
        id_or_slug,
        locale.code(),
        svc.default_locale.code(),
        customer_type.as_str(),
    )
    .await
    .context("Failed to load product")?
    .ok_or(Error::NotFound)?;
    let summary = repo::select_product_summary(
        &svc.db,
        detail.id,
        locale.code(),
        svc.default_locale.code(),
        customer_type.as_str(),
    )
    .await
    .context("Failed to load product")?
    .ok_or(Error::NotFound)
    .and_then(summary_from_row)?;
    let all = categories(svc, locale).await?;
    Ok(ProductDetail {
        summary,
        full_name: detail.full_name,
        description_md: detail.description,
        min_qty: detail.min_qty,
        qty_per_box: detail.qty_per_box,
        origin_country: detail.origin_country,
        storage: detail.storage,
        allergens: detail.allergens,
        nutrition: detail.nutrition,
        image_keys: detail.image_keys,
        breadcrumb: breadcrumb(&all, detail.category_id),
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
        .map(|(id, _)| id)
        .context("Failed to save category")
        .map_err(Error::from)
}

/// Creates a category or updates the one with the same slug (names, descriptions, parent,
/// position), in its own transaction, and invalidates the catalog cache.
#[tracing::instrument(skip_all, fields(slug = %category.slug.as_str()), err(level = "info"))]
pub async fn save_category(svc: &Services, category: &NewCategory) -> Result<Saved> {
    if !category.names.iter().any(|(l, _)| *l == svc.default_locale) {
        return Err(Error::Invalid {
            field: "names",
            message: "the default language is required".into(),
        });
    }
    if category
        .names
        .iter()
        .any(|(_, n)| n.trim().is_empty() || n.len() > 200)
    {
        return Err(Error::Invalid {
            field: "names",
            message: "must be 1 to 200 characters".into(),
        });
    }
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    if let Some(parent) = &category.parent {
        repo::find_category_id(&mut *tx, parent.as_str())
            .await
            .context("Failed to look up the parent")?
            .ok_or_else(|| Error::UnknownCategory(parent.as_str().to_owned()))?;
        if repo::would_create_cycle(&mut *tx, category.slug.as_str(), parent.as_str())
            .await
            .context("Failed to check the category tree")?
        {
            return Err(Error::Invalid {
                field: "parent",
                message: "a category cannot sit under itself".into(),
            });
        }
    }
    let (id, created) = repo::upsert_category(&mut tx, category)
        .await
        .context("Failed to save category")?;
    tx.commit().await.context("Failed to commit category")?;
    super::invalidate_catalog(svc).await;
    Ok(if created {
        Saved::Created(id.into())
    } else {
        Saved::Updated(id.into())
    })
}

/// Creates a product unless one with the same SKU exists, inside the caller's transaction.
/// Returns whether it was created. For bulk loads (the seed): the caller invalidates the
/// catalog cache once, after the batch.
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
    let stock = product.stock.apply(0, 0)?;
    repo::insert_product_if_absent(conn, category_id, product, stock)
        .await
        .context("Failed to insert product")
        .map_err(Error::from)
}

/// Whether [`upsert_product`] created or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// A new product.
    Created(ProductId),
    /// The product with that SKU, updated.
    Updated(ProductId),
}

/// Creates a product or updates the one with the same SKU, in its own transaction, and
/// invalidates the catalog cache (every process's, through Redis).
#[tracing::instrument(skip_all, fields(sku = %product.sku), err(level = "info"))]
pub async fn upsert_product(svc: &Services, product: &NewProduct) -> Result<Saved> {
    product.validate(svc.default_locale)?;
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let category_id = repo::find_category_id(&mut *tx, product.category.as_str())
        .await
        .context("Failed to look up category")?
        .ok_or_else(|| Error::UnknownCategory(product.category.as_str().to_owned()))?;
    let locked = stock::lock(&mut tx, &product.sku).await?;
    let level = stock::level(&mut tx, locked, product.stock).await?;
    let (id, created) = repo::upsert_product_by_sku(&mut tx, category_id, product, level.stock)
        .await
        .map_err(|e| match e {
            e if crate::shared::violated_constraint(&e) == Some("products_slug_key") => {
                Error::Invalid {
                    field: "slug",
                    message: format!("`{}` belongs to another product", product.slug.as_str()),
                }
            }
            other => Error::Unexpected(anyhow::Error::new(other).context("Failed to save product")),
        })?;
    tx.commit().await.context("Failed to commit product")?;
    // Its stock was set by hand: the Redis gate rebuilds the counter from Postgres.
    crate::order::gate::forget(svc, &[id.into()]).await;
    super::invalidate_catalog(svc).await;
    Ok(if created {
        Saved::Created(id.into())
    } else {
        Saved::Updated(id.into())
    })
}

/// A search suggestion: a product name and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Product slug.
    pub slug: String,
    /// Name in the requested language.
    pub name: String,
}

/// The words of a partial query as a prefix `tsquery` (`mas chl` → `mas:* & chl:*`): only
/// letters and digits survive, so the text can never break the query syntax.
pub fn prefix_tsquery(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| format!("{}:*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// Up to `limit` products whose words start with what was typed, best match first.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn suggest_products(
    svc: &Services,
    text: &str,
    locale: Locale,
    limit: u32,
) -> Result<Vec<Suggestion>> {
    let Some(tsquery) = prefix_tsquery(text) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query!(
        r#"
        with q as (select to_tsquery('simple', f_unaccent($1::text)) as tsq),
        matches as (
            select pt.product_id, max(ts_rank(pt.search_vector, q.tsq)) as score
              from product_translations pt cross join q
             where pt.search_vector @@ q.tsq
             group by pt.product_id
        )
        select p.slug, product_name(p.id, $2::text, $3::text) as "name!"
          from matches m join products p on p.id = m.product_id
         where p.is_active
         order by m.score desc, p.stock > 0 desc, p.slug
         limit $4
        "#,
        tsquery,
        locale.code(),
        svc.default_locale.code(),
        i64::from(limit.min(20)),
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to suggest products")?;
    Ok(rows
        .into_iter()
        .map(|r| Suggestion {
            slug: r.slug,
            name: r.name,
        })
        .collect())
}

/// Takes a product off the shop (kept for order history); `NotFound` for an unknown SKU.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn deactivate_product(svc: &Services, sku: &str) -> Result<()> {
    let done = sqlx::query!("update products set is_active = false where sku = $1", sku)
        .execute(&svc.db)
        .await
        .context("Failed to deactivate product")?
        .rows_affected();
    if done == 0 {
        return Err(Error::NotFound);
    }
    super::invalidate_catalog(svc).await;
    Ok(())
}

/// Sets a product's gross list price and edits its stock (the admin's quick edit); returns
/// the stock saved.
pub async fn update_price_and_stock(
    svc: &Services,
    sku: &str,
    price_minor: i64,
    edit: StockEdit,
) -> Result<StockLevel> {
    if price_minor < 0 {
        return Err(Error::Invalid {
            field: "price",
            message: "must not be negative".into(),
        });
    }
    save_stock(svc, sku, Some(price_minor), edit).await
}

/// Applies one stock edit to the product with this SKU; `NotFound` for an unknown SKU.
pub async fn edit_stock(svc: &Services, sku: &str, edit: StockEdit) -> Result<StockLevel> {
    save_stock(svc, sku, None, edit).await
}

#[tracing::instrument(skip(svc), err(level = "info"))]
async fn save_stock(
    svc: &Services,
    sku: &str,
    price_minor: Option<i64>,
    edit: StockEdit,
) -> Result<StockLevel> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let locked = stock::lock(&mut tx, sku).await?.ok_or(Error::NotFound)?;
    let level = stock::level(&mut tx, Some(locked), edit).await?;
    let id = sqlx::query_scalar!(
        r#"
        update products set base_price_minor = coalesce($2, base_price_minor), stock = $3
         where sku = $1 returning id
        "#,
        sku,
        price_minor,
        level.stock
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to update product")?;
    tx.commit().await.context("Failed to commit product")?;
    // Set by hand: the Redis gate rebuilds its counter from Postgres.
    crate::order::gate::forget(svc, &[id.into()]).await;
    super::invalidate_catalog(svc).await;
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::prefix_tsquery;

    #[test]
    fn prefix_queries_keep_only_words() {
        assert_eq!(prefix_tsquery("Mas"), Some("mas:*".into()));
        assert_eq!(prefix_tsquery("ser  żół"), Some("ser:* & żół:*".into()));
        assert_eq!(
            prefix_tsquery("a'); drop table x; --"),
            Some("a:* & drop:* & table:* & x:*".into())
        );
        assert_eq!(prefix_tsquery("!!! & |"), None);
    }
}
