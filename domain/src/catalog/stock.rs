//! Stock edits by people (the admin pages, the API, a CSV import). Checkouts take stock
//! concurrently, so an edit never writes a number it read earlier: it is a change (+24
//! delivered, -2 broken), a replacement checked against the value the editor saw, or a
//! count of what is on the shelf, from which the units of open orders are subtracted.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::error::{Error, Result};
use crate::order::OrderStatus;

/// One edit of a product's stock (units available to sell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockEdit {
    /// Set it to `to`, if it is still `seen` (what the editor was shown). Also accepted when
    /// it is `to` already, so the same save twice is not a conflict.
    Replace {
        /// The stock the editor saw.
        seen: i32,
        /// The stock wanted.
        to: i32,
    },
    /// Add (a delivery) or take away (breakage) this many units.
    Change(i32),
    /// This many units are on the shelf; those held by orders not yet shipped are among
    /// them, so the stock to sell is the count minus those.
    Counted(i32),
}

/// A stock after an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockLevel {
    /// Units available to sell.
    pub stock: i32,
    /// Units on the shelf that open orders hold (placed, not yet shipped).
    pub held: i32,
}

impl Default for StockEdit {
    /// Leaves the stock as it is (a new product starts with none).
    fn default() -> Self {
        StockEdit::Change(0)
    }
}

impl StockEdit {
    /// Reads the admin forms: `mode` is `set` (the default; checked against `seen`, the
    /// value the form showed), `change` (a signed number, `+24` or `-2`) or `counted`.
    pub fn from_form(mode: &str, value: &str, seen: Option<i32>) -> Result<StockEdit> {
        let number: i32 =
            value.trim().trim_start_matches('+').parse().map_err(|_| {
                invalid("stock", format!("`{}` is not a whole number", value.trim()))
            })?;
        match mode.trim() {
            "" | "set" => Ok(StockEdit::Replace {
                seen: seen.unwrap_or(0),
                to: number,
            }),
            "change" => Ok(StockEdit::Change(number)),
            "counted" => Ok(StockEdit::Counted(number)),
            other => Err(invalid(
                "stock_mode",
                format!("`{other}` is not one of set, change, counted"),
            )),
        }
    }

    /// Reads a CSV `stock` cell: `+24` or `-2` is a change, a plain number is a count of
    /// what is on the shelf (the usual stock-take export).
    pub fn from_csv(cell: &str) -> Result<StockEdit> {
        let cell = cell.trim();
        if cell.starts_with(['+', '-']) {
            StockEdit::from_form("change", cell, None)
        } else {
            StockEdit::from_form("counted", cell, None)
        }
    }

    /// The stock after this edit, from the `current` stock and the units `held` by open
    /// orders. A stale replacement is [`Error::StockChanged`]; a result below zero is
    /// refused and changes nothing.
    pub fn apply(self, current: i32, held: i32) -> Result<i32> {
        let stock = match self {
            StockEdit::Replace { seen, to } if seen == current || to == current => Some(to),
            StockEdit::Replace { .. } => return Err(Error::StockChanged { current }),
            StockEdit::Change(units) => current.checked_add(units),
            StockEdit::Counted(units) if units < 0 => {
                return Err(invalid("stock", "a count must not be negative".into()));
            }
            StockEdit::Counted(units) if units < held => {
                return Err(invalid(
                    "stock",
                    format!(
                        "{held} units on the shelf belong to open orders: counting {units} \
                         leaves them short; cancel or edit those orders first"
                    ),
                ));
            }
            StockEdit::Counted(units) => Some(units - held),
        };
        match stock {
            Some(stock) if stock >= 0 => Ok(stock),
            _ => Err(invalid(
                "stock",
                format!("must not go below zero (it is {current})"),
            )),
        }
    }

    fn needs_held(self) -> bool {
        matches!(self, StockEdit::Counted(_))
    }
}

fn invalid(field: &'static str, message: String) -> Error {
    Error::Invalid { field, message }
}

/// Units of `product` that open orders hold (placed, not yet shipped: still on the shelf).
pub(super) async fn held_units(conn: &mut PgConnection, product: Uuid) -> sqlx::Result<i32> {
    let holding: Vec<String> = OrderStatus::ALL
        .into_iter()
        .filter(|s| s.holds_stock())
        .map(|s| s.as_str().to_owned())
        .collect();
    sqlx::query_scalar!(
        r#"
        select coalesce(sum(i.quantity), 0)::int as "held!"
          from order_items i join orders o on o.id = i.order_id
         where i.product_id = $1 and o.status = any($2)
        "#,
        product,
        &holding,
    )
    .fetch_one(conn)
    .await
}

/// A product row locked by the caller's transaction.
#[derive(Debug, Clone, Copy)]
pub(super) struct Locked {
    id: Uuid,
    stock: i32,
}

/// Locks the product with this SKU for a stock edit; `None` when there is none yet.
pub(super) async fn lock(conn: &mut PgConnection, sku: &str) -> Result<Option<Locked>> {
    let row = sqlx::query!(
        "select id, stock from products where sku = $1 for update",
        sku
    )
    .fetch_optional(&mut *conn)
    .await
    .context("Failed to lock the product")?;
    Ok(row.map(|r| Locked {
        id: r.id,
        stock: r.stock,
    }))
}

/// The stock `edit` gives a locked product (or a new one, which starts from zero).
pub(super) async fn level(
    conn: &mut PgConnection,
    product: Option<Locked>,
    edit: StockEdit,
) -> Result<StockLevel> {
    let (current, held) = match product {
        Some(p) if edit.needs_held() => (
            p.stock,
            held_units(conn, p.id)
                .await
                .context("Failed to count held units")?,
        ),
        Some(p) => (p.stock, 0),
        None => (0, 0),
    };
    Ok(StockLevel {
        stock: edit.apply(current, held)?,
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_checks_what_the_editor_saw() {
        let edit = StockEdit::Replace { seen: 10, to: 15 };
        assert_eq!(edit.apply(10, 0).ok(), Some(15));
        assert_eq!(edit.apply(15, 0).ok(), Some(15), "saved twice");
        assert!(matches!(
            edit.apply(8, 0),
            Err(Error::StockChanged { current: 8 })
        ));
    }

    #[test]
    fn changes_and_counts_never_go_below_zero() {
        assert_eq!(StockEdit::Change(24).apply(8, 5).ok(), Some(32));
        assert!(matches!(
            StockEdit::Change(-9).apply(8, 0),
            Err(Error::Invalid { field: "stock", .. })
        ));
        assert_eq!(StockEdit::Counted(12).apply(99, 2).ok(), Some(10));
        assert!(matches!(
            StockEdit::Counted(1).apply(0, 2),
            Err(Error::Invalid { field: "stock", .. })
        ));
        assert!(StockEdit::Change(i32::MAX).apply(1, 0).is_err());
    }

    #[test]
    fn forms_and_csv_cells_read_as_edits() {
        assert_eq!(
            StockEdit::from_form("set", "15", Some(10)).ok(),
            Some(StockEdit::Replace { seen: 10, to: 15 })
        );
        assert_eq!(
            StockEdit::from_form("change", "+24", None).ok(),
            Some(StockEdit::Change(24))
        );
        assert_eq!(StockEdit::from_csv("-2").ok(), Some(StockEdit::Change(-2)));
        assert_eq!(
            StockEdit::from_csv(" 12 ").ok(),
            Some(StockEdit::Counted(12))
        );
        assert!(StockEdit::from_csv("twelve").is_err());
        assert!(StockEdit::from_form("guess", "1", None).is_err());
    }
}
