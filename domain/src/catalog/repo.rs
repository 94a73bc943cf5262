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

/// What the listing query filters and sorts by, already validated.
pub(super) struct ListingParams<'a> {
    pub locale: &'a str,
    pub fallback_locale: &'a str,
    pub customer_type: &'a str,
    pub limit: i64,
    pub offset: i64,
    pub category: Option<&'a str>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub brand: Option<&'a str>,
    pub query: Option<&'a str>,
    /// Match the query by trigram word similarity instead of full text.
    pub fuzzy: bool,
    pub in_stock_only: bool,
    pub sort: &'a str,
}

/// One page of active products with the total count, in one query.
///
/// The name comes from the asked-for locale, else the fallback, else any translation; the
/// price from the customer type's price list, else the base price. A category includes its
/// subcategories. A search matches any language's text, folded (`lodz` finds `Łódź`).
pub(super) async fn select_active_products(
    db: impl PgExecutor<'_>,
    p: &ListingParams<'_>,
) -> sqlx::Result<Vec<ProductRow>> {
    sqlx::query_as!(
        ProductRow,
        r#"
        with recursive tree as (
            select c.id from categories c where c.slug = $6 and c.is_active
            union all
            select c.id from categories c join tree t on c.parent_id = t.id where c.is_active
        ),
        q as (
            select websearch_to_tsquery('simple', f_unaccent($10::text))
                   || websearch_to_tsquery('english', f_unaccent($10::text))
                   || websearch_to_tsquery('turkish', f_unaccent($10::text)) as tsq,
                   f_unaccent(lower($10::text)) as folded
        ),
        matches as (
            select pt.product_id,
                   max(case when $11 then word_similarity(q.folded, f_unaccent(lower(pt.name)))
                            else ts_rank(pt.search_vector, q.tsq) end) as score
              from product_translations pt cross join q
             where $10::text is not null
               and (($11 and word_similarity(q.folded, f_unaccent(lower(pt.name))) >= 0.4)
                    or (not $11 and pt.search_vector @@ q.tsq))
             group by pt.product_id
        )
        select p.id, p.slug, p.sku, p.brand, p.currency,
               product_name(p.id, $1::text, $2::text) as "name!",
               product_price_minor(p, $3::text) as "price_minor!",
               p.vat_rate_bp, p.stock, p.net_quantity, p.net_unit, p.badges,
               (select i.storage_key from product_images i
                 where i.product_id = p.id order by i.position limit 1) as image_key,
               count(*) over () as "total!"
          from products p
          left join matches m on m.product_id = p.id
         where p.is_active
           and ($6::text is null or p.category_id in (select id from tree))
           and ($7::bigint is null or product_price_minor(p, $3::text) >= $7)
           and ($8::bigint is null or product_price_minor(p, $3::text) <= $8)
           and ($9::text is null or lower(p.brand) = lower($9))
           and ($10::text is null or m.product_id is not null)
           and (not $12 or p.stock > 0)
         order by
               case when $13 = 'relevance' then m.score end desc nulls last,
               case when $13 = 'price_asc' then product_price_minor(p, $3::text) end asc,
               case when $13 = 'price_desc' then product_price_minor(p, $3::text) end desc,
               case when $13 = 'name' then product_name(p.id, $1::text, $2::text) end asc,
               p.created_at desc, p.id
         limit $4 offset $5
        "#,
        p.locale,
        p.fallback_locale,
        p.customer_type,
        p.limit,
        p.offset,
        p.category,
        p.min_price,
        p.max_price,
        p.brand,
        p.query,
        p.fuzzy,
        p.in_stock_only,
        p.sort,
    )
    .fetch_all(db)
    .await
}

/// One active product's listing row, by id.
pub(super) async fn select_product_summary(
    db: impl PgExecutor<'_>,
    id: Uuid,
    locale: &str,
    fallback_locale: &str,
    customer_type: &str,
) -> sqlx::Result<Option<ProductRow>> {
    sqlx::query_as!(
        ProductRow,
        r#"
        select p.id, p.slug, p.sku, p.brand, p.currency,
               product_name(p.id, $2::text, $3::text) as "name!",
               product_price_minor(p, $4::text) as "price_minor!",
               p.vat_rate_bp, p.stock, p.net_quantity, p.net_unit, p.badges,
               (select i.storage_key from product_images i
                 where i.product_id = p.id order by i.position limit 1) as image_key,
               1::bigint as "total!"
          from products p
         where p.id = $1 and p.is_active
        "#,
        id,
        locale,
        fallback_locale,
        customer_type,
    )
    .fetch_optional(db)
    .await
}

/// A category row in one language.
pub(super) struct CategoryRow {
    pub id: Uuid,
    pub slug: String,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub position: i32,
}

/// Every active category, named in the locale (else the fallback, else any), by position.
pub(super) async fn select_categories(
    db: impl PgExecutor<'_>,
    locale: &str,
    fallback_locale: &str,
) -> sqlx::Result<Vec<CategoryRow>> {
    sqlx::query_as!(
        CategoryRow,
        r#"
        select c.id, c.slug, c.parent_id, c.position, t.name, t.description
          from categories c
         cross join lateral (
               select ct.name, ct.description from category_translations ct
                where ct.category_id = c.id
                order by ct.locale = $1 desc, ct.locale = $2 desc, ct.locale
                limit 1) t
         where c.is_active
         order by c.position, c.slug
        "#,
        locale,
        fallback_locale,
    )
    .fetch_all(db)
    .await
}

/// The detail columns of one active product, by id or slug.
pub(super) struct ProductDetailRow {
    pub id: Uuid,
    pub category_id: Uuid,
    pub full_name: Option<String>,
    pub description: Option<String>,
    pub min_qty: i32,
    pub qty_per_box: Option<i32>,
    pub origin_country: Option<String>,
    pub storage: Option<String>,
    pub allergens: Vec<String>,
    pub nutrition: Option<serde_json::Value>,
    pub image_keys: Vec<String>,
}

/// The product's detail columns, or `None` when no active product has that id or slug.
pub(super) async fn select_product_detail(
    db: impl PgExecutor<'_>,
    id: Option<Uuid>,
    slug: &str,
    locale: &str,
    fallback_locale: &str,
    customer_type: &str,
) -> sqlx::Result<Option<ProductDetailRow>> {
    sqlx::query_as!(
        ProductDetailRow,
        r#"
        select p.id, p.category_id, t.full_name, t.description,
               product_min_qty(p, $5::text) as "min_qty!",
               p.qty_per_box, p.origin_country, p.storage, p.allergens, p.nutrition,
               array(select i.storage_key from product_images i
                      where i.product_id = p.id order by i.position) as "image_keys!"
          from products p
         cross join lateral (
               select pt.full_name, pt.description from product_translations pt
                where pt.product_id = p.id
                order by pt.locale = $3 desc, pt.locale = $4 desc, pt.locale
                limit 1) t
         where p.is_active and (p.id = $1 or p.slug = $2)
        "#,
        id,
        slug,
        locale,
        fallback_locale,
        customer_type,
    )
    .fetch_optional(db)
    .await
}

/// Inserts or updates a category by slug; returns its id.
pub(super) async fn upsert_category(
    conn: &mut PgConnection,
    category: &NewCategory,
) -> sqlx::Result<(Uuid, bool)> {
    let parent_slug = category.parent.as_ref().map(|s| s.as_str());
    let row = sqlx::query!(
        r#"
        insert into categories (id, slug, parent_id, position)
        values ($1, $2, (select id from categories where slug = $3), $4)
        on conflict (slug) do update
           set parent_id = excluded.parent_id, position = excluded.position
        returning id, (xmax = 0) as "created!"
        "#,
        Uuid::now_v7(),
        category.slug.as_str(),
        parent_slug,
        category.position,
    )
    .fetch_one(&mut *conn)
    .await?;
    for (locale, name) in &category.names {
        let description = category
            .descriptions
            .iter()
            .find(|(l, _)| l == locale)
            .map(|(_, d)| d.as_str());
        sqlx::query!(
            r#"
            insert into category_translations (category_id, locale, name, description)
            values ($1, $2, $3, $4)
            on conflict (category_id, locale) do update
               set name = excluded.name, description = excluded.description
            "#,
            row.id,
            locale.code(),
            name,
            description,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok((row.id, row.created))
}

/// Whether making `parent` the parent of `slug` would put `slug` under itself.
pub(super) async fn would_create_cycle(
    db: impl PgExecutor<'_>,
    slug: &str,
    parent: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"
        with recursive subtree as (
            select id, slug from categories where slug = $1
            union all
            select c.id, c.slug from categories c join subtree s on c.parent_id = s.id
        )
        select exists(select 1 from subtree where slug = $2) as "cycle!"
        "#,
        slug,
        parent,
    )
    .fetch_one(db)
    .await
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

/// Inserts a product with `stock` unless its SKU exists; returns whether it was inserted.
/// An existing product (perhaps edited by an admin since) is left as it is.
pub(super) async fn insert_product_if_absent(
    conn: &mut PgConnection,
    category_id: Uuid,
    product: &NewProduct,
    stock: i32,
) -> sqlx::Result<bool> {
    let exists = sqlx::query_scalar!(
        r#"select exists(select 1 from products where sku = $1) as "exists!""#,
        product.sku
    )
    .fetch_one(&mut *conn)
    .await?;
    if exists {
        return Ok(false);
    }
    upsert_product_by_sku(conn, category_id, product, stock)
        .await
        .map(|(_, created)| created)
}

/// Inserts a product or updates the one with the same SKU, with its translations (and its
/// images when given), setting its stock to `stock` (resolved by the caller under the row
/// lock). Returns the id and whether it was created.
pub(super) async fn upsert_product_by_sku(
    conn: &mut PgConnection,
    category_id: Uuid,
    product: &NewProduct,
    stock: i32,
) -> sqlx::Result<(Uuid, bool)> {
    let (net_quantity, net_unit) = product.net_content.unzip();
    let row = sqlx::query!(
        r#"
        insert into products (
            id, slug, sku, brand, category_id, currency, base_price_minor,
            individual_price_minor, corporate_price_minor, vat_rate_bp, stock,
            min_qty_individual, min_qty_corporate, qty_per_box, net_quantity, net_unit,
            origin_country, storage, allergens, nutrition, badges, is_active)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20, $21, $22)
        on conflict (sku) do update set
            slug = excluded.slug, brand = excluded.brand, category_id = excluded.category_id,
            currency = excluded.currency, base_price_minor = excluded.base_price_minor,
            individual_price_minor = excluded.individual_price_minor,
            corporate_price_minor = excluded.corporate_price_minor,
            vat_rate_bp = excluded.vat_rate_bp, stock = excluded.stock,
            min_qty_individual = excluded.min_qty_individual,
            min_qty_corporate = excluded.min_qty_corporate, qty_per_box = excluded.qty_per_box,
            net_quantity = excluded.net_quantity, net_unit = excluded.net_unit,
            origin_country = excluded.origin_country, storage = excluded.storage,
            allergens = excluded.allergens, nutrition = excluded.nutrition,
            badges = excluded.badges, is_active = excluded.is_active
        returning id, (xmax = 0) as "created!"
        "#,
        Uuid::now_v7(),
        product.slug.as_str(),
        product.sku,
        product.brand,
        category_id,
        product.base_price.currency.code(),
        product.base_price.minor,
        product.individual_price_minor,
        product.corporate_price_minor,
        product.vat_rate.basis_points(),
        stock,
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
        product.is_active,
    )
    .fetch_one(&mut *conn)
    .await?;
    for t in &product.translations {
        sqlx::query!(
            r#"
            insert into product_translations (product_id, locale, name, full_name, description, search_extra)
            values ($1, $2, $3, $4, $5,
                    concat_ws(' ', $6::text,
                              (select ct.name from category_translations ct
                                where ct.category_id = $7 and ct.locale = $2)))
            on conflict (product_id, locale) do update set
                name = excluded.name, full_name = excluded.full_name,
                description = excluded.description, search_extra = excluded.search_extra
            "#,
            row.id,
            t.locale.code(),
            t.name,
            t.full_name,
            t.description,
            product.brand,
            category_id,
        )
        .execute(&mut *conn)
        .await?;
    }
    if !product.image_keys.is_empty() {
        sqlx::query!("delete from product_images where product_id = $1", row.id)
            .execute(&mut *conn)
            .await?;
        for (position, key) in (0..).zip(&product.image_keys) {
            sqlx::query!(
                "insert into product_images (id, product_id, storage_key, position) values ($1, $2, $3, $4)",
                Uuid::now_v7(),
                row.id,
                key,
                position,
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok((row.id, row.created))
}
