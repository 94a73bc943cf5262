//! `POST /webhooks/stripe`: async-stripe checks the signature on the raw body before
//! anything is parsed, then reads the typed event; it is applied once (see
//! `domain::payment`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::payment;
use serde_json::json;

use crate::api::ApiError;
use crate::startup::AppState;

/// Verifies, parses and applies a Stripe event; answers 200 with what it did.
pub async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    if state.webhook_secrets.is_empty() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "webhooks_unconfigured",
            "STRIPE_WEBHOOK_SECRET is not set.",
        ));
    }
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let event = match payment::read_webhook(&body, header, &state.webhook_secrets) {
        Ok(event) => event,
        Err(payment::Refused::Signature(reason)) => {
            tracing::warn!(%reason, "Stripe webhook refused");
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_signature",
                "The Stripe-Signature header does not verify this body.",
            )
            .with_details(json!({ "reason": reason })));
        }
        Err(payment::Refused::Event(reason)) => {
            return Err(payment::Error::InvalidEvent(reason).into());
        }
    };
    let outcome = payment::handle_event(&state.services, &event).await?;
    Ok(Json(
        json!({ "received": true, "outcome": outcome.as_str() }),
    ))
}
