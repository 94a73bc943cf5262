//! Server functions behind the admin's order pages and dashboard; each checks the role
//! first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shop_types::Money;

use super::server_fns::OrderRowView;
#[cfg(feature = "ssr")]
use super::server_fns::convert;
use crate::error::AppError;

/// The admin dashboard's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// Orders today.
    pub orders_today: i64,
    /// Revenue today.
    pub revenue_today: Money,
    /// Orders this month.
    pub orders_month: i64,
    /// Revenue this month.
    pub revenue_month: Money,
    /// Awaiting payment.
    pub pending_payment: i64,
    /// To ship.
    pub to_ship: i64,
    /// (SKU, name, stock) of products running out.
    pub low_stock: Vec<(String, String, i32)>,
}

/// A page of the admin's order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderListView {
    /// Rows.
    pub rows: Vec<OrderRowView>,
    /// Matching orders.
    pub total: u64,
    /// Page.
    pub page: u32,
    /// Pages.
    pub pages: u64,
}

/// The admin's order list.
#[server(prefix = "/sf", endpoint = "admin/orders")]
pub async fn admin_orders(
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    page: Option<u32>,
) -> Result<OrderListView, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let day = |field: &'static str, text: Option<String>| match text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => Ok(None),
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::Invalid {
                field: field.into(),
                message: "expected YYYY-MM-DD".into(),
            }),
    };
    let filter = domain::order::OrderFilter::for_admin(
        status.as_deref(),
        day("from", from)?,
        day("to", to)?,
        q,
    )
    .map_err(convert::error)?;
    let request = domain::shared::PageRequest::new(page.unwrap_or(1).max(1), 50);
    let page = domain::order::search_orders(&svc, &filter, request)
        .await
        .map_err(convert::error)?;
    Ok(OrderListView {
        pages: page.total_pages(),
        total: page.total,
        page: page.page,
        rows: page.items.into_iter().map(convert::row).collect(),
    })
}

/// Moves an order (admins).
#[server(prefix = "/sf", endpoint = "admin/orders/move")]
pub async fn admin_move_order(
    id: String,
    status: String,
    note: Option<String>,
    carrier: Option<String>,
    tracking_number: Option<String>,
) -> Result<(), AppError> {
    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let to = domain::order::parse_status(&status).map_err(convert::error)?;
    // Cancelling or refunding a paid order is a full refund through the gateway.
    domain::payment::move_order(
        &svc,
        domain::order::Viewer::Admin(admin.id),
        convert::order_id(&id)?,
        domain::order::Move {
            to,
            note,
            carrier,
            tracking_number,
        },
    )
    .await
    .map_err(convert::payment_error)?;
    Ok(())
}

/// Refunds an order, all of what is left or `amount` (in złoty, e.g. `12,50`), through the
/// gateway (admins).
#[server(prefix = "/sf", endpoint = "admin/orders/refund")]
pub async fn admin_refund(id: String, amount: Option<String>) -> Result<(), AppError> {
    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let amount = match amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => Some(
            domain::shared::Money::parse_major(text, domain::shared::Currency::PLN)
                .map_err(|e| AppError::Invalid {
                    field: "amount".into(),
                    message: e.to_string(),
                })?
                .minor,
        ),
    };
    domain::payment::refund(&svc, admin.id, convert::order_id(&id)?, amount)
        .await
        .map_err(convert::payment_error)?;
    Ok(())
}

/// The shop's default bank-transfer terms for companies, in days (admins).
#[server(prefix = "/sf", endpoint = "admin/terms/get")]
pub async fn admin_terms() -> Result<i32, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    domain::order::default_terms(&svc)
        .await
        .map_err(convert::error)
}

/// Sets the default terms: 0, 7, 14 or 21 days (admins).
#[server(prefix = "/sf", endpoint = "admin/terms/set")]
pub async fn set_admin_terms(days: i32) -> Result<(), AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    domain::order::set_default_terms(&svc, days)
        .await
        .map_err(convert::error)
}

/// The admin dashboard.
#[server(prefix = "/sf", endpoint = "admin/dashboard")]
pub async fn admin_dashboard() -> Result<DashboardView, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let d = domain::order::dashboard(&svc)
        .await
        .map_err(convert::error)?;
    Ok(DashboardView {
        orders_today: d.orders_today,
        revenue_today: d.revenue_today,
        orders_month: d.orders_month,
        revenue_month: d.revenue_month,
        pending_payment: d.pending_payment,
        to_ship: d.to_ship,
        low_stock: d
            .low_stock
            .into_iter()
            .map(|p| (p.sku, p.name, p.stock))
            .collect(),
    })
}

/// A notice about an order, as the admin's order page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentView {
    /// Id, for "send again".
    pub id: String,
    /// `order_placed`, ….
    pub kind: String,
    /// `email`, `sms`, `push`, `in_app`.
    pub channel: String,
    /// Address, phone or user id.
    pub recipient: String,
    /// `queued`, `sent`, `failed`, `skipped`.
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it was written (UTC).
    pub at: String,
}

/// What was sent about an order (admins).
#[server(prefix = "/sf", endpoint = "admin/orders/notifications")]
pub async fn admin_order_notifications(id: String) -> Result<Vec<SentView>, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let sent = domain::notify::sent_for_order(&svc, convert::order_id(&id)?).await?;
    Ok(sent
        .into_iter()
        .map(|s| SentView {
            id: s.id.to_string(),
            kind: s.kind,
            channel: s.channel,
            recipient: s.recipient,
            status: s.status,
            attempts: s.attempts,
            last_error: s.last_error,
            at: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}

/// Queues a notice again (admins).
#[server(prefix = "/sf", endpoint = "admin/notifications/resend")]
pub async fn admin_resend_notification(id: String) -> Result<(), AppError> {
    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let id = id.trim().parse().map_err(|_| AppError::NotFound)?;
    domain::notify::resend(&svc, admin.id, id).await?;
    Ok(())
}
