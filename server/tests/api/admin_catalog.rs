//! Admin catalog management: product pictures through the API and the editor, and the
//! browser product form.

use std::io::Cursor;

use reqwest::Method;
use sqlx::PgPool;

use crate::admin_pages::{create_admin, session_cookie, sign_in};
use crate::helpers::{TestApp, assert_error_shape, json, spawn_app};

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

async fn upload(
    app: &TestApp,
    token: &str,
    sku: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("picture")
        .mime_str(mime)
        .unwrap_or_else(|e| panic!("{e}"));
    app.client
        .post(format!(
            "{}/api/v1/admin/products/{sku}/images",
            app.address
        ))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("image", part))
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_upload_checked_product_pictures_that_the_shop_shows(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    crate::auth::create_admin(&app).await;
    let token = crate::auth::admin_token(&app).await;

    let response = upload(&app, &token, "MT-0102-1", "image/png", png(2400, 1200)).await;
    assert_eq!(response.status().as_u16(), 201);
    let image = json(response).await;
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(1200), Some(600))
    );
    assert_eq!(image["position"], 1, "after the demo picture");
    let url = image["url"].as_str().unwrap_or_default().to_owned();
    let served = app.get(&url).await;
    assert_eq!(
        served
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    let product = json(app.get("/api/v1/products/maslo-extra-200g").await).await;
    assert!(
        product.to_string().contains(&url),
        "the storefront shows it: {product}"
    );

    for (mime, bytes, reason) in [
        (
            "image/png",
            b"GIF89a\x01\x00\x01\x00\x00\x00".to_vec(),
            "GIF",
        ),
        ("image/jpeg", b"<?php echo 1; ?>".to_vec(), "PHP"),
        ("application/pdf", b"%PDF-1.7".to_vec(), "application/pdf"),
    ] {
        let error = assert_error_shape(
            upload(&app, &token, "MT-0102-1", mime, bytes).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(reason),
            "{error}"
        );
    }
    assert_error_shape(
        upload(&app, &token, "NO-SUCH-SKU", "image/png", png(10, 10)).await,
        404,
        "not_found",
    )
    .await;
    let customer = app.customer_token("+48500100200").await;
    assert_error_shape(
        upload(&app, &customer, "MT-0102-1", "image/png", png(10, 10)).await,
        403,
        "forbidden",
    )
    .await;

    let list = json(
        app.call(
            Method::GET,
            "/api/v1/admin/products/MT-0102-1/images",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "refused uploads stored nothing"
    );
    let id = image["id"].as_str().unwrap_or_default();
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/admin/products/MT-0102-1/images/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(app.get(&url).await.status().as_u16(), 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_browser_editor_creates_a_product_and_refuses_bad_fields(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let cookie = session_cookie(&sign_in(&app, "a long enough password", None).await)
        .unwrap_or_else(|| panic!("no session"));
    let save = |fields: Vec<(&'static str, &'static str)>| {
        app.client
            .post(format!("{}/sf/admin/save_product", app.address))
            .header("cookie", &cookie)
            .header("accept", "application/json")
            .form(&fields)
            .send()
    };
    let mut fields = vec![
        ("sku", "MT-NEW-1"),
        ("slug", "ayran-domowy-250ml"),
        ("category", "nabial"),
        ("brand", "Sütaş"),
        ("price", "4,49"),
        ("individual_price", ""),
        ("corporate_price", "3,99"),
        ("vat_rate", "5"),
        ("stock", "40"),
        ("min_qty_individual", "1"),
        ("min_qty_corporate", "6"),
        ("qty_per_box", "12"),
        ("net_quantity", "250"),
        ("net_unit", "ml"),
        ("origin_country", "tr"),
        ("storage", "chilled"),
        ("allergens", "milk"),
        ("badges", "halal"),
        ("active", "on"),
        ("name_pl", "Ayran 250 ml"),
        ("name_en", "Ayran 250 ml"),
        ("name_tr", "Ayran 250 ml"),
        ("description_pl", "Napój **jogurtowy**."),
        ("description_en", ""),
        ("description_tr", ""),
    ];
    let response = save(fields.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        response.text().await.unwrap_or_default()
    );
    let product = json(app.get("/api/v1/products/ayran-domowy-250ml?lang=tr").await).await;
    assert_eq!(product["price_minor"], 449, "{product}");
    assert_eq!(product["vat_rate_bp"], 500);
    assert_eq!(product["origin_country"], "TR");

    // A bad price names the field and stores nothing.
    fields[4] = ("price", "cztery");
    fields[0] = ("sku", "MT-NEW-2");
    fields[1] = ("slug", "ayran-bad");
    let response = save(fields.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.status().as_u16(),
        422,
        "a caller's mistake, not a server error"
    );
    let body = response.text().await.unwrap_or_default();
    assert!(body.contains("price"), "{body}");
    let stored: i64 = sqlx::query_scalar("select count(*) from products where sku = 'MT-NEW-2'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, 0);

    // Without a session the editor refuses.
    let anonymous = app
        .client
        .post(format!("{}/sf/admin/save_product", app.address))
        .header("accept", "application/json")
        .form(&fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status().as_u16(), 401);
}

async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .form(fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn the_browser_admin_manages_categories_and_faq(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let cookie = session_cookie(&sign_in(&app, "a long enough password", None).await)
        .unwrap_or_else(|| panic!("no session"));
    let category = |slug: &'static str, parent: &'static str, position: &'static str| {
        vec![
            ("slug", slug),
            ("parent", parent),
            ("position", position),
            ("name_pl", "Sery żółte"),
            ("name_en", "Hard cheese"),
            ("name_tr", "Sarı peynir"),
            ("description_pl", ""),
            ("description_en", ""),
            ("description_tr", ""),
        ]
    };
    let saved = post_form(
        &app,
        &cookie,
        "/sf/admin/save_category",
        &category("sery-zolte", "nabial", "5"),
    )
    .await;
    assert!(saved.status().is_success(), "{}", saved.status());
    let view = json(app.get("/api/v1/categories/sery-zolte?lang=en").await).await;
    assert_eq!(view["category"]["name"], "Hard cheese", "{view}");
    assert_eq!(view["breadcrumb"][0]["slug"], "nabial");
    // Making a category its own grandparent is refused.
    let cycle = post_form(
        &app,
        &cookie,
        "/sf/admin/save_category",
        &category("nabial", "sery-zolte", "0"),
    )
    .await;
    assert_eq!(cycle.status().as_u16(), 422);
    let bad = post_form(
        &app,
        &cookie,
        "/sf/admin/save_category",
        &category("Not A Slug", "", "x"),
    )
    .await;
    assert_eq!(bad.status().as_u16(), 422);

    let faq = |id: &'static str, position: &'static str, published: bool| {
        let mut fields = vec![
            ("id", id),
            ("position", position),
            ("question_pl", "Czy dowozicie w niedzielę?"),
            ("answer_pl", "Tak, **w Warszawie**."),
            ("question_en", "Do you deliver on Sundays?"),
            ("answer_en", "Yes, **in Warsaw**."),
            ("question_tr", ""),
            ("answer_tr", ""),
        ];
        if published {
            fields.push(("published", "on"));
        }
        fields
    };
    let created = post_form(&app, &cookie, "/sf/admin/save_faq", &faq("", "0", false)).await;
    assert!(created.status().is_success());
    let public = json(app.get("/api/v1/content/faq?locale=en").await).await;
    assert!(
        !public.to_string().contains("Sundays"),
        "a draft is not public"
    );
    let id: uuid::Uuid = sqlx::query_scalar(
        "select faq_id from faq_translations where question = 'Do you deliver on Sundays?'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let id_text: &'static str = Box::leak(id.to_string().into_boxed_str());
    let published = post_form(
        &app,
        &cookie,
        "/sf/admin/save_faq",
        &faq(id_text, "1000", true),
    )
    .await;
    assert!(published.status().is_success());
    let public = json(app.get("/api/v1/content/faq?locale=en").await).await;
    let last = public
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert!(
        last.to_string().contains("Sundays"),
        "published, and last by position: {public}"
    );
    let deleted = post_form(&app, &cookie, "/sf/admin/delete_faq", &[("id", id_text)]).await;
    assert!(deleted.status().is_success());
    let anonymous = app
        .client
        .post(format!("{}/sf/admin/save_faq", app.address))
        .header("accept", "application/json")
        .form(&faq("", "1", true))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status().as_u16(), 401);
}
