//! `/api/v1/orders` (checkout, the customer's orders, cancellation, invoices) and
//! `/api/v1/admin/orders` (the admin's list, status moves, tracking, dashboard).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::identity::CurrentUser;
use domain::order::{
    self, AddressChoice, AddressSnapshot, Order, OrderStatus, OrderSummary, PlaceOrder, Viewer,
};
use domain::shared::{Page, PageRequest, ProductId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiError;
use super::addresses::AddressBody;
use super::extract::{ApiJson, ApiLocale, ApiQuery, AuthUser};
use super::shopping::VatLineBody;
use crate::startup::AppState;

/// A checkout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrderBody {
    /// A saved address to ship to (or give `shipping_address`).
    pub shipping_address_id: Option<Uuid>,
    /// A new address to ship to.
    pub shipping_address: Option<AddressBody>,
    /// Keep the new shipping address in the address book.
    #[serde(default)]
    pub save_shipping_address: bool,
    /// A saved billing address; without billing fields the shipping address is billed.
    pub billing_address_id: Option<Uuid>,
    /// A new billing address.
    pub billing_address: Option<AddressBody>,
    /// Company name for a company invoice (individual accounts).
    pub company_name: Option<String>,
    /// NIP for a company invoice (checksum and VAT register checked).
    pub nip: Option<String>,
    /// The total the customer confirmed (from `GET /api/v1/cart`); a different total now
    /// answers 409 `price_changed` with the new one.
    pub expected_total_minor: i64,
    /// `card` (default) or `blik`.
    pub payment_method: Option<String>,
    /// A note for the shop.
    pub notes: Option<String>,
    /// Must be `true`: the buyer accepted the terms and the privacy policy for this order
    /// (recorded with their versions); otherwise 422 `terms_not_accepted`.
    #[serde(default)]
    pub accept_terms: bool,
}

/// An address on an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderAddressDto {
    /// Recipient.
    pub name: String,
    /// Company.
    pub company_name: Option<String>,
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Phone.
    pub phone: Option<String>,
}

impl From<AddressSnapshot> for OrderAddressDto {
    fn from(a: AddressSnapshot) -> Self {
        OrderAddressDto {
            name: a.name,
            company_name: a.company_name,
            street: a.street,
            postal_code: a.postal_code,
            city: a.city,
            country_code: a.country_code,
            phone: a.phone,
        }
    }
}

/// A line of an order, as it was at checkout.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineDto {
    /// Product id (null once the product is deleted).
    pub product_id: Option<Uuid>,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price.
    pub unit_price_minor: i64,
    /// VAT rate in basis points.
    pub vat_rate_bp: i32,
    /// Gross line total.
    pub line_total_minor: i64,
    /// VAT in the line total.
    pub line_vat_minor: i64,
}

/// A status change on the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderEventDto {
    /// Before (null for the placement).
    pub from: Option<&'static str>,
    /// After.
    pub to: &'static str,
    /// `customer`, `admin`, `system` or `payment`.
    pub actor: &'static str,
    /// Note.
    pub note: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    /// Id.
    pub id: Uuid,
    /// Order number.
    pub number: i64,
    /// `pending_payment`, `paid`, `processing`, `shipped`, `delivered`, `cancelled`, `refunded`.
    pub status: &'static str,
    /// Payment status.
    pub payment_status: String,
    /// Payment method.
    pub payment_method: String,
    /// `individual` or `corporate`.
    pub customer_type: &'static str,
    /// Buyer.
    pub contact_name: String,
    /// Buyer's e-mail.
    pub contact_email: Option<String>,
    /// Buyer's phone.
    pub contact_phone: Option<String>,
    /// Shipping address.
    pub shipping_address: OrderAddressDto,
    /// Billing address (null: the shipping address).
    pub billing_address: Option<OrderAddressDto>,
    /// NIP on the invoice.
    pub buyer_nip: Option<String>,
    /// Company on the invoice.
    pub buyer_company_name: Option<String>,
    /// ISO 4217.
    pub currency: String,
    /// Sum of the lines.
    pub items_total_minor: i64,
    /// Shipping.
    pub shipping_minor: i64,
    /// Total.
    pub total_minor: i64,
    /// VAT in the total.
    pub vat_total_minor: i64,
    /// Per rate; gross adds up to `total_minor`.
    pub vat_breakdown: Vec<VatLineBody>,
    /// Carrier.
    pub carrier: Option<String>,
    /// Tracking number.
    pub tracking_number: Option<String>,
    /// The carrier's tracking page.
    pub tracking_url: Option<String>,
    /// Note.
    pub notes: Option<String>,
    /// Unpaid orders are cancelled after this.
    pub reserved_until: Option<DateTime<Utc>>,
    /// Placed.
    pub placed_at: DateTime<Utc>,
    /// Lines.
    pub lines: Vec<OrderLineDto>,
    /// Timeline, oldest first.
    pub events: Vec<OrderEventDto>,
    /// Invoice number, once paid.
    pub invoice_number: Option<String>,
    /// Where to download the invoice PDF, once issued.
    pub invoice_url: Option<String>,
    /// Days to pay by bank transfer (0: online payment).
    pub payment_terms_days: i32,
    /// When the transfer is due.
    pub payment_due_at: Option<DateTime<Utc>>,
    /// The transfer is late.
    pub overdue: bool,
    /// Why the payment needs the shop's look, if it does.
    pub review_reason: Option<String>,
}

impl From<Order> for OrderDto {
    fn from(o: Order) -> Self {
        let tracking_url = o.tracking_url();
        OrderDto {
            id: o.id.uuid(),
            number: o.number,
            status: o.status.as_str(),
            payment_status: o.payment_status.as_str().to_owned(),
            payment_method: o.payment_method,
            customer_type: o.customer_type.as_str(),
            contact_name: o.contact_name,
            contact_email: o.contact_email,
            contact_phone: o.contact_phone,
            shipping_address: o.shipping_address.into(),
            billing_address: o.billing_address.map(Into::into),
            buyer_nip: o.buyer_nip,
            buyer_company_name: o.buyer_company_name,
            currency: o.total.currency.to_string(),
            items_total_minor: o.items_total.minor,
            shipping_minor: o.shipping.minor,
            total_minor: o.total.minor,
            vat_total_minor: o.vat_total.minor,
            vat_breakdown: o.vat_breakdown.iter().map(VatLineBody::from).collect(),
            carrier: o.carrier,
            tracking_number: o.tracking_number,
            tracking_url,
            notes: o.notes,
            reserved_until: o.reserved_until,
            placed_at: o.placed_at,
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLineDto {
                    product_id: l.product_id.map(ProductId::uuid),
                    sku: l.sku,
                    name: l.name,
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price.minor,
                    vat_rate_bp: l.vat_rate.basis_points(),
                    line_total_minor: l.line_total.minor,
                    line_vat_minor: l.line_vat.minor,
                })
                .collect(),
            events: o
                .events
                .into_iter()
                .map(|e| OrderEventDto {
                    from: e.from.map(OrderStatus::as_str),
                    to: e.to.as_str(),
                    actor: e.actor.as_str(),
                    note: e.note,
                    at: e.at,
                })
                .collect(),
            invoice_url: o
                .invoice_number
                .as_ref()
                .map(|_| format!("/api/v1/orders/{}/invoice.pdf", o.id)),
            invoice_number: o.invoice_number,
            payment_terms_days: o.payment_terms_days,
            payment_due_at: o.payment_due_at,
            overdue: o.overdue,
            review_reason: o.review_reason,
        }
    }
}

/// An order in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSummaryDto {
    /// Id.
    pub id: Uuid,
    /// Number.
    pub number: i64,
    /// Status.
    pub status: &'static str,
    /// Total.
    pub total_minor: i64,
    /// ISO 4217.
    pub currency: String,
    /// Units.
    pub item_count: i64,
    /// Buyer.
    pub contact_name: String,
    /// Buyer's phone.
    pub contact_phone: Option<String>,
    /// Buyer's e-mail.
    pub contact_email: Option<String>,
    /// Placed.
    pub placed_at: DateTime<Utc>,
}

impl From<OrderSummary> for OrderSummaryDto {
    fn from(o: OrderSummary) -> Self {
        OrderSummaryDto {
            id: o.id.uuid(),
            number: o.number,
            status: o.status.as_str(),
            total_minor: o.total.minor,
            currency: o.total.currency.to_string(),
            item_count: o.item_count,
            contact_name: o.contact_name,
            contact_phone: o.contact_phone,
            contact_email: o.contact_email,
            placed_at: o.placed_at,
        }
    }
}

/// A page of orders.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderList {
    /// Orders, newest first.
    pub items: Vec<OrderSummaryDto>,
    /// Matching orders.
    pub total: u64,
    /// Page (1-based).
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl From<Page<OrderSummary>> for OrderList {
    fn from(p: Page<OrderSummary>) -> Self {
        OrderList {
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            items: p.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    /// Page, from 1.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4294967295_u64)]
    pub page: Option<u32>,
    /// Page size, at most 100.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

pub(super) fn page_request(
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<PageRequest, ApiError> {
    let per_page = per_page.unwrap_or(20);
    if per_page == 0 || per_page > PageRequest::MAX_PER_PAGE {
        return Err(ApiError::invalid("per_page", "must be between 1 and 100"));
    }
    if page == Some(0) {
        return Err(ApiError::invalid("page", "pages start at 1"));
    }
    Ok(PageRequest::new(page.unwrap_or(1), per_page))
}

pub(super) fn viewer(user: &CurrentUser) -> Viewer {
    Viewer::signed_in(user.id, user.role)
}

/// Places an order for the signed-in user's cart.
///
/// Send `Idempotency-Key` (8–100 visible ASCII characters) so that a retry returns the
/// first order (200) instead of placing another.
#[utoipa::path(
    post, path = "/api/v1/orders", tag = "orders", request_body = PlaceOrderBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Placed, waiting for payment", body = OrderDto),
        (status = 200, description = "Placed before with this idempotency key", body = OrderDto),
        (status = 403, description = "profile_incomplete: finish the profile first", body = super::error::ErrorBody),
        (status = 409, description = "empty_cart, out_of_stock, price_changed, product_unavailable", body = super::error::ErrorBody),
        (status = 422, description = "Invalid address, NIP or quantity, or the terms not accepted (`terms_not_accepted`)", body = super::error::ErrorBody),
    )
)]
pub async fn place_order(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiLocale(locale): ApiLocale,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PlaceOrderBody>,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::invalid("idempotency_key", "must be visible ASCII"))?
                .to_owned(),
        ),
    };
    let shipping = match (body.shipping_address_id, body.shipping_address) {
        (Some(id), None) => AddressChoice::Saved(id),
        (None, Some(address)) => AddressChoice::New {
            address: Box::new(address.into_input()?),
            save: body.save_shipping_address,
        },
        _ => {
            return Err(ApiError::invalid(
                "shipping_address",
                "give either shipping_address_id or shipping_address",
            ));
        }
    };
    let billing = match (body.billing_address_id, body.billing_address) {
        (None, None) => None,
        (Some(id), None) => Some(AddressChoice::Saved(id)),
        (None, Some(address)) => Some(AddressChoice::New {
            address: Box::new(address.into_input()?),
            save: false,
        }),
        _ => {
            return Err(ApiError::invalid(
                "billing_address",
                "give billing_address_id or billing_address, not both",
            ));
        }
    };
    let placed = order::place_order(
        &state.services,
        PlaceOrder {
            user: user.id,
            shipping,
            billing,
            company_name: body.company_name,
            nip: body.nip,
            expected_total_minor: Some(body.expected_total_minor),
            payment_method: body.payment_method.unwrap_or_else(|| "card".into()),
            notes: body.notes,
            idempotency_key,
            locale,
            accept_terms: body.accept_terms,
        },
    )
    .await?;
    let order =
        order::get_order(&state.services, Viewer::Customer(user.id), placed.order_id).await?;
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(order.into())))
}

/// The signed-in user's orders, newest first.
#[utoipa::path(
    get, path = "/api/v1/orders", tag = "orders", params(OrderQuery), security(("bearer" = [])),
    responses((status = 200, description = "Orders", body = OrderList))
)]
pub async fn list_orders(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let page = page_request(query.page, query.per_page)?;
    let orders = order::list_orders(&state.services, user.id, page).await?;
    Ok(Json(orders.into()))
}

/// One order; somebody else's answers 404 (admins see every order).
#[utoipa::path(
    get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path, description = "Order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order", body = OrderDto),
        (status = 404, description = "No such order of yours", body = super::error::ErrorBody),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<OrderDto>, ApiError> {
    let order = order::get_order(&state.services, viewer(&user), id.into()).await?;
    Ok(Json(order.into()))
}

/// Cancels the user's order until it is processed: unpaid at once (its stock goes back),
/// paid by a full refund through the payment gateway.
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = Uuid, Path, description = "Order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled, stock returned", body = OrderDto),
        (status = 202, description = "Paid: a full refund was asked of the gateway; the order becomes refunded when it is reported", body = OrderDto),
        (status = 409, description = "invalid_transition (being processed or later)", body = super::error::ErrorBody),
    )
)]
pub async fn cancel_order(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    let viewer = Viewer::Customer(user.id);
    let done = domain::payment::cancel(&state.services, viewer, id.into(), None).await?;
    let order = order::get_order(&state.services, viewer, id.into()).await?;
    let status = match done {
        domain::payment::Moved::Done => StatusCode::OK,
        domain::payment::Moved::RefundRequested => StatusCode::ACCEPTED,
    };
    Ok((status, Json(order.into())))
}

/// The order's VAT invoice as a PDF (owner or admin; 404 before it is paid).
#[utoipa::path(
    get, path = "/api/v1/orders/{id}/invoice.pdf", tag = "orders", params(("id" = Uuid, Path, description = "Order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 404, description = "No invoice (yet) or not your order", body = super::error::ErrorBody),
    )
)]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (number, bytes) = order::invoice_pdf(&state.services, viewer(&user), id.into()).await?;
    Ok(pdf_response(&number, bytes))
}

/// The PaymentIntent an app confirms with Stripe's SDK.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDto {
    /// `pi_…`.
    pub payment_intent_id: String,
    /// For the Stripe SDK.
    pub client_secret: String,
    /// Stripe's status of the intent.
    pub status: String,
}

/// Creates (or returns the existing) PaymentIntent of the user's unpaid order; the order
/// becomes paid when Stripe reports the payment (webhook).
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/payment", tag = "orders", params(("id" = Uuid, Path, description = "Order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The PaymentIntent", body = PaymentDto),
        (status = 404, description = "No such order of yours, or Stripe is not configured", body = super::error::ErrorBody),
        (status = 409, description = "not_payable", body = super::error::ErrorBody),
        (status = 502, description = "Stripe failed", body = super::error::ErrorBody),
    )
)]
pub async fn create_payment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<PaymentDto>, ApiError> {
    let intent = domain::payment::app_payment(&state.services, user.id, id.into()).await?;
    Ok(Json(PaymentDto {
        payment_intent_id: intent.id,
        client_secret: intent.client_secret,
        status: intent.status,
    }))
}

/// A PDF download named after the invoice number.
pub fn pdf_response(number: &str, bytes: Vec<u8>) -> Response {
    let file = number.replace('/', "-");
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.pdf\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
