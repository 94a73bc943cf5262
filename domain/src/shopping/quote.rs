//! Pricing a basket without storing it: what a cart will cost, with VAT per rate.

use std::collections::HashSet;

use anyhow::Context;

use crate::Services;
use crate::shared::money::vat_breakdown;
use crate::shared::{Currency, CustomerType, Locale, Money, ProductId, VatLine, VatRate};

/// What can go wrong pricing a basket or changing a cart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// Products that do not exist or are not sold any more.
    #[error("unknown products: {0:?}")]
    UnknownProducts(Vec<ProductId>),
    /// A quantity under the product's minimum for this customer type.
    #[error("product {product_id} needs a quantity of at least {minimum}")]
    BelowMinimum {
        /// The product.
        product_id: ProductId,
        /// Its minimum.
        minimum: i32,
    },
    /// More than the stock.
    #[error("only {available} of product {product_id} in stock")]
    AboveStock {
        /// The product.
        product_id: ProductId,
        /// Units in stock.
        available: i32,
    },
    /// A guest cart token that is not ours, or expired.
    #[error("unknown cart")]
    UnknownCart,
    /// The product is not in the cart.
    #[error("product {0} is not in the cart")]
    NotInCart(ProductId),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One line to price.
#[derive(Debug, Clone, Copy)]
pub struct QuoteLine {
    /// The product.
    pub product_id: ProductId,
    /// How many units.
    pub quantity: i32,
}

/// A basket to price.
#[derive(Debug, Clone)]
pub struct QuoteRequest {
    /// Lines, each product at most once.
    pub lines: Vec<QuoteLine>,
    /// Whose price list applies.
    pub customer_type: CustomerType,
    /// Language of the product names.
    pub locale: Locale,
}

/// A priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedLine {
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: String,
    /// Its name in the asked-for language.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price.
    pub unit_price: Money,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Gross line total.
    pub line_total: Money,
    /// Units in stock now.
    pub available: i32,
}

/// A priced basket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Lines in the order asked.
    pub lines: Vec<QuotedLine>,
    /// Sum of the line totals (gross).
    pub items_total: Money,
    /// Net, VAT and gross per rate; the gross amounts add up to `items_total`.
    pub vat: Vec<VatLine>,
}

/// Most lines one basket may have.
pub const MAX_LINES: usize = 200;
/// Most units of one product per line.
pub const MAX_QUANTITY: i32 = 100_000;

/// Prices a basket from current database prices.
#[tracing::instrument(skip_all, fields(lines = request.lines.len()), err(level = "info"))]
pub async fn quote_basket(svc: &Services, request: QuoteRequest) -> Result<Quote, Error> {
    if request.lines.is_empty() || request.lines.len() > MAX_LINES {
        return Err(Error::Invalid {
            field: "lines",
            message: format!("must hold 1 to {MAX_LINES} lines"),
        });
    }
    let mut seen = HashSet::new();
    for line in &request.lines {
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(Error::Invalid {
                field: "quantity",
                message: format!("must be between 1 and {MAX_QUANTITY}"),
            });
        }
        if !seen.insert(line.product_id) {
            return Err(Error::Invalid {
                field: "product_id",
                message: format!("{} appears more than once", line.product_id),
            });
        }
    }
    let ids: Vec<ProductId> = request.lines.iter().map(|l| l.product_id).collect();
    let rows = sqlx::query!(
        r#"
        select p.id, p.sku, p.currency, p.vat_rate_bp, p.stock,
               product_name(p.id, $3::text, $4::text) as "name!",
               product_price_minor(p, $2::text) as "price_minor!",
               product_min_qty(p, $2::text) as "min_qty!"
          from products p
         where p.id = any($1) and p.is_active
        "#,
        &ids as _,
        request.customer_type.as_str(),
        request.locale.code(),
        svc.default_locale.code(),
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load products for a quote")?;

    let unknown: Vec<ProductId> = ids
        .iter()
        .copied()
        .filter(|id| !rows.iter().any(|r| r.id == id.0))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::UnknownProducts(unknown));
    }
    let mut lines = Vec::with_capacity(request.lines.len());
    for line in &request.lines {
        let Some(row) = rows.iter().find(|r| r.id == line.product_id.0) else {
            continue;
        };
        if line.quantity < row.min_qty {
            return Err(Error::BelowMinimum {
                product_id: row.id.into(),
                minimum: row.min_qty,
            });
        }
        let currency = Currency::parse(&row.currency).context("Stored currency is invalid")?;
        let unit_price = Money::new(row.price_minor, currency);
        let vat_rate =
            VatRate::from_basis_points(row.vat_rate_bp).context("Stored VAT rate is invalid")?;
        let line_total = unit_price
            .checked_mul(i64::from(line.quantity))
            .context("Line total overflows")?;
        lines.push(QuotedLine {
            product_id: row.id.into(),
            sku: row.sku.clone(),
            name: row.name.clone(),
            quantity: line.quantity,
            unit_price,
            vat_rate,
            line_total,
            available: row.stock,
        });
    }
    let currency = lines
        .first()
        .map_or(Currency::PLN, |l| l.unit_price.currency);
    if lines.iter().any(|l| l.unit_price.currency != currency) {
        return Err(Error::Invalid {
            field: "lines",
            message: "products are priced in different currencies".into(),
        });
    }
    let mut items_total = Money::new(0, currency);
    for line in &lines {
        items_total = items_total
            .checked_add(line.line_total)
            .context("Basket total overflows")?;
    }
    let vat = vat_breakdown(lines.iter().map(|l| (l.vat_rate, l.line_total.minor)));
    Ok(Quote {
        lines,
        items_total,
        vat,
    })
}
