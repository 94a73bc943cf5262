//! Server-side helpers for server functions and the shell.

use domain::Services;
use http::request::Parts;
use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::Locale;

/// The name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "lang";

/// The shared domain handles, provided by the server for every request.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the Leptos context");
        AppError::Unavailable
    })
}

/// The interface language for this request: `?lang=`, then the `lang` cookie, then
/// `Accept-Language`, then the shop's default.
pub fn request_locale(parts: &Parts, default: Locale) -> Locale {
    let from_query = query_locale(parts);
    let from_cookie = || {
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == LOCALE_COOKIE)
            .and_then(|(_, v)| Locale::from_code(v))
    };
    let from_header = || {
        parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(domain::shared::Locale::from_accept_language)
            .and_then(|l| Locale::from_code(l.code()))
    };
    from_query
        .or_else(from_cookie)
        .or_else(from_header)
        .unwrap_or(default)
}

/// The language asked for explicitly with `?lang=`, which the shell remembers in a cookie.
pub fn query_locale(parts: &Parts) -> Option<Locale> {
    parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Locale::from_code(v))
    })
}

/// Converts the UI locale to the domain's.
pub fn domain_locale(locale: Locale) -> domain::shared::Locale {
    domain::shared::Locale::parse(locale.code()).unwrap_or_default()
}

/// The session key that holds the signed-in user's id.
pub const SESSION_USER: &str = "user_id";
/// The session key that holds when the user signed in (milliseconds since the epoch).
pub const SESSION_SIGNED_IN: &str = "signed_in_ms";

fn store_failed(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Unavailable
}

/// The user a session belongs to, if it is still valid (not deleted, blocked or signed
/// out everywhere since).
pub async fn user_in_session(
    svc: &Services,
    session: &tower_sessions::Session,
) -> Result<Option<domain::identity::SessionUser>, AppError> {
    let id: Option<uuid::Uuid> = session.get(SESSION_USER).await.map_err(store_failed)?;
    let Some(id) = id else { return Ok(None) };
    let signed_in: i64 = session
        .get(SESSION_SIGNED_IN)
        .await
        .map_err(store_failed)?
        .unwrap_or(0);
    domain::identity::session_user(svc, id, signed_in)
        .await
        .map_err(AppError::from)
}

/// The request's session.
pub async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session layer missing");
            AppError::Unavailable
        })
}

/// Signs `user` in to this browser: a new session id (against fixation) holding the user
/// and the sign-in time.
pub async fn start_session(user: domain::identity::SessionUser) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_failed)?;
    session
        .insert(SESSION_USER, user.id)
        .await
        .map_err(store_failed)?;
    session
        .insert(SESSION_SIGNED_IN, chrono_ms())
        .await
        .map_err(store_failed)?;
    Ok(())
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The signed-in browser user, if any (their role is read fresh from the database).
pub async fn session_user() -> Result<Option<domain::identity::SessionUser>, AppError> {
    let svc = services()?;
    user_in_session(&svc, &session().await?).await
}

/// The signed-in user, or `Unauthorized`.
pub async fn require_user() -> Result<domain::identity::SessionUser, AppError> {
    session_user().await?.ok_or(AppError::Unauthorized)
}

/// The client's address, for per-IP rate limits.
pub fn client_ip() -> Option<std::net::IpAddr> {
    let parts = use_context::<Parts>()?;
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The signed-in admin, or `Unauthorized` / `Forbidden`. Every admin server function
/// starts with this.
pub async fn require_admin() -> Result<domain::identity::SessionUser, AppError> {
    match session_user().await? {
        None => Err(AppError::Unauthorized),
        Some(user) if user.role == domain::identity::Role::Admin => Ok(user),
        Some(_) => Err(AppError::Forbidden),
    }
}
