//! `/api/v1/orders` and `/api/v1/admin/orders`: checkout, bad input that changes nothing,
//! idempotency, the lifecycle, expiry, invoices, access control.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error_shape, json, spawn_app};

/// Butter (5 % VAT, 7.99, 20 in stock) and bread (23 %, 12.50, 5 in stock).
pub async fn shop(pool: PgPool) -> (TestApp, Uuid, Uuid) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let (butter, bread) = prices(&app).await;
    (app, butter, bread)
}

/// Sets known prices, rates and stock on two seeded products.
pub async fn prices(app: &TestApp) -> (Uuid, Uuid) {
    let mut ids = Vec::new();
    for (sku, price, rate, stock) in [("MT-0102-1", 799, 500, 20), ("MT-0101-1", 1250, 2300, 5)] {
        let id: Uuid = sqlx::query_scalar(
            "update products set base_price_minor = $2, individual_price_minor = null, vat_rate_bp = $3, stock = $4, min_qty_individual = 1, qty_per_box = null, is_active = true where sku = $1 returning id",
        )
        .bind(sku)
        .bind(price)
        .bind(rate)
        .bind(stock)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{sku}: {e}"));
        ids.push(id);
    }
    (ids[0], ids[1])
}

pub async fn add_to_cart(app: &TestApp, token: &str, product: Uuid, quantity: i32) {
    let response = app
        .call(
            Method::POST,
            "/api/v1/cart/items",
            token,
            Some(&json!({ "product_id": product, "quantity": quantity })),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200, "add to cart");
}

pub async fn cart_total(app: &TestApp, token: &str) -> i64 {
    json(app.call(Method::GET, "/api/v1/cart", token, None).await).await["total_minor"]
        .as_i64()
        .unwrap_or_default()
}

/// Puts `quantity` of `product` in the cart and places the order to a Kraków address at the
/// cart's total; returns the order's id and total.
pub async fn place_cart_order(
    app: &TestApp,
    token: &str,
    product: Uuid,
    quantity: i32,
) -> (Uuid, i64) {
    add_to_cart(app, token, product, quantity).await;
    let total = cart_total(app, token).await;
    let body = json!({
        "shipping_address": { "recipient_name": "Anna Nowak", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "accept_terms": true, "expected_total_minor": total
    });
    let placed = json(place(app, token, &body, None).await).await;
    let id = Uuid::parse_str(placed["id"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {placed}"));
    (id, total)
}

fn new_address() -> Value {
    json!({
        "recipient_name": "Zażółć Gęślą",
        "street": "ul. Świętokrzyska 11",
        "city": "Łódź",
        "postal_code": "90-001",
        "phone": "+48 501 222 333"
    })
}

pub async fn place(
    app: &TestApp,
    token: &str,
    body: &Value,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/v1/orders", app.address))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("place order: {e}"))
}

async fn stock(app: &TestApp, product: Uuid) -> i32 {
    sqlx::query_scalar("select stock from products where id = $1")
        .bind(product)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn count_orders(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn admin_token(app: &TestApp) -> String {
    crate::auth::create_admin(app).await;
    crate::auth::admin_token(app).await
}

async fn move_to(app: &TestApp, admin: &str, order: &str, body: Value) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/api/v1/admin/orders/{order}/status"),
        admin,
        Some(&body),
    )
    .await
}

fn assert_adds_up(order: &Value) {
    let lines: i64 = order["lines"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|l| l["line_total_minor"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(lines, order["items_total_minor"].as_i64().unwrap_or(-1));
    let total = order["total_minor"].as_i64().unwrap_or(-1);
    assert_eq!(lines + order["shipping_minor"].as_i64().unwrap_or(0), total);
    let rows = order["vat_breakdown"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let gross: i64 = rows
        .iter()
        .map(|r| r["gross_minor"].as_i64().unwrap_or(0))
        .sum();
    let vat: i64 = rows
        .iter()
        .map(|r| r["vat_minor"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(gross, total);
    assert_eq!(vat, order["vat_total_minor"].as_i64().unwrap_or(-1));
}

#[sqlx::test(migrations = "../migrations")]
async fn checkout_snapshots_the_cart_into_an_order_and_takes_the_stock(pool: PgPool) {
    let (app, butter, bread) = shop(pool).await;
    let token = app.customer_token("+48500100301").await;
    add_to_cart(&app, &token, butter, 3).await;
    add_to_cart(&app, &token, bread, 2).await;
    let total = cart_total(&app, &token).await;
    assert_eq!(total, 3 * 799 + 2 * 1250 + 1499);

    let placed = place(
        &app,
        &token,
        &json!({
            "shipping_address": new_address(),
            "save_shipping_address": true,
            "company_name": "Bistro Anatolia",
            "nip": "123-456-32-18",
            "accept_terms": true, "expected_total_minor": total,
            "notes": "Proszę dzwonić"
        }),
        None,
    )
    .await;
    assert_eq!(placed.status().as_u16(), 201);
    let order = json(placed).await;
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["total_minor"], total);
    assert_eq!(order["buyer_nip"], "1234563218");
    assert_eq!(order["buyer_company_name"], "Bistro Anatolia");
    assert_eq!(order["contact_name"], "Anna Nowak");
    assert_eq!(order["shipping_address"]["city"], "Łódź");
    assert_eq!(order["shipping_address"]["phone"], "+48501222333");
    assert_eq!(order["lines"][0]["sku"], "MT-0102-1");
    assert_eq!(order["lines"][0]["quantity"], 3);
    assert_eq!(order["lines"][0]["line_vat_minor"], 114);
    assert_eq!(order["events"][0]["to"], "pending_payment");
    assert_eq!(order["events"][0]["actor"], "customer");
    assert!(order["reserved_until"].is_string());
    assert_eq!(order["invoice_url"], Value::Null);
    assert_adds_up(&order);

    assert_eq!(stock(&app, butter).await, 17);
    assert_eq!(stock(&app, bread).await, 3);
    let cart = json(app.call(Method::GET, "/api/v1/cart", &token, None).await).await;
    assert_eq!(cart["item_count"], 0, "the cart is emptied");
    let book = json(
        app.call(Method::GET, "/api/v1/me/addresses", &token, None)
            .await,
    )
    .await;
    assert_eq!(book[0]["city"], "Łódź", "the new address was saved");

    // A later price change does not touch the order.
    sqlx::query("update products set base_price_minor = 999 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = order["id"].as_str().unwrap_or_default();
    let again = json(
        app.call(Method::GET, &format!("/api/v1/orders/{id}"), &token, None)
            .await,
    )
    .await;
    assert_eq!(again["lines"][0]["unit_price_minor"], 799);
    assert_eq!(again["total_minor"], total);

    let list = json(app.call(Method::GET, "/api/v1/orders", &token, None).await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["item_count"], 5);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_checkouts_are_refused_and_take_nothing(pool: PgPool) {
    let (app, butter, bread) = shop(pool).await;
    let token = app.customer_token("+48500100302").await;
    let body = |total: i64| json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total });

    assert_error_shape(place(&app, &token, &body(0), None).await, 409, "empty_cart").await;

    add_to_cart(&app, &token, butter, 2).await;
    add_to_cart(&app, &token, bread, 1).await;
    let total = cart_total(&app, &token).await;

    let error = assert_error_shape(
        place(&app, &token, &body(total - 1), None).await,
        409,
        "price_changed",
    )
    .await;
    assert_eq!(error["details"]["total_minor"], total);

    let mut bad_nip = body(total);
    bad_nip["nip"] = "1234563219".into();
    bad_nip["company_name"] = "X".into();
    let error = assert_error_shape(
        place(&app, &token, &bad_nip, None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "nip");

    let mut no_address = body(total);
    no_address["shipping_address"] = Value::Null;
    assert_error_shape(
        place(&app, &token, &no_address, None).await,
        422,
        "validation_failed",
    )
    .await;

    let mut bad_postal = body(total);
    bad_postal["shipping_address"]["postal_code"] = "9000".into();
    let error = assert_error_shape(
        place(&app, &token, &bad_postal, None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "shipping_address");

    // Another customer's address.
    let other = app.customer_token("+48500100303").await;
    let theirs = json(
        app.call(
            Method::POST,
            "/api/v1/me/addresses",
            &other,
            Some(&new_address()),
        )
        .await,
    )
    .await;
    let stolen = json!({ "shipping_address_id": theirs["id"], "accept_terms": true, "expected_total_minor": total });
    let error = assert_error_shape(
        place(&app, &token, &stolen, None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "shipping_address");

    // More than the stock (stock fell after the cart was filled).
    sqlx::query("update products set stock = 1 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let error = assert_error_shape(
        place(&app, &token, &body(total), None).await,
        409,
        "out_of_stock",
    )
    .await;
    assert_eq!(error["details"]["product_id"], butter.to_string());
    assert_eq!(error["details"]["available"], 1);
    sqlx::query("update products set stock = 20 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Set behind the shop's back: drop the Redis counter as the catalog's writes do.
    domain::order::gate::forget(&app.services(), &[butter.into()]).await;

    // A product taken off the shop.
    sqlx::query("update products set is_active = false where id = $1")
        .bind(bread)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let error = assert_error_shape(
        place(&app, &token, &body(total), None).await,
        409,
        "product_unavailable",
    )
    .await;
    assert_eq!(error["details"]["skus"], json!(["MT-0101-1"]));
    sqlx::query("update products set is_active = true where id = $1")
        .bind(bread)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // A bad idempotency key, a bad payment method.
    assert_error_shape(
        place(&app, &token, &body(total), Some("short")).await,
        422,
        "validation_failed",
    )
    .await;
    let mut cash = body(total);
    cash["payment_method"] = "cash".into();
    assert_error_shape(
        place(&app, &token, &cash, None).await,
        422,
        "validation_failed",
    )
    .await;

    // An account without a finished profile, and no token at all.
    let fresh = app.sign_in_by_phone("+48500100304", None).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_error_shape(
        place(&app, &fresh, &body(total), None).await,
        403,
        "profile_incomplete",
    )
    .await;
    let anonymous = app.post_as(None, "/api/v1/orders", &body(total)).await;
    assert_error_shape(anonymous, 401, "unauthorized").await;

    assert_eq!(count_orders(&app).await, 0);
    assert_eq!(stock(&app, butter).await, 20);
    assert_eq!(stock(&app, bread).await, 5);
    let cart = json(app.call(Method::GET, "/api/v1/cart", &token, None).await).await;
    assert_eq!(cart["item_count"], 3, "the cart is untouched");

    // And the same request, fixed, goes through.
    assert_eq!(
        place(&app, &token, &body(total), None)
            .await
            .status()
            .as_u16(),
        201
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_repeated_or_doubled_checkout_places_one_order(pool: PgPool) {
    let (app, butter, _) = shop(pool).await;
    let token = app.customer_token("+48500100305").await;
    add_to_cart(&app, &token, butter, 2).await;
    let total = cart_total(&app, &token).await;
    let body = json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total });

    // Ten concurrent submissions with one key: one order, every answer names it.
    let answers = futures_util::future::join_all(
        (0..10).map(|_| place(&app, &token, &body, Some("checkout-form-7f3a"))),
    )
    .await;
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for answer in answers {
        let status = answer.status().as_u16();
        assert!(status == 201 || status == 200, "status {status}");
        created += usize::from(status == 201);
        ids.insert(
            json(answer).await["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
    assert_eq!(count_orders(&app).await, 1);
    assert_eq!(stock(&app, butter).await, 18);

    // Two tabs without a key: the cart becomes one order, the other tab hears it is empty.
    add_to_cart(&app, &token, butter, 1).await;
    let total = cart_total(&app, &token).await;
    let body = json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total });
    let (a, b) = tokio::join!(
        place(&app, &token, &body, None),
        place(&app, &token, &body, None)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(count_orders(&app).await, 2);
    assert_eq!(stock(&app, butter).await, 17);
}

#[sqlx::test(migrations = "../migrations")]
async fn orders_move_only_along_the_lifecycle_and_cancelling_returns_stock(pool: PgPool) {
    let (app, butter, bread) = shop(pool).await;
    let admin = admin_token(&app).await;
    let token = app.customer_token("+48500100306").await;
    let place_one = |quantity: i32| {
        let app = &app;
        let token = token.clone();
        async move {
            add_to_cart(app, &token, butter, quantity).await;
            add_to_cart(app, &token, bread, 1).await;
            let total = cart_total(app, &token).await;
            let body = json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total });
            let order = json(place(app, &token, &body, None).await).await;
            order["id"].as_str().unwrap_or_default().to_owned()
        }
    };

    // The customer cancels an unpaid order: the stock comes back.
    let first = place_one(4).await;
    assert_eq!(stock(&app, butter).await, 16);
    let cancelled = app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{first}/cancel"),
            &token,
            None,
        )
        .await;
    assert_eq!(cancelled.status().as_u16(), 200);
    let cancelled = json(cancelled).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["events"][1]["from"], "pending_payment");
    assert_eq!(cancelled["events"][1]["actor"], "customer");
    assert_eq!(stock(&app, butter).await, 20);
    assert_eq!(stock(&app, bread).await, 5);
    let again = app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{first}/cancel"),
            &token,
            None,
        )
        .await;
    assert_error_shape(again, 409, "invalid_transition").await;
    assert_eq!(
        stock(&app, butter).await,
        20,
        "a second cancel returns nothing"
    );

    // The admin takes the next one through its life.
    let second = place_one(2).await;
    let skip = move_to(&app, &admin, &second, json!({ "status": "shipped" })).await;
    assert_error_shape(skip, 409, "invalid_transition").await;
    let customer_pays = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/orders/{second}/status"),
            &token,
            Some(&json!({ "status": "paid" })),
        )
        .await;
    assert_error_shape(customer_pays, 403, "forbidden").await;
    let paid = json(
        move_to(
            &app,
            &admin,
            &second,
            json!({ "status": "paid", "note": "transfer received" }),
        )
        .await,
    )
    .await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["payment_status"], "paid");
    assert!(
        paid["invoice_number"]
            .as_str()
            .is_some_and(|n| n.starts_with("FV/"))
    );
    let refused = app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{second}/cancel"),
            &token,
            None,
        )
        .await;
    // Paid by hand (a transfer), so there is nothing the gateway could refund.
    assert_error_shape(refused, 409, "not_refundable").await;
    let processing = move_to(&app, &admin, &second, json!({ "status": "processing" })).await;
    assert_eq!(processing.status().as_u16(), 200);
    let customer_cancel = app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{second}/cancel"),
            &token,
            None,
        )
        .await;
    assert_error_shape(customer_cancel, 409, "invalid_transition").await;
    let untracked = move_to(&app, &admin, &second, json!({ "status": "shipped" })).await;
    let error = assert_error_shape(untracked, 422, "validation_failed").await;
    assert_eq!(error["details"]["field"], "carrier");
    let shipped = json(
        move_to(
            &app,
            &admin,
            &second,
            json!({ "status": "shipped", "carrier": "InPost", "tracking_number": "620012345678" }),
        )
        .await,
    )
    .await;
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(
        shipped["tracking_url"],
        "https://inpost.pl/sledzenie-przesylek?number=620012345678"
    );
    let fixed = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/orders/{second}/tracking"),
            &admin,
            Some(&json!({ "carrier": "DPD", "tracking_number": "0000111122223333" })),
        )
        .await;
    assert_eq!(json(fixed).await["carrier"], "DPD");
    let delivered =
        json(move_to(&app, &admin, &second, json!({ "status": "delivered" })).await).await;
    assert_eq!(delivered["status"], "delivered");
    let backwards = move_to(&app, &admin, &second, json!({ "status": "paid" })).await;
    assert_error_shape(backwards, 409, "invalid_transition").await;
    let unknown = move_to(&app, &admin, &second, json!({ "status": "lost" })).await;
    assert_error_shape(unknown, 422, "validation_failed").await;
    let timeline: Vec<&str> = delivered["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["to"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        timeline,
        [
            "pending_payment",
            "paid",
            "processing",
            "shipped",
            "shipped",
            "delivered"
        ]
    );
    assert_eq!(delivered["events"][1]["actor"], "admin");
    assert_eq!(delivered["events"][1]["note"], "transfer received");
    // Delivered orders keep their stock taken.
    assert_eq!(stock(&app, butter).await, 18);

    // The admin cancels an unpaid order; the admin list filters and searches.
    let third = place_one(1).await;
    let cancelled = move_to(
        &app,
        &admin,
        &third,
        json!({ "status": "cancelled", "note": "customer called" }),
    )
    .await;
    assert_eq!(cancelled.status().as_u16(), 200);
    assert_eq!(stock(&app, butter).await, 18);
    let list = json(
        app.call(
            Method::GET,
            "/api/v1/admin/orders?status=cancelled",
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 2);
    let list = json(
        app.call(
            Method::GET,
            "/api/v1/admin/orders?q=%2B48500100306",
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 3);
    let number = delivered["number"].as_i64().unwrap_or_default();
    let list = json(
        app.call(
            Method::GET,
            &format!("/api/v1/admin/orders?q={number}"),
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], second.as_str());
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap_or(today);
    let list = json(
        app.call(
            Method::GET,
            &format!("/api/v1/admin/orders?from={tomorrow}"),
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 0);
    let bad = app
        .call(
            Method::GET,
            "/api/v1/admin/orders?status=lost",
            &admin,
            None,
        )
        .await;
    assert_error_shape(bad, 422, "validation_failed").await;
    let dashboard = json(
        app.call(Method::GET, "/api/v1/admin/dashboard", &admin, None)
            .await,
    )
    .await;
    assert_eq!(
        dashboard["orders_today"], 1,
        "cancelled orders are not counted"
    );
    assert_eq!(dashboard["revenue_today_minor"], delivered["total_minor"]);
    assert!(
        dashboard["low_stock"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["sku"] == "MT-0101-1"))
    );
}

/// A new customer's unpaid order of five butters: their token and the order id.
async fn unpaid_butter_order(app: &TestApp, phone: &str, butter: Uuid) -> (String, String) {
    let token = app.customer_token(phone).await;
    add_to_cart(app, &token, butter, 5).await;
    let total = cart_total(app, &token).await;
    let order = json(
        place(
            app,
            &token,
            &json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total }),
            None,
        )
        .await,
    )
    .await;
    let id = order["id"].as_str().unwrap_or_default().to_owned();
    (token, id)
}

/// Moves the order's reservation into the past.
async fn lapse(app: &TestApp, id: &str) {
    sqlx::query(
        "update orders set reserved_until = now() - interval '1 second' where id = $1::uuid",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

#[sqlx::test(migrations = "../migrations")]
async fn unpaid_orders_expire_and_give_their_stock_back(pool: PgPool) {
    let (app, butter, _) = shop(pool).await;
    let (token, id) = unpaid_butter_order(&app, "+48500100307", butter).await;
    let svc = app.services();
    assert_eq!(
        domain::order::gate::counter(&svc, butter.into()).await,
        Some(15)
    );
    assert_eq!(
        domain::order::expire_unpaid(&svc).await.ok(),
        Some(0),
        "not yet"
    );
    lapse(&app, &id).await;
    assert_eq!(domain::order::expire_unpaid(&svc).await.ok(), Some(1));
    assert_eq!(stock(&app, butter).await, 20);
    assert_eq!(
        domain::order::gate::counter(&svc, butter.into()).await,
        Some(20)
    );
    let order = json(
        app.call(Method::GET, &format!("/api/v1/orders/{id}"), &token, None)
            .await,
    )
    .await;
    assert_eq!(order["status"], "cancelled");
    assert_eq!(order["events"][1]["actor"], "system");
    assert_eq!(order["events"][1]["note"], "not paid in time");
    assert_eq!(
        domain::order::expire_unpaid(&svc).await.ok(),
        Some(0),
        "only once"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_process_with_background_jobs_on_expires_unpaid_orders_by_itself(pool: PgPool) {
    // Arrange: an unpaid order past its reservation, placed while no process runs jobs.
    let (app, butter, _) = shop(pool).await;
    let (_, id) = unpaid_butter_order(&app, "+48500100308", butter).await;
    lapse(&app, &id).await;
    assert_eq!(
        stock(&app, butter).await,
        15,
        "no job ran in the first process"
    );

    // Act: a second process starts with the jobs on; each job runs once at start.
    let _worker =
        crate::helpers::spawn_app_with(app.db.clone(), &[("BACKGROUND_JOBS", "true")]).await;
    let mut status = String::new();
    for _ in 0..100 {
        status = sqlx::query_scalar("select status from orders where id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if status == "cancelled" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Assert
    assert_eq!(status, "cancelled");
    assert_eq!(stock(&app, butter).await, 20);
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_owner_or_an_admin_sees_an_order_and_its_invoice(pool: PgPool) {
    let (app, butter, _) = shop(pool).await;
    let admin = admin_token(&app).await;
    let token = app.customer_token("+48500100308").await;
    let stranger = app.customer_token("+48500100309").await;
    add_to_cart(&app, &token, butter, 1).await;
    let total = cart_total(&app, &token).await;
    let order = json(
        place(
            &app,
            &token,
            &json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total }),
            None,
        )
        .await,
    )
    .await;
    let id = order["id"].as_str().unwrap_or_default().to_owned();
    let invoice = format!("/api/v1/orders/{id}/invoice.pdf");
    assert_error_shape(
        app.call(Method::GET, &invoice, &token, None).await,
        404,
        "not_found",
    )
    .await;
    move_to(&app, &admin, &id, json!({ "status": "paid" })).await;

    for path in [format!("/api/v1/orders/{id}"), invoice.clone()] {
        assert_error_shape(
            app.call(Method::GET, &path, &stranger, None).await,
            404,
            "not_found",
        )
        .await;
        assert_eq!(
            app.call(Method::GET, &path, &token, None)
                .await
                .status()
                .as_u16(),
            200
        );
        assert_eq!(
            app.call(Method::GET, &path, &admin, None)
                .await
                .status()
                .as_u16(),
            200
        );
        assert_error_shape(app.get(&path).await, 401, "unauthorized").await;
    }
    let cancel = app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{id}/cancel"),
            &stranger,
            None,
        )
        .await;
    assert_error_shape(cancel, 404, "not_found").await;
    let missing = format!("/api/v1/orders/{}", Uuid::now_v7());
    assert_error_shape(
        app.call(Method::GET, &missing, &admin, None).await,
        404,
        "not_found",
    )
    .await;
    assert_error_shape(
        app.call(Method::GET, "/api/v1/orders/not-a-uuid", &token, None)
            .await,
        400,
        "bad_request",
    )
    .await;
    for path in ["/api/v1/admin/orders", "/api/v1/admin/dashboard"] {
        assert_error_shape(
            app.call(Method::GET, path, &token, None).await,
            403,
            "forbidden",
        )
        .await;
    }
    let list = json(
        app.call(Method::GET, "/api/v1/orders", &stranger, None)
            .await,
    )
    .await;
    assert_eq!(list["total"], 0);
}

/// The text of a PDF, read back with poppler's `pdftotext` (installed by `scripts/deps.sh`).
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("invoice-{}.pdf", Uuid::now_v7()));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (apt install poppler-utils): {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    String::from_utf8(output.stdout).unwrap_or_else(|e| panic!("{e}"))
}

/// `1 234,56` → 123456.
fn minor(text: &str) -> i64 {
    text.replace([' ', ','], "").parse().unwrap_or(i64::MIN)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_paid_order_gets_a_pdf_invoice_that_adds_up(pool: PgPool) {
    let (app, butter, bread) = shop(pool).await;
    let admin = admin_token(&app).await;
    let token = app.customer_token("+48500100310").await;
    add_to_cart(&app, &token, butter, 3).await;
    add_to_cart(&app, &token, bread, 2).await;
    let total = cart_total(&app, &token).await;
    let order = json(
        place(
            &app,
            &token,
            &json!({
                "shipping_address": new_address(),
                "company_name": "Şirket Gıda Sp. z o.o.",
                "nip": "1234563218",
                "accept_terms": true, "expected_total_minor": total
            }),
            None,
        )
        .await,
    )
    .await;
    let id = order["id"].as_str().unwrap_or_default().to_owned();
    let paid = json(move_to(&app, &admin, &id, json!({ "status": "paid" })).await).await;
    let number = paid["invoice_number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(number, format!("FV/{year}/000001"));

    let response = app
        .call(
            Method::GET,
            &format!("/api/v1/orders/{id}/invoice.pdf"),
            &token,
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = response.bytes().await.unwrap_or_default();
    assert!(bytes.starts_with(b"%PDF"));
    let text = pdf_text(&bytes);
    assert!(text.contains(&number), "{text}");
    assert!(text.contains("NIP: 1234563218"), "buyer NIP: {text}");
    assert!(
        text.contains("Şirket Gıda Sp. z o.o."),
        "Turkish letters: {text}"
    );
    assert!(text.contains("Łódź"), "Polish letters: {text}");
    assert!(text.contains("Przykładowa"), "seller: {text}");

    // Every per-rate row adds up, and the rows add up to the totals printed and stored.
    let mut sums = (0, 0, 0);
    let mut rows = 0;
    for line in text.lines().filter(|l| l.contains("Stawka")) {
        let parts: Vec<&str> = line
            .split("netto")
            .nth(1)
            .unwrap_or_default()
            .split("VAT")
            .collect();
        let net = minor(parts[0].trim());
        let rest: Vec<&str> = parts[1].split("brutto").collect();
        let (vat, gross) = (minor(rest[0].trim()), minor(rest[1].trim()));
        assert_eq!(net + vat, gross, "{line}");
        sums = (sums.0 + net, sums.1 + vat, sums.2 + gross);
        rows += 1;
    }
    assert_eq!(rows, 2, "5 % and 23 %: {text}");
    assert_eq!(sums.2, total);
    assert_eq!(sums.1, paid["vat_total_minor"].as_i64().unwrap_or(-1));
    let totals = text
        .lines()
        .find(|l| l.contains("Razem"))
        .unwrap_or_else(|| panic!("no totals: {text}"));
    let printed = totals
        .split("brutto")
        .nth(1)
        .map(|t| minor(t.trim().trim_end_matches("PLN").trim()))
        .unwrap_or_default();
    assert_eq!(printed, total, "{totals}");

    // Served from the blob store the second time, byte for byte.
    let again = app
        .call(
            Method::GET,
            &format!("/api/v1/orders/{id}/invoice.pdf"),
            &admin,
            None,
        )
        .await
        .bytes()
        .await
        .unwrap_or_default();
    assert_eq!(again, bytes);
}

#[sqlx::test(migrations = "../migrations")]
async fn invoices_numbered_concurrently_have_no_gaps_and_no_duplicates(pool: PgPool) {
    let (app, butter, _) = shop(pool).await;
    let admin = admin_token(&app).await;
    sqlx::query("update products set stock = 100 where id = $1")
        .bind(butter)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut ids = Vec::new();
    for i in 0..12 {
        let token = app.customer_token(&format!("+4850020{:04}", i)).await;
        add_to_cart(&app, &token, butter, 1).await;
        let total = cart_total(&app, &token).await;
        let order = json(
            place(
                &app,
                &token,
                &json!({ "shipping_address": new_address(), "accept_terms": true, "expected_total_minor": total }),
                None,
            )
            .await,
        )
        .await;
        ids.push(order["id"].as_str().unwrap_or_default().to_owned());
    }
    // Twelve payments at once, then a repeated one that is refused and uses no number.
    let answers = futures_util::future::join_all(
        ids.iter()
            .map(|id| move_to(&app, &admin, id, json!({ "status": "paid" }))),
    )
    .await;
    assert!(answers.iter().all(|a| a.status().as_u16() == 200));
    let twice = move_to(&app, &admin, &ids[0], json!({ "status": "paid" })).await;
    assert_error_shape(twice, 409, "invalid_transition").await;
    let mut seqs: Vec<i32> = sqlx::query_scalar("select seq from invoices order by seq")
        .fetch_all(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    seqs.dedup();
    assert_eq!(seqs, (1..=12).collect::<Vec<i32>>());
}
