//! `/api/v1/cart` and favorites: guest and user carts, bad input that changes nothing,
//! concurrent adds, corporate rules, the merge at sign-in, expiry.

use reqwest::Method;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error_shape, json, spawn_app};

const PHONE: &str = "+48500100200";

async fn product(app: &TestApp, sku: &str) -> Uuid {
    sqlx::query_scalar("select id from products where sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{sku}: {e}"))
}

/// Two products with known prices, rates and stock.
async fn setup(pool: PgPool) -> (TestApp, Uuid, Uuid) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let butter = product(&app, "MT-0102-1").await;
    let bread = product(&app, "MT-0101-1").await;
    sqlx::query(
        "update products set base_price_minor = 799, individual_price_minor = null, vat_rate_bp = 500, stock = 20, min_qty_individual = 1, qty_per_box = null where id = $1",
    )
    .bind(butter)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(
        "update products set base_price_minor = 1250, individual_price_minor = null, vat_rate_bp = 2300, stock = 5, min_qty_individual = 1, qty_per_box = null where id = $1",
    )
    .bind(bread)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    (app, butter, bread)
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    cart: Option<&str>,
    bearer: Option<&str>,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = cart {
        request = request.header("x-cart-token", token);
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn add(app: &TestApp, cart: Option<&str>, product: Uuid, quantity: i32) -> reqwest::Response {
    send(
        app,
        Method::POST,
        "/api/v1/cart/items",
        cart,
        None,
        Some(serde_json::json!({ "product_id": product, "quantity": quantity })),
    )
    .await
}

fn assert_adds_up(cart: &serde_json::Value) {
    let lines: i64 = cart["lines"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|x| x["line_total_minor"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(cart["subtotal_minor"].as_i64(), Some(lines), "{cart}");
    let total =
        cart["subtotal_minor"].as_i64().unwrap_or(0) + cart["shipping_minor"].as_i64().unwrap_or(0);
    assert_eq!(cart["total_minor"].as_i64(), Some(total));
    let vat_gross: i64 = cart["vat_breakdown"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| x["gross_minor"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(vat_gross, total);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guest_cart_is_created_by_the_first_add_and_edited_with_its_token(pool: PgPool) {
    let (app, butter, bread) = setup(pool).await;
    assert_eq!(json(app.get("/api/v1/cart").await).await["item_count"], 0);
    let first = add(&app, None, butter, 2).await;
    assert_eq!(first.status().as_u16(), 200);
    let header = first
        .headers()
        .get("x-cart-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = json(first).await;
    let token = body["cart_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(token, header);
    assert_eq!(token.len(), 43);
    let stored: i64 =
        sqlx::query_scalar("select count(*) from carts where guest_token_hash = sha256($1::bytea)")
            .bind(token.as_bytes())
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, 1, "only the hash is stored");

    let cart = json(add(&app, Some(&token), bread, 1).await).await;
    assert_eq!(cart["cart_token"], serde_json::Value::Null);
    assert_eq!(cart["item_count"], 3);
    assert_eq!(cart["subtotal_minor"], 2 * 799 + 1250);
    assert_eq!(
        cart["shipping_minor"], 1499,
        "under the free-shipping threshold"
    );
    assert_adds_up(&cart);

    // More of the same product raises the line.
    let cart = json(add(&app, Some(&token), butter, 3).await).await;
    assert_eq!(cart["lines"][0]["quantity"], 5);

    let path = format!("/api/v1/cart/items/{bread}");
    let cart = json(
        send(
            &app,
            Method::PATCH,
            &path,
            Some(&token),
            None,
            Some(serde_json::json!({ "quantity": 4 })),
        )
        .await,
    )
    .await;
    assert_eq!(cart["lines"][1]["quantity"], 4);
    assert_adds_up(&cart);
    let cart = json(send(&app, Method::DELETE, &path, Some(&token), None, None).await).await;
    assert_eq!(cart["lines"].as_array().map(Vec::len), Some(1));

    // A price change since adding is reported.
    sqlx::query("update products set base_price_minor = 899 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cart = json(send(&app, Method::GET, "/api/v1/cart", Some(&token), None, None).await).await;
    assert_eq!(cart["lines"][0]["unit_price_minor"], 899);
    assert_eq!(cart["lines"][0]["previous_unit_price_minor"], 799);
    // A sold-out line is kept, flagged and left out of the totals.
    sqlx::query("update products set stock = 0 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cart = json(send(&app, Method::GET, "/api/v1/cart", Some(&token), None, None).await).await;
    assert_eq!(cart["lines"][0]["unavailable"], true);
    assert_eq!(cart["total_minor"], 0);
    assert_adds_up(&cart);

    let cleared = send(
        &app,
        Method::DELETE,
        "/api/v1/cart",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(cleared.status().as_u16(), 204);
    let cart = json(send(&app, Method::GET, "/api/v1/cart", Some(&token), None, None).await).await;
    assert_eq!(cart["lines"], serde_json::json!([]));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_quantities_products_and_tokens_are_refused_and_change_nothing(pool: PgPool) {
    let (app, butter, bread) = setup(pool).await;
    let token = json(add(&app, None, butter, 2).await).await["cart_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let inactive = product(&app, "MT-0103-1").await;
    sqlx::query("update products set is_active = false where id = $1")
        .bind(inactive)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        (butter, 0, 422, "validation_failed"),
        (butter, -3, 422, "validation_failed"),
        (butter, 19, 422, "insufficient_stock"),
        (bread, 6, 422, "insufficient_stock"),
        (Uuid::now_v7(), 1, 422, "unknown_product"),
        (inactive, 1, 422, "unknown_product"),
    ];
    for (product, quantity, status, code) in cases {
        let error = assert_error_shape(
            add(&app, Some(&token), product, quantity).await,
            status,
            code,
        )
        .await;
        if code == "insufficient_stock" {
            assert!(error["details"]["available"].as_i64().is_some());
        }
    }
    sqlx::query("update products set stock = 5000 where id = $1")
        .bind(bread)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let error = assert_error_shape(
        add(&app, Some(&token), bread, 1000).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("999")
    );

    let butter_path = format!("/api/v1/cart/items/{butter}");
    let patch = |quantity: i32| {
        send(
            &app,
            Method::PATCH,
            &butter_path,
            Some(&token),
            None,
            Some(serde_json::json!({ "quantity": quantity })),
        )
    };
    assert_error_shape(patch(0).await, 422, "validation_failed").await;
    assert_error_shape(patch(21).await, 422, "insufficient_stock").await;
    let not_in_cart = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/cart/items/{bread}"),
        Some(&token),
        None,
        Some(serde_json::json!({ "quantity": 1 })),
    )
    .await;
    assert_error_shape(not_in_cart, 404, "not_in_cart").await;

    // Forged and malformed tokens.
    let forged = "A".repeat(43);
    assert_error_shape(
        add(&app, Some(&forged), butter, 1).await,
        404,
        "unknown_cart",
    )
    .await;
    assert_error_shape(
        send(
            &app,
            Method::GET,
            "/api/v1/cart",
            Some("not-a-token"),
            None,
            None,
        )
        .await,
        404,
        "unknown_cart",
    )
    .await;
    let bad_unit = send(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        Some(&token),
        None,
        Some(serde_json::json!({ "product_id": butter, "quantity": 1, "unit": "box" })),
    )
    .await;
    assert_error_shape(bad_unit, 422, "validation_failed").await;

    let cart = json(send(&app, Method::GET, "/api/v1/cart", Some(&token), None, None).await).await;
    assert_eq!(cart["item_count"], 2, "unchanged: {cart}");
    // A refused first add leaves no empty cart behind.
    let refused = add(&app, None, butter, 0).await;
    assert!(refused.headers().get("x-cart-token").is_none());
    assert_error_shape(refused, 422, "validation_failed").await;
    let carts: i64 = sqlx::query_scalar("select count(*) from carts")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(carts, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_adds_of_one_product_make_one_line(pool: PgPool) {
    let (app, butter, _) = setup(pool).await;
    let token = json(add(&app, None, butter, 1).await).await["cart_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let adds = (0..10).map(|_| add(&app, Some(&token), butter, 1));
    let statuses: Vec<u16> = futures_util::future::join_all(adds)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let rows: Vec<i32> = sqlx::query_scalar("select quantity from cart_items")
        .fetch_all(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows, vec![11], "one line, no lost update");
}

#[sqlx::test(migrations = "../migrations")]
async fn corporate_accounts_get_their_prices_minimums_and_boxes(pool: PgPool) {
    let (app, butter, _) = setup(pool).await;
    sqlx::query("update products set corporate_price_minor = 650, min_qty_corporate = 10, qty_per_box = 12, stock = 100 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tokens = app.sign_in_by_phone(PHONE, Some("corporate")).await;
    let bearer = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Company prices are for an approved member of a verified company.
    sqlx::query(
        "with c as (insert into companies (id, nip, name, vat_status) values ($1, '5261040828', 'Hurtownia', 'active') returning id)
         update users set company_id = (select id from c), company_approved_at = now(), profile_completed_at = now()
          where phone = $2 and customer_type = 'corporate'",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(PHONE)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let below = send(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        Some(&bearer),
        Some(serde_json::json!({ "product_id": butter, "quantity": 5 })),
    )
    .await;
    let error = assert_error_shape(below, 422, "below_minimum_quantity").await;
    assert_eq!(error["details"]["minimum"], 10);
    let boxes = send(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        Some(&bearer),
        Some(serde_json::json!({ "product_id": butter, "quantity": 2, "unit": "box" })),
    )
    .await;
    let cart = json(boxes).await;
    assert_eq!(cart["lines"][0]["quantity"], 24);
    assert_eq!(cart["lines"][0]["unit_price_minor"], 650);
    assert_eq!(cart["lines"][0]["min_qty"], 10);
    assert_eq!(cart["subtotal_minor"], 24 * 650);
    assert_adds_up(&cart);
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_carries_the_guest_cart_and_favorites_over(pool: PgPool) {
    let (app, butter, bread) = setup(pool).await;
    let cheese = product(&app, "MT-0103-1").await;
    // The account already has butter (5) in its cart.
    let bearer = app.customer_token(PHONE).await;
    send(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        Some(&bearer),
        Some(serde_json::json!({ "product_id": butter, "quantity": 5 })),
    )
    .await;
    // As a guest on another device: butter 2, bread 4, cheese as a favorite.
    let token = json(add(&app, None, butter, 2).await).await["cart_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    add(&app, Some(&token), bread, 4).await;
    let fav = send(
        &app,
        Method::POST,
        "/api/v1/me/favorites",
        Some(&token),
        None,
        Some(serde_json::json!({ "product_id": cheese })),
    )
    .await;
    assert_eq!(fav.status().as_u16(), 204);
    // Bread sells down to 3 before the guest signs in.
    sqlx::query("update products set stock = 3 where id = $1")
        .bind(bread)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    app.allow_new_code().await;
    app.post_as(
        None,
        "/api/v1/auth/otp/request",
        &serde_json::json!({ "phone": PHONE }),
    )
    .await;
    let code = app.last_code(PHONE).await;
    let signed_in = send(
        &app,
        Method::POST,
        "/api/v1/auth/otp/verify",
        Some(&token),
        None,
        Some(serde_json::json!({ "phone": PHONE, "code": code })),
    )
    .await;
    assert_eq!(signed_in.status().as_u16(), 200);
    let bearer = json(signed_in).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let cart = json(send(&app, Method::GET, "/api/v1/cart", None, Some(&bearer), None).await).await;
    let quantity = |id: Uuid| {
        cart["lines"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["product_id"] == id.to_string()))
            .map(|x| x["quantity"].clone())
    };
    assert_eq!(
        quantity(butter),
        Some(2.into()),
        "the guest's quantity wins"
    );
    assert_eq!(quantity(bread), Some(3.into()), "capped by stock");
    let favorites = json(
        send(
            &app,
            Method::GET,
            "/api/v1/me/favorites",
            None,
            Some(&bearer),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(favorites[0]["product_id"], cheese.to_string());
    assert_error_shape(
        send(&app, Method::GET, "/api/v1/cart", Some(&token), None, None).await,
        404,
        "unknown_cart",
    )
    .await;
    let guest_rows: i64 =
        sqlx::query_scalar("select count(*) from favorites where guest_token_hash is not null")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(guest_rows, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn guest_carts_expire_after_30_days_unused(pool: PgPool) {
    let (app, butter, _) = setup(pool).await;
    let token = json(add(&app, None, butter, 1).await).await["cart_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // The updated_at trigger would stamp "now"; turn it off to age the cart.
    for sql in [
        "alter table carts disable trigger user",
        "update carts set updated_at = now() - interval '31 days'",
        "alter table carts enable trigger user",
    ] {
        sqlx::query(sql)
            .execute(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    assert_error_shape(
        send(&app, Method::GET, "/api/v1/cart", Some(&token), None, None).await,
        404,
        "unknown_cart",
    )
    .await;
    let deleted = domain::shopping::delete_expired_guest_carts(&app.services())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(deleted, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn favorites_are_idempotent_and_per_user(pool: PgPool) {
    let (app, butter, _) = setup(pool).await;
    let bearer = app.customer_token(PHONE).await;
    for _ in 0..2 {
        let added = send(
            &app,
            Method::POST,
            "/api/v1/me/favorites",
            None,
            Some(&bearer),
            Some(serde_json::json!({ "product_id": butter })),
        )
        .await;
        assert_eq!(added.status().as_u16(), 204);
    }
    let list = json(
        send(
            &app,
            Method::GET,
            "/api/v1/me/favorites",
            None,
            Some(&bearer),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let unknown = send(
        &app,
        Method::POST,
        "/api/v1/me/favorites",
        None,
        Some(&bearer),
        Some(serde_json::json!({ "product_id": Uuid::now_v7() })),
    )
    .await;
    assert_error_shape(unknown, 422, "unknown_product").await;
    let other = app.customer_token("+48600100200").await;
    let theirs = json(
        send(
            &app,
            Method::GET,
            "/api/v1/me/favorites",
            None,
            Some(&other),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(theirs, serde_json::json!([]));
    let removed = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/me/favorites/{butter}"),
        None,
        Some(&bearer),
        None,
    )
    .await;
    assert_eq!(removed.status().as_u16(), 204);
    let list = json(
        send(
            &app,
            Method::GET,
            "/api/v1/me/favorites",
            None,
            Some(&bearer),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list, serde_json::json!([]));
}
