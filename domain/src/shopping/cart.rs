//! Carts and favorites for guests (a random token, stored hashed) and signed-in users (one
//! cart each), and carrying a guest's cart and favorites over at sign-in.

use std::time::Duration;

use anyhow::Context;
use uuid::Uuid;

use super::calc::{CalcLine, calculate};
use super::quote::Error;
use super::rules::{check_quantity, product_rules};
use crate::Services;
use crate::shared::{Currency, CustomerType, Locale, Money, ProductId, UserId, VatLine, VatRate};

/// Guest carts (and their favorites) unused this long are deleted.
pub const GUEST_CART_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Most units of one product in a cart.
pub const MAX_LINE_QUANTITY: i32 = 999;
/// Most lines in a cart.
pub const MAX_CART_LINES: i64 = 200;

/// Whose cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A signed-in user, with the price list that applies to them.
    User {
        /// User id.
        id: UserId,
        /// Individual or corporate prices and minimums.
        customer_type: CustomerType,
    },
    /// A guest, by the SHA-256 of their cart token.
    Guest {
        /// `sha256(token)`.
        token_hash: Vec<u8>,
    },
}

impl Owner {
    /// A guest owner from the token the client sent; `None` when it cannot be one of ours.
    pub fn guest(token: &str) -> Option<Owner> {
        let token = token.trim();
        let plausible = token.len() == 43
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Owner::Guest {
            token_hash: crate::identity::hash_opaque_token(token),
        })
    }

    pub(super) fn customer_type(&self) -> CustomerType {
        match self {
            Owner::User { customer_type, .. } => *customer_type,
            Owner::Guest { .. } => CustomerType::Individual,
        }
    }

    /// The owner as the two key columns of `carts` and `favorites`: `(user_id,
    /// guest_token_hash)`, one of them set.
    pub(super) fn keys(&self) -> (Option<UserId>, Option<Vec<u8>>) {
        match self {
            Owner::User { id, .. } => (Some(*id), None),
            Owner::Guest { token_hash } => (None, Some(token_hash.clone())),
        }
    }
}

/// How a quantity is counted when adding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Single items.
    #[default]
    Item,
    /// Whole boxes of the product's `qty_per_box`.
    Box,
}

/// A line of a cart as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// Product id.
    pub product_id: ProductId,
    /// SKU.
    pub sku: String,
    /// Slug, for links.
    pub slug: String,
    /// Name in the asked-for language.
    pub name: String,
    /// First picture's blob key.
    pub image_key: Option<String>,
    /// Units.
    pub quantity: i32,
    /// Current gross unit price for this buyer.
    pub unit_price: Money,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Gross line total (0 when the line cannot be ordered).
    pub line_total: Money,
    /// Units in stock now.
    pub stock: i32,
    /// Least quantity for this buyer.
    pub min_qty: i32,
    /// Units per box, when sold by the box.
    pub qty_per_box: Option<i32>,
    /// The unit price when the line was added, when it differs from the current one.
    pub previous_price: Option<Money>,
    /// Sold out or taken off the shop since it was added: not counted in the totals.
    pub unavailable: bool,
    /// Still sold (`false`: taken off the shop since it was added).
    pub active: bool,
}

/// A cart with its totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    /// Lines, oldest first.
    pub lines: Vec<CartLine>,
    /// Units over all lines.
    pub item_count: i64,
    /// Sum of the orderable lines.
    pub subtotal: Money,
    /// Shipping charged.
    pub shipping: Money,
    /// Subtotal plus shipping.
    pub total: Money,
    /// VAT per rate, shipping included.
    pub vat: Vec<VatLine>,
    /// Subtotal from which shipping is free.
    pub free_shipping_from: Money,
}

/// A new guest cart; returns the token to give the client (only its hash is stored).
pub async fn create_guest_cart(svc: &Services) -> Result<(String, Owner), Error> {
    let (token, hash) = crate::identity::new_opaque_token();
    sqlx::query!(
        "insert into carts (id, guest_token_hash) values ($1, $2)",
        Uuid::now_v7(),
        hash
    )
    .execute(&svc.db)
    .await
    .context("Failed to create a guest cart")?;
    Ok((token, Owner::Guest { token_hash: hash }))
}

/// The owner's cart id; a user's cart is created on first use, a guest's must exist (and be
/// fresh): anything else is a forged or expired token.
pub(super) async fn cart_id(conn: &mut sqlx::PgConnection, owner: &Owner) -> Result<Uuid, Error> {
    match owner {
        Owner::User { id, .. } => {
            sqlx::query!(
                "insert into carts (id, user_id) values ($1, $2) on conflict (user_id) do nothing",
                Uuid::now_v7(),
                id as _
            )
            .execute(&mut *conn)
            .await
            .context("Failed to create the cart")?;
            let cart = sqlx::query_scalar!(
                "select id from carts where user_id = $1 for update",
                id as _
            )
            .fetch_one(&mut *conn)
            .await
            .context("Failed to load the cart")?;
            Ok(cart)
        }
        Owner::Guest { token_hash } => {
            let ttl = i64::try_from(GUEST_CART_TTL.as_secs()).unwrap_or(i64::MAX);
            sqlx::query_scalar!(
                r#"
                select id from carts
                 where guest_token_hash = $1
                   and updated_at > now() - make_interval(secs => $2::bigint)
                   for update
                "#,
                token_hash,
                ttl
            )
            .fetch_optional(&mut *conn)
            .await
            .context("Failed to load the cart")?
            .ok_or(Error::UnknownCart)
        }
    }
}

/// The owner's cart, priced now for their customer type.
pub async fn get_cart(svc: &Services, owner: &Owner, locale: Locale) -> Result<Cart, Error> {
    let mut conn = svc.db.acquire().await.context("No database connection")?;
    let cart = match owner {
        Owner::User { id, .. } => {
            sqlx::query_scalar!("select id from carts where user_id = $1", id as _)
                .fetch_optional(&mut *conn)
                .await
                .context("Failed to load the cart")?
        }
        Owner::Guest { .. } => Some(guest_cart_id(&mut conn, owner).await?),
    };
    load(svc, &mut conn, cart, owner.customer_type(), locale).await
}

/// Units in the owner's cart (for the header on every page): one indexed query, no pricing.
pub async fn item_count(svc: &Services, owner: &Owner) -> Result<i64, Error> {
    let (user, guest) = owner.keys();
    let ttl = i64::try_from(GUEST_CART_TTL.as_secs()).unwrap_or(i64::MAX);
    let count = sqlx::query_scalar!(
        r#"
        select coalesce(sum(i.quantity), 0)::bigint as "count!"
          from carts c join cart_items i on i.cart_id = c.id
         where (c.user_id = $1 or c.guest_token_hash = $2)
           and (c.user_id is not null or c.updated_at > now() - make_interval(secs => $3::bigint))
        "#,
        user as _,
        guest,
        ttl
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to count the cart")?;
    Ok(count)
}

/// A guest's cart id for reading: no row lock, so that concurrent reads do not queue.
pub(super) async fn guest_cart_id(
    conn: &mut sqlx::PgConnection,
    owner: &Owner,
) -> Result<Uuid, Error> {
    let Owner::Guest { token_hash } = owner else {
        return Err(Error::UnknownCart);
    };
    let ttl = i64::try_from(GUEST_CART_TTL.as_secs()).unwrap_or(i64::MAX);
    sqlx::query_scalar!(
        r#"
        select id from carts
         where guest_token_hash = $1
           and updated_at > now() - make_interval(secs => $2::bigint)
        "#,
        token_hash,
        ttl
    )
    .fetch_optional(&mut *conn)
    .await
    .context("Failed to load the cart")?
    .ok_or(Error::UnknownCart)
}

/// The lines of a cart, each priced now at the buyer's price list: the one pricing of a
/// cart, shared by the cart page and checkout. Line totals are left at zero.
pub(super) async fn priced_lines(
    svc: &Services,
    conn: &mut sqlx::PgConnection,
    cart: Option<Uuid>,
    customer_type: CustomerType,
    locale: Locale,
) -> Result<Vec<CartLine>, Error> {
    let rows = match cart {
        None => Vec::new(),
        Some(cart) => sqlx::query!(
            r#"
            select p.id, p.sku, p.slug, p.currency, p.vat_rate_bp, p.stock, p.is_active,
                   p.qty_per_box, i.quantity, i.price_minor_at_add,
                   product_name(p.id, $3::text, $4::text) as "name!",
                   product_price_minor(p, $2::text) as "price_minor!",
                   product_min_qty(p, $2::text) as "min_qty!",
                   (select storage_key from product_images im where im.product_id = p.id
                     order by im.position limit 1) as image_key
              from cart_items i join products p on p.id = i.product_id
             where i.cart_id = $1
             order by i.added_at, p.id
            "#,
            cart,
            customer_type.as_str(),
            locale.code(),
            svc.default_locale.code(),
        )
        .fetch_all(&mut *conn)
        .await
        .context("Failed to load the cart lines")?,
    };
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let currency = Currency::parse(&r.currency).context("Stored currency is invalid")?;
        let vat_rate =
            VatRate::from_basis_points(r.vat_rate_bp).context("Stored VAT rate is invalid")?;
        let unavailable = !r.is_active || r.stock <= 0;
        lines.push(CartLine {
            product_id: r.id.into(),
            sku: r.sku,
            slug: r.slug,
            name: r.name,
            image_key: r.image_key,
            quantity: r.quantity,
            unit_price: Money::new(r.price_minor, currency),
            vat_rate,
            line_total: Money::new(0, currency),
            stock: r.stock,
            min_qty: r.min_qty,
            qty_per_box: r.qty_per_box,
            previous_price: r
                .price_minor_at_add
                .filter(|before| *before != r.price_minor)
                .map(|before| Money::new(before, currency)),
            unavailable,
            active: r.is_active,
        });
    }
    Ok(lines)
}

async fn load(
    svc: &Services,
    conn: &mut sqlx::PgConnection,
    cart: Option<Uuid>,
    customer_type: CustomerType,
    locale: Locale,
) -> Result<Cart, Error> {
    let mut lines = priced_lines(svc, conn, cart, customer_type, locale).await?;
    let orderable: Vec<CalcLine> = lines
        .iter()
        .filter(|l| !l.unavailable)
        .map(|l| CalcLine {
            unit_price_minor: l.unit_price.minor,
            quantity: l.quantity,
            vat_rate: l.vat_rate,
        })
        .collect();
    let totals = calculate(&orderable, &svc.shipping).context("Cart total overflows")?;
    let mut totals_iter = totals.line_totals_minor.iter();
    for line in lines.iter_mut().filter(|l| !l.unavailable) {
        line.line_total.minor = totals_iter.next().copied().unwrap_or(0);
    }
    let currency = Currency::PLN;
    Ok(Cart {
        item_count: lines.iter().map(|l| i64::from(l.quantity)).sum(),
        lines,
        subtotal: Money::new(totals.subtotal_minor, currency),
        shipping: Money::new(totals.shipping_minor, currency),
        total: Money::new(totals.total_minor, currency),
        vat: totals.vat,
        free_shipping_from: Money::new(svc.shipping.free_from_minor, currency),
    })
}

pub(super) async fn touch(conn: &mut sqlx::PgConnection, cart: Uuid) -> Result<(), Error> {
    sqlx::query!("update carts set updated_at = now() where id = $1", cart)
        .execute(conn)
        .await
        .context("Failed to touch the cart")?;
    Ok(())
}

/// Adds `quantity` items (or boxes) of a product; a product already in the cart gets more.
#[tracing::instrument(skip_all, fields(%product, quantity), err(level = "info"))]
pub async fn add_item(
    svc: &Services,
    owner: &Owner,
    product: ProductId,
    quantity: i32,
    unit: Unit,
    locale: Locale,
) -> Result<Cart, Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    // The cart row lock serialises changes to one cart, so two adds never lose an update;
    // the (cart, product) key makes a second line impossible anyway.
    let cart = cart_id(&mut tx, owner).await?;
    let rules = product_rules(&mut tx, product, owner.customer_type()).await?;
    let units = match unit {
        Unit::Item => i64::from(quantity),
        Unit::Box => {
            let per_box = rules.qty_per_box.ok_or(Error::Invalid {
                field: "unit",
                message: "this product is not sold by the box".into(),
            })?;
            i64::from(quantity) * i64::from(per_box)
        }
    };
    if units < 1 {
        return Err(Error::Invalid {
            field: "quantity",
            message: "must be at least 1".into(),
        });
    }
    let current = sqlx::query!(
        r#"
        select (select quantity from cart_items where cart_id = $1 and product_id = $2) as "quantity?",
               (select count(*) from cart_items where cart_id = $1) as "lines!"
        "#,
        cart,
        product as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the cart line")?;
    if current.quantity.is_none() && current.lines >= MAX_CART_LINES {
        return Err(Error::Invalid {
            field: "product_id",
            message: format!("a cart holds at most {MAX_CART_LINES} products"),
        });
    }
    let total = check_quantity(
        product,
        i64::from(current.quantity.unwrap_or(0)) + units,
        &rules,
    )?;
    sqlx::query!(
        r#"
        insert into cart_items (cart_id, product_id, quantity, price_minor_at_add)
        values ($1, $2, $3, $4)
        on conflict (cart_id, product_id) do update set quantity = excluded.quantity
        "#,
        cart,
        product as _,
        total,
        rules.price_minor,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to add to the cart")?;
    touch(&mut tx, cart).await?;
    let view = load(svc, &mut tx, Some(cart), owner.customer_type(), locale).await?;
    tx.commit().await.context("Failed to commit the cart")?;
    Ok(view)
}

/// Sets a line's quantity.
#[tracing::instrument(skip_all, fields(%product, quantity), err(level = "info"))]
pub async fn set_quantity(
    svc: &Services,
    owner: &Owner,
    product: ProductId,
    quantity: i32,
    locale: Locale,
) -> Result<Cart, Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let cart = cart_id(&mut tx, owner).await?;
    let exists = sqlx::query_scalar!(
        r#"select exists(select 1 from cart_items where cart_id = $1 and product_id = $2) as "e!""#,
        cart,
        product as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the cart line")?;
    if !exists {
        return Err(Error::NotInCart(product));
    }
    let rules = product_rules(&mut tx, product, owner.customer_type()).await?;
    let quantity = check_quantity(product, i64::from(quantity), &rules)?;
    sqlx::query!(
        "update cart_items set quantity = $3 where cart_id = $1 and product_id = $2",
        cart,
        product as _,
        quantity
    )
    .execute(&mut *tx)
    .await
    .context("Failed to change the quantity")?;
    touch(&mut tx, cart).await?;
    let view = load(svc, &mut tx, Some(cart), owner.customer_type(), locale).await?;
    tx.commit().await.context("Failed to commit the cart")?;
    Ok(view)
}

/// Takes a product out of the cart.
pub async fn remove_item(
    svc: &Services,
    owner: &Owner,
    product: ProductId,
    locale: Locale,
) -> Result<Cart, Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let cart = cart_id(&mut tx, owner).await?;
    let done = sqlx::query!(
        "delete from cart_items where cart_id = $1 and product_id = $2",
        cart,
        product as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to remove the item")?;
    if done.rows_affected() == 0 {
        return Err(Error::NotInCart(product));
    }
    touch(&mut tx, cart).await?;
    let view = load(svc, &mut tx, Some(cart), owner.customer_type(), locale).await?;
    tx.commit().await.context("Failed to commit the cart")?;
    Ok(view)
}

/// Empties the cart.
pub async fn clear_cart(svc: &Services, owner: &Owner) -> Result<(), Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let cart = cart_id(&mut tx, owner).await?;
    sqlx::query!("delete from cart_items where cart_id = $1", cart)
        .execute(&mut *tx)
        .await
        .context("Failed to clear the cart")?;
    touch(&mut tx, cart).await?;
    tx.commit().await.context("Failed to commit the cart")?;
    Ok(())
}

/// Deletes a guest's cart (used when the add that created it was refused).
pub async fn discard_guest_cart(svc: &Services, owner: &Owner) -> Result<(), Error> {
    if let Owner::Guest { token_hash } = owner {
        sqlx::query!("delete from carts where guest_token_hash = $1", token_hash)
            .execute(&svc.db)
            .await
            .context("Failed to discard the guest cart")?;
    }
    Ok(())
}

/// Deletes guest carts and favorites unused for [`GUEST_CART_TTL`].
pub async fn delete_expired_guest_carts(svc: &Services) -> anyhow::Result<u64> {
    let ttl = i64::try_from(GUEST_CART_TTL.as_secs()).unwrap_or(i64::MAX);
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let carts = sqlx::query!(
        r#"
        delete from carts
         where guest_token_hash is not null and updated_at <= now() - make_interval(secs => $1::bigint)
        "#,
        ttl
    )
    .execute(&mut *tx)
    .await
    .context("Failed to delete old guest carts")?;
    sqlx::query!(
        r#"
        delete from favorites f
         where f.guest_token_hash is not null
           and not exists (select 1 from carts c where c.guest_token_hash = f.guest_token_hash)
        "#
    )
    .execute(&mut *tx)
    .await
    .context("Failed to delete old guest favorites")?;
    tx.commit().await.context("Failed to commit the expiry")?;
    Ok(carts.rows_affected())
}
