//! What one product allows in a cart: the quantity rules every change of a line obeys.

use anyhow::Context;

use super::cart::MAX_LINE_QUANTITY;
use super::quote::Error;
use crate::shared::{CustomerType, ProductId};

/// What a product allows this buyer: its price, stock, minimum and box size.
pub(super) struct ProductRules {
    pub(super) price_minor: i64,
    pub(super) stock: i32,
    pub(super) min_qty: i32,
    pub(super) qty_per_box: Option<i32>,
}

/// The product's rules at the buyer's price list; a product not sold is unknown.
pub(super) async fn product_rules(
    conn: &mut sqlx::PgConnection,
    product: ProductId,
    customer_type: CustomerType,
) -> Result<ProductRules, Error> {
    let row = sqlx::query!(
        r#"
        select p.stock, p.qty_per_box,
               product_price_minor(p, $2::text) as "price_minor!",
               product_min_qty(p, $2::text) as "min_qty!"
          from products p where p.id = $1 and p.is_active
        "#,
        product as _,
        customer_type.as_str()
    )
    .fetch_optional(&mut *conn)
    .await
    .context("Failed to load the product")?
    .ok_or_else(|| Error::UnknownProducts(vec![product]))?;
    Ok(ProductRules {
        price_minor: row.price_minor,
        stock: row.stock,
        min_qty: row.min_qty,
        qty_per_box: row.qty_per_box,
    })
}

/// A requested quantity, accepted exactly when it is 1..=999, at least the minimum and at
/// most the stock.
pub(super) fn check_quantity(
    product: ProductId,
    quantity: i64,
    rules: &ProductRules,
) -> Result<i32, Error> {
    if quantity < 1 {
        return Err(Error::Invalid {
            field: "quantity",
            message: "must be at least 1 (remove the item to take it out)".into(),
        });
    }
    if quantity > i64::from(MAX_LINE_QUANTITY) {
        return Err(Error::Invalid {
            field: "quantity",
            message: format!("at most {MAX_LINE_QUANTITY} of one product per cart"),
        });
    }
    let quantity = i32::try_from(quantity).unwrap_or(MAX_LINE_QUANTITY);
    if quantity < rules.min_qty {
        return Err(Error::BelowMinimum {
            product_id: product,
            minimum: rules.min_qty,
        });
    }
    if quantity > rules.stock {
        return Err(Error::AboveStock {
            product_id: product,
            available: rules.stock.max(0),
        });
    }
    Ok(quantity)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        // Any requested quantity against any product's rules: accepted exactly when it is
        // 1..=999, at least the minimum and at most the stock; the error names the rule.
        #[test]
        fn a_quantity_is_accepted_exactly_within_the_limits(
            quantity in prop_oneof![any::<i64>(), -5i64..1_100],
            min_qty in 1i32..50,
            stock in -5i32..2_000,
        ) {
            let rules = ProductRules { price_minor: 100, stock, min_qty, qty_per_box: None };
            let within = (1..=i64::from(MAX_LINE_QUANTITY)).contains(&quantity)
                && quantity >= i64::from(min_qty)
                && quantity <= i64::from(stock);
            match check_quantity(ProductId(uuid::Uuid::nil()), quantity, &rules) {
                Ok(accepted) => {
                    prop_assert!(within);
                    prop_assert_eq!(i64::from(accepted), quantity);
                }
                Err(Error::Invalid { field, .. }) => {
                    prop_assert!(!within);
                    prop_assert_eq!(field, "quantity");
                }
                Err(Error::BelowMinimum { minimum, .. }) => {
                    prop_assert!(quantity < i64::from(min_qty));
                    prop_assert_eq!(minimum, min_qty);
                }
                Err(Error::AboveStock { available, .. }) => {
                    prop_assert!(quantity > i64::from(stock));
                    prop_assert_eq!(available, stock.max(0));
                }
                Err(other) => prop_assert!(false, "unexpected {other}"),
            }
        }
    }
}
