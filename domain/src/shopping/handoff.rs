//! What the other contexts ask of shopping, so that none of them touches its tables: the
//! guest's cart carried over at sign-in (identity), the cart locked and priced for an order
//! and emptied once it is placed (order), and a deleted account's cart and favorites
//! (user).

use anyhow::Context;
use uuid::Uuid;

use super::cart::{CartLine, MAX_LINE_QUANTITY, Owner, cart_id, priced_lines, touch};
use super::quote::Error;
use crate::Services;
use crate::shared::{CustomerType, Locale, UserId};

/// Carries a guest's cart and favorites over to the user who just signed in: a product in
/// both takes the guest's quantity (what the shopper last saw), raised to the account's
/// minimum and capped by stock; the guest rows are deleted. Returns the lines carried over.
#[tracing::instrument(skip_all, fields(user_id = %user), err(level = "info"))]
pub async fn merge_guest(
    svc: &Services,
    guest_token: &str,
    user: UserId,
    customer_type: CustomerType,
) -> Result<usize, Error> {
    let Some(guest) = Owner::guest(guest_token) else {
        return Ok(0);
    };
    let Owner::Guest { token_hash } = &guest else {
        return Ok(0);
    };
    let owner = Owner::User {
        id: user,
        customer_type,
    };
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let user_cart = cart_id(&mut tx, &owner).await?;
    let guest_cart = match cart_id(&mut tx, &guest).await {
        Ok(cart) => cart,
        Err(Error::UnknownCart) => return Ok(0),
        Err(e) => return Err(e),
    };
    let carried = sqlx::query!(
        r#"
        insert into cart_items (cart_id, product_id, quantity, price_minor_at_add)
        select $1, g.product_id,
               least(greatest(g.quantity, product_min_qty(p, $3::text)), p.stock, $4::integer),
               g.price_minor_at_add
          from cart_items g join products p on p.id = g.product_id
         where g.cart_id = $2 and p.is_active
           and least(greatest(g.quantity, product_min_qty(p, $3::text)), p.stock, $4::integer)
               >= product_min_qty(p, $3::text)
        on conflict (cart_id, product_id) do update set quantity = excluded.quantity
        "#,
        user_cart,
        guest_cart,
        customer_type.as_str(),
        MAX_LINE_QUANTITY,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to carry the cart over")?;
    sqlx::query!(
        r#"
        insert into favorites (id, user_id, product_id)
        select gen_random_uuid(), $1, product_id from favorites where guest_token_hash = $2
        on conflict do nothing
        "#,
        user as _,
        token_hash
    )
    .execute(&mut *tx)
    .await
    .context("Failed to carry the favorites over")?;
    sqlx::query!(
        "delete from favorites where guest_token_hash = $1",
        token_hash
    )
    .execute(&mut *tx)
    .await
    .context("Failed to delete the guest favorites")?;
    sqlx::query!("delete from carts where id = $1", guest_cart)
        .execute(&mut *tx)
        .await
        .context("Failed to delete the guest cart")?;
    touch(&mut tx, user_cart).await?;
    tx.commit().await.context("Failed to commit the merge")?;
    Ok(usize::try_from(carried.rows_affected()).unwrap_or(0))
}

/// A signed-in buyer's cart, locked for an order: no other checkout, add or merge changes it
/// until the transaction ends (two tabs, two clicks make one order at a time).
#[derive(Debug)]
pub struct LockedCart {
    id: Uuid,
    /// Its lines priced now at the buyer's price list (line totals left at zero); empty when
    /// the cart is.
    pub lines: Vec<CartLine>,
}

/// Locks the user's cart and prices its lines for an order; `None` when the user has never
/// had a cart.
pub async fn lock_priced_cart(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    user: UserId,
    customer_type: CustomerType,
    locale: Locale,
) -> Result<Option<LockedCart>, Error> {
    let cart = sqlx::query_scalar!(
        "select id from carts where user_id = $1 for update",
        user as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to lock the cart")?;
    let Some(id) = cart else {
        return Ok(None);
    };
    let lines = priced_lines(svc, tx, Some(id), customer_type, locale).await?;
    Ok(Some(LockedCart { id, lines }))
}

impl LockedCart {
    /// Empties the cart once its lines became an order (in the order's transaction).
    pub async fn empty(self, tx: &mut sqlx::PgConnection) -> Result<(), Error> {
        sqlx::query!("delete from cart_items where cart_id = $1", self.id)
            .execute(&mut *tx)
            .await
            .context("Failed to empty the cart")?;
        Ok(())
    }
}

/// Deletes a user's cart and favorites (erasing a deleted account, in its transaction).
pub async fn forget_user(tx: &mut sqlx::PgConnection, user: UserId) -> Result<(), Error> {
    sqlx::query!("delete from favorites where user_id = $1", user as _)
        .execute(&mut *tx)
        .await
        .context("Failed to erase favorites")?;
    sqlx::query!("delete from carts where user_id = $1", user as _)
        .execute(&mut *tx)
        .await
        .context("Failed to erase the cart")?;
    Ok(())
}
