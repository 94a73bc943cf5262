//! Server-rendered pages.

use sqlx::PgPool;

use crate::helpers::spawn_app;

#[sqlx::test(migrations = "../migrations")]
async fn home_page_lists_seeded_products_in_polish_by_default(pool: PgPool) {
    // Arrange
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    // Act
    let response = app.get("/").await;
    // Assert
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains(r#"<html lang="pl""#), "default locale is pl");
    assert!(
        html.contains("Mleko 3,2% 1 l"),
        "a seeded product is listed"
    );
    assert!(
        html.contains("4,29\u{a0}zł"),
        "its price is written the Polish way"
    );
    assert!(html.contains(r#"<main id="main""#), "main landmark");
    assert!(html.contains(r#"role="search""#), "search landmark");
    assert!(html.contains("/pkg/metropolitan.js"), "hydration script");
    assert!(html.contains("Strona 1 z 9"), "pager");
}

#[sqlx::test(migrations = "../migrations")]
async fn home_page_follows_lang_query_then_cookie_then_accept_language(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;

    let english = app.get("/?lang=en").await;
    let cookie = english.headers()["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    let html = english.text().await.unwrap_or_default();
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Milk 3.2% 1 l"));
    assert!(html.contains("PLN\u{a0}4.29"));

    let by_cookie = app
        .client
        .get(format!("{}/", app.address))
        .header("cookie", "lang=tr")
        .header("accept-language", "en")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        by_cookie.headers().get("set-cookie").is_none(),
        "only an explicit choice sets the cookie"
    );
    let html = by_cookie.text().await.unwrap_or_default();
    assert!(html.contains(r#"<html lang="tr""#));
    assert!(html.contains("Süt %3,2 1 l"));

    let by_header = app
        .client
        .get(format!("{}/", app.address))
        .header("accept-language", "de-DE, en;q=0.8")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        by_header
            .text()
            .await
            .unwrap_or_default()
            .contains(r#"<html lang="en""#)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn home_page_without_products_says_so(pool: PgPool) {
    let app = spawn_app(pool).await;
    let html = app.get("/?lang=en").await.text().await.unwrap_or_default();
    assert!(html.contains("No products yet."));
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_page_is_a_404_html_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = app.get("/no/such/page?lang=en").await;
    assert_eq!(response.status().as_u16(), 404);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("<header"), "the 404 page keeps the layout");
}

#[sqlx::test(migrations = "../migrations")]
async fn seeded_images_are_served_from_the_upload_folder_with_a_sandbox_csp(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let products: serde_json::Value = app
        .get("/api/v1/products?per_page=1")
        .await
        .json()
        .await
        .unwrap_or_default();
    let image = products["items"][0]["image_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(image.starts_with("/media/demo/"), "{image}");
    let response = app.get(&image).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .contains("sandbox")
    );
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .starts_with("<svg")
    );
    let response = app.get("/media/../Cargo.toml").await;
    assert_ne!(
        response.status().as_u16(),
        200,
        "no path traversal out of the upload folder"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn category_page_lists_its_products_with_breadcrumb_and_filters(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let response = app
        .get("/c/nabial?lang=en&sort=price_asc&in_stock=on")
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("<h1>Dairy and eggs</h1>"), "{html}");
    assert!(html.contains(r#"aria-label="Breadcrumb""#));
    assert!(html.contains("Butter 82% 100 g"));
    assert!(!html.contains("Sourdough rye bread"), "only dairy");
    assert!(
        html.contains(r#"<option value="price_asc" selected"#),
        "the form keeps the sort"
    );
    assert!(
        html.contains(r#"name="in_stock" checked"#),
        "the form keeps the stock filter"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_category_and_product_pages_are_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    for path in ["/c/no-such-category?lang=en", "/p/no-such-product?lang=en"] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 404, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap_or_default()
                .contains("Page not found")
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn product_page_shows_price_stock_and_food_details(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let response = app.get("/p/maslo-extra-200g?lang=pl").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("<h1>Masło extra 82% 200 g</h1>"));
    assert!(html.contains("7,99\u{a0}zł"));
    assert!(html.contains("Alergeny"));
    assert!(html.contains("mleko"), "allergens named in Polish");
    assert!(html.contains("w lodówce"), "storage condition");
    assert!(
        html.contains(r#"href="/c/nabial""#),
        "breadcrumb to the category"
    );
    assert!(html.contains("Z tej samej kategorii"), "related products");
}

#[sqlx::test(migrations = "../migrations")]
async fn search_page_finds_products_and_never_echoes_markup(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let html = app
        .get("/search?q=maslo&lang=pl")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(html.contains("Masło extra 82% 200 g"));

    let hostile = app
        .client
        .get(format!("{}/search", app.address))
        .query(&[("q", "<script>alert('x')</script>")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hostile.status().as_u16(), 200);
    let html = hostile.text().await.unwrap_or_default();
    assert!(!html.contains("<script>alert"), "the query is escaped");

    let bad = app
        .get("/search?q=ser&min_price=abc&lang=en")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        bad.contains("Check the filters: min_price"),
        "a readable message on the page"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn faq_terms_and_pages_render_in_the_requested_language(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let faq = app
        .get("/faq?lang=tr")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        faq.contains("Siparişler ne kadar sürede teslim edilir?"),
        "{faq}"
    );
    assert!(faq.contains("<strong>14:00</strong>"), "markdown rendered");

    let terms = app.get("/terms?lang=en").await;
    assert_eq!(terms.status().as_u16(), 200);
    let html = terms.text().await.unwrap_or_default();
    assert!(html.contains("<h1>Terms and conditions</h1>"));
    assert!(html.contains("Last changed:"));

    assert_eq!(
        app.get("/pages/privacy?lang=pl").await.status().as_u16(),
        200
    );
    assert_eq!(app.get("/pages/no-such-page").await.status().as_u16(), 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn content_markdown_never_renders_scripts(pool: PgPool) {
    let app = spawn_app(pool).await;
    sqlx::query("insert into content_pages (id, slug) values ('01960000-0000-7000-8000-0000000000aa', 'evil')")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(
        "insert into content_page_translations (page_id, locale, title, body_md) \
         values ('01960000-0000-7000-8000-0000000000aa', 'pl', 'Evil', 'hi <script>alert(1)</script> <a href=\"javascript:x()\">x</a>')",
    )
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let html = app
        .get("/pages/evil")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(!html.contains("alert(1)"), "{html}");
    assert!(!html.contains("javascript:x"));
    let api = crate::helpers::json(app.get("/api/v1/content/pages/evil").await).await;
    assert!(
        !api["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<script")
    );
}
