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

async fn names(app: &crate::helpers::TestApp, path: &str) -> Vec<String> {
    let body = json(app.get(path).await).await;
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn items(app: &crate::helpers::TestApp, path: &str) -> Vec<serde_json::Value> {
    json(app.get(path).await).await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[sqlx::test(migrations = "../migrations")]
async fn listing_filters_by_category_price_brand_and_stock(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;

    let dairy = items(&app, "/api/v1/products?category=nabial&per_page=100").await;
    assert_eq!(dairy.len(), 18, "9 dairy items in 2 sizes");

    let cheap = items(
        &app,
        "/api/v1/products?min_price=300&max_price=400&per_page=100",
    )
    .await;
    assert!(!cheap.is_empty());
    assert!(
        cheap
            .iter()
            .all(|p| (300..=400).contains(&p["price_minor"].as_i64().unwrap_or(-1)))
    );

    let wedel = items(&app, "/api/v1/products?brand=wedel&per_page=100").await;
    assert_eq!(wedel.len(), 4);
    assert!(wedel.iter().all(|p| p["brand"] == "Wedel"));

    let all = json(app.get("/api/v1/products?per_page=1").await).await["total"]
        .as_u64()
        .unwrap_or(0);
    let in_stock = json(app.get("/api/v1/products?per_page=100&in_stock=true").await).await;
    let stocked = in_stock["total"].as_u64().unwrap_or(0);
    assert!(stocked < all, "some demo products are sold out");
    assert!(
        in_stock["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|p| p["stock"].as_i64() > Some(0))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn listing_sorts_by_price_and_name(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let prices = |items: Vec<serde_json::Value>| {
        items
            .iter()
            .filter_map(|p| p["price_minor"].as_i64())
            .collect::<Vec<_>>()
    };

    let up = prices(items(&app, "/api/v1/products?sort=price_asc&per_page=100").await);
    assert!(up.windows(2).all(|w| w[0] <= w[1]));
    let down = prices(items(&app, "/api/v1/products?sort=price_desc&per_page=100").await);
    assert!(down.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(
        down.first(),
        Some(&20000),
        "the 200 zł gift card is the dearest"
    );

    let by_name = names(
        &app,
        "/api/v1/products?sort=name&lang=en&per_page=100&category=napoje",
    )
    .await;
    let mut sorted = by_name.clone();
    sorted.sort();
    assert_eq!(by_name, sorted);
}

#[sqlx::test(migrations = "../migrations")]
async fn pagination_boundaries_and_bad_parameters(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let beyond = json(app.get("/api/v1/products?page=999").await).await;
    assert_eq!(beyond["items"].as_array().map(Vec::len), Some(0));

    for (path, field) in [
        ("/api/v1/products?per_page=101", "per_page"),
        ("/api/v1/products?per_page=0", "per_page"),
        ("/api/v1/products?page=0", "page"),
        ("/api/v1/products?min_price=-1", "min_price"),
        ("/api/v1/products?sort=cheapest", "sort"),
        ("/api/v1/products?category=Not%20A%20Slug", "category"),
        ("/api/v1/search", "q"),
    ] {
        let error = assert_error_shape(app.get(path).await, 400, "invalid_parameter").await;
        assert_eq!(error["details"]["field"], field, "{path}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn search_is_full_text_diacritic_folding_and_typo_tolerant(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;

    // Full text in Polish, by brand, and folded: "maslo" finds "Masło", "laciate" "Łaciate".
    assert!(
        names(&app, "/api/v1/search?q=maslo")
            .await
            .iter()
            .all(|n| n.starts_with("Masło"))
    );
    assert_eq!(names(&app, "/api/v1/search?q=laciate").await.len(), 2);
    // English stems: "apples" finds the Ligol apples.
    assert!(
        names(&app, "/api/v1/search?q=apples&lang=en")
            .await
            .iter()
            .any(|n| n.contains("Ligol"))
    );
    // Turkish folding: "sut" finds "Süt".
    assert!(
        names(&app, "/api/v1/search?q=sut&lang=tr")
            .await
            .iter()
            .any(|n| n.starts_with("Süt"))
    );
    // By category name: "napoje" (drinks) finds drinks.
    assert!(!names(&app, "/api/v1/search?q=napoje").await.is_empty());
    // A typo falls back to trigram similarity.
    assert!(
        names(&app, "/api/v1/search?q=mlekko")
            .await
            .iter()
            .any(|n| n.starts_with("Mleko"))
    );
    // Nothing matches nonsense.
    assert!(names(&app, "/api/v1/search?q=qqqxxxzzz").await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn search_text_with_sql_or_html_is_just_text(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    for q in [
        "'; drop table products; --",
        "<script>alert(1)</script>",
        "a & b | !c",
        "\"unbalanced",
        "%_\\",
    ] {
        let response = app
            .client
            .get(format!("{}/api/v1/search", app.address))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status().as_u16(), 200, "{q}");
    }
    let count: i64 = sqlx::query_scalar("select count(*) from products")
        .fetch_one(&app.db)
        .await
        .unwrap_or_default();
    assert!(count > 0, "the products table is still there");
}

#[sqlx::test(migrations = "../migrations")]
async fn categories_form_a_tree_and_unknown_slugs_are_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let tree = json(app.get("/api/v1/categories?lang=en").await).await;
    let roots = tree.as_array().cloned().unwrap_or_default();
    assert_eq!(roots.len(), 13);
    assert_eq!(roots[0]["name"], "Dairy and eggs");

    let dairy = json(app.get("/api/v1/categories/nabial?lang=tr").await).await;
    assert_eq!(dairy["category"]["name"], "Süt ürünleri ve yumurta");
    assert_eq!(dairy["breadcrumb"].as_array().map(Vec::len), Some(1));

    assert_error_shape(
        app.get("/api/v1/categories/no-such-category").await,
        404,
        "not_found",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_product_is_found_by_slug_or_id_with_its_details(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let by_slug = json(app.get("/api/v1/products/maslo-extra-200g?lang=en").await).await;
    assert_eq!(by_slug["name"], "Butter 82% 200 g");
    assert_eq!(by_slug["allergens"][0], "milk");
    assert_eq!(by_slug["storage"], "chilled");
    assert_eq!(by_slug["breadcrumb"][0]["slug"], "nabial");
    assert_eq!(by_slug["min_qty"], 1);
    assert!(
        by_slug["images"][0]
            .as_str()
            .is_some_and(|i| i.ends_with(".svg"))
    );

    let id = by_slug["id"].as_str().unwrap_or_default();
    let by_id = json(app.get(&format!("/api/v1/products/{id}")).await).await;
    assert_eq!(by_id["slug"], "maslo-extra-200g");

    assert_error_shape(
        app.get("/api/v1/products/no-such-product").await,
        404,
        "not_found",
    )
    .await;
    let unknown_id = uuid::Uuid::now_v7();
    assert_error_shape(
        app.get(&format!("/api/v1/products/{unknown_id}")).await,
        404,
        "not_found",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn content_api_serves_faq_and_pages_with_fallback(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let faq = json(app.get("/api/v1/content/faq?locale=en").await).await;
    assert_eq!(faq.as_array().map(Vec::len), Some(6));
    assert_eq!(faq[0]["question"], "How fast do you deliver?");

    let page = json(app.get("/api/v1/content/pages/terms?locale=tr").await).await;
    assert_eq!(page["title"], "Şartlar ve koşullar");
    assert_eq!(page["locale"], "tr");
    assert!(page["updated_at"].as_str().is_some());

    assert_error_shape(
        app.get("/api/v1/content/pages/nope").await,
        404,
        "not_found",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn catalog_reads_are_cached_until_a_write_invalidates_them_in_every_process(pool: PgPool) {
    // Arrange: a warm cache.
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let price = |body: serde_json::Value| body["price_minor"].as_i64();
    let path = "/api/v1/products/maslo-extra-200g";
    assert_eq!(price(json(app.get(path).await).await), Some(799));

    // A write that bypasses the catalog service is not seen while the entry lives.
    sqlx::query("update products set base_price_minor = 899 where slug = 'maslo-extra-200g'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        price(json(app.get(path).await).await),
        Some(799),
        "served from the cache"
    );

    // Act: another process (its own Services, same Redis prefix) announces a catalog write.
    let other = app.services();
    domain::catalog::invalidate_catalog(&other).await;

    // Assert: the running app drops its cache through Redis pub/sub.
    let mut seen = None;
    for _ in 0..50 {
        seen = price(json(app.get(path).await).await);
        if seen == Some(899) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, Some(899));
}

#[sqlx::test(migrations = "../migrations")]
async fn suggestions_complete_word_prefixes_with_folded_diacritics(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let suggestions = json(app.get("/api/v1/search/suggest?q=mas&lang=pl").await).await;
    let names: Vec<&str> = suggestions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("Masło")), "{names:?}");
    assert!(names.len() <= 8);
    let hostile = json(
        app.get("/api/v1/search/suggest?q=%27%29%3B%20drop%20table%20products%3B%20--")
            .await,
    )
    .await;
    assert!(hostile.is_array());
    assert_eq!(
        json(app.get("/api/v1/search/suggest?q=").await).await,
        serde_json::json!([])
    );
}
