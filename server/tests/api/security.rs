//! The security suite. Every protected route of the OpenAPI document, called with no token
//! and with garbage, expired, foreign-key, tampered, unsigned (`alg: none`) and revoked
//! tokens: always 401 in the error shape; every admin route called by a customer: 403; every
//! route that takes an id, called with another user's id: 404, nothing changed. SQL and HTML
//! injection strings in the text fields people type: stored exactly, shown escaped.
//! Cross-origin form posts: 403. Oversized bodies on every write route: 413. The rate
//! limits under a concurrent burst, with Redis and without.

use base64::Engine;
use reqwest::Method;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::admin_pages::{create_admin, session_cookie, sign_in};
use crate::helpers::{TestApp, assert_error_shape, json, spawn_app, spawn_app_with};
use crate::orders::{add_to_cart, cart_total, place, prices};

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
    let (expired, _) = domain::identity::issue_access_token(&own, user.into(), "admin", now - 3600)
        .unwrap_or_else(|e| panic!("{e}"));
    let other = domain::identity::TokenConfig::new(b"some-other-secret-some-other-secret!");
    let (foreign, _) = domain::identity::issue_access_token(&other, user.into(), "admin", now)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut tampered = customer.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let none =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none}.{}.", customer.split('.').nth(1).unwrap_or_default());
    // A token that was valid until its user signed out everywhere.
    let revoked = app.customer_token("+48500900101").await;
    let out = send(
        &app,
        &Method::POST,
        "/api/v1/me/sign-out-everywhere",
        Some(&revoked),
    )
    .await;
    assert!(out.status().is_success(), "{}", out.status());

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
        Some(revoked.as_str()),
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

/// Every operation of the OpenAPI document as (method, path template).
async fn all_operations(app: &TestApp) -> Vec<(Method, String)> {
    let doc = json(app.get("/api/v1/openapi.json").await).await;
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for method in item
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) {
                operations.push((method, path.clone()));
            }
        }
    }
    operations.sort_by(|a, b| a.1.cmp(&b.1));
    operations
}

fn hostile_address(text: &str) -> Value {
    serde_json::json!({
        "recipient_name": text,
        "street": format!("ul. {text} 1"),
        "city": text,
        "postal_code": "00-001",
        "phone": "500 100 200"
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn every_route_that_takes_an_id_refuses_another_users_id_and_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let owner = app.customer_token("+48500900200").await;
    let intruder = app.customer_token("+48500900300").await;
    let owner_id = json(app.call(Method::GET, "/api/v1/me", &owner, None).await).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let address = json(
        app.call(
            Method::POST,
            "/api/v1/me/addresses",
            &owner,
            Some(&hostile_address("Dom")),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    add_to_cart(&app, &owner, butter, 1).await;
    let total = cart_total(&app, &owner).await;
    let body = serde_json::json!({ "shipping_address_id": address, "accept_terms": true, "expected_total_minor": total });
    let order = json(place(&app, &owner, &body, None).await).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let order_before = json(
        app.call(
            Method::GET,
            &format!("/api/v1/orders/{order}"),
            &owner,
            None,
        )
        .await,
    )
    .await;
    let addresses_before = json(
        app.call(Method::GET, "/api/v1/me/addresses", &owner, None)
            .await,
    )
    .await;
    let inbox_before = json(
        app.call(Method::GET, "/api/v1/me/notifications", &owner, None)
            .await,
    )
    .await;
    let notice = inbox_before["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!notice.is_empty(), "the order's notice: {inbox_before}");
    let device = json(
        app.call(
            Method::POST,
            "/api/v1/me/devices",
            &owner,
            Some(&serde_json::json!({ "platform": "ios", "token": "ExponentPushToken[owner]" })),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let devices_before = json(
        app.call(Method::GET, "/api/v1/me/devices", &owner, None)
            .await,
    )
    .await;

    let mut checked = 0;
    for (method, template) in all_operations(&app).await {
        if !template.contains('{') || template.starts_with("/api/v1/admin/") {
            continue; // admin routes refuse customers (the test above)
        }
        let (path, body) = if template.starts_with("/api/v1/orders/{id}") {
            // A correction id of the other user's order never gets looked at.
            let path = template
                .replace("{id}", &order)
                .replace("{correction}", &uuid::Uuid::now_v7().to_string());
            (path, serde_json::json!({}))
        } else if template.starts_with("/api/v1/me/addresses/{id}") {
            (template.replace("{id}", &address), hostile_address("Cudzy"))
        } else if template.starts_with("/api/v1/me/devices/{id}") {
            (template.replace("{id}", &device), serde_json::json!({}))
        } else if template.starts_with("/api/v1/me/notifications/{id}") {
            (template.replace("{id}", &notice), serde_json::json!({}))
        } else if template.starts_with("/api/v1/me/company/members/{id}") {
            (
                template.replace("{id}", &owner_id),
                serde_json::json!({ "decision": "approve" }),
            )
        } else if template.starts_with("/api/v1/cart/items/{product_id}")
            || template.starts_with("/api/v1/me/favorites/{product_id}")
            || template.starts_with("/api/v1/products/")
            || template.starts_with("/api/v1/categories/")
            || template.starts_with("/api/v1/content/pages/")
        {
            continue; // public ids; these act on the caller's own cart and favorites
        } else {
            panic!("{method} {template} takes an id: say here whose it is");
        };
        let mut request = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .bearer_auth(&intruder);
        if method != Method::GET {
            request = request.json(&body);
        }
        let answer = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            answer.status().as_u16(),
            404,
            "{method} {path} with another user's id"
        );
        assert_error_shape(answer, 404, "not_found").await;
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} id routes found");
    let order_after = json(
        app.call(
            Method::GET,
            &format!("/api/v1/orders/{order}"),
            &owner,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(order_after, order_before);
    let addresses_after = json(
        app.call(Method::GET, "/api/v1/me/addresses", &owner, None)
            .await,
    )
    .await;
    assert_eq!(addresses_after, addresses_before);
    let inbox_after = json(
        app.call(Method::GET, "/api/v1/me/notifications", &owner, None)
            .await,
    )
    .await;
    assert_eq!(inbox_after, inbox_before, "the notice is still unread");
    let devices_after = json(
        app.call(Method::GET, "/api/v1/me/devices", &owner, None)
            .await,
    )
    .await;
    assert_eq!(
        devices_after, devices_before,
        "the device is still registered"
    );
    // The browser's invoice route sends a stranger to sign in.
    let pdf = app.get(&format!("/orders/{order}/invoice.pdf")).await;
    assert!(pdf.status().is_redirection(), "{}", pdf.status());
    assert_ne!(
        pdf.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/pdf"[..])
    );
}

const HOSTILE: [&str; 5] = [
    "'; drop table users; --",
    "' or '1'='1",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "Zażółć {{ gęślą }} ${jaźń} %s \\",
];

#[sqlx::test(migrations = "../migrations")]
async fn injection_strings_are_stored_exactly_and_shown_escaped(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let (butter, _) = prices(&app).await;
    let cookie = session_cookie(&sign_in(&app, "a long enough password", None).await)
        .unwrap_or_else(|| panic!("no admin session"));
    for (i, text) in HOSTILE.iter().enumerate() {
        let token = app.customer_token(&format!("+4850090040{i}")).await;
        let profile = serde_json::json!({ "first_name": text, "last_name": text });
        let answer = app
            .call(Method::PUT, "/api/v1/me", &token, Some(&profile))
            .await;
        assert_eq!(answer.status().as_u16(), 200, "{text}");
        let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
        assert_eq!(me["first_name"], *text);
        add_to_cart(&app, &token, butter, 1).await;
        let total = cart_total(&app, &token).await;
        let body = serde_json::json!({
            "shipping_address": hostile_address(text),
            "save_shipping_address": true,
            "notes": text,
            "accept_terms": true, "expected_total_minor": total
        });
        let placed = place(&app, &token, &body, None).await;
        assert_eq!(placed.status().as_u16(), 201, "{text}");
        let order = json(placed).await;
        assert_eq!(order["shipping_address"]["name"], *text);
        assert_eq!(order["shipping_address"]["city"], *text);
        assert_eq!(order["notes"], *text);
        let book = json(
            app.call(Method::GET, "/api/v1/me/addresses", &token, None)
                .await,
        )
        .await;
        assert_eq!(book[0]["recipient_name"], *text, "{book}");
        // Search takes it as text.
        let search = app
            .client
            .get(format!("{}/api/v1/search", app.address))
            .query(&[("q", text)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(search.status().as_u16(), 200, "{text}");

        // The admin's order page shows it, escaped.
        let id = order["id"].as_str().unwrap_or_default();
        let page = app
            .client
            .get(format!("{}/admin/orders/{id}?lang=en", app.address))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        assert!(
            page.contains(&format!("Order {}", order["number"])),
            "the order page rendered"
        );
        assert!(!page.contains("<script>alert(1)"), "raw script in the page");
        assert!(!page.contains("<img src=x"), "raw markup in the page");
        if text.contains('<') {
            assert!(page.contains("&lt;"), "escaped markup shown");
        }
    }
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(users, HOSTILE.len() as i64 + 1, "the users table is intact");
}

#[sqlx::test(migrations = "../migrations")]
async fn cross_origin_form_posts_are_refused_and_change_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let form = [
        ("product_id", butter.to_string()),
        ("quantity", "1".to_owned()),
    ];
    let host = app.address.trim_start_matches("http://").to_owned();
    let other_scheme = format!("https://{host}");
    for origin in [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
        other_scheme.as_str(),
    ] {
        let answer = app
            .client
            .post(format!("{}/sf/cart/add", app.address))
            .header("origin", origin)
            .header("accept", "text/html")
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.status().as_u16(), 403, "Origin: {origin}");
        let photo = app
            .client
            .post(format!("{}/account/photo", app.address))
            .header("origin", origin)
            .multipart(reqwest::multipart::Form::new().text("photo", "x"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(photo.status().as_u16(), 403, "Origin: {origin}");
    }
    // Neither Origin nor Referer: refused too (a client without the test's default header).
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = bare
        .post(format!("{}/sf/cart/add", app.address))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.status().as_u16(), 403, "no Origin, no Referer");
    let carts: i64 = sqlx::query_scalar("select count(*) from carts")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(carts, 0, "no cart was made");
    // A Referer on the shop's own page counts when the Origin is missing.
    let answer = bare
        .post(format!("{}/sf/cart/add", app.address))
        .header("referer", format!("{}/p/maslo", app.address))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.status().as_u16() < 400, "{}", answer.status());
    // The same post from the shop's own page goes through.
    let answer = app
        .client
        .post(format!("{}/sf/cart/add", app.address))
        .header("origin", format!("http://{host}"))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.status().as_u16() < 400, "{}", answer.status());
}

#[sqlx::test(migrations = "../migrations")]
async fn every_write_route_refuses_an_oversized_body_with_413(pool: PgPool) {
    let app = spawn_app(pool).await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    // The test app's limit is 64 KiB; uploads allow their file size plus an envelope.
    let big = format!(r#"{{"pad": "{}"}}"#, "a".repeat(100_000));
    let huge = vec![b'a'; 9 * 1024 * 1024];
    let mut checked = 0;
    for (method, template) in all_operations(&app).await {
        if matches!(method, Method::GET | Method::DELETE) {
            continue;
        }
        let path = template.replace(['{', '}'], "").replace("id_or_slug", "x");
        let path: String = path
            .split('/')
            .map(|part| {
                if ["id", "product_id", "sku", "slug"].contains(&part) {
                    Uuid::now_v7().to_string()
                } else {
                    part.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let upload = path.ends_with("/photo") || path.ends_with("/images");
        let request = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .bearer_auth(&admin);
        let request = if upload {
            request
                .header("content-type", "multipart/form-data; boundary=x")
                .body(huge.clone())
        } else {
            request
                .header("content-type", "application/json")
                .body(big.clone())
        };
        let answer = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.status().as_u16(), 413, "{method} {template}");
        assert_error_shape(answer, 413, "payload_too_large").await;
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} write routes");
    for path in ["/webhooks/stripe", "/sf/cart/add"] {
        let answer = app.post_json_text(path, &big).await;
        assert_eq!(answer.status().as_u16(), 413, "{path}");
    }
}

/// Forty sends from one address at once (different phones), fifteen tries at one phone's
/// code at once, fifteen password guesses for one account at once: the limits (20 sends per
/// address per hour, 10 tries per phone, 10 password attempts per e-mail in 15 minutes) hold
/// exactly.
async fn burst(app: &TestApp) {
    let sends = (0..40).map(|n| async move {
        let body = serde_json::json!({ "phone": format!("+4851030{n:04}") });
        app.post_as(None, "/api/v1/auth/otp/request", &body)
            .await
            .status()
            .as_u16()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(sends).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        20,
        "{statuses:?}"
    );

    let tries = (0..15).map(|_| async move {
        let body = serde_json::json!({ "phone": "+48510300000", "code": "000000" });
        app.post_as(None, "/api/v1/auth/otp/verify", &body)
            .await
            .status()
            .as_u16()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(tries).await;
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(refused, 5, "{statuses:?}");

    // Fifteen password guesses for one account at once: ten are checked, five refused,
    // and then even the right password waits.
    create_admin(app).await;
    let guesses = (0..15).map(|n| async move {
        let body = serde_json::json!({ "email": "Boss@Example.com", "password": format!("guess number {n}") });
        app.post_as(None, "/api/v1/auth/login", &body).await.status().as_u16()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(guesses).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        5,
        "{statuses:?}"
    );
    let right =
        serde_json::json!({ "email": "boss@example.com", "password": "a long enough password" });
    let answer = app.post_as(None, "/api/v1/auth/login", &right).await;
    assert!(answer.headers().get("retry-after").is_some());
    assert_error_shape(answer, 429, "rate_limited").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn rate_limits_hold_under_a_concurrent_burst(pool: PgPool) {
    let app = spawn_app(pool).await;
    burst(&app).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn rate_limits_hold_under_a_concurrent_burst_without_redis(pool: PgPool) {
    let app = spawn_app_with(pool, &[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    burst(&app).await;
}

/// What schemathesis found, each refused in the error shape and changing nothing: removing
/// an account's only contact, a NUL character in stored text, a JSON array where an object
/// belongs, page numbers out of range.
#[sqlx::test(migrations = "../migrations")]
async fn what_the_api_fuzzer_found_is_refused_cleanly(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;

    // The admin has an e-mail and no phone: the e-mail stays.
    let clear = serde_json::json!({ "email": "" });
    let error = assert_error_shape(
        app.call(Method::PUT, "/api/v1/me", &admin, Some(&clear))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "email");
    let me = json(app.call(Method::GET, "/api/v1/me", &admin, None).await).await;
    assert_eq!(me["email"], "admin@example.com");

    let before = json(app.get("/api/v1/content/pages/terms?locale=pl").await).await;
    let nul = serde_json::json!({ "locale": "pl", "title": "Regulamin", "body_md": "a\u{0}b" });
    let answer = app
        .call(
            Method::PUT,
            "/api/v1/admin/content/pages/terms",
            &admin,
            Some(&nul),
        )
        .await;
    assert_error_shape(answer, 422, "validation_failed").await;
    let after = json(app.get("/api/v1/content/pages/terms?locale=pl").await).await;
    assert_eq!(after, before);

    let user: Uuid = sqlx::query_scalar("select id from users where email = 'admin@example.com'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = app
        .client
        .patch(format!("{}/api/v1/admin/users/{user}", app.address))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("[null, null]")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error_shape(answer, 422, "validation_failed").await;

    for (query, status, code) in [
        ("page=abc", 400, "invalid_query"),
        ("page=4294967296", 400, "invalid_query"),
        ("page=0", 422, "validation_failed"),
        ("per_page=101", 422, "validation_failed"),
    ] {
        let answer = app
            .call(
                Method::GET,
                &format!("/api/v1/orders?{query}"),
                &admin,
                None,
            )
            .await;
        assert_error_shape(answer, status, code).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn password_sign_in_refuses_huge_addresses_hashes_its_keys_and_limits_each_client(
    pool: PgPool,
) {
    let app = &spawn_app(pool).await;
    // An address longer than any e-mail: refused before anything is counted or hashed.
    let huge = format!("{}@example.com", "a".repeat(60_000));
    let body = serde_json::json!({ "email": huge, "password": "x" });
    let answer = app.post_as(None, "/api/v1/auth/login", &body).await;
    assert_error_shape(answer, 401, "invalid_credentials").await;

    // Twenty-one addresses from one client at once: each has budget left, the client not.
    let guesses = (0..21).map(|n| async move {
        let body =
            serde_json::json!({ "email": format!("guest{n}@example.com"), "password": "guess" });
        app.post_as(None, "/api/v1/auth/login", &body)
            .await
            .status()
            .as_u16()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(guesses).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        1,
        "{statuses:?}"
    );

    // What a client typed never becomes a Redis key.
    let client = redis::Client::open(format!("redis://{}", crate::helpers::redis_address()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", app.settings.redis_key_prefix))
        .query_async(&mut redis)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(keys.iter().any(|k| k.contains("login_email")), "{keys:?}");
    assert!(
        keys.iter().all(|k| !k.contains('@') && k.len() < 200),
        "{keys:?}"
    );

    // With every password check busy, a sign-in waits, then is asked to come back.
    let mut svc = app.services();
    svc.password_checks = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let busy = domain::identity::verify_login(&svc, "someone@example.com", "x", None).await;
    assert!(
        matches!(
            busy,
            Err(domain::identity::AuthError::RateLimited { retry_after: 1 })
        ),
        "{busy:?}"
    );
}
