//! Cross-cutting HTTP middleware: request ids, the API error shape, panics, metrics and
//! security headers.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use http_body_util::BodyExt;

use crate::api::ApiError;
use crate::api::error::ShapedError;

/// The header carrying the request id, in requests and responses.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, stored in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// Takes the caller's `x-request-id` when it is a sane token (1-128 visible ASCII
/// characters), otherwise makes a UUIDv7; puts it on the request and the response.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| {
            let bytes = v.as_bytes();
            !bytes.is_empty() && bytes.len() <= 128 && bytes.iter().all(|b| b.is_ascii_graphic())
        })
        .cloned()
        .unwrap_or_else(|| {
            // A UUID's text is always a valid header value.
            HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
                .unwrap_or(HeaderValue::from_static("unknown"))
        });
    req.headers_mut().insert(REQUEST_ID, id.clone());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// Whether a path is served as JSON (API, health, metrics, webhooks) rather than a page.
fn is_machine_path(path: &str) -> bool {
    ["/api/", "/health", "/metrics", "/webhooks/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        && !path.starts_with("/api/docs")
}

/// Request body limits: one for everything, larger ones for uploads.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Every route but uploads.
    pub default: usize,
    /// Routes ending in `/photo` (profile photos).
    pub upload: usize,
    /// Routes ending in `/images` (product pictures).
    pub images: usize,
}

impl BodyLimits {
    /// Upload limits leave room for the multipart envelope around the largest file.
    pub fn new(default: usize) -> Self {
        BodyLimits {
            default,
            upload: domain::user::MAX_PHOTO_BYTES + 64 * 1024,
            images: domain::catalog::MAX_IMAGE_BYTES + 64 * 1024,
        }
    }

    /// The largest, for axum's own extractor limit.
    pub fn max(&self) -> usize {
        self.default.max(self.upload).max(self.images)
    }

    fn for_path(&self, path: &str) -> usize {
        if path.ends_with("/photo") {
            self.upload
        } else if path.ends_with("/images") {
            self.images
        } else {
            self.default
        }
    }
}

/// Refuses bodies over the limit: at once when `Content-Length` says so, otherwise
/// when reading passes the limit (extractors then answer 413).
pub async fn body_limit(State(limits): State<BodyLimits>, req: Request, next: Next) -> Response {
    let limit = limits.for_path(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        let path = req.uri().path();
        if path.starts_with("/account/") {
            // A browser form: back to the page with a readable reason.
            return axum::response::Redirect::to(
                "/account?photo_error=the+file+is+larger+than+5+MB",
            )
            .into_response();
        }
        if path.starts_with("/admin/") {
            return axum::response::Redirect::to(
                "/admin/products?image_error=the+file+is+larger+than+8+MB",
            )
            .into_response();
        }
        let message = if path.ends_with("/photo") {
            "The photo is larger than 5 MB."
        } else if path.ends_with("/images") {
            "The image is larger than 8 MB."
        } else {
            "The request body is too large."
        };
        if path.ends_with("/photo") || path.ends_with("/images") {
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
                .into_response();
        }
        return ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE).into_response();
    }
    let (parts, body) = req.into_parts();
    let limited = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, limited)).await
}

/// Gives every error response on machine paths the one error shape, with the request id:
/// errors made by lower layers (body limit, timeout, routing) are reshaped, and errors made
/// by handlers get their `request_id` filled in.
pub async fn error_shape(req: Request, next: Next) -> Response {
    if !is_machine_path(req.uri().path()) {
        return next.run(req).await;
    }
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.0.to_str().ok())
        .map(str::to_owned);
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = if response.extensions().get::<ShapedError>().is_some() {
        response.into_parts()
    } else {
        let (parts, _) = response.into_parts();
        let (_, body) = ApiError::from_status(status).into_response().into_parts();
        (parts, body)
    };
    // Error bodies are small; anything unreadable falls back to the generic shape.
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut value: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| serde_json::json!({"error": {"code": "error", "message": "The request failed.", "details": null}}));
    if let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut()) {
        error.insert("request_id".into(), request_id.into());
    }
    let body = serde_json::to_vec(&value).unwrap_or_default();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// The shop's public origin (`scheme://host[:port]` of `PUBLIC_URL`), for the same-origin
/// check.
pub type PublicOrigin = std::sync::Arc<str>;

/// The origin (`scheme://host[:port]`, lower case, default port dropped) of an http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host.to_owned(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// Whether a write claiming to come from `claimed` (the `Origin` header, else the origin of
/// the `Referer`) comes from the shop's own pages: its public origin, scheme included, or,
/// on a loopback address (development, tests), the address the request was sent to.
pub fn trusted_origin(claimed: Option<&str>, public: &str, host: Option<&str>) -> bool {
    let Some(claimed) = claimed.and_then(origin_of) else {
        return false;
    };
    if claimed == public {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback && origin_of(&format!("http://{host}")).is_some_and(|own| own == claimed)
}

/// Refuses state-changing browser requests that do not come from the shop's own pages: a
/// POST (or other write) to a server function, the photo upload or an admin form needs an
/// `Origin` (or, from older browsers, a `Referer`) that is the shop's origin, scheme
/// included; without either it gets 403. The JSON API is exempt: it authenticates with
/// bearer tokens, which browsers never send on their own.
pub async fn same_origin_writes(
    State(public): State<PublicOrigin>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    let path = req.uri().path();
    if writes
        && (path.starts_with("/sf/")
            || path.starts_with("/account/")
            || path.starts_with("/admin/"))
    {
        let text = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        let claimed = text(header::ORIGIN).or_else(|| text(header::REFERER));
        if !trusted_origin(claimed, &public, text(header::HOST)) {
            tracing::warn!(origin = ?claimed, host = ?text(header::HOST), "write from outside the shop refused");
            return ApiError::from_status(StatusCode::FORBIDDEN).into_response();
        }
    }
    next.run(req).await
}

/// The proxies whose forwarding headers are believed, shared by every request.
pub type Proxies = std::sync::Arc<domain::shared::TrustedProxies>;

/// Works out the client's address once (the peer, or what a trusted proxy says it
/// forwarded for) and keeps it in the request for the per-address limits of the API and
/// the server functions alike. In-process requests without a socket get none.
pub async fn client_addr(State(proxies): State<Proxies>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        // Most shops trust no proxy: then no header is even looked at.
        if proxies.is_empty() {
            let client = proxies.client(peer, &[], &[]);
            req.extensions_mut()
                .insert(domain::shared::ClientAddr(client));
            return next.run(req).await;
        }
        let values = |name| -> Vec<&str> {
            req.headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect()
        };
        let client = proxies.client(
            peer,
            &values(header::FORWARDED),
            &values(HeaderName::from_static("x-forwarded-for")),
        );
        req.extensions_mut()
            .insert(domain::shared::ClientAddr(client));
    }
    next.run(req).await
}

/// Turns a panic in a handler into a logged 500 in the error shape.
pub async fn catch_panic(req: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_owned());
            tracing::error!(panic = %message, "handler panicked");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Something went wrong on our side.",
            )
            .into_response()
        }
    }
}

/// Counts requests and records their latency per route template, method and status.
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The security headers, shared by every request.
pub type SecurityHeaders = std::sync::Arc<[(HeaderName, HeaderValue)]>;

/// Adds each security header a handler did not set itself.
pub async fn set_security_headers(
    State(headers): State<SecurityHeaders>,
    req: Request,
    next: Next,
) -> Response {
    let mut response = next.run(req).await;
    let present = response.headers_mut();
    for (name, value) in headers.iter() {
        if !present.contains_key(name) {
            present.insert(name.clone(), value.clone());
        }
    }
    response
}

/// Security headers every response gets unless a handler set its own. Pages replace the
/// CSP with one carrying their script nonce.
pub fn security_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ]
}

/// Gives failed server functions a fitting status: Leptos answers every `Err` with 500, but
/// a validation error is the caller's (422), a missing sign-in 401, and so on. The body (the
/// serialized `AppError`) is left as it is, so the pages still read it.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/sf/") {
        return next.run(req).await;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let variant = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(map) => map.keys().next().cloned(),
            _ => None,
        });
    let status = match variant.as_deref() {
        Some("Invalid" | "WrongCode" | "CodeExpired") => StatusCode::UNPROCESSABLE_ENTITY,
        Some("NotFound") => StatusCode::NOT_FOUND,
        Some("Unauthorized" | "InvalidCredentials") => StatusCode::UNAUTHORIZED,
        Some("Forbidden" | "Blocked") => StatusCode::FORBIDDEN,
        Some("Conflict") => StatusCode::CONFLICT,
        Some("RateLimited") => StatusCode::TOO_MANY_REQUESTS,
        Some("Unavailable") => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    parts.status = status;
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod origin_tests {
    use super::{origin_of, trusted_origin};

    #[test]
    fn only_the_shops_own_origin_may_write() {
        let shop = "https://sklep.example";
        assert_eq!(
            origin_of("HTTPS://Sklep.Example:443/koszyk?x=1").as_deref(),
            Some(shop)
        );
        assert!(trusted_origin(Some(shop), shop, Some("sklep.example")));
        assert!(trusted_origin(
            Some("https://sklep.example/p/maslo"),
            shop,
            Some("sklep.example")
        ));
        for claimed in [
            None,
            Some("null"),
            Some("http://sklep.example"),
            Some("https://sklep.example.evil.example"),
            Some("https://evil.example"),
            Some("https://user@sklep.example"),
        ] {
            assert!(
                !trusted_origin(claimed, shop, Some("sklep.example")),
                "{claimed:?}"
            );
        }
        // On loopback the address itself, scheme included.
        let dev = "http://127.0.0.1:3000";
        assert!(trusted_origin(
            Some("http://127.0.0.1:4567"),
            dev,
            Some("127.0.0.1:4567")
        ));
        assert!(trusted_origin(
            Some("http://[::1]:4567"),
            dev,
            Some("[::1]:4567")
        ));
        assert!(!trusted_origin(
            Some("https://127.0.0.1:4567"),
            dev,
            Some("127.0.0.1:4567")
        ));
        assert!(!trusted_origin(
            Some("http://10.0.0.5:4567"),
            dev,
            Some("10.0.0.5:4567")
        ));
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_error_shape_with_the_request_id() {
        // Arrange: the same layers the application stacks, around a handler that panics.
        let app = Router::new()
            .route(
                "/api/v1/boom",
                get(|| async {
                    if true {
                        panic!("deliberate test panic");
                    }
                }),
            )
            .layer(axum::middleware::from_fn(catch_panic))
            .layer(axum::middleware::from_fn(error_shape))
            .layer(axum::middleware::from_fn(request_id));
        let request = axum::http::Request::get("/api/v1/boom")
            .header("x-request-id", "panic-test")
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        // Act
        let response = app.oneshot(request).await.unwrap_or_else(|e| match e {});
        // Assert
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[&REQUEST_ID], "panic-test");
        let bytes = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        assert_eq!(body["error"]["code"], "internal_error");
        assert_eq!(body["error"]["request_id"], "panic-test");
        assert!(
            !body.to_string().contains("deliberate"),
            "panic text must not leak"
        );
    }

    #[test]
    fn machine_paths_are_api_health_metrics_and_webhooks() {
        assert!(is_machine_path("/api/v1/products"));
        assert!(is_machine_path("/health/ready"));
        assert!(is_machine_path("/metrics"));
        assert!(is_machine_path("/webhooks/stripe"));
        assert!(!is_machine_path("/api/docs/"));
        assert!(!is_machine_path("/"));
        assert!(!is_machine_path("/sf/catalog/list_products"));
    }
}
