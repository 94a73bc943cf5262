//! Server-side helpers for server functions and the shell.

use domain::Services;
use http::request::Parts;
use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::Locale;

/// The name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "lang";

/// The shared domain handles, provided by the server for every request.
pub fn services() -> Result<std::sync::Arc<Services>, AppError> {
    use_context::<std::sync::Arc<Services>>().ok_or_else(|| {
        tracing::error!("Services missing from the Leptos context");
        AppError::Internal
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
            .and_then(Locale::from_accept_language)
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
    let id: Option<domain::shared::UserId> =
        session.get(SESSION_USER).await.map_err(store_failed)?;
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
            AppError::Internal
        })
}

/// Signs `user` in to this browser: a new session id (against fixation) holding the user
/// and the sign-in time. A guest cart in this browser is carried over to the account.
pub async fn start_session(user: domain::identity::SessionUser) -> Result<(), AppError> {
    if let Some(token) = cookie(CART_COOKIE) {
        let svc = services()?;
        match domain::shopping::merge_guest(&svc, &token, user.id, user.customer_type).await {
            Ok(_) => set_cart_cookie(None),
            Err(e) => tracing::warn!(error = %e, "guest cart not carried over"),
        }
    }
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
        .get::<domain::shared::ClientAddr>()
        .map(|addr| addr.0)
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

/// The cookie that holds a guest's cart token.
pub const CART_COOKIE: &str = "cart";

/// Whether cookies get the `Secure` flag (production), provided by the server.
#[derive(Debug, Clone, Copy)]
pub struct SecureCookies(pub bool);

/// A request cookie's value.
pub fn cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Sets (or, with `None`, removes) the guest cart cookie: HttpOnly, SameSite=Lax, 30 days.
pub fn set_cart_cookie(token: Option<&str>) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let secure = use_context::<SecureCookies>().is_some_and(|s| s.0);
    let value = match token {
        Some(token) => format!(
            "{CART_COOKIE}={token}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax{}",
            if secure { "; Secure" } else { "" }
        ),
        None => format!("{CART_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    };
    if let Ok(value) = http::HeaderValue::from_str(&value) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Whose cart this request is about: the signed-in user, else the guest of the cart cookie.
/// `None` for a guest without a (valid) cart yet.
pub async fn cart_owner() -> Result<Option<domain::shopping::Owner>, AppError> {
    if let Some(user) = session_user().await? {
        return Ok(Some(domain::shopping::Owner::User {
            id: user.id,
            customer_type: user.customer_type,
        }));
    }
    Ok(cookie(CART_COOKIE).and_then(|token| domain::shopping::Owner::guest(&token)))
}

/// A new guest cart, its token set in the cookie.
pub async fn new_guest_owner() -> Result<domain::shopping::Owner, AppError> {
    let svc = services()?;
    let (token, owner) = domain::shopping::create_guest_cart(&svc).await?;
    set_cart_cookie(Some(&token));
    Ok(owner)
}

/// The request's language as the domain knows it, for texts and SMS.
pub fn content_locale() -> domain::shared::Locale {
    let default = services().map(|s| s.default_locale).unwrap_or_default();
    use_context::<Parts>()
        .map(|parts| request_locale(&parts, default))
        .unwrap_or(default)
}
