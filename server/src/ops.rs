//! Operational endpoints: liveness, readiness and Prometheus metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

use crate::api::ApiError;
use crate::startup::AppState;

/// `GET /health`: the process is up.
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The state of one dependency.
#[derive(Debug, Serialize)]
pub struct Check {
    /// `up`, `down` or `disabled`.
    pub status: &'static str,
    /// Round-trip time of the check.
    pub latency_ms: Option<f64>,
    /// Why it is down (never secrets).
    pub error: Option<String>,
}

/// `GET /health/ready`: 200 while Postgres answers (Redis is reported but optional, since
/// the Postgres paths still serve without it); 503 when Postgres is down.
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let (database, redis) =
        tokio::join!(state.services.ping_database(), state.services.ping_redis());
    let database = match database {
        Ok(latency) => Check {
            status: "up",
            latency_ms: Some(latency.as_secs_f64() * 1000.0),
            error: None,
        },
        Err(e) => {
            tracing::warn!(error = %e, "database is not ready");
            Check {
                status: "down",
                latency_ms: None,
                error: Some("database unreachable".into()),
            }
        }
    };
    let redis = match redis {
        None => Check {
            status: "disabled",
            latency_ms: None,
            error: None,
        },
        Some(Ok(latency)) => Check {
            status: "up",
            latency_ms: Some(latency.as_secs_f64() * 1000.0),
            error: None,
        },
        Some(Err(e)) => {
            tracing::warn!(error = %e, "redis is not ready");
            Check {
                status: "down",
                latency_ms: None,
                error: Some("redis unreachable".into()),
            }
        }
    };
    let checks = serde_json::json!({ "database": database, "redis": redis });
    if database.status == "up" {
        (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready", "checks": checks })),
        )
            .into_response()
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "The database is unreachable.",
        )
        .with_details(serde_json::json!({ "checks": checks }))
        .into_response()
    }
}

/// `GET /metrics`: Prometheus text format, with database pool gauges refreshed on scrape.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let pool = &state.services.db;
    let idle = pool.num_idle();
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(f64::from(pool.size()) - idle as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    // Counted in the database, so every process of the cluster reports the same figures.
    match domain::notify::worker::counts(&state.services).await {
        Ok(counts) => {
            for (channel, status, n) in counts {
                metrics::gauge!("notifications", "channel" => channel, "status" => status)
                    .set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "notification counts unavailable"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
