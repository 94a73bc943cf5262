//! `/api/v1/auth/...`: password sign-in, token refresh, logout.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::identity::{self, IssuedTokens};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiJson, AuthUser};
use crate::startup::AppState;

/// E-mail and password of an account that has one (admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// E-mail.
    #[schema(example = "admin@metropolitan.local")]
    pub email: String,
    /// Password.
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

/// A refresh token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

/// Optionally the refresh token to revoke with the access token.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutBody {
    /// Revokes this refresh token's whole family too.
    pub refresh_token: Option<String>,
}

/// Tokens for `Authorization: Bearer`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT, valid `expires_in` seconds.
    pub access_token: String,
    /// Single-use; exchange it at `/api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Who signed in.
    pub user: TokenUser,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUser {
    /// User id.
    pub id: Uuid,
    /// `customer` or `admin`.
    pub role: &'static str,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
            user: TokenUser {
                id: t.user_id,
                role: t.role.as_str(),
            },
        }
    }
}

/// Signs in with e-mail and password.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password", body = super::error::ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<TokenResponse>, ApiError> {
    let tokens =
        identity::login_with_password(&state.services, &body.email, &body.password).await?;
    Ok(Json(tokens.into()))
}

/// Exchanges a refresh token for new tokens (the old one stops working; reusing it revokes
/// every token issued from the same sign-in).
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, used or revoked refresh token", body = super::error::ErrorBody),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenResponse>, ApiError> {
    let tokens = identity::refresh(&state.services, &body.refresh_token).await?;
    Ok(Json(tokens.into()))
}

/// Revokes the access token (and the refresh token's family when given).
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth", request_body(content = LogoutBody, description = "Optional"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = super::error::ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    // The body is optional: empty means "only this access token".
    let body: LogoutBody = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("Invalid logout body: {e}"),
            )
        })?
    };
    identity::logout(&state.services, &user, body.refresh_token.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
