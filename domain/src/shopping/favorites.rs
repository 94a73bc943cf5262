//! Favorite products of guests and users.

use anyhow::Context;
use uuid::Uuid;

use super::cart::{Owner, cart_id, guest_cart_id, touch};
use super::quote::Error;
use crate::Services;
use crate::shared::{Currency, Locale, Money, ProductId};

/// A favorite product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Favorite {
    /// Product id.
    pub product_id: ProductId,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Current price for the owner.
    pub price: Money,
    /// First picture's key.
    pub image_key: Option<String>,
    /// In stock and sold.
    pub available: bool,
}

async fn guest_exists(conn: &mut sqlx::PgConnection, owner: &Owner) -> Result<(), Error> {
    if matches!(owner, Owner::Guest { .. }) {
        let cart = cart_id(conn, owner).await?;
        touch(conn, cart).await?;
    }
    Ok(())
}

/// The owner's favorites, newest first.
pub async fn list_favorites(
    svc: &Services,
    owner: &Owner,
    locale: Locale,
) -> Result<Vec<Favorite>, Error> {
    let mut conn = svc.db.acquire().await.context("No database connection")?;
    if matches!(owner, Owner::Guest { .. }) {
        guest_cart_id(&mut conn, owner).await?;
    }
    let (user, guest) = owner.keys();
    let rows = sqlx::query!(
        r#"
        select p.id, p.slug, p.currency, p.stock, p.is_active,
               product_name(p.id, $4::text, $5::text) as "name!",
               product_price_minor(p, $3::text) as "price_minor!",
               (select storage_key from product_images im where im.product_id = p.id
                 order by im.position limit 1) as image_key
          from favorites f join products p on p.id = f.product_id
         where (f.user_id = $1 or f.guest_token_hash = $2)
         order by f.created_at desc, p.id
        "#,
        user as _,
        guest,
        owner.customer_type().as_str(),
        locale.code(),
        svc.default_locale.code(),
    )
    .fetch_all(&mut *conn)
    .await
    .context("Failed to list favorites")?;
    rows.into_iter()
        .map(|r| {
            let currency = Currency::parse(&r.currency).context("Stored currency is invalid")?;
            Ok(Favorite {
                product_id: r.id.into(),
                slug: r.slug,
                name: r.name,
                price: Money::new(r.price_minor, currency),
                image_key: r.image_key,
                available: r.is_active && r.stock > 0,
            })
        })
        .collect()
}

/// Adds a favorite; adding one twice is a no-op.
pub async fn add_favorite(svc: &Services, owner: &Owner, product: ProductId) -> Result<(), Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    guest_exists(&mut tx, owner).await?;
    let known = sqlx::query_scalar!(
        r#"select exists(select 1 from products where id = $1 and is_active) as "e!""#,
        product as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to check the product")?;
    if !known {
        return Err(Error::UnknownProducts(vec![product]));
    }
    let (user, guest) = owner.keys();
    sqlx::query!(
        r#"
        insert into favorites (id, user_id, guest_token_hash, product_id)
        values ($1, $2, $3, $4)
        on conflict do nothing
        "#,
        Uuid::now_v7(),
        user as _,
        guest,
        product as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to add the favorite")?;
    tx.commit().await.context("Failed to commit the favorite")?;
    Ok(())
}

/// Removes a favorite (absent is fine).
pub async fn remove_favorite(
    svc: &Services,
    owner: &Owner,
    product: ProductId,
) -> Result<(), Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    guest_exists(&mut tx, owner).await?;
    let (user, guest) = owner.keys();
    sqlx::query!(
        "delete from favorites where product_id = $3 and (user_id = $1 or guest_token_hash = $2)",
        user as _,
        guest,
        product as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to remove the favorite")?;
    tx.commit().await.context("Failed to commit the favorite")?;
    Ok(())
}
