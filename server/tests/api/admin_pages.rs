//! Browser sign-in and the admin product page.

use sqlx::PgPool;

use crate::helpers::{TestApp, spawn_app};

pub(crate) async fn create_admin(app: &TestApp) {
    app.create_admin("boss@example.com", "a long enough password")
        .await;
}

pub(crate) async fn sign_in(
    app: &TestApp,
    password: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/sf/identity/sign_in", app.address))
        // What a browser sends when it submits the form without JavaScript.
        .header("accept", "text/html,application/xhtml+xml")
        .form(&[("email", "boss@example.com"), ("password", password)]);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("metropolitan_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_signs_in_and_sees_the_product_list_with_a_fresh_http_only_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;

    let response = sign_in(&app, "a long enough password", None).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers().get("location").map(|v| v.as_bytes()),
        Some(&b"/admin/products"[..])
    );
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = session_cookie(&response).unwrap_or_else(|| panic!("no session cookie"));

    let page = app
        .client
        .get(format!("{}/admin/products?q=maslo&lang=en", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("MT-0102-1"), "{page}");
}

#[sqlx::test(migrations = "../migrations")]
async fn guests_and_wrong_passwords_get_no_admin_access(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;

    let wrong = sign_in(&app, "not the password", None).await;
    assert!(session_cookie(&wrong).is_none() || !wrong.status().is_redirection());

    let page = app
        .get("/admin/products?lang=en")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("This page is for admins only."), "{page}");
    assert!(!page.contains("MT-0102-1"));

    // The server function itself refuses too, not only the page.
    let update = app
        .client
        .post(format!("{}/sf/admin/update_product", app.address))
        .header("accept", "application/json")
        .form(&[("sku", "MT-0102-1"), ("price", "0,01"), ("stock", "0")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !update.status().is_success()
            || update
                .text()
                .await
                .unwrap_or_default()
                .contains("Unauthorized")
    );
    let price: i64 =
        sqlx::query_scalar("select base_price_minor from products where sku = 'MT-0102-1'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_default();
    assert_eq!(price, 799, "nothing changed");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cross_origin_sign_in_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    create_admin(&app).await;
    let response = sign_in(&app, "a long enough password", Some("https://evil.example")).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(session_cookie(&response).is_none());
}

#[sqlx::test(migrations = "../migrations")]
async fn the_content_admin_lists_pages_and_opens_one_for_editing(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let guest = app
        .get("/admin/content?lang=en")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(guest.contains("This page is for admins only."));

    let response = sign_in(&app, "a long enough password", None).await;
    let cookie = session_cookie(&response).unwrap_or_else(|| panic!("no session cookie"));
    let page = app
        .client
        .get(format!(
            "{}/admin/content?page=terms&edit_lang=en&lang=en",
            app.address
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("/pages/privacy"), "the list shows every page");
    assert!(
        page.contains(r#"value="Terms and conditions""#),
        "the editor holds the English title"
    );
    assert!(page.contains("## 1. General"), "and the markdown source");
}
