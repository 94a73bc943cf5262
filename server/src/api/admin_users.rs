//! `/api/v1/admin/users`: search accounts, change roles, block and unblock.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use domain::identity::Role;
use domain::shared::PageRequest;
use domain::user::{self, UserChange, UserSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiError;
use super::extract::{AdminUser, ApiJson, ApiQuery};
use crate::startup::AppState;

/// A row of the user list.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRow {
    /// Id.
    pub id: Uuid,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// `customer` or `admin`.
    pub role: &'static str,
    /// `individual` or `corporate`.
    pub customer_type: String,
    /// Company name.
    pub company: Option<String>,
    /// `approved`, `pending` or `rejected`, for accounts that gave a company's NIP.
    pub company_membership: Option<&'static str>,
    /// Orders placed.
    pub orders_count: i64,
    /// Blocked accounts cannot sign in and their tokens stop working.
    pub blocked: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<UserSummary> for UserRow {
    fn from(u: UserSummary) -> Self {
        UserRow {
            id: u.id.into(),
            phone: u.phone,
            email: u.email,
            name: u.name,
            role: u.role.as_str(),
            customer_type: u.customer_type,
            company: u.company,
            company_membership: u.company_membership.map(|m| m.as_str()),
            orders_count: u.orders_count,
            blocked: u.blocked,
            created_at: u.created_at,
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// Users.
    pub items: Vec<UserRow>,
    /// Matching users.
    pub total: u64,
    /// Page (1-based).
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// Search and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Part of a phone, e-mail, name or company name.
    pub q: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4294967295_u64)]
    pub page: Option<u32>,
    /// Page size, at most 100.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Lists accounts, newest first.
#[utoipa::path(
    get, path = "/api/v1/admin/users", tag = "admin", params(UserQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Users", body = UserList),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<UserList>, ApiError> {
    let per_page = query.per_page.unwrap_or(50);
    if per_page == 0 || per_page > 100 {
        return Err(ApiError::invalid("per_page", "must be between 1 and 100"));
    }
    let page = query.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::invalid("page", "starts at 1"));
    }
    let found = user::search_users(
        &state.services,
        query.q.as_deref(),
        PageRequest::new(page, per_page),
    )
    .await?;
    Ok(Json(UserList {
        total: found.total,
        page: found.page,
        per_page: found.per_page,
        items: found.items.into_iter().map(Into::into).collect(),
    }))
}

/// What to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeBody {
    /// `customer` or `admin`.
    pub role: Option<String>,
    /// Block or unblock.
    pub blocked: Option<bool>,
    /// `approve` or `reject` the account's membership of the company whose NIP it gave.
    pub company_membership: Option<String>,
}

/// Changes a user's role or blocks them (their tokens and sessions stop working at once).
#[utoipa::path(
    patch, path = "/api/v1/admin/users/{id}", tag = "admin", request_body = UserChangeBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = UserRow),
        (status = 404, description = "No such user", body = super::error::ErrorBody),
        (status = 422, description = "Invalid role, or changing yourself", body = super::error::ErrorBody),
    )
)]
pub async fn change_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserChangeBody>,
) -> Result<Json<UserRow>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    let role = body
        .role
        .as_deref()
        .map(|text| {
            Role::from_code(text).ok_or_else(|| {
                ApiError::invalid("role", format!("`{text}` is not customer or admin"))
            })
        })
        .transpose()?;
    let membership = body
        .company_membership
        .as_deref()
        .map(super::me::decision)
        .transpose()?;
    let changed = user::change_user(
        &state.services,
        admin.id,
        id.into(),
        UserChange {
            role,
            blocked: body.blocked,
            membership,
        },
    )
    .await?;
    Ok(Json(changed.into()))
}
