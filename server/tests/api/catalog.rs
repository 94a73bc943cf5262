//! `/api/v1/products` and `/api/v1/quotes`.

use sqlx::PgPool;

use crate::helpers::{assert_error_shape, json, spawn_app};

#[sqlx::test(migrations = "../migrations")]
async fn products_are_paginated_and_translated(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;

    let first = json(app.get("/api/v1/products?per_page=10&lang=tr").await).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(10));
    assert_eq!(first["per_page"], 10);
    let total = first["total"].as_u64().unwrap_or_default();
    assert!(total >= 170, "total {total}");
    assert_eq!(first["total_pages"].as_u64(), Some(total.div_ceil(10)));
    assert_eq!(first["items"][0]["name"], "Süt %3,2 1 l");

    let english = json(
        app.client
            .get(format!("{}/api/v1/products?per_page=1", app.address))
            .header("accept-language", "en-GB")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    assert_eq!(english["items"][0]["name"], "Milk 3.2% 1 l");

    let last_page = total.div_ceil(10);
    let last = json(
        app.get(&format!("/api/v1/products?per_page=10&page={last_page}"))
            .await,
    )
    .await;
    let remaining = usize::try_from(total - (last_page - 1) * 10).unwrap_or_default();
    assert_eq!(last["items"].as_array().map(Vec::len), Some(remaining));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_listing_parameters_are_clear_errors(pool: PgPool) {
    let app = spawn_app(pool).await;
    assert_error_shape(
        app.get("/api/v1/products?page=abc").await,
        400,
        "invalid_query",
    )
    .await;
    let error = assert_error_shape(
        app.get("/api/v1/products?lang=de").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "lang");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_quote_adds_up_per_vat_rate(pool: PgPool) {
    // Arrange: three products at three VAT rates.
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let ids: Vec<(String, i64)> = sqlx::query_as(
        "select id::text, base_price_minor from products where sku in ('MT-0101-1', 'MT-0801-1', 'MT-0701-1') order by sku",
    )
    .fetch_all(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids.len(), 3);
    let body = serde_json::json!({
        "lines": ids.iter().map(|(id, _)| serde_json::json!({"product_id": id, "quantity": 3})).collect::<Vec<_>>()
    });
    // Act
    let quote = json(
        app.post_json_text("/api/v1/quotes", &body.to_string())
            .await,
    )
    .await;
    // Assert
    let expected_total: i64 = ids.iter().map(|(_, price)| price * 3).sum();
    assert_eq!(quote["items_total_minor"].as_i64(), Some(expected_total));
    let rows = quote["vat_breakdown"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 3);
    let gross: i64 = rows.iter().filter_map(|r| r["gross_minor"].as_i64()).sum();
    let vat: i64 = rows.iter().filter_map(|r| r["vat_minor"].as_i64()).sum();
    assert_eq!(gross, expected_total);
    assert_eq!(quote["vat_total_minor"].as_i64(), Some(vat));
    for row in &rows {
        assert_eq!(
            row["net_minor"].as_i64().unwrap_or_default()
                + row["vat_minor"].as_i64().unwrap_or_default(),
            row["gross_minor"].as_i64().unwrap_or_default()
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_quote_rejects_unknown_products_and_bad_quantities(pool: PgPool) {
    let app = spawn_app(pool).await;
    let unknown = uuid::Uuid::now_v7();
    let body = format!(r#"{{"lines": [{{"product_id": "{unknown}", "quantity": 1}}]}}"#);
    let error = assert_error_shape(
        app.post_json_text("/api/v1/quotes", &body).await,
        422,
        "unknown_product",
    )
    .await;
    assert_eq!(error["details"]["product_ids"][0], unknown.to_string());

    let body = format!(r#"{{"lines": [{{"product_id": "{unknown}", "quantity": 0}}]}}"#);
    assert_error_shape(
        app.post_json_text("/api/v1/quotes", &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_error_shape(
        app.post_json_text("/api/v1/quotes", r#"{"lines": []}"#)
            .await,
        422,
        "validation_failed",
    )
    .await;
}
