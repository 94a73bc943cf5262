//! The API frame: request ids, the error shape, limits, security headers, OpenAPI.

use sqlx::PgPool;

use crate::helpers::{assert_error_shape, json, spawn_app};

#[sqlx::test(migrations = "../migrations")]
async fn every_response_gets_a_request_id(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in [
        "/health",
        "/",
        "/api/v1/products",
        "/api/v1/missing",
        "/no-such-page",
    ] {
        let response = app.get(path).await;
        let id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok());
        assert!(
            id.is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()),
            "{path}: {id:?}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(pool: PgPool) {
    let app = spawn_app(pool).await;
    let url = format!("{}/api/v1/nothing-here", app.address);
    let kept = app
        .client
        .get(&url)
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.headers()["x-request-id"], "abc-123");
    assert_eq!(json(kept).await["error"]["request_id"], "abc-123");

    let long = "x".repeat(300);
    let replaced = app
        .client
        .get(&url)
        .header("x-request-id", long.as_str())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = replaced.headers()["x-request-id"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(id, long);
    assert!(uuid::Uuid::parse_str(&id).is_ok());
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_api_route_is_404_in_the_error_shape(pool: PgPool) {
    let app = spawn_app(pool).await;
    assert_error_shape(app.get("/api/v1/does-not-exist").await, 404, "not_found").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_method_is_405_in_the_error_shape(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app
        .client
        .delete(format!("{}/api/v1/products", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.headers().get("allow").is_some());
    assert_error_shape(response, 405, "method_not_allowed").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn oversized_body_is_413_in_the_error_shape(pool: PgPool) {
    // The test app's limit is 64 KiB.
    let app = spawn_app(pool).await;
    let body = format!(r#"{{"lines": [], "pad": "{}"}}"#, "a".repeat(100_000));
    let response = app.post_json_text("/api/v1/quotes", &body).await;
    assert_error_shape(response, 413, "payload_too_large").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn oversized_chunked_body_without_length_is_413(pool: PgPool) {
    let app = spawn_app(pool).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b' '; 8192])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = app
        .client
        .post(format!("{}/api/v1/quotes", app.address))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error_shape(response, 413, "payload_too_large").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_json_is_400_and_wrong_fields_are_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    assert_error_shape(
        app.post_json_text("/api/v1/quotes", r#"{"lines": [}"#)
            .await,
        400,
        "malformed_json",
    )
    .await;
    assert_error_shape(
        app.post_json_text("/api/v1/quotes", r#"{"lines": "many"}"#)
            .await,
        422,
        "validation_failed",
    )
    .await;
    let no_type = app
        .client
        .post(format!("{}/api/v1/quotes", app.address))
        .body(r#"{"lines": []}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error_shape(no_type, 415, "unsupported_media_type").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_get_a_nonce_csp_and_the_api_gets_a_strict_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let page = app.get("/").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "inline scripts must carry the nonce"
    );

    let api = app.get("/api/v1/products").await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        api.headers()["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    assert!(
        api.headers()["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .starts_with("default-src 'none'")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn responses_are_compressed_when_the_client_accepts_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn openapi_document_and_swagger_ui_are_served(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = json(app.get("/api/v1/openapi.json").await).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert!(doc["paths"]["/api/v1/products"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/quotes"]["post"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["ProductItem"]["properties"]["slug"]["example"],
        "maslo-extra-200g"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status().as_u16(), 200);
    assert!(ui.text().await.unwrap_or_default().contains("swagger"));
}
