//! `/api/v1/me/notifications...`: the signed-in user's inbox and notification settings;
//! `/api/v1/admin/...notifications...`: what was sent about an order, and sending it again.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::notify::{self, Setting};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{AdminUser, ApiJson, ApiQuery, AuthUser};
use super::orders::{OrderQuery, page_request};
use crate::startup::AppState;

impl From<notify::Error> for ApiError {
    fn from(e: notify::Error) -> Self {
        match e {
            notify::Error::NotFound => ApiError::not_found(),
            notify::Error::TooSoon { retry_after } => ApiError::rate_limited(retry_after),
            notify::Error::Invalid { field, message } => ApiError::invalid(field, message),
            notify::Error::Other(e) => ApiError::unexpected(&e),
        }
    }
}

/// A notice in the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    /// Id.
    pub id: Uuid,
    /// `order_placed`, `payment_failed`, `order_paid`, `order_shipped`, `order_delivered`,
    /// `order_cancelled`, `order_refunded`, `admin_new_order`, `admin_flagged`.
    pub kind: String,
    /// Title, in the language the user had when it was written.
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// Where to look: a path on the shop, e.g. `/orders/{id}`.
    pub link: String,
    /// The order it is about.
    pub order_id: Option<Uuid>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was read; `null` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the inbox, unread first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Unread first, then newest first.
    pub items: Vec<NotificationDto>,
    /// All notices in the inbox.
    pub total: u64,
    /// Unread notices.
    pub unread: i64,
    /// Page (1-based).
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// The user's inbox, unread first.
#[utoipa::path(
    get, path = "/api/v1/me/notifications", tag = "me", params(OrderQuery), security(("bearer" = [])),
    responses((status = 200, description = "The inbox", body = NotificationList))
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<Json<NotificationList>, ApiError> {
    let page = page_request(query.page, query.per_page)?;
    let svc = &state.services;
    let inbox = notify::list_inbox(svc, me.id, page).await?;
    let unread = notify::unread_count(svc, me.id).await?;
    Ok(Json(NotificationList {
        total: inbox.total,
        page: inbox.page,
        per_page: inbox.per_page,
        unread,
        items: inbox
            .items
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link,
                order_id: n.order_id.map(Into::into),
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
    }))
}

/// Unread notices.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadDto {
    /// How many.
    pub unread: i64,
}

/// How many notices are unread (the badge in the header).
#[utoipa::path(
    get, path = "/api/v1/me/notifications/unread-count", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Unread notices", body = UnreadDto))
)]
pub async fn unread_count(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<UnreadDto>, ApiError> {
    let unread = notify::unread_count(&state.services, me.id).await?;
    Ok(Json(UnreadDto { unread }))
}

/// Marks one notice read.
#[utoipa::path(
    post, path = "/api/v1/me/notifications/{id}/read", tag = "me",
    params(("id" = Uuid, Path, description = "Notification id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "No such notice of yours", body = super::error::ErrorBody),
    )
)]
pub async fn mark_read(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    notify::mark_read(&state.services, me.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every notice read.
#[utoipa::path(
    post, path = "/api/v1/me/notifications/read-all", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Nothing left unread", body = UnreadDto))
)]
pub async fn mark_all_read(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<UnreadDto>, ApiError> {
    notify::mark_all_read(&state.services, me.id).await?;
    Ok(Json(UnreadDto { unread: 0 }))
}

/// One topic and channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingDto {
    /// `orders`, `account` or `marketing`.
    #[schema(pattern = "^(orders|account|marketing)$")]
    pub topic: String,
    /// `email`, `sms`, `push` or `in_app`.
    #[schema(pattern = "^(email|sms|push|in_app)$")]
    pub channel: String,
    /// Notices of the topic go to the channel.
    pub enabled: bool,
}

impl From<Setting> for SettingDto {
    fn from(s: Setting) -> Self {
        SettingDto {
            topic: s.topic.as_str().to_owned(),
            channel: s.channel.as_str().to_owned(),
            enabled: s.enabled,
        }
    }
}

/// Every topic and channel: what the user hears where.
#[utoipa::path(
    get, path = "/api/v1/me/notification-settings", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "The settings", body = [SettingDto]))
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<Vec<SettingDto>>, ApiError> {
    let settings = notify::notification_settings(&state.services, me.id).await?;
    Ok(Json(settings.into_iter().map(Into::into).collect()))
}

/// Switches one channel of one topic. Order and account notices keep at least one channel
/// (422); marketing is off until switched on here.
#[utoipa::path(
    put, path = "/api/v1/me/notification-settings", tag = "me", request_body = SettingDto,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every setting after the change", body = [SettingDto]),
        (status = 422, description = "Unknown topic or channel, or the last channel of a required topic", body = super::error::ErrorBody),
    )
)]
pub async fn put_setting(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<SettingDto>,
) -> Result<Json<Vec<SettingDto>>, ApiError> {
    let change = Setting::parse(&body.topic, &body.channel, body.enabled)?;
    let settings = notify::set_notification_setting(&state.services, me.id, change).await?;
    Ok(Json(settings.into_iter().map(Into::into).collect()))
}

/// A notice as an order's admin page lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentDto {
    /// Id (for sending again).
    pub id: Uuid,
    /// What it said.
    pub kind: String,
    /// `email`, `sms`, `push` or `in_app`.
    pub channel: String,
    /// Address, phone or user id.
    pub recipient: String,
    /// `queued`, `sent`, `failed` (given up) or `skipped`.
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

/// What was sent about an order, on which channel, and whether it arrived.
#[utoipa::path(
    get, path = "/api/v1/admin/orders/{id}/notifications", tag = "admin",
    params(("id" = Uuid, Path, description = "Order id")), security(("bearer" = [])),
    responses((status = 200, description = "Notices, oldest first", body = [SentDto]))
)]
pub async fn admin_sent(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<SentDto>>, ApiError> {
    let sent = notify::sent_for_order(&state.services, id.into()).await?;
    Ok(Json(
        sent.into_iter()
            .map(|s| SentDto {
                id: s.id,
                kind: s.kind,
                channel: s.channel,
                recipient: s.recipient,
                status: s.status,
                attempts: s.attempts,
                last_error: s.last_error,
                created_at: s.created_at,
                sent_at: s.sent_at,
            })
            .collect(),
    ))
}

/// The new notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResentDto {
    /// Its id.
    pub id: Uuid,
}

/// Sends a notice again (queued now, delivered by the worker).
#[utoipa::path(
    post, path = "/api/v1/admin/notifications/{id}/resend", tag = "admin",
    params(("id" = Uuid, Path, description = "Notification id")), security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = ResentDto),
        (status = 404, description = "No such notice", body = super::error::ErrorBody),
    )
)]
pub async fn admin_resend(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<ResentDto>), ApiError> {
    let id = notify::resend(&state.services, admin.id, id).await?;
    Ok((StatusCode::ACCEPTED, Json(ResentDto { id })))
}

/// What asking for a confirmation link did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationDto {
    /// `sent`, or `confirmed` when the address needs no link.
    pub status: &'static str,
}

/// Sends the account's e-mail address a new confirmation link (valid 24 hours; one a
/// minute). 409 `no_email` without an address.
#[utoipa::path(
    post, path = "/api/v1/me/email/confirmation", tag = "me", security(("bearer" = [])),
    responses(
        (status = 202, description = "A link is on its way", body = ConfirmationDto),
        (status = 200, description = "Already confirmed", body = ConfirmationDto),
        (status = 409, description = "The account has no e-mail address", body = super::error::ErrorBody),
        (status = 429, description = "A link went less than a minute ago", body = super::error::ErrorBody),
    )
)]
pub async fn request_confirmation(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<(StatusCode, Json<ConfirmationDto>), ApiError> {
    match notify::ask_to_confirm(&state.services, me.id, true).await? {
        notify::Asked::Sent | notify::Asked::Pending => Ok((
            StatusCode::ACCEPTED,
            Json(ConfirmationDto { status: "sent" }),
        )),
        notify::Asked::Confirmed => Ok((
            StatusCode::OK,
            Json(ConfirmationDto {
                status: "confirmed",
            }),
        )),
        notify::Asked::NoEmail => Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_email",
            "The account has no e-mail address; add one first.",
        )),
    }
}

/// The token from a confirmation link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    /// The `token` of the link.
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
}

/// Confirms an e-mail address with the token of its link (an app that opens the link
/// itself); no sign-in needed. A used, expired or unknown token is 422 on `token`.
#[utoipa::path(
    post, path = "/api/v1/auth/email/confirm", tag = "auth", request_body = ConfirmBody,
    responses(
        (status = 200, description = "Confirmed", body = ConfirmationDto),
        (status = 422, description = "The link is not valid any more", body = super::error::ErrorBody),
    )
)]
pub async fn confirm_email(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<Json<ConfirmationDto>, ApiError> {
    notify::confirm_email(&state.services, &body.token).await?;
    Ok(Json(ConfirmationDto {
        status: "confirmed",
    }))
}
