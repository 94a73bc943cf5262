//! Extractors whose rejections answer in the API's error shape, and the request language.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use domain::shared::Locale;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::startup::AppState;

/// `axum::Json` with errors in the API shape (400 malformed, 422 invalid, 415, 413). Every
/// body is a JSON object: serde would otherwise read a struct from an array (`[null, null]`,
/// found by schemathesis) and the request would pass with every field missing.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The body must be a JSON object.",
            ));
        }
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                let field = e.path().to_string();
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    format!("{field}: {}", e.inner()),
                )
                .with_details(
                    serde_json::json!({ "field": field, "reason": e.inner().to_string() }),
                )
            })
    }
}

/// `axum::extract::Query` with errors in the API shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(value))
    }
}

/// The language for translated fields: `?lang=` (or `?locale=`), else `Accept-Language`, else the shop's
/// default. An unsupported `?lang=` is an error rather than a silent fallback.
pub struct ApiLocale(pub Locale);

impl FromRequestParts<AppState> for ApiLocale {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query_lang = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == "lang" || *k == "locale")
                .map(|(_, v)| v.to_owned())
        });
        if let Some(code) = query_lang {
            return Locale::parse(&code).map(ApiLocale).ok_or_else(|| {
                ApiError::invalid("lang", format!("`{code}` is not one of pl, en, tr"))
            });
        }
        let from_header = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Locale::from_accept_language);
        Ok(ApiLocale(
            from_header.unwrap_or(state.services.default_locale),
        ))
    }
}

/// The signed-in user of an `Authorization: Bearer` request; 401 otherwise.
pub struct AuthUser(pub domain::identity::CurrentUser);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(domain::identity::AuthError::Unauthenticated)?;
        let user = domain::identity::authenticate(&state.services, token).await?;
        Ok(AuthUser(user))
    }
}

/// A signed-in admin; 401 when not signed in, 403 for other roles.
pub struct AdminUser(pub domain::identity::CurrentUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthUser(user) = AuthUser::from_request_parts(parts, state).await?;
        user.require_admin()?;
        Ok(AdminUser(user))
    }
}

/// The client's IP address, for per-IP rate limits (behind a trusted proxy, the address it
/// forwarded for: see [`crate::http::client_addr`]); `None` when the server was not started
/// with connection info (in-process tests).
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<domain::shared::ClientAddr>()
                .map(|addr| addr.0),
        ))
    }
}
