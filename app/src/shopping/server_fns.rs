//! Server functions behind the cart, the favorites and the add-to-cart buttons. The owner is
//! the signed-in user or, for guests, the cart cookie (created by the first add).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shop_types::{Money, ProductId, VatRate};

use crate::error::AppError;

/// A cart line as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    /// Product id.
    pub product_id: ProductId,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Picture URL.
    pub image_url: Option<String>,
    /// Units.
    pub quantity: i32,
    /// Gross unit price.
    pub unit_price: Money,
    /// Earlier unit price when it changed.
    pub previous_price: Option<Money>,
    /// Gross line total.
    pub line_total: Money,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Units in stock.
    pub stock: i32,
    /// Least quantity.
    pub min_qty: i32,
    /// Not counted: sold out or no longer sold.
    pub unavailable: bool,
}

/// A VAT row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatRowView {
    /// The rate.
    pub rate: VatRate,
    /// VAT inside the gross amounts of that rate.
    pub vat: Money,
}

/// The cart page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    /// Lines.
    pub lines: Vec<CartLineView>,
    /// Subtotal.
    pub subtotal: Money,
    /// Shipping.
    pub shipping: Money,
    /// Total.
    pub total: Money,
    /// VAT per rate.
    pub vat: Vec<VatRowView>,
    /// Free shipping from.
    pub free_shipping_from: Money,
}

/// A favorite as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FavoriteView {
    /// Product id.
    pub product_id: ProductId,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Price.
    pub price: Money,
    /// Picture.
    pub image_url: Option<String>,
    /// Can be bought now.
    pub available: bool,
}

#[cfg(feature = "ssr")]
use crate::ssr::content_locale as locale;

#[cfg(feature = "ssr")]
fn product(id: &str) -> Result<domain::shared::ProductId, AppError> {
    id.parse().map_err(|_| AppError::Invalid {
        field: "product_id".into(),
        message: "is not a product".into(),
    })
}

/// Units in the cart, for the header.
#[server(prefix = "/sf", endpoint = "cart/count")]
pub async fn cart_count() -> Result<i64, AppError> {
    let svc = crate::ssr::services()?;
    let Some(owner) = crate::ssr::cart_owner().await? else {
        return Ok(0);
    };
    Ok(domain::shopping::item_count(&svc, &owner).await?)
}

/// The cart, priced now.
#[server(prefix = "/sf", endpoint = "cart/get")]
pub async fn get_cart() -> Result<CartView, AppError> {
    let svc = crate::ssr::services()?;
    let cart = match crate::ssr::cart_owner().await? {
        None => None,
        Some(owner) => match domain::shopping::get_cart(&svc, &owner, locale()).await {
            Ok(cart) => Some(cart),
            Err(domain::shopping::Error::UnknownCart) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let Some(cart) = cart else {
        let zero = Money::new(0, shop_types::Currency::PLN);
        return Ok(CartView {
            lines: Vec::new(),
            subtotal: zero,
            shipping: zero,
            total: zero,
            vat: Vec::new(),
            free_shipping_from: Money::new(svc.shipping.free_from_minor, zero.currency),
        });
    };
    let currency = cart.total.currency;
    Ok(CartView {
        subtotal: cart.subtotal,
        shipping: cart.shipping,
        total: cart.total,
        free_shipping_from: cart.free_shipping_from,
        vat: cart
            .vat
            .iter()
            .map(|v| VatRowView {
                rate: v.rate,
                vat: Money::new(v.vat_minor, currency),
            })
            .collect(),
        lines: cart
            .lines
            .into_iter()
            .map(|l| CartLineView {
                product_id: l.product_id,
                slug: l.slug,
                name: l.name,
                image_url: l.image_key.map(|k| domain::shared::blob::media_url(&k)),
                quantity: l.quantity,
                unit_price: l.unit_price,
                previous_price: l.previous_price,
                line_total: l.line_total,
                vat_rate: l.vat_rate,
                stock: l.stock,
                min_qty: l.min_qty,
                unavailable: l.unavailable,
            })
            .collect(),
    })
}

/// Adds a product; `unit` is `item` (default) or `box`.
#[server(prefix = "/sf", endpoint = "cart/add")]
pub async fn add_to_cart(
    product_id: String,
    quantity: i32,
    unit: Option<String>,
) -> Result<(), AppError> {
    use domain::shopping::{Error, Unit};
    let svc = crate::ssr::services()?;
    let product = product(&product_id)?;
    let unit = match unit.as_deref() {
        None | Some("") | Some("item") => Unit::Item,
        Some("box") => Unit::Box,
        Some(other) => {
            return Err(AppError::Invalid {
                field: "unit".into(),
                message: format!("`{other}` is not item or box"),
            });
        }
    };
    let owner = match crate::ssr::cart_owner().await? {
        Some(owner) => owner,
        None => crate::ssr::new_guest_owner().await?,
    };
    match domain::shopping::add_item(&svc, &owner, product, quantity, unit, locale()).await {
        // An expired guest cookie: start a new cart.
        Err(Error::UnknownCart) => {
            let owner = crate::ssr::new_guest_owner().await?;
            domain::shopping::add_item(&svc, &owner, product, quantity, unit, locale()).await?;
        }
        other => {
            other?;
        }
    }
    Ok(())
}

#[cfg(feature = "ssr")]
async fn existing_owner() -> Result<domain::shopping::Owner, AppError> {
    crate::ssr::cart_owner().await?.ok_or(AppError::NotFound)
}

/// Sets a line's quantity.
#[server(prefix = "/sf", endpoint = "cart/update")]
pub async fn update_cart_item(product_id: String, quantity: i32) -> Result<(), AppError> {
    let svc = crate::ssr::services()?;
    let owner = existing_owner().await?;
    domain::shopping::set_quantity(&svc, &owner, product(&product_id)?, quantity, locale()).await?;
    Ok(())
}

/// Takes a product out of the cart.
#[server(prefix = "/sf", endpoint = "cart/remove")]
pub async fn remove_cart_item(product_id: String) -> Result<(), AppError> {
    let svc = crate::ssr::services()?;
    let owner = existing_owner().await?;
    domain::shopping::remove_item(&svc, &owner, product(&product_id)?, locale()).await?;
    Ok(())
}

/// Empties the cart.
#[server(prefix = "/sf", endpoint = "cart/clear")]
pub async fn clear_cart() -> Result<(), AppError> {
    let svc = crate::ssr::services()?;
    let owner = existing_owner().await?;
    domain::shopping::clear_cart(&svc, &owner).await?;
    Ok(())
}

/// Marks a favorite (twice is once).
#[server(prefix = "/sf", endpoint = "favorites/add")]
pub async fn add_favorite(product_id: String) -> Result<(), AppError> {
    use domain::shopping::Error;
    let svc = crate::ssr::services()?;
    let product = product(&product_id)?;
    let owner = match crate::ssr::cart_owner().await? {
        Some(owner) => owner,
        None => crate::ssr::new_guest_owner().await?,
    };
    match domain::shopping::add_favorite(&svc, &owner, product).await {
        Err(Error::UnknownCart) => {
            let owner = crate::ssr::new_guest_owner().await?;
            domain::shopping::add_favorite(&svc, &owner, product).await?;
        }
        other => other?,
    }
    Ok(())
}

/// Unmarks a favorite.
#[server(prefix = "/sf", endpoint = "favorites/remove")]
pub async fn remove_favorite(product_id: String) -> Result<(), AppError> {
    let svc = crate::ssr::services()?;
    let owner = existing_owner().await?;
    domain::shopping::remove_favorite(&svc, &owner, product(&product_id)?).await?;
    Ok(())
}

/// The favorites, newest first.
#[server(prefix = "/sf", endpoint = "favorites/list")]
pub async fn list_favorites() -> Result<Vec<FavoriteView>, AppError> {
    let svc = crate::ssr::services()?;
    let Some(owner) = crate::ssr::cart_owner().await? else {
        return Ok(Vec::new());
    };
    let list = match domain::shopping::list_favorites(&svc, &owner, locale()).await {
        Ok(list) => list,
        Err(domain::shopping::Error::UnknownCart) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(list
        .into_iter()
        .map(|f| FavoriteView {
            product_id: f.product_id,
            slug: f.slug,
            name: f.name,
            price: f.price,
            image_url: f.image_key.map(|k| domain::shared::blob::media_url(&k)),
            available: f.available,
        })
        .collect())
}
