//! Consents (issue 16): the terms and the privacy policy accepted, with their versions, at
//! account creation and with every order; refused without; marketing given and withdrawn with
//! its history; in the data export and for admins.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{assert_error_shape, json};
use crate::orders::{add_to_cart, cart_total, place, shop};

fn body(total: i64, accept: Option<bool>) -> Value {
    let mut body = json!({
        "shipping_address": { "recipient_name": "Anna Nowak", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "expected_total_minor": total
    });
    if let Some(accept) = accept {
        body["accept_terms"] = accept.into();
    }
    body
}

/// (document, version, given, source) of each consent, newest first.
fn summary(consents: &Value) -> Vec<(String, Option<i64>, bool, String)> {
    consents
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| {
                    (
                        c["document"].as_str().unwrap_or_default().to_owned(),
                        c["version"].as_i64(),
                        c["given"].as_bool().unwrap_or_default(),
                        c["source"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn consents(app: &crate::helpers::TestApp, token: &str) -> Value {
    json(
        app.call(Method::GET, "/api/v1/me/consents", token, None)
            .await,
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn an_order_without_the_terms_is_refused_and_each_order_records_the_version(pool: PgPool) {
    let (app, butter, _) = shop(pool).await;
    let token = app.customer_token("+48500300001").await;
    // Completing the profile accepted both documents, version 1.
    let first = consents(&app, &token).await;
    let mut at_signup = summary(&first);
    at_signup.sort();
    assert_eq!(
        at_signup,
        vec![
            ("privacy".into(), Some(1), true, "account".into()),
            ("terms".into(), Some(1), true, "account".into()),
        ]
    );

    add_to_cart(&app, &token, butter, 2).await;
    let total = cart_total(&app, &token).await;
    for refused in [body(total, None), body(total, Some(false))] {
        let answer = place(&app, &token, &refused, None).await;
        let error = assert_error_shape(answer, 422, "terms_not_accepted").await;
        assert_eq!(error["details"]["field"], "accept_terms");
    }
    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(orders, 0, "a refused order changes nothing");
    let stock: i32 = sqlx::query_scalar("select stock from products where id = $1")
        .bind(butter)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stock, 20);
    assert_eq!(
        consents(&app, &token).await.as_array().map(Vec::len),
        Some(2)
    );

    let placed = place(&app, &token, &body(total, Some(true)), None).await;
    assert_eq!(placed.status().as_u16(), 201);
    let order = json(placed).await["id"].clone();
    let after = consents(&app, &token).await;
    let with_order: Vec<&Value> = after
        .as_array()
        .map(|l| l.iter().filter(|c| c["order_id"] == order).collect())
        .unwrap_or_default();
    assert_eq!(with_order.len(), 2, "{after}");
    assert!(
        with_order
            .iter()
            .all(|c| c["version"] == 1 && c["source"] == "order")
    );

    // The terms change: the next order records the new version.
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    let edit = json!({ "locale": "pl", "title": "Regulamin", "body_md": "Nowy regulamin." });
    let saved = app
        .call(
            Method::PUT,
            "/api/v1/admin/content/pages/terms",
            &admin,
            Some(&edit),
        )
        .await;
    assert_eq!(saved.status().as_u16(), 200);
    add_to_cart(&app, &token, butter, 1).await;
    let total = cart_total(&app, &token).await;
    let again = place(&app, &token, &body(total, Some(true)), None).await;
    assert_eq!(again.status().as_u16(), 201);
    let latest = summary(&consents(&app, &token).await);
    assert!(
        latest.contains(&("terms".into(), Some(2), true, "order".into())),
        "{latest:?}"
    );
    assert!(latest.contains(&("privacy".into(), Some(1), true, "order".into())));
    let accepted: bool = sqlx::query_scalar(
        "select terms_accepted_at is not null from users where phone = '+48500300001'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_account_is_created_only_with_the_terms_accepted(pool: PgPool) {
    let (app, _, _) = shop(pool).await;
    let tokens = app.sign_in_by_phone("+48500300002", None).await;
    let token = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let profile = json!({ "customer_type": "individual", "first_name": "Ewa", "last_name": "Lis" });
    let refused = app
        .post_as(Some(&token), "/api/v1/me/complete-profile", &profile)
        .await;
    assert_error_shape(refused, 422, "terms_not_accepted").await;
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["profile_complete"], false, "nothing was saved");

    let mut accepted = profile.clone();
    accepted["accept_terms"] = true.into();
    accepted["marketing"] = true.into();
    let done = app
        .post_as(Some(&token), "/api/v1/me/complete-profile", &accepted)
        .await;
    assert_eq!(done.status().as_u16(), 200);
    let mut given = summary(&consents(&app, &token).await);
    given.sort();
    assert_eq!(
        given,
        vec![
            ("marketing".into(), None, true, "account".into()),
            ("privacy".into(), Some(1), true, "account".into()),
            ("terms".into(), Some(1), true, "account".into()),
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn marketing_consent_is_given_and_withdrawn_with_its_history(pool: PgPool) {
    let (app, _, _) = shop(pool).await;
    let token = app.customer_token("+48500300003").await;
    let set = |given: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.call(
                Method::PUT,
                "/api/v1/me/consents/marketing",
                token,
                Some(&json!({ "given": given })),
            )
            .await
        }
    };
    assert_error_shape(set(json!("yes")).await, 422, "validation_failed").await;
    assert_eq!(set(json!(true)).await.status().as_u16(), 200);
    // Giving it twice records it once.
    let twice = json(set(json!(true)).await).await;
    let marketing = |list: &Value| -> Vec<bool> {
        list.as_array()
            .map(|l| {
                l.iter()
                    .filter(|c| c["document"] == "marketing")
                    .map(|c| c["given"].as_bool().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(marketing(&twice), vec![true]);
    let settings = json(
        app.call(
            Method::GET,
            "/api/v1/me/notification-settings",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert!(
        settings
            .as_array()
            .is_some_and(|l| l.iter().any(|s| s["topic"] == "marketing"
                && s["channel"] == "in_app"
                && s["enabled"] == true)),
        "{settings}"
    );
    let withdrawn = json(set(json!(false)).await).await;
    assert_eq!(marketing(&withdrawn), vec![false, true], "newest first");
    let consent_at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select marketing_consent_at from users where phone = '+48500300003'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(consent_at.is_none());

    // The export carries every consent; admins see them; other customers do not.
    let export = json(
        app.call(Method::GET, "/api/v1/me/export", &token, None)
            .await,
    )
    .await;
    assert_eq!(
        export["consents"].as_array().map(Vec::len),
        Some(4),
        "{}",
        export["consents"]
    );
    let user: uuid::Uuid = sqlx::query_scalar("select id from users where phone = '+48500300003'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/api/v1/admin/users/{user}/consents");
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    let seen = json(app.call(Method::GET, &path, &admin, None).await).await;
    assert_eq!(seen.as_array().map(Vec::len), Some(4));
    let stranger = app.customer_token("+48500300004").await;
    assert_error_shape(
        app.call(Method::GET, &path, &stranger, None).await,
        403,
        "forbidden",
    )
    .await;
    let nobody = format!("/api/v1/admin/users/{}/consents", uuid::Uuid::now_v7());
    assert_error_shape(
        app.call(Method::GET, &nobody, &admin, None).await,
        404,
        "not_found",
    )
    .await;
}
