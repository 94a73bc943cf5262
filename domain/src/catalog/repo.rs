//! SQL for the catalog.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{NewCategory, NewProduct};

/// A listing row before conversion to the domain type.
pub(super) struct ProductRow {
    pub id: Uuid,
    pub slug: String,
    pub sku: String,
    pub brand: Option<String>,
    pub name: String,
    pub currency: String,
    pub price_minor: i64,
    pub vat_rate_bp: i32,
    pub stock: i32,
    pub net_quantity: Option<i32>,
    pub net_unit: Option<String>,
    pub badges: Vec<String>,
    pub image_key: Option<String>,
    pub total: i64,
}

/// One page of active products, newest first, with the total count.
///
/// The name comes from the asked-for locale, else the fallback, else any translation; the
/// price from the customer type's price list, else the base price.
pub(super) async fn select_active_products(
    db: impl PgExecutor<'_>,
    locale: &str,
    fallback_locale: &str,
    customer_type: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ProductRow>> {
    sqlx::query_as!(
        ProductRow,
        r#"
        select p.id, p.slug, p.sku, p.brand, p.currency,
               product_name(p.id, $1, $2) as "name!",
               product_price_minor(p, $3) as "price_minor!",
               p.vat_rate_bp, p.stock, p.net_quantity, p.net_unit, p.badges,
               (select i.storage_key from product_images i
                 where i.product_id = p.id order by i.position limit 1) as image_key,
               count(*) over () as "total!"
          from products p
         where p.is_active
         order by p.created_at desc, p.id
         limit $4 offset $5
        "#,
        locale,
        fallback_locale,
        customer_type,
        limit,
        offset,
    )
    .fetch_all(db)
    .await
}

/// Inserts or updates a category by slug; returns its id.
pub(super) async fn upsert_category(
    conn: &mut PgConnection,
    category: &NewCategory,
) -> sqlx::Result<Uuid> {
    let parent_slug = category.parent.as_ref().map(|s| s.as_str());
    let id = sqlx::query_scalar!(
        r#"
        insert into categories (id, slug, parent_id, position)
        values ($1, $2, (select id from categories where slug = $3), $4)
        on conflict (slug) do update
           set parent_id = excluded.parent_id, position = excluded.position
        returning id
        "#,
        Uuid::now_v7(),
        category.slug.as_str(),
        parent_slug,
        category.position,
    )
    .fetch_one(&mut *conn)
    .await?;
    for (locale, name) in &category.names {
        sqlx::query!(
            r#"
            insert into category_translations (category_id, locale, name)
            values ($1, $2, $3)
            on conflict (category_id, locale) do update set name = excluded.name
            "#,
            id,
            locale.code(),
            name,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// The id of the category with this slug.
pub(super) async fn find_category_id(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("select id from categories where slug = $1", slug)
        .fetch_optional(db)
        .await
}

/// Inserts a product unless its SKU exists; returns whether it was inserted.
pub(super) async fn insert_product_if_absent(
    conn: &mut PgConnection,
    category_id: Uuid,
    product: &NewProduct,
) -> sqlx::Result<bool> {
    let id = Uuid::now_v7();
    let (net_quantity, net_unit) = product.net_content.unzip();
    let inserted = sqlx::query!(
        r#"
        insert into products (
            id, slug, sku, brand, category_id, currency, base_price_minor,
            individual_price_minor, corporate_price_minor, vat_rate_bp, stock,
            min_qty_individual, min_qty_corporate, qty_per_box, net_quantity, net_unit,
            origin_country, storage, allergens, nutrition, badges)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20, $21)
        on conflict (sku) do nothing
        "#,
        id,
        product.slug.as_str(),
        product.sku,
        product.brand,
        category_id,
        product.base_price.currency.code(),
        product.base_price.minor,
        product.individual_price_minor,
        product.corporate_price_minor,
        product.vat_rate.basis_points(),
        product.stock,
        product.min_qty_individual,
        product.min_qty_corporate,
        product.qty_per_box,
        net_quantity,
        net_unit,
        product.origin_country,
        product.storage,
        &product.allergens,
        product.nutrition,
        &product.badges,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(false);
    }
    for t in &product.translations {
        sqlx::query!(
            r#"
            insert into product_translations (product_id, locale, name, full_name, description)
            values ($1, $2, $3, $4, $5)
            "#,
            id,
            t.locale.code(),
            t.name,
            t.full_name,
            t.description,
        )
        .execute(&mut *conn)
        .await?;
    }
    for (position, key) in (0..).zip(&product.image_keys) {
        sqlx::query!(
            "insert into product_images (id, product_id, storage_key, position) values ($1, $2, $3, $4)",
            Uuid::now_v7(),
            id,
            key,
            position,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}
