//! The one error shape of the JSON API:
//! `{"error": {"code": "...", "message": "...", "details": ..., "request_id": "..."}}`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// An error answered by the API. The request id is filled in by the error-shape middleware.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code clients match on.
    pub code: &'static str,
    /// Human-readable message, safe to show.
    pub message: String,
    /// Extra structured data, e.g. which field failed.
    pub details: Option<Value>,
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `not_found`, `validation_failed`.
    #[schema(example = "not_found")]
    pub code: String,
    /// Human-readable message.
    #[schema(example = "The requested resource does not exist.")]
    pub message: String,
    /// Structured details, when there are any.
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
    /// The `x-request-id` of the request, for support and logs.
    #[schema(example = "01960000-0000-7000-8000-00000000abcd")]
    pub request_id: Option<String>,
}

impl ApiError {
    /// Builds an error with no details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    /// Adds structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// 404 for a resource or route that does not exist.
    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "The requested resource does not exist.",
        )
    }

    /// 422 for a value that failed validation.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("{field}: {message}"),
        )
        .with_details(serde_json::json!({ "field": field, "reason": message }))
    }

    /// An unexpected error: 503 when a dependency is unreachable (the database down or
    /// restarting: the client may retry), else 500. The cause is logged, never sent.
    pub fn unexpected(cause: &anyhow::Error) -> Self {
        if domain::shared::is_unstorable_text(cause) {
            return ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Text must not contain NUL characters.",
            );
        }
        if domain::shared::is_outage(cause) {
            tracing::warn!(error.cause_chain = ?cause, "a dependency is unreachable");
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is temporarily unavailable; try again shortly.",
            )
            .with_details(serde_json::json!({ "retry_after": 5 }));
        }
        ApiError::internal(cause)
    }

    /// 429 with the seconds to wait, in the body and in `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many attempts; try again in {retry_after} seconds."),
        )
        .with_details(serde_json::json!({ "retry_after": retry_after }))
    }

    /// 500 with a generic message; the cause is logged here, never sent.
    pub fn internal(cause: &dyn std::fmt::Debug) -> Self {
        tracing::error!(error.cause_chain = ?cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side.",
        )
    }

    /// The standard code and message for a bare status, used to reshape responses that
    /// lower layers (routing, body limit, timeout) produced.
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "The request is malformed."),
            StatusCode::UNAUTHORIZED => ("unauthorized", "Sign in to continue."),
            StatusCode::FORBIDDEN => ("forbidden", "You may not do this."),
            StatusCode::NOT_FOUND => ("not_found", "The requested resource does not exist."),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "This method is not allowed on this resource.",
            ),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long."),
            StatusCode::CONFLICT => ("conflict", "The request conflicts with the current state."),
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "The request body is too large.")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "Send the body as application/json.",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => {
                ("validation_failed", "The request body is invalid.")
            }
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Too many requests; slow down."),
            StatusCode::SERVICE_UNAVAILABLE => {
                ("unavailable", "The service is temporarily unavailable.")
            }
            s if s.is_server_error() => ("internal_error", "Something went wrong on our side."),
            _ => ("error", "The request failed."),
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self
            .details
            .as_ref()
            .and_then(|d| d.get("retry_after"))
            .and_then(serde_json::Value::as_u64);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
                request_id: None,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(ShapedError);
        response
    }
}

/// Marks a response whose body is already in the error shape.
#[derive(Debug, Clone, Copy)]
pub struct ShapedError;

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match rejection {
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::JsonDataError(_) => "validation_failed",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ => "bad_request",
        };
        ApiError::new(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    }
}

impl From<domain::catalog::Error> for ApiError {
    fn from(e: domain::catalog::Error) -> Self {
        match e {
            domain::catalog::Error::Invalid { field, message } => ApiError::invalid(field, message),
            domain::catalog::Error::NotFound => ApiError::not_found(),
            domain::catalog::Error::UnknownCategory(slug) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("Category `{slug}` does not exist."),
            ),
            domain::catalog::Error::StockChanged { current } => ApiError::new(
                StatusCode::CONFLICT,
                "stock_changed",
                format!("The stock changed to {current} since it was read; nothing was saved."),
            )
            .with_details(serde_json::json!({ "current": current })),
            domain::catalog::Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::shopping::Error> for ApiError {
    fn from(e: domain::shopping::Error) -> Self {
        use domain::shopping::Error;
        match e {
            Error::Invalid { field, message } => ApiError::invalid(field, message),
            Error::UnknownProducts(ids) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_product",
                "Some products do not exist or are no longer sold.",
            )
            .with_details(serde_json::json!({ "product_ids": ids })),
            Error::BelowMinimum {
                product_id,
                minimum,
            } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "below_minimum_quantity",
                format!(
                    "Product {product_id} must be ordered in quantities of at least {minimum}."
                ),
            )
            .with_details(serde_json::json!({ "product_id": product_id, "minimum": minimum })),
            Error::AboveStock {
                product_id,
                available,
            } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "insufficient_stock",
                format!("Only {available} of product {product_id} in stock."),
            )
            .with_details(serde_json::json!({ "product_id": product_id, "available": available })),
            Error::UnknownCart => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_cart",
                "This cart token is unknown or expired; add an item to start a new cart.",
            ),
            Error::NotInCart(product_id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_in_cart",
                format!("Product {product_id} is not in the cart."),
            ),
            Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::order::Error> for ApiError {
    fn from(e: domain::order::Error) -> Self {
        use domain::order::Error;
        match e {
            Error::Invalid { field, message } => ApiError::invalid(field, message),
            Error::ProfileIncomplete => ApiError::new(
                StatusCode::FORBIDDEN,
                "profile_incomplete",
                "Complete your profile (name, or company for a business account) before ordering.",
            ),
            Error::TermsNotAccepted(e) => e.into(),
            Error::EmptyCart => {
                ApiError::new(StatusCode::CONFLICT, "empty_cart", "Your cart is empty.")
            }
            Error::Unavailable(skus) => ApiError::new(
                StatusCode::CONFLICT,
                "product_unavailable",
                "Some products are no longer sold; remove them from the cart.",
            )
            .with_details(json!({ "skus": skus })),
            Error::BelowMinimum { sku, minimum } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "below_minimum_quantity",
                format!("{sku} needs a quantity of at least {minimum}."),
            )
            .with_details(json!({ "sku": sku, "minimum": minimum })),
            Error::OutOfStock {
                product_id,
                available,
            } => ApiError::new(
                StatusCode::CONFLICT,
                "out_of_stock",
                format!("Only {available} left of a product in your cart."),
            )
            .with_details(json!({ "product_id": product_id, "available": available })),
            Error::PriceChanged { total_minor } => ApiError::new(
                StatusCode::CONFLICT,
                "price_changed",
                "Prices changed since you looked; check the new total and confirm again.",
            )
            .with_details(json!({ "total_minor": total_minor })),
            Error::Transition { from, to } => ApiError::new(
                StatusCode::CONFLICT,
                "invalid_transition",
                format!("An order that is {from} cannot become {to}."),
            )
            .with_details(json!({ "from": from.as_str(), "to": to.as_str() })),
            Error::IdempotencyKeyReused => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request; send a new key.",
            ),
            Error::RefundRequired => ApiError::new(
                StatusCode::CONFLICT,
                "refund_required",
                "This order is paid: it is cancelled with a refund, which the shop makes.",
            ),
            Error::NotFound => ApiError::not_found(),
            Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::payment::Error> for ApiError {
    fn from(e: domain::payment::Error) -> Self {
        use domain::payment::Error;
        match e {
            Error::InvalidEvent(reason) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_event",
                "The event cannot be read.",
            )
            .with_details(json!({ "reason": reason })),
            Error::UnknownOrder => ApiError::new(
                StatusCode::BAD_REQUEST,
                "unknown_order",
                "The event names no order of this shop.",
            ),
            Error::NotPayable => ApiError::new(
                StatusCode::CONFLICT,
                "not_payable",
                "This order is not waiting for payment.",
            ),
            Error::DevGatewayDisabled => ApiError::not_found(),
            Error::Order(e) => ApiError::from(e),
            Error::AppPaymentsUnavailable => ApiError::new(
                StatusCode::NOT_FOUND,
                "payments_unavailable",
                "Online payment from apps needs Stripe, which this shop has not configured.",
            ),
            // Stripe's own text is for our logs, not for clients.
            Error::Gateway(reason) => {
                tracing::error!(%reason, "payment gateway failed");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "payment_gateway_error",
                    "The payment gateway failed; try again.",
                )
            }
            Error::NotRefundable => ApiError::new(
                StatusCode::CONFLICT,
                "not_refundable",
                "This order has no payment that can be refunded.",
            ),
            Error::InvalidAmount { refundable } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("The amount must be between 1 and {refundable} minor units."),
            )
            .with_details(json!({ "field": "amount_minor", "refundable_minor": refundable })),
            Error::NotFound => ApiError::not_found(),
            Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::content::Error> for ApiError {
    fn from(e: domain::content::Error) -> Self {
        match e {
            domain::content::Error::NotFound => ApiError::not_found(),
            domain::content::Error::Invalid { field, message } => ApiError::invalid(field, message),
            domain::content::Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::identity::AuthError> for ApiError {
    fn from(e: domain::identity::AuthError) -> Self {
        use domain::identity::AuthError;
        match e {
            AuthError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Wrong e-mail or password.",
            ),
            AuthError::Unauthenticated => ApiError::from_status(StatusCode::UNAUTHORIZED),
            AuthError::Forbidden => ApiError::from_status(StatusCode::FORBIDDEN),
            AuthError::RateLimited { retry_after } => ApiError::rate_limited(retry_after),
            AuthError::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::identity::Error> for ApiError {
    fn from(e: domain::identity::Error) -> Self {
        use domain::identity::Error;
        match e {
            Error::Invalid { field, message } => ApiError::invalid(field, message),
            Error::RateLimited { retry_after } => ApiError::rate_limited(retry_after),
            Error::WrongCode { attempts_left } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "wrong_code",
                format!("The code is wrong; {attempts_left} tries left."),
            )
            .with_details(serde_json::json!({ "field": "code", "attempts_left": attempts_left })),
            Error::CodeExpired => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "code_expired",
                "The code expired or was used up; request a new one.",
            )
            .with_details(serde_json::json!({ "field": "code" })),
            Error::Blocked => ApiError::new(
                StatusCode::FORBIDDEN,
                "account_blocked",
                "This account is blocked; contact the shop.",
            ),
            Error::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            Error::NotFound => ApiError::not_found(),
            Error::Unavailable(what) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("{what} is temporarily unavailable; try again shortly."),
            ),
            Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::user::Error> for ApiError {
    fn from(e: domain::user::Error) -> Self {
        use domain::user::Error;
        match e {
            Error::Invalid { field, message } => ApiError::invalid(field, message),
            Error::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            Error::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            Error::NotFound => ApiError::not_found(),
            Error::Unavailable(what) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("{what} is temporarily unavailable; try again shortly."),
            ),
            Error::Identity(e) => ApiError::from(e),
            Error::TermsNotAccepted(e) => e.into(),
            Error::Unexpected(e) => ApiError::unexpected(&e),
        }
    }
}

impl From<domain::user::consent::TermsNotAccepted> for ApiError {
    fn from(_: domain::user::consent::TermsNotAccepted) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "terms_not_accepted",
            "Accept the terms of sale and the privacy policy (accept_terms: true).",
        )
        .with_details(json!({ "field": "accept_terms" }))
    }
}
