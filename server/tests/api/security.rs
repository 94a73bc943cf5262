//! Every protected route of the OpenAPI document, called with no token and with garbage,
//! expired, foreign-key, tampered and unsigned (`alg: none`) tokens: always 401 in the error
//! shape, never anything else; every admin route called by a customer: 403.

use base64::Engine;
use reqwest::Method;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error_shape, json, spawn_app};

/// (method, path with parameters filled in, admin-only) for every operation that requires a
/// bearer token (optional-auth operations list an empty requirement and are skipped).
async fn protected_operations(app: &TestApp) -> Vec<(Method, String, bool)> {
    let doc = json(app.get("/api/v1/openapi.json").await).await;
    let mut operations = Vec::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in paths {
        for (method, operation) in item.as_object().cloned().unwrap_or_default() {
            let Some(requirements) = operation["security"].as_array() else {
                continue;
            };
            let optional = requirements
                .iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
            if requirements.is_empty() || optional {
                continue;
            }
            let filled: String = path
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        Uuid::now_v7().to_string()
                    } else {
                        part.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            operations.push((method, filled, path.starts_with("/api/v1/admin/")));
        }
    }
    operations.sort_by(|a, b| a.1.cmp(&b.1));
    operations
}

async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.clone(), format!("{}{path}", app.address));
    if matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        request = request.json(&Value::Object(Default::default()));
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn every_protected_route_refuses_missing_and_bad_tokens_and_admin_routes_refuse_customers(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let customer = app.customer_token("+48500900100").await;
    let user: Uuid = sqlx::query_scalar("select id from users where phone = '+48500900100'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let own =
        domain::identity::TokenConfig::new(b"development-only-jwt-secret-change-me-0123456789");
    let now = chrono::Utc::now().timestamp();
    let (expired, _) = domain::identity::issue_access_token(&own, user, "admin", now - 3600)
        .unwrap_or_else(|e| panic!("{e}"));
    let other = domain::identity::TokenConfig::new(b"some-other-secret-some-other-secret!");
    let (foreign, _) = domain::identity::issue_access_token(&other, user, "admin", now)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut tampered = customer.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let none =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none}.{}.", customer.split('.').nth(1).unwrap_or_default());

    let operations = protected_operations(&app).await;
    assert!(
        operations.len() >= 40,
        "only {} protected operations found",
        operations.len()
    );
    let bad_tokens = [
        None,
        Some("garbage"),
        Some(expired.as_str()),
        Some(foreign.as_str()),
        Some(tampered.as_str()),
        Some(unsigned.as_str()),
    ];
    for (method, path, admin_only) in &operations {
        for token in bad_tokens {
            let answer = send(&app, method, path, token).await;
            let status = answer.status().as_u16();
            assert_eq!(status, 401, "{method} {path} with {token:?}");
            assert_error_shape(answer, 401, "unauthorized").await;
        }
        if *admin_only {
            let answer = send(&app, method, path, Some(&customer)).await;
            assert_eq!(
                answer.status().as_u16(),
                403,
                "{method} {path} as a customer"
            );
            assert_error_shape(answer, 403, "forbidden").await;
        }
    }
}
