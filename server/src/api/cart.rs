//! `/api/v1/cart` and `/api/v1/me/favorites`: the cart and favorites of a signed-in user
//! (bearer token) or a guest (`X-Cart-Token`, handed out by the first add).

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::shopping::{self, Cart, Owner, Unit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiJson, ApiLocale, AuthUser};
use super::shopping::VatLineBody;
use crate::startup::AppState;

/// The header that carries a guest's cart token.
pub const CART_TOKEN: &str = "x-cart-token";

/// Whose cart a request is about: the bearer token's user, else the `X-Cart-Token` guest,
/// else nobody yet.
pub struct CartOwner(pub Option<Owner>);

impl FromRequestParts<AppState> for CartOwner {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            let AuthUser(user) = AuthUser::from_request_parts(parts, state).await?;
            return Ok(CartOwner(Some(Owner::User {
                id: user.id,
                customer_type: user.customer_type,
            })));
        }
        match parts.headers.get(CART_TOKEN) {
            None => Ok(CartOwner(None)),
            Some(value) => value
                .to_str()
                .ok()
                .and_then(Owner::guest)
                .map(|owner| CartOwner(Some(owner)))
                .ok_or_else(unknown_cart),
        }
    }
}

fn unknown_cart() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_cart",
        "This cart token is unknown or expired; add an item to start a new cart.",
    )
}

/// A cart line.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartLineBody {
    /// Product id.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Slug.
    pub slug: String,
    /// Name in the requested language.
    pub name: String,
    /// Picture URL.
    pub image_url: Option<String>,
    /// Units.
    pub quantity: i32,
    /// Current gross unit price (minor units).
    pub unit_price_minor: i64,
    /// The unit price when it was added, when it has changed since.
    pub previous_unit_price_minor: Option<i64>,
    /// VAT rate in basis points.
    pub vat_rate_bp: i32,
    /// Gross line total (0 when unavailable).
    pub line_total_minor: i64,
    /// Units in stock now.
    pub stock: i32,
    /// Least quantity for this buyer.
    pub min_qty: i32,
    /// Units per box, when sold by the box.
    pub qty_per_box: Option<i32>,
    /// Sold out or no longer sold: not in the totals, cannot be ordered.
    pub unavailable: bool,
}

/// A cart with its totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartBody {
    /// ISO 4217 currency.
    pub currency: String,
    /// Lines, oldest first.
    pub lines: Vec<CartLineBody>,
    /// Units over all lines.
    pub item_count: i64,
    /// Sum of the available lines (gross, minor units).
    pub subtotal_minor: i64,
    /// Shipping (0 from `free_shipping_from_minor` on).
    pub shipping_minor: i64,
    /// Subtotal plus shipping.
    pub total_minor: i64,
    /// Net, VAT and gross per rate, shipping included; gross adds up to `total_minor`.
    pub vat_breakdown: Vec<VatLineBody>,
    /// Subtotal from which shipping is free.
    pub free_shipping_from_minor: i64,
    /// The guest cart token (only in the answer that created it); send it back as
    /// `X-Cart-Token`.
    pub cart_token: Option<String>,
}

impl From<Cart> for CartBody {
    fn from(c: Cart) -> Self {
        CartBody {
            currency: c.total.currency.to_string(),
            lines: c
                .lines
                .into_iter()
                .map(|l| CartLineBody {
                    product_id: l.product_id.into(),
                    sku: l.sku,
                    slug: l.slug,
                    name: l.name,
                    image_url: l.image_key.map(|k| domain::shared::blob::media_url(&k)),
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price.minor,
                    previous_unit_price_minor: l.previous_price.map(|p| p.minor),
                    vat_rate_bp: l.vat_rate.basis_points(),
                    line_total_minor: l.line_total.minor,
                    stock: l.stock,
                    min_qty: l.min_qty,
                    qty_per_box: l.qty_per_box,
                    unavailable: l.unavailable,
                })
                .collect(),
            item_count: c.item_count,
            subtotal_minor: c.subtotal.minor,
            shipping_minor: c.shipping.minor,
            total_minor: c.total.minor,
            vat_breakdown: c.vat.iter().map(VatLineBody::from).collect(),
            free_shipping_from_minor: c.free_shipping_from.minor,
            cart_token: None,
        }
    }
}

fn empty_cart(state: &AppState) -> CartBody {
    CartBody {
        currency: "PLN".into(),
        lines: Vec::new(),
        item_count: 0,
        subtotal_minor: 0,
        shipping_minor: 0,
        total_minor: 0,
        vat_breakdown: Vec::new(),
        free_shipping_from_minor: state.services.shipping.free_from_minor,
        cart_token: None,
    }
}

fn owner_or_unknown(owner: Option<Owner>) -> Result<Owner, ApiError> {
    owner.ok_or_else(unknown_cart)
}

/// The cart (empty without a token).
#[utoipa::path(
    get, path = "/api/v1/cart", tag = "shopping",
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    responses(
        (status = 200, description = "The cart, priced now", body = CartBody),
        (status = 404, description = "Unknown or expired cart token", body = super::error::ErrorBody),
    )
)]
pub async fn get_cart(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    CartOwner(owner): CartOwner,
) -> Result<Json<CartBody>, ApiError> {
    let Some(owner) = owner else {
        return Ok(Json(empty_cart(&state)));
    };
    let cart = shopping::get_cart(&state.services, &owner, locale).await?;
    Ok(Json(cart.into()))
}

/// A product to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItemBody {
    /// Product id.
    pub product_id: Uuid,
    /// How many items (or boxes).
    #[schema(example = 2)]
    pub quantity: i32,
    /// `item` (default) or `box` (the product's `qty_per_box` each).
    pub unit: Option<String>,
}

/// Adds a product (more of it when already there). Without a bearer token or cart token a
/// guest cart is created and its token returned in `cart_token` and `X-Cart-Token`.
#[utoipa::path(
    post, path = "/api/v1/cart/items", tag = "shopping", request_body = AddItemBody,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    responses(
        (status = 200, description = "The cart", body = CartBody),
        (status = 404, description = "Unknown cart token", body = super::error::ErrorBody),
        (status = 422, description = "Unknown product, quantity under the minimum (`below_minimum_quantity`) or over the stock (`insufficient_stock`)", body = super::error::ErrorBody),
    )
)]
pub async fn add_item(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    CartOwner(owner): CartOwner,
    ApiJson(body): ApiJson<AddItemBody>,
) -> Result<Response, ApiError> {
    let unit = match body.unit.as_deref() {
        None | Some("item") => Unit::Item,
        Some("box") => Unit::Box,
        Some(other) => {
            return Err(ApiError::invalid(
                "unit",
                format!("`{other}` is not item or box"),
            ));
        }
    };
    let (owner, new_token) = match owner {
        Some(owner) => (owner, None),
        None => {
            let (token, owner) = shopping::create_guest_cart(&state.services).await?;
            (owner, Some(token))
        }
    };
    let result = shopping::add_item(
        &state.services,
        &owner,
        body.product_id.into(),
        body.quantity,
        unit,
        locale,
    )
    .await;
    let cart = match result {
        Ok(cart) => cart,
        Err(e) => {
            if new_token.is_some() {
                // A refused first add leaves no empty guest cart behind.
                let _ = shopping::discard_guest_cart(&state.services, &owner).await;
            }
            return Err(e.into());
        }
    };
    let mut body: CartBody = cart.into();
    body.cart_token = new_token.clone();
    let mut headers = HeaderMap::new();
    if let Some(token) = new_token
        && let Ok(value) = HeaderValue::from_str(&token)
    {
        headers.insert(CART_TOKEN, value);
    }
    Ok((headers, Json(body)).into_response())
}

/// A new quantity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityBody {
    /// Units, at least the minimum and at most the stock.
    pub quantity: i32,
}

/// Sets a line's quantity.
#[utoipa::path(
    patch, path = "/api/v1/cart/items/{product_id}", tag = "shopping", request_body = QuantityBody,
    responses(
        (status = 200, description = "The cart", body = CartBody),
        (status = 404, description = "Not in the cart, or unknown cart token", body = super::error::ErrorBody),
        (status = 422, description = "Quantity 0 or negative, under the minimum or over the stock", body = super::error::ErrorBody),
    )
)]
pub async fn set_quantity(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    CartOwner(owner): CartOwner,
    Path(product): Path<String>,
    ApiJson(body): ApiJson<QuantityBody>,
) -> Result<Json<CartBody>, ApiError> {
    let owner = owner_or_unknown(owner)?;
    let product = product_id(&product)?;
    let cart = shopping::set_quantity(
        &state.services,
        &owner,
        product.into(),
        body.quantity,
        locale,
    )
    .await?;
    Ok(Json(cart.into()))
}

/// Takes a product out of the cart.
#[utoipa::path(
    delete, path = "/api/v1/cart/items/{product_id}", tag = "shopping",
    responses(
        (status = 200, description = "The cart", body = CartBody),
        (status = 404, description = "Not in the cart, or unknown cart token", body = super::error::ErrorBody),
    )
)]
pub async fn remove_item(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    CartOwner(owner): CartOwner,
    Path(product): Path<String>,
) -> Result<Json<CartBody>, ApiError> {
    let owner = owner_or_unknown(owner)?;
    let product = product_id(&product)?;
    let cart = shopping::remove_item(&state.services, &owner, product.into(), locale).await?;
    Ok(Json(cart.into()))
}

/// Empties the cart.
#[utoipa::path(
    delete, path = "/api/v1/cart", tag = "shopping",
    responses(
        (status = 204, description = "Emptied"),
        (status = 404, description = "Unknown cart token", body = super::error::ErrorBody),
    )
)]
pub async fn clear_cart(
    State(state): State<AppState>,
    CartOwner(owner): CartOwner,
) -> Result<StatusCode, ApiError> {
    let owner = owner_or_unknown(owner)?;
    shopping::clear_cart(&state.services, &owner).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn product_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_in_cart",
            format!("`{text}` is not a product id"),
        )
    })
}

/// A favorite product.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavoriteBody {
    /// Product id.
    pub product_id: Uuid,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Current gross price for you (minor units).
    pub price_minor: i64,
    /// Currency.
    pub currency: String,
    /// Picture.
    pub image_url: Option<String>,
    /// In stock and sold.
    pub available: bool,
}

/// The product to mark.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FavoriteAddBody {
    /// Product id.
    pub product_id: Uuid,
}

/// Your favorites, newest first (a guest's with `X-Cart-Token`).
#[utoipa::path(
    get, path = "/api/v1/me/favorites", tag = "shopping",
    responses((status = 200, description = "Favorites", body = [FavoriteBody]))
)]
pub async fn list_favorites(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    CartOwner(owner): CartOwner,
) -> Result<Json<Vec<FavoriteBody>>, ApiError> {
    let Some(owner) = owner else {
        return Ok(Json(Vec::new()));
    };
    let list = shopping::list_favorites(&state.services, &owner, locale).await?;
    Ok(Json(
        list.into_iter()
            .map(|f| FavoriteBody {
                product_id: f.product_id.into(),
                slug: f.slug,
                name: f.name,
                price_minor: f.price.minor,
                currency: f.price.currency.to_string(),
                image_url: f.image_key.map(|k| domain::shared::blob::media_url(&k)),
                available: f.available,
            })
            .collect(),
    ))
}

/// Marks a product as a favorite; twice is the same as once. Guests need a cart token.
#[utoipa::path(
    post, path = "/api/v1/me/favorites", tag = "shopping", request_body = FavoriteAddBody,
    responses(
        (status = 204, description = "Marked"),
        (status = 404, description = "Unknown cart token", body = super::error::ErrorBody),
        (status = 422, description = "Unknown product", body = super::error::ErrorBody),
    )
)]
pub async fn add_favorite(
    State(state): State<AppState>,
    CartOwner(owner): CartOwner,
    ApiJson(body): ApiJson<FavoriteAddBody>,
) -> Result<Response, ApiError> {
    let (owner, new_token) = match owner {
        Some(owner) => (owner, None),
        None => {
            let (token, owner) = shopping::create_guest_cart(&state.services).await?;
            (owner, Some(token))
        }
    };
    shopping::add_favorite(&state.services, &owner, body.product_id.into()).await?;
    let mut headers = HeaderMap::new();
    if let Some(token) = new_token
        && let Ok(value) = HeaderValue::from_str(&token)
    {
        headers.insert(CART_TOKEN, value);
    }
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// Unmarks a favorite (absent is fine).
#[utoipa::path(
    delete, path = "/api/v1/me/favorites/{product_id}", tag = "shopping",
    responses((status = 204, description = "Unmarked"))
)]
pub async fn remove_favorite(
    State(state): State<AppState>,
    CartOwner(owner): CartOwner,
    Path(product): Path<String>,
) -> Result<StatusCode, ApiError> {
    let owner = owner_or_unknown(owner)?;
    let product = Uuid::parse_str(&product).map_err(|_| ApiError::not_found())?;
    shopping::remove_favorite(&state.services, &owner, product.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}
