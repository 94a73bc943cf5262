//! `/api/v1/auth/...`: password sign-in, token refresh, logout.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::identity::{self, IssuedTokens};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiJson, ApiLocale, ApiQuery, AuthUser, ClientIp};
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
    /// The app's device (from `POST /api/v1/me/devices`): it gets no more pushes.
    pub device_id: Option<Uuid>,
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
    /// `false` until `POST /api/v1/me/complete-profile` succeeds; checkout needs `true`.
    pub profile_complete: bool,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
            user: TokenUser {
                id: t.user_id.into(),
                role: t.role.as_str(),
                profile_complete: t.profile_complete,
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
        (status = 429, description = "More than 10 attempts for this e-mail, or 20 from this address, in 15 minutes", body = super::error::ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<TokenResponse>, ApiError> {
    let tokens =
        identity::login_with_password(&state.services, &body.email, &body.password, ip).await?;
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
    identity::logout(
        &state.services,
        &user,
        body.refresh_token.as_deref(),
        body.device_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A phone number to send a sign-in code to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpRequestBody {
    /// Any usual notation; numbers without a country code are taken as Polish.
    #[schema(example = "+48 500 100 200")]
    pub phone: String,
}

/// A code was sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct OtpSentResponse {
    /// The number it went to, in E.164.
    pub phone: String,
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be asked for.
    pub resend_after: u64,
}

/// The code from the SMS.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpVerifyBody {
    /// The same phone number the code was sent to.
    pub phone: String,
    /// 6 digits.
    #[schema(example = "123456")]
    pub code: String,
    /// `individual` or `corporate`: which of the phone's accounts (needed when it has both;
    /// naming a type it has no account of creates one).
    pub account_type: Option<String>,
}

/// Who is calling, for per-IP limits.
pub(crate) fn requester(
    ip: Option<std::net::IpAddr>,
    user: Option<uuid::Uuid>,
) -> identity::Requester {
    identity::Requester {
        ip,
        user_id: user.map(Into::into),
    }
}

/// Parses `individual` / `corporate`.
pub(crate) fn customer_type(
    field: &'static str,
    text: &str,
) -> Result<domain::shared::CustomerType, ApiError> {
    domain::shared::CustomerType::from_code(text)
        .ok_or_else(|| ApiError::invalid(field, format!("`{text}` is not individual or corporate")))
}

/// Sends a 6-digit sign-in code by SMS (valid 2 minutes; a new one after 30 seconds).
#[utoipa::path(
    post, path = "/api/v1/auth/otp/request", tag = "auth", request_body = OtpRequestBody,
    responses(
        (status = 200, description = "Code sent", body = OtpSentResponse),
        (status = 422, description = "Not a phone number", body = super::error::ErrorBody),
        (status = 429, description = "Too many codes; `details.retry_after` says when to retry", body = super::error::ErrorBody),
        (status = 503, description = "SMS could not be sent", body = super::error::ErrorBody),
    )
)]
pub async fn otp_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiLocale(locale): ApiLocale,
    ApiJson(body): ApiJson<OtpRequestBody>,
) -> Result<Json<OtpSentResponse>, ApiError> {
    let phone = identity::Phone::parse(&body.phone)?;
    let sent = identity::send_code(
        &state.services,
        &phone,
        identity::Purpose::SignIn,
        requester(ip, None),
        locale,
    )
    .await?;
    Ok(Json(OtpSentResponse {
        phone: phone.to_string(),
        expires_in: sent.expires_in,
        resend_after: sent.resend_after,
    }))
}

/// Checks the code and signs in, creating the account on the first sign-in
/// (`user.profile_complete` is then `false`).
#[utoipa::path(
    post, path = "/api/v1/auth/otp/verify", tag = "auth", request_body = OtpVerifyBody,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 422, description = "Wrong (`wrong_code`, with `attempts_left`) or expired (`code_expired`) code, bad phone", body = super::error::ErrorBody),
        (status = 403, description = "The account is blocked", body = super::error::ErrorBody),
        (status = 429, description = "Too many tries", body = super::error::ErrorBody),
    )
)]
pub async fn otp_verify(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ClientIp(ip): ClientIp,
    ApiLocale(locale): ApiLocale,
    ApiJson(body): ApiJson<OtpVerifyBody>,
) -> Result<Json<TokenResponse>, ApiError> {
    let account_type = body
        .account_type
        .as_deref()
        .map(|t| customer_type("account_type", t))
        .transpose()?;
    let signed_in = identity::sign_in_with_code(
        &state.services,
        identity::PhoneSignIn {
            phone: body.phone,
            code: body.code,
            account_type,
            locale,
        },
        requester(ip, None),
    )
    .await?;
    merge_guest_cart(&state, &headers, signed_in.user).await;
    let tokens = identity::issue_tokens_for(&state.services, signed_in.user).await?;
    Ok(Json(tokens.into()))
}

/// Carries the `X-Cart-Token` guest's cart and favorites over to the user who signed in. A
/// failure is logged, never fatal: the sign-in itself succeeded.
pub(crate) async fn merge_guest_cart(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    user: identity::SessionUser,
) {
    let Some(token) = headers
        .get(super::cart::CART_TOKEN)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    if let Err(e) =
        domain::shopping::merge_guest(&state.services, token, user.id, user.customer_type).await
    {
        tracing::warn!(error = %e, "guest cart not carried over");
    }
}

/// `?phone=` for the test-only code lookup.
#[derive(Debug, Deserialize)]
pub struct TestOtpQuery {
    /// The phone the code was sent to.
    pub phone: String,
}

/// Only with `APP_ENV=test`: the last code the log gateway sent to `phone`, so that
/// black-box tests can sign in. The route does not exist in other environments.
pub async fn test_otp(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TestOtpQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let phone = identity::Phone::parse(&query.phone)?;
    let code = state
        .services
        .sms
        .last_logged_code(&phone)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(serde_json::json!({ "code": code })))
}
