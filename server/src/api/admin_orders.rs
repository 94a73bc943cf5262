//! `/api/v1/admin/orders`, payment terms and the dashboard: orders as the shop's staff see
//! and move them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::order::{self, Move, OrderFilter, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiError;
use super::extract::{AdminUser, ApiJson, ApiQuery};
use super::orders::{OrderDto, OrderList, page_request};
use crate::startup::AppState;

/// A refund.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// Minor units; without it, everything not refunded yet.
    pub amount_minor: Option<i64>,
}

/// Refunds a paid order through the payment gateway (admins); the order's payment status
/// follows Stripe's `charge.refunded` (a full refund of an unshipped order returns the stock).
#[utoipa::path(
    post, path = "/api/v1/admin/orders/{id}/refund", tag = "admin", request_body = RefundBody,
    params(("id" = Uuid, Path, description = "Order id")), security(("bearer" = [])),
    responses(
        (status = 202, description = "Asked of the gateway", body = OrderDto),
        (status = 409, description = "not_refundable", body = super::error::ErrorBody),
        (status = 422, description = "An amount outside what is left", body = super::error::ErrorBody),
    )
)]
pub async fn admin_refund(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<RefundBody>,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    domain::payment::refund(&state.services, admin.id, id.into(), body.amount_minor).await?;
    let order = order::get_order(&state.services, Viewer::Admin(admin.id), id.into()).await?;
    Ok((StatusCode::ACCEPTED, Json(order.into())))
}

/// Filters for the admin's order list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AdminOrderQuery {
    /// Only this status.
    pub status: Option<String>,
    /// Placed on or after this day (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Placed on or before this day.
    pub to: Option<NaiveDate>,
    /// Order number, e-mail or phone.
    pub q: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4294967295_u64)]
    pub page: Option<u32>,
    /// Page size, at most 100.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Every order, filtered (admins).
#[utoipa::path(
    get, path = "/api/v1/admin/orders", tag = "admin", params(AdminOrderQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Orders", body = OrderList),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
    )
)]
pub async fn admin_list_orders(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    ApiQuery(query): ApiQuery<AdminOrderQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let page = page_request(query.page, query.per_page)?;
    let filter = OrderFilter::for_admin(query.status.as_deref(), query.from, query.to, query.q)?;
    let orders = order::search_orders(&state.services, &filter, page).await?;
    Ok(Json(orders.into()))
}

/// A status move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The new status.
    pub status: String,
    /// Why.
    pub note: Option<String>,
    /// Carrier (required for `shipped`).
    pub carrier: Option<String>,
    /// Tracking number (required for `shipped`).
    pub tracking_number: Option<String>,
}

/// Moves an order along its lifecycle (admins): only allowed transitions; cancelling
/// returns the stock; `paid` issues the invoice.
#[utoipa::path(
    post, path = "/api/v1/admin/orders/{id}/status", tag = "admin", request_body = MoveBody,
    params(("id" = Uuid, Path, description = "Order id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved", body = OrderDto),
        (status = 409, description = "Not allowed from its status", body = super::error::ErrorBody),
    )
)]
pub async fn admin_move_order(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<OrderDto>, ApiError> {
    let to = order::parse_status(&body.status)?;
    // Cancelling or refunding a paid order is a full refund through the gateway.
    let viewer = Viewer::Admin(admin.id);
    let change = Move {
        to,
        note: body.note,
        carrier: body.carrier,
        tracking_number: body.tracking_number,
    };
    domain::payment::move_order(&state.services, viewer, id.into(), change).await?;
    let order = order::get_order(&state.services, viewer, id.into()).await?;
    Ok(Json(order.into()))
}

/// Carrier and tracking number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingBody {
    /// Carrier, e.g. InPost.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: String,
}

/// Corrects the tracking of a shipped order (admins).
#[utoipa::path(
    put, path = "/api/v1/admin/orders/{id}/tracking", tag = "admin", request_body = TrackingBody,
    params(("id" = Uuid, Path, description = "Order id")), security(("bearer" = [])),
    responses((status = 200, description = "Updated", body = OrderDto))
)]
pub async fn admin_set_tracking(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<TrackingBody>,
) -> Result<Json<OrderDto>, ApiError> {
    let order = order::set_tracking(
        &state.services,
        admin.id,
        id.into(),
        &body.carrier,
        &body.tracking_number,
    )
    .await?;
    Ok(Json(order.into()))
}

/// Payment terms in days: 0 (pay up front), 7, 14 or 21.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsBody {
    /// Days; for a customer, `null` removes the override (the default applies).
    pub days: Option<i32>,
}

/// The shop-wide default terms for companies (admins).
#[utoipa::path(
    get, path = "/api/v1/admin/payment-terms", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The default", body = TermsBody))
)]
pub async fn admin_get_terms(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> Result<Json<TermsBody>, ApiError> {
    let days = order::default_terms(&state.services).await?;
    Ok(Json(TermsBody { days: Some(days) }))
}

/// Sets the shop-wide default terms (admins).
#[utoipa::path(
    put, path = "/api/v1/admin/payment-terms", tag = "admin", request_body = TermsBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Set", body = TermsBody),
        (status = 422, description = "Not 0, 7, 14 or 21", body = super::error::ErrorBody),
    )
)]
pub async fn admin_set_terms(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    ApiJson(body): ApiJson<TermsBody>,
) -> Result<Json<TermsBody>, ApiError> {
    let days = body
        .days
        .ok_or_else(|| ApiError::invalid("days", "is required"))?;
    order::set_default_terms(&state.services, days).await?;
    Ok(Json(TermsBody { days: Some(days) }))
}

/// Sets or removes a company account's own terms (admins).
#[utoipa::path(
    put, path = "/api/v1/admin/users/{id}/payment-terms", tag = "admin", request_body = TermsBody,
    params(("id" = Uuid, Path, description = "User id of a company account")), security(("bearer" = [])),
    responses(
        (status = 200, description = "Set", body = TermsBody),
        (status = 422, description = "Not a company account, or not 0, 7, 14 or 21", body = super::error::ErrorBody),
    )
)]
pub async fn admin_set_customer_terms(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<TermsBody>,
) -> Result<Json<TermsBody>, ApiError> {
    order::set_customer_terms(&state.services, id.into(), body.days).await?;
    Ok(Json(body))
}

/// A product running out.
#[derive(Debug, Serialize, ToSchema)]
pub struct LowStockDto {
    /// Id.
    pub id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units left.
    pub stock: i32,
}

/// The admin dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    /// Orders today (Polish time), cancelled ones excluded.
    pub orders_today: i64,
    /// Their gross total.
    pub revenue_today_minor: i64,
    /// Orders this month.
    pub orders_month: i64,
    /// Their gross total.
    pub revenue_month_minor: i64,
    /// Waiting for payment.
    pub pending_payment: i64,
    /// Paid or processing, to be shipped.
    pub to_ship: i64,
    /// Active products with few units left.
    pub low_stock: Vec<LowStockDto>,
}

/// Orders and revenue today and this month, low stock (admins).
#[utoipa::path(
    get, path = "/api/v1/admin/dashboard", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Figures", body = DashboardDto))
)]
pub async fn admin_dashboard(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> Result<Json<DashboardDto>, ApiError> {
    let d = order::dashboard(&state.services).await?;
    Ok(Json(DashboardDto {
        orders_today: d.orders_today,
        revenue_today_minor: d.revenue_today.minor,
        orders_month: d.orders_month,
        revenue_month_minor: d.revenue_month.minor,
        pending_payment: d.pending_payment,
        to_ship: d.to_ship,
        low_stock: d
            .low_stock
            .into_iter()
            .map(|p| LowStockDto {
                id: p.id.into(),
                sku: p.sku,
                name: p.name,
                stock: p.stock,
            })
            .collect(),
    }))
}
