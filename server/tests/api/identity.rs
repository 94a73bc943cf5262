//! Phone sign-in: the OTP flow through a fake Twilio, codes, rate limits, blocking,
//! signing out everywhere, and the test-only code route.

use base64::Engine;
use reqwest::Method;
use sqlx::PgPool;

use crate::helpers::{Fake, assert_error_shape, json, spawn_app, spawn_app_with};

const PHONE: &str = "+48500100200";

fn twilio_ok(_: &crate::helpers::Recorded) -> (u16, String) {
    (201, r#"{"sid": "SM123", "status": "queued"}"#.to_owned())
}

fn form_field(body: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_twilio_gateway_sends_the_code_and_the_code_signs_up_then_in(pool: PgPool) {
    let twilio = Fake::start(twilio_ok).await;
    let app = spawn_app_with(
        pool,
        &[
            ("TWILIO_BASE_URL", twilio.url.as_str()),
            ("TWILIO_ACCOUNT_SID", "AC0123"),
            ("TWILIO_AUTH_TOKEN", "twilio-secret"),
            ("TWILIO_FROM", "+48100200300"),
        ],
    )
    .await;
    let sent = app
        .post_as(
            None,
            "/api/v1/auth/otp/request?lang=en",
            &serde_json::json!({ "phone": "500 100 200" }),
        )
        .await;
    assert_eq!(sent.status().as_u16(), 200);
    let sent = json(sent).await;
    assert_eq!(sent["phone"], PHONE, "normalised to E.164");
    assert_eq!(sent["expires_in"], 120);
    assert_eq!(sent["resend_after"], 30);

    let received = twilio.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.uri, "/2010-04-01/Accounts/AC0123/Messages.json");
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("AC0123:twilio-secret")
    );
    assert_eq!(
        request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(expected_auth.as_str())
    );
    assert_eq!(
        request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(form_field(&request.body, "To").as_deref(), Some(PHONE));
    assert_eq!(
        form_field(&request.body, "From").as_deref(),
        Some("+48100200300")
    );
    let body = form_field(&request.body, "Body").unwrap_or_default();
    assert!(body.contains("your code is"), "English text: {body}");
    let code: String = body.chars().filter(char::is_ascii_digit).take(6).collect();
    assert_eq!(code.len(), 6);

    // The code is stored only as a hash.
    let stored: Vec<String> = sqlx::query_scalar("select code_hash from otp_challenges")
        .fetch_all(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&code));

    let verified = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code }),
        )
        .await;
    assert_eq!(verified.status().as_u16(), 200);
    let tokens = json(verified).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["user"]["profile_complete"], false);
    assert_eq!(tokens["user"]["role"], "customer");
    let first_id = tokens["user"]["id"].clone();

    // The same code does not work twice.
    let again = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code }),
        )
        .await;
    assert_error_shape(again, 422, "code_expired").await;

    // There is no test route to read codes from when Twilio sends them.
    let none = app.get("/api/v1/test/otp?phone=%2B48500100200").await;
    assert_error_shape(none, 404, "not_found").await;

    // Signing in again (after the resend wait) finds the same account.
    app.allow_new_code().await;
    let sent = app
        .post_as(
            None,
            "/api/v1/auth/otp/request",
            &serde_json::json!({ "phone": PHONE }),
        )
        .await;
    assert_eq!(sent.status().as_u16(), 200);
    let body = form_field(&twilio.received()[1].body, "Body").unwrap_or_default();
    assert!(body.contains("Twój kod"), "Polish by default: {body}");
    let code: String = body.chars().filter(char::is_ascii_digit).take(6).collect();
    let tokens = json(
        app.post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": "+48 500-100-200", "code": code }),
        )
        .await,
    )
    .await;
    assert_eq!(tokens["user"]["id"], first_id);
}

#[sqlx::test(migrations = "../migrations")]
async fn twilio_failures_answer_503_and_leave_no_code(pool: PgPool) {
    let twilio = Fake::start(|_: &crate::helpers::Recorded| {
        (
            401,
            r#"{"code": 20003, "message": "Authenticate"}"#.to_owned(),
        )
    })
    .await;
    let app = spawn_app_with(
        pool,
        &[
            ("TWILIO_BASE_URL", twilio.url.as_str()),
            ("TWILIO_ACCOUNT_SID", "AC0123"),
            ("TWILIO_AUTH_TOKEN", "wrong"),
            ("TWILIO_FROM", "+48100200300"),
        ],
    )
    .await;
    let sent = app
        .post_as(
            None,
            "/api/v1/auth/otp/request",
            &serde_json::json!({ "phone": PHONE }),
        )
        .await;
    assert_error_shape(sent, 503, "unavailable").await;
    let codes: i64 = sqlx::query_scalar("select count(*) from otp_challenges")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(codes, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_codes_count_down_and_the_fourth_try_finds_the_code_dead(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let code = app.last_code(PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in [2, 1, 0] {
        let response = app
            .post_as(
                None,
                "/api/v1/auth/otp/verify",
                &serde_json::json!({ "phone": PHONE, "code": wrong }),
            )
            .await;
        let error = assert_error_shape(response, 422, "wrong_code").await;
        assert_eq!(error["details"]["attempts_left"], left);
    }
    let response = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code }),
        )
        .await;
    assert_error_shape(response, 422, "code_expired").await;
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(users, 0, "no account without a right code");

    // An expired code is refused too.
    sqlx::query("update otp_challenges set created_at = now() - interval '5 minutes'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let code = app.last_code(PHONE).await;
    sqlx::query("update otp_challenges set expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code }),
        )
        .await;
    assert_error_shape(response, 422, "code_expired").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_phones_and_codes_name_the_field(pool: PgPool) {
    let app = spawn_app(pool).await;
    for phone in ["", "abc", "12", "+48 123", "+999 123456789"] {
        let response = app
            .post_as(
                None,
                "/api/v1/auth/otp/request",
                &serde_json::json!({ "phone": phone }),
            )
            .await;
        let error = assert_error_shape(response, 422, "validation_failed").await;
        assert_eq!(error["details"]["field"], "phone", "{phone}");
    }
    for code in ["12ab56", "12345", "1234567", ""] {
        let response = app
            .post_as(
                None,
                "/api/v1/auth/otp/verify",
                &serde_json::json!({ "phone": PHONE, "code": code }),
            )
            .await;
        let error = assert_error_shape(response, 422, "validation_failed").await;
        assert_eq!(error["details"]["field"], "code", "{code}");
    }
    let response = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": "123456", "account_type": "vip" }),
        )
        .await;
    let error = assert_error_shape(response, 422, "validation_failed").await;
    assert_eq!(error["details"]["field"], "account_type");
}

async fn rate_limits_hold(app: &crate::helpers::TestApp) {
    let first = app
        .post_as(
            None,
            "/api/v1/auth/otp/request",
            &serde_json::json!({ "phone": PHONE }),
        )
        .await;
    assert_eq!(first.status().as_u16(), 200);
    let again = app
        .post_as(
            None,
            "/api/v1/auth/otp/request",
            &serde_json::json!({ "phone": PHONE }),
        )
        .await;
    let retry_header: u64 = again
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    let error = assert_error_shape(again, 429, "rate_limited").await;
    let retry_after = error["details"]["retry_after"].as_u64().unwrap_or_default();
    assert!((1..=30).contains(&retry_after), "{error}");
    assert_eq!(retry_header, retry_after);

    // 20 sends per IP per hour: the two above counted, 18 more pass, the next is refused.
    for n in 0..18 {
        let phone = format!("+4850020{n:04}");
        let response = app
            .post_as(
                None,
                "/api/v1/auth/otp/request",
                &serde_json::json!({ "phone": phone }),
            )
            .await;
        assert_eq!(response.status().as_u16(), 200, "send {n}");
    }
    let response = app
        .post_as(
            None,
            "/api/v1/auth/otp/request",
            &serde_json::json!({ "phone": "+48500300400" }),
        )
        .await;
    let error = assert_error_shape(response, 429, "rate_limited").await;
    assert!(error["details"]["retry_after"].as_u64().unwrap_or_default() > 60);
}

#[sqlx::test(migrations = "../migrations")]
async fn sending_is_rate_limited_per_phone_and_per_ip(pool: PgPool) {
    let app = spawn_app(pool).await;
    rate_limits_hold(&app).await;
    let in_postgres: i64 = sqlx::query_scalar("select count(*) from rate_limit_windows")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(in_postgres, 0, "Redis holds the counters while it is up");
}

#[sqlx::test(migrations = "../migrations")]
async fn rate_limits_hold_with_redis_down(pool: PgPool) {
    let app = spawn_app_with(pool, &[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    rate_limits_hold(&app).await;
    let in_postgres: i64 = sqlx::query_scalar("select count(*) from rate_limit_windows")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(in_postgres > 0, "Postgres counted instead");
}

#[sqlx::test(migrations = "../migrations")]
async fn verifying_is_rate_limited_per_phone(pool: PgPool) {
    let app = spawn_app(pool).await;
    // 10 tries per phone per hour, whatever the codes: three codes with three tries each,
    // then one more try passes and the eleventh is refused.
    let mut statuses = Vec::new();
    for round in 0..4 {
        app.allow_new_code().await;
        let sent = app
            .post_as(
                None,
                "/api/v1/auth/otp/request",
                &serde_json::json!({ "phone": PHONE }),
            )
            .await;
        assert_eq!(sent.status().as_u16(), 200, "round {round}");
        let code = app.last_code(PHONE).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..3 {
            let response = app
                .post_as(
                    None,
                    "/api/v1/auth/otp/verify",
                    &serde_json::json!({ "phone": PHONE, "code": wrong }),
                )
                .await;
            statuses.push(response.status().as_u16());
        }
    }
    assert_eq!(&statuses[..10], &[422; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_test_code_route_does_not_exist_outside_test(pool: PgPool) {
    let app = spawn_app_with(pool, &[("APP_ENV", "development")]).await;
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let response = app.get("/api/v1/test/otp?phone=%2B48500100200").await;
    assert_error_shape(response, 404, "not_found").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn one_phone_holds_one_individual_and_one_corporate_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let individual = app.sign_in_by_phone(PHONE, None).await;
    app.allow_new_code().await;
    let corporate = app.sign_in_by_phone(PHONE, Some("corporate")).await;
    assert_ne!(individual["user"]["id"], corporate["user"]["id"]);
    let me = json(
        app.call(
            Method::GET,
            "/api/v1/me",
            corporate["access_token"].as_str().unwrap_or_default(),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(me["customer_type"], "corporate");
    assert_eq!(me["profile_complete"], false);

    // With two accounts the phone must say which; the code is not used up by asking.
    app.allow_new_code().await;
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let code = app.last_code(PHONE).await;
    let ambiguous = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code }),
        )
        .await;
    let error = assert_error_shape(ambiguous, 422, "validation_failed").await;
    assert_eq!(error["details"]["field"], "account_type");
    let chosen = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code, "account_type": "individual" }),
        )
        .await;
    assert_eq!(json(chosen).await["user"]["id"], individual["user"]["id"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn blocked_users_lose_their_tokens_and_cannot_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.create_admin("admin@example.com", "correct horse battery staple")
        .await;
    let admin = json(
        app.post_as(
            None,
            "/api/v1/auth/login",
            &serde_json::json!({"email": "admin@example.com", "password": "correct horse battery staple"}),
        )
        .await,
    )
    .await;
    let admin_token = admin["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let customer = app.sign_in_by_phone(PHONE, None).await;
    let token = customer["access_token"].as_str().unwrap_or_default();
    let id = customer["user"]["id"].as_str().unwrap_or_default();

    let list = app
        .call(
            Method::GET,
            "/api/v1/admin/users?q=500100",
            &admin_token,
            None,
        )
        .await;
    let list = json(list).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["orders_count"], 0);
    assert_eq!(list["items"][0]["blocked"], false);

    let blocked = app
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/users/{id}"),
            &admin_token,
            Some(&serde_json::json!({ "blocked": true })),
        )
        .await;
    assert_eq!(blocked.status().as_u16(), 200);
    assert_eq!(json(blocked).await["blocked"], true);

    assert_error_shape(
        app.call(Method::GET, "/api/v1/me", token, None).await,
        401,
        "unauthorized",
    )
    .await;
    let refresh = app
        .post_as(
            None,
            "/api/v1/auth/refresh",
            &serde_json::json!({ "refresh_token": customer["refresh_token"] }),
        )
        .await;
    assert_error_shape(refresh, 401, "unauthorized").await;
    app.allow_new_code().await;
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let code = app.last_code(PHONE).await;
    let signin = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code }),
        )
        .await;
    assert_error_shape(signin, 403, "account_blocked").await;
    // The person is blocked, not one account: the phone's other account type is refused
    // too, and none is created.
    app.allow_new_code().await;
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let code = app.last_code(PHONE).await;
    let other = app
        .post_as(
            None,
            "/api/v1/auth/otp/verify",
            &serde_json::json!({ "phone": PHONE, "code": code, "account_type": "corporate" }),
        )
        .await;
    assert_error_shape(other, 403, "account_blocked").await;
    let accounts: i64 = sqlx::query_scalar("select count(*) from users where phone = $1")
        .bind(PHONE)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(accounts, 1);

    // Customers cannot use the admin routes; admins cannot block themselves.
    assert_error_shape(
        app.call(Method::GET, "/api/v1/admin/users", token, None)
            .await,
        401,
        "unauthorized",
    )
    .await;
    let admin_id = admin["user"]["id"].as_str().unwrap_or_default();
    let own = app
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/users/{admin_id}"),
            &admin_token,
            Some(&serde_json::json!({ "blocked": true })),
        )
        .await;
    assert_error_shape(own, 422, "validation_failed").await;
    let unknown = app
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", uuid::Uuid::now_v7()),
            &admin_token,
            Some(&serde_json::json!({ "role": "admin" })),
        )
        .await;
    assert_error_shape(unknown, 404, "not_found").await;
    let bad_role = app
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/users/{id}"),
            &admin_token,
            Some(&serde_json::json!({ "role": "root" })),
        )
        .await;
    assert_error_shape(bad_role, 422, "validation_failed").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_cannot_list_users(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    assert_error_shape(
        app.call(Method::GET, "/api/v1/admin/users", &token, None)
            .await,
        403,
        "forbidden",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_out_everywhere_ends_every_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let phone_one = app.sign_in_by_phone(PHONE, None).await;
    let token = phone_one["access_token"].as_str().unwrap_or_default();
    let response = app
        .call(Method::POST, "/api/v1/me/sign-out-everywhere", token, None)
        .await;
    assert_eq!(response.status().as_u16(), 204);
    assert_error_shape(
        app.call(Method::GET, "/api/v1/me", token, None).await,
        401,
        "unauthorized",
    )
    .await;
    let refresh = app
        .post_as(
            None,
            "/api/v1/auth/refresh",
            &serde_json::json!({ "refresh_token": phone_one["refresh_token"] }),
        )
        .await;
    assert_error_shape(refresh, 401, "unauthorized").await;
}

async fn logout_holds(app: &crate::helpers::TestApp) {
    let tokens = app.sign_in_by_phone(PHONE, None).await;
    let token = tokens["access_token"].as_str().unwrap_or_default();
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", token, None)
            .await
            .status()
            .as_u16(),
        200
    );
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", token, None)
        .await;
    assert_eq!(out.status().as_u16(), 204);
    assert_error_shape(
        app.call(Method::GET, "/api/v1/me", token, None).await,
        401,
        "unauthorized",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn logout_holds_with_redis_up(pool: PgPool) {
    logout_holds(&spawn_app(pool).await).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn logout_holds_with_redis_down(pool: PgPool) {
    logout_holds(&spawn_app_with(pool, &[("REDIS_URL", "redis://127.0.0.1:1")]).await).await;
}
