//! Stock edits by admins (API, CSV, the admin page) never overwrite what checkouts took.

use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error_shape, json, spawn_app};
use crate::orders::place_cart_order;

const BUTTER: &str = "MT-0102-1";

async fn stock(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i32>("select stock from products where sku = $1")
        .bind(BUTTER)
        .fetch_one(&app.db)
        .await
        .map(i64::from)
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn butter_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar("select id from products where sku = $1")
        .bind(BUTTER)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A shop whose butter had exactly 10 units, 2 of them then taken by an unpaid order.
async fn shop_with_an_open_order(pool: PgPool) -> TestApp {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    sqlx::query("update products set stock = 10 where sku = $1")
        .bind(BUTTER)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let customer = app.customer_token("+48500100200").await;
    place_cart_order(&app, &customer, butter_id(&app).await, 2).await;
    assert_eq!(stock(&app).await, 8, "the order holds 2");
    app
}

#[sqlx::test(migrations = "../migrations")]
async fn api_stock_edits_are_changes_counts_or_checked_replacements(pool: PgPool) {
    // Arrange: the admin read 10; a checkout took 2 since.
    let app = shop_with_an_open_order(pool).await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    let path = format!("/api/v1/admin/products/{BUTTER}/stock");
    let edit = |body: serde_json::Value| {
        let app = &app;
        let admin = &admin;
        let path = &path;
        async move { app.call(Method::POST, path, admin, Some(&body)).await }
    };

    // Act and assert: saving 15 over the 10 seen is stale, and says what it is now.
    let stale = edit(json!({ "set": 15, "expected": 10 })).await;
    let body = assert_error_shape(stale, 409, "stock_changed").await;
    assert_eq!(body["details"]["current"], 8, "{body}");
    assert_eq!(stock(&app).await, 8, "nothing saved");

    // A delivery adds to what is there.
    let added = json(edit(json!({ "change": 5 })).await).await;
    assert_eq!(added["stock"], 13, "{added}");
    // 20 counted on the shelf include the 2 units of the open order.
    let counted = json(edit(json!({ "counted": 20 })).await).await;
    assert_eq!(
        (counted["stock"].as_i64(), counted["held"].as_i64()),
        (Some(18), Some(2))
    );
    // A count below what open orders hold, a change below zero and a malformed edit change
    // nothing.
    assert_error_shape(
        edit(json!({ "counted": 1 })).await,
        422,
        "validation_failed",
    )
    .await;
    assert_error_shape(
        edit(json!({ "change": -19 })).await,
        422,
        "validation_failed",
    )
    .await;
    assert_error_shape(
        edit(json!({ "change": 1, "counted": 2 })).await,
        422,
        "validation_failed",
    )
    .await;
    assert_error_shape(edit(json!({ "set": 3 })).await, 422, "validation_failed").await;
    assert_eq!(stock(&app).await, 18);
    // A fresh replacement is saved; the same one twice is not a conflict.
    assert_eq!(
        json(edit(json!({ "set": 7, "expected": 18 })).await).await["stock"],
        7
    );
    assert_eq!(
        json(edit(json!({ "set": 7, "expected": 18 })).await).await["stock"],
        7
    );
    let unknown = app
        .call(
            Method::POST,
            "/api/v1/admin/products/NO-SUCH/stock",
            &admin,
            Some(&json!({ "change": 1 })),
        )
        .await;
    assert_error_shape(unknown, 404, "not_found").await;

    // The product PUT changes stock only against `expected_stock`.
    let mut product = crate::auth::butter(799);
    product["stock"] = json!(30);
    let put = |body: serde_json::Value| {
        let app = &app;
        let admin = &admin;
        async move {
            app.call(
                Method::PUT,
                &format!("/api/v1/admin/products/{BUTTER}"),
                admin,
                Some(&body),
            )
            .await
        }
    };
    let body = assert_error_shape(put(product.clone()).await, 409, "stock_changed").await;
    assert_eq!(body["details"]["current"], 7);
    product["expected_stock"] = json!(7);
    assert_eq!(put(product.clone()).await.status().as_u16(), 200);
    assert_eq!(stock(&app).await, 30);
    // Without `stock` the PUT keeps it.
    let mut without = product.clone();
    without.as_object_mut().map(|o| {
        o.remove("stock");
        o.remove("expected_stock")
    });
    assert_eq!(put(without).await.status().as_u16(), 200);
    assert_eq!(stock(&app).await, 30);

    // The storefront and the Redis gate sell the saved stock: 30 more units, not 31.
    let customer = app.customer_token("+48500100201").await;
    crate::orders::add_to_cart(&app, &customer, butter_id(&app).await, 30).await;
    let total = crate::orders::cart_total(&app, &customer).await;
    let placed = crate::orders::place(
        &app,
        &customer,
        &json!({
            "shipping_address": { "recipient_name": "Anna Nowak", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
            "accept_terms": true, "expected_total_minor": total
        }),
        None,
    )
    .await;
    assert_eq!(placed.status().as_u16(), 201);
    assert_eq!(stock(&app).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_csv_count_subtracts_open_orders_and_signed_cells_are_changes(pool: PgPool) {
    // Arrange
    let app = shop_with_an_open_order(pool).await;
    let file = std::env::temp_dir().join(format!("stock-{}.csv", Uuid::now_v7()));
    let import = |cell: &str| {
        let csv = format!(
            "sku,slug,category,name_pl,price,vat_rate,stock\n\
             {BUTTER},maslo-extra-200g,nabial,Masło extra 82% 200 g,7.99,5,{cell}\n"
        );
        std::fs::write(&file, csv).unwrap_or_else(|e| panic!("{e}"));
        let services = app.services();
        let file = file.clone();
        async move {
            server::import::import_products(&services, &file, false)
                .await
                .unwrap_or_else(|e| panic!("{e:#}"))
        }
    };

    // Act and assert: 12 on the shelf, 2 of them the open order's.
    let report = import("12").await;
    assert_eq!(report.updated, 1, "{report:?}");
    assert_eq!(stock(&app).await, 10);
    // A delivery of 6, then 3 broken.
    import("+6").await;
    assert_eq!(stock(&app).await, 16);
    import("-3").await;
    assert_eq!(stock(&app).await, 13);
    // Fewer counted than open orders hold: the row is refused and nothing changes.
    let report = import("1").await;
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert!(report.rejected[0].1.starts_with("stock:"), "{report:?}");
    assert_eq!(stock(&app).await, 13);
    let _ = std::fs::remove_file(&file);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_admin_page_refuses_a_stock_saved_over_a_stale_value(pool: PgPool) {
    // Arrange: the page showed 10; a checkout took 2 since.
    let app = shop_with_an_open_order(pool).await;
    crate::admin_pages::create_admin(&app).await;
    let cookie = crate::admin_pages::session_cookie(
        &crate::admin_pages::sign_in(&app, "a long enough password", None).await,
    )
    .unwrap_or_else(|| panic!("no session"));
    let save = |fields: Vec<(&'static str, &'static str)>| {
        app.client
            .post(format!("{}/sf/admin/update_product", app.address))
            .header("cookie", &cookie)
            .header("accept", "application/json")
            .form(&fields)
            .send()
    };
    let form = |stock: &'static str, seen: &'static str, mode: &'static str| {
        vec![
            ("sku", BUTTER),
            ("price", "7,99"),
            ("stock", stock),
            ("stock_seen", seen),
            ("stock_mode", mode),
        ]
    };

    // Act and assert
    let stale = save(form("15", "10", "set"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stale.status().as_u16(), 422);
    let message = stale.text().await.unwrap_or_default();
    assert!(message.contains("changed to 8"), "{message}");
    assert_eq!(stock(&app).await, 8, "nothing saved");

    let fresh = save(form("15", "8", "set"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fresh.status().is_success(), "{}", fresh.status());
    assert_eq!(stock(&app).await, 15);
    let counted = save(form("20", "15", "counted"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(counted.status().is_success());
    assert_eq!(stock(&app).await, 18, "2 of the 20 are the open order's");
    let change = save(form("-3", "18", "change"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(change.status().is_success());
    assert_eq!(stock(&app).await, 15);
}
