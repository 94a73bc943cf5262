//! `/api/v1/me/consents`: the consents a customer gave and withdrew (terms and privacy policy
//! at account creation and with every order, with the versions accepted; marketing given and
//! withdrawn), and `/api/v1/admin/users/{id}/consents` for the staff.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use domain::user::{self, Consent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{AdminUser, ApiJson, AuthUser};
use crate::startup::AppState;

/// One consent given or withdrawn.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDto {
    /// `terms`, `privacy` or `marketing`.
    pub document: String,
    /// The version of the page accepted (`/terms`, `/privacy`); absent for marketing.
    pub version: Option<i32>,
    /// Given; `false`: withdrawn.
    pub given: bool,
    /// `account` (creating it), `order` (placing one) or `settings`.
    pub source: String,
    /// The order it was given with.
    pub order_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<Consent> for ConsentDto {
    fn from(c: Consent) -> Self {
        ConsentDto {
            document: c.document.as_str().to_owned(),
            version: c.version,
            given: c.given,
            source: c.source.as_str().to_owned(),
            order_id: c.order_id.map(|id| id.uuid()),
            at: c.at,
        }
    }
}

/// Marketing consent, given or withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarketingBody {
    /// `true` gives it (offers by e-mail and in the inbox), `false` withdraws it (every
    /// marketing channel off).
    pub given: bool,
}

fn dtos(consents: Vec<Consent>) -> Json<Vec<ConsentDto>> {
    Json(consents.into_iter().map(ConsentDto::from).collect())
}

/// The signed-in customer's consents, newest first.
#[utoipa::path(
    get, path = "/api/v1/me/consents", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Consents, newest first", body = [ConsentDto]))
)]
pub async fn my_consents(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<Vec<ConsentDto>>, ApiError> {
    Ok(dtos(user::consents(&state.services, me.id).await?))
}

/// Gives or withdraws marketing consent; answers the history.
#[utoipa::path(
    put, path = "/api/v1/me/consents/marketing", tag = "me", security(("bearer" = [])),
    request_body = MarketingBody,
    responses(
        (status = 200, description = "Consents after the change, newest first", body = [ConsentDto]),
        (status = 422, description = "Malformed body", body = super::error::ErrorBody),
    )
)]
pub async fn put_marketing(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<MarketingBody>,
) -> Result<Json<Vec<ConsentDto>>, ApiError> {
    Ok(dtos(
        user::set_marketing_consent(&state.services, me.id, body.given).await?,
    ))
}

/// A customer's consents, for admins.
#[utoipa::path(
    get, path = "/api/v1/admin/users/{id}/consents", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Consents, newest first", body = [ConsentDto]),
        (status = 404, description = "No such user", body = super::error::ErrorBody),
    )
)]
pub async fn user_consents(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<ConsentDto>>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    Ok(dtos(user::consents(&state.services, id.into()).await?))
}
