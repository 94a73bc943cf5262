use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{assert_error_shape, json, spawn_app, spawn_app_with};

#[sqlx::test(migrations = "../migrations")]
async fn health_answers_ok(pool: PgPool) {
    // Arrange
    let app = spawn_app(pool).await;
    // Act
    let response = app.get("/health").await;
    // Assert
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(json(response).await["status"], "ok");
}

#[sqlx::test(migrations = "../migrations")]
async fn ready_reports_database_and_redis_up_with_latency(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status().as_u16(), 200);
    let body = json(response).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert!(body["checks"]["database"]["latency_ms"].as_f64().is_some());
    assert_eq!(body["checks"]["redis"]["status"], "up");
    assert!(body["checks"]["redis"]["latency_ms"].as_f64().is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn ready_stays_200_and_reports_redis_down_when_only_redis_is_down(pool: PgPool) {
    // Port 1 on loopback has no Redis: connecting fails at once.
    let app = spawn_app_with(pool, &[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status().as_u16(), 200);
    let body = json(response).await;
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["redis"]["status"], "down");
    // The Postgres paths still serve.
    assert_eq!(app.get("/api/v1/products").await.status().as_u16(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn ready_answers_503_in_the_error_shape_when_the_database_is_down(pool: PgPool) {
    // Arrange: a pool that points at a port with no Postgres.
    let dead = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/none")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(pool);
    let app = spawn_app(dead).await;
    // Act
    let response = app.get("/health/ready").await;
    // Assert
    let error = assert_error_shape(response, 503, "not_ready").await;
    assert_eq!(error["details"]["checks"]["database"]["status"], "down");
    assert_eq!(error["details"]["checks"]["redis"]["status"], "up");
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_count_requests_per_route_and_show_pool_gauges(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.get("/health").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap_or_default();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/health",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("db_pool_connections"), "{text}");
}
