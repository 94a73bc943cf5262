//! Password sign-in, tokens, and the admin role on `/api/v1/admin/...`.

use base64::Engine;
use sqlx::PgPool;

use crate::helpers::{TestApp, assert_error_shape, json, spawn_app};

pub(crate) const ADMIN_EMAIL: &str = "admin@example.com";
const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub(crate) async fn create_admin(app: &TestApp) {
    app.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

async fn login(app: &TestApp) -> serde_json::Value {
    let body = serde_json::json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD });
    let response = app
        .post_json_text("/api/v1/auth/login", &body.to_string())
        .await;
    assert_eq!(response.status().as_u16(), 200);
    json(response).await
}

pub(crate) async fn admin_token(app: &TestApp) -> String {
    login(app).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn put_product(
    app: &TestApp,
    token: Option<&str>,
    sku: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .put(format!("{}/api/v1/admin/products/{sku}", app.address))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn butter(price_minor: i64) -> serde_json::Value {
    serde_json::json!({
        "slug": "maslo-extra-200g",
        "category": "nabial",
        "brand": "Łaciate",
        "price_minor": price_minor,
        "vat_rate_bp": 500,
        "net_quantity": 200,
        "net_unit": "g",
        "allergens": ["milk"],
        "storage": "chilled",
        "translations": {
            "pl": { "name": "Masło extra 82% 200 g" },
            "en": { "name": "Butter 82% 200 g" }
        }
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn login_answers_the_same_401_for_a_wrong_password_and_an_unknown_email(pool: PgPool) {
    let app = spawn_app(pool).await;
    create_admin(&app).await;
    let tokens = login(&app).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["user"]["role"], "admin");
    assert_eq!(tokens["expires_in"], 900);

    for (email, password) in [
        (ADMIN_EMAIL, "wrong password"),
        ("nobody@example.com", ADMIN_PASSWORD),
    ] {
        let body = serde_json::json!({ "email": email, "password": password });
        let response = app
            .post_json_text("/api/v1/auth/login", &body.to_string())
            .await;
        assert_error_shape(response, 401, "invalid_credentials").await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_routes_refuse_missing_expired_tampered_unsigned_and_foreign_tokens(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let good = admin_token(&app).await;
    let admin_id: uuid::Uuid = sqlx::query_scalar("select id from users where email = $1")
        .bind(ADMIN_EMAIL)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let own_key =
        domain::identity::TokenConfig::new(b"development-only-jwt-secret-change-me-0123456789");
    let now = chrono::Utc::now().timestamp();
    let (expired, _) =
        domain::identity::issue_access_token(&own_key, admin_id.into(), "admin", now - 3600)
            .unwrap_or_else(|e| panic!("{e}"));
    let foreign_key = domain::identity::TokenConfig::new(b"some-other-secret-some-other-secret!");
    let (foreign, _) =
        domain::identity::issue_access_token(&foreign_key, admin_id.into(), "admin", now)
            .unwrap_or_else(|e| panic!("{e}"));
    let mut tampered = good.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{header}.{}.", good.split('.').nth(1).unwrap_or_default());

    for token in [
        None,
        Some("garbage"),
        Some(expired.as_str()),
        Some(foreign.as_str()),
        Some(tampered.as_str()),
        Some(unsigned.as_str()),
    ] {
        let response = put_product(&app, token, "MT-0102-1", &butter(1)).await;
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..])
        );
        assert_error_shape(response, 401, "unauthorized").await;
    }
    let price: i64 =
        sqlx::query_scalar("select base_price_minor from products where sku = 'MT-0102-1'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_default();
    assert_eq!(price, 799, "nothing changed");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_gets_403_on_admin_routes(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let customer = uuid::Uuid::now_v7();
    sqlx::query("insert into users (id, phone) values ($1, '+48500100200')")
        .bind(customer)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key =
        domain::identity::TokenConfig::new(b"development-only-jwt-secret-change-me-0123456789");
    // Even a token that claims `admin` gets the role from the database.
    let (token, _) = domain::identity::issue_access_token(
        &key,
        customer.into(),
        "admin",
        chrono::Utc::now().timestamp(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_error_shape(
        put_product(&app, Some(&token), "MT-0102-1", &butter(1)).await,
        403,
        "forbidden",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family(pool: PgPool) {
    let app = spawn_app(pool).await;
    create_admin(&app).await;
    let first = login(&app).await["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refresh = |token: String| {
        let body = serde_json::json!({ "refresh_token": token }).to_string();
        let app = &app;
        async move { app.post_json_text("/api/v1/auth/refresh", &body).await }
    };
    let second = refresh(first.clone()).await;
    assert_eq!(second.status().as_u16(), 200);
    let second = json(second).await["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(second, first);

    assert_error_shape(refresh(first).await, 401, "unauthorized").await;
    assert_error_shape(refresh(second).await, 401, "unauthorized").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn logout_revokes_the_access_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let tokens = login(&app).await;
    let access = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refresh = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let response = app
        .client
        .post(format!("{}/api/v1/auth/logout", app.address))
        .bearer_auth(&access)
        .json(&serde_json::json!({ "refresh_token": refresh }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 204);
    assert_error_shape(
        put_product(&app, Some(&access), "MT-0102-1", &butter(1)).await,
        401,
        "unauthorized",
    )
    .await;
    let body = serde_json::json!({ "refresh_token": refresh }).to_string();
    assert_error_shape(
        app.post_json_text("/api/v1/auth/refresh", &body).await,
        401,
        "unauthorized",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_edit_reaches_the_storefront_at_once(pool: PgPool) {
    // Arrange: the product is in the catalog cache.
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let token = admin_token(&app).await;
    assert_eq!(
        json(app.get("/api/v1/products/maslo-extra-200g").await).await["price_minor"],
        799
    );

    // Act
    let updated = put_product(&app, Some(&token), "MT-0102-1", &butter(1049)).await;

    // Assert
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json(updated).await["result"], "updated");
    assert_eq!(
        json(app.get("/api/v1/products/maslo-extra-200g").await).await["price_minor"],
        1049
    );
    let page = app
        .get("/p/maslo-extra-200g?lang=pl")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        page.contains("10,49\u{a0}zł"),
        "the page shows the new price"
    );

    let mut new = butter(500);
    new["slug"] = "maslo-nowe-100g".into();
    let created = put_product(&app, Some(&token), "MT-NEW-9", &new).await;
    assert_eq!(created.status().as_u16(), 201);

    let bad = serde_json::json!({ "slug": "x", "category": "nabial", "price_minor": -5, "vat_rate_bp": 500, "stock": 1,
        "translations": { "pl": { "name": "X" } } });
    let error = assert_error_shape(
        put_product(&app, Some(&token), "MT-NEW-10", &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "price");

    let gone = app
        .client
        .delete(format!("{}/api/v1/admin/products/MT-NEW-9", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gone.status().as_u16(), 204);
    assert_error_shape(
        app.get("/api/v1/products/maslo-nowe-100g").await,
        404,
        "not_found",
    )
    .await;
}

async fn admin_put(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    app.client
        .put(format!("{}{path}", app.address))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_create_nest_and_reorder_categories_without_cycles(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let token = admin_token(&app).await;

    let cheese = serde_json::json!({ "parent": "nabial", "position": 1,
        "names": { "pl": "Sery", "en": "Cheese" }, "descriptions": { "en": "Hard and soft cheese" } });
    assert_eq!(
        admin_put(&app, &token, "/api/v1/admin/categories/sery", &cheese)
            .await
            .status()
            .as_u16(),
        201
    );
    let view = json(app.get("/api/v1/categories/sery?lang=en").await).await;
    assert_eq!(view["category"]["name"], "Cheese");
    assert_eq!(view["category"]["description"], "Hard and soft cheese");
    assert_eq!(view["breadcrumb"][0]["slug"], "nabial");
    let tree = json(app.get("/api/v1/categories").await).await;
    let dairy = tree
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["slug"] == "nabial")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        dairy["children"][0]["slug"], "sery",
        "the new subcategory shows at once"
    );

    // Dairy under its own child would be a cycle.
    let cycle =
        serde_json::json!({ "parent": "sery", "position": 0, "names": { "pl": "Nabiał i jaja" } });
    let error = assert_error_shape(
        admin_put(&app, &token, "/api/v1/admin/categories/nabial", &cycle).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"]["field"], "parent");
    let orphan =
        serde_json::json!({ "parent": "no-such-parent", "position": 0, "names": { "pl": "X" } });
    assert_error_shape(
        admin_put(&app, &token, "/api/v1/admin/categories/x", &orphan).await,
        404,
        "not_found",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn page_edits_keep_the_previous_version_and_faq_entries_can_be_managed(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let token = admin_token(&app).await;

    let edit = serde_json::json!({ "locale": "en", "title": "Terms", "body_md": "New **terms** <script>x()</script>" });
    assert_eq!(
        admin_put(&app, &token, "/api/v1/admin/content/pages/terms", &edit)
            .await
            .status()
            .as_u16(),
        200
    );
    let page = json(app.get("/api/v1/content/pages/terms?locale=en").await).await;
    assert_eq!(page["title"], "Terms");
    assert!(
        page["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<strong>terms</strong>")
    );
    assert!(
        !page["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("script")
    );
    let revisions = json(
        app.client
            .get(format!(
                "{}/api/v1/admin/content/pages/terms/revisions",
                app.address
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    assert_eq!(
        revisions[0]["title"], "Terms and conditions",
        "the replaced text is kept"
    );

    let id = uuid::Uuid::now_v7();
    let faq = serde_json::json!({ "position": -1, "translations": {
        "pl": { "question": "Czy dowozicie w niedzielę?", "answer_md": "Nie." },
        "en": { "question": "Do you deliver on Sundays?", "answer_md": "No." } } });
    assert_eq!(
        admin_put(
            &app,
            &token,
            &format!("/api/v1/admin/content/faq/{id}"),
            &faq
        )
        .await
        .status()
        .as_u16(),
        201
    );
    let listed = json(app.get("/api/v1/content/faq?locale=en").await).await;
    assert_eq!(
        listed[0]["question"], "Do you deliver on Sundays?",
        "position -1 sorts first"
    );

    let no_default = serde_json::json!({ "position": 0, "translations": { "en": { "question": "Q", "answer_md": "A" } } });
    assert_error_shape(
        admin_put(
            &app,
            &token,
            &format!("/api/v1/admin/content/faq/{id}"),
            &no_default,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_product_writes_name_the_bad_field_instead_of_failing(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    create_admin(&app).await;
    let token = admin_token(&app).await;
    for (field, value, expected) in [
        (
            "origin_country",
            serde_json::json!("POLAND"),
            "origin_country",
        ),
        ("qty_per_box", serde_json::json!(0), "qty_per_box"),
        ("brand", serde_json::json!("b".repeat(300)), "brand"),
        ("storage", serde_json::json!("warm"), "storage"),
        ("vat_rate_bp", serde_json::json!(12000), "vat_rate_bp"),
    ] {
        let mut body = butter(799);
        body[field] = value;
        let error = assert_error_shape(
            put_product(&app, Some(&token), "MT-0102-1", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(error["details"]["field"], expected);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn create_admin_never_promotes_a_customer_silently_or_by_an_unconfirmed_email(pool: PgPool) {
    use domain::identity::{AdminAccount, CreateAdmin, ExistingAccount, create_admin};
    let app = spawn_app(pool).await;
    let svc = app.services();
    // A customer types the operator's address into their profile.
    let token = app.customer_token("+48500700800").await;
    let typed = app
        .client
        .put(format!("{}/api/v1/me", app.address))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "email": ADMIN_EMAIL }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(typed.status().as_u16(), 200);
    let cmd = |existing| CreateAdmin {
        email: ADMIN_EMAIL.into(),
        password: ADMIN_PASSWORD.into(),
        existing,
    };
    let role = || async {
        sqlx::query_scalar::<_, String>("select role from users where phone = '+48500700800'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // Neither the operator's run nor --promote makes them an admin: the e-mail is unconfirmed.
    for existing in [ExistingAccount::SetPassword, ExistingAccount::Promote] {
        let refused = create_admin(&svc, cmd(existing)).await;
        assert!(
            matches!(refused, Err(domain::identity::Error::Conflict(_))),
            "{refused:?}"
        );
        assert_eq!(role().await, "customer");
    }
    // Confirmed, it takes --promote, and the password is set.
    sqlx::query("update users set email_verified_at = now() where phone = '+48500700800'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let without = create_admin(&svc, cmd(ExistingAccount::SetPassword)).await;
    assert!(matches!(without, Err(domain::identity::Error::Conflict(_))));
    assert_eq!(role().await, "customer");
    let promoted = create_admin(&svc, cmd(ExistingAccount::Promote)).await;
    assert!(
        matches!(promoted, Ok(AdminAccount::Promoted(_))),
        "{promoted:?}"
    );
    assert_eq!(role().await, "admin");
    login(&app).await;
    // Run again for an admin, the operator's password is set; the seed leaves it alone.
    let again = CreateAdmin {
        password: "another long password".into(),
        ..cmd(ExistingAccount::SetPassword)
    };
    assert!(matches!(
        create_admin(&svc, again).await,
        Ok(AdminAccount::PasswordSet(_))
    ));
    let seed = CreateAdmin {
        password: "the seed's own password".into(),
        ..cmd(ExistingAccount::Keep)
    };
    assert!(matches!(
        create_admin(&svc, seed).await,
        Ok(AdminAccount::Existing(_))
    ));
    let body = serde_json::json!({ "email": ADMIN_EMAIL, "password": "another long password" });
    let answer = app
        .post_json_text("/api/v1/auth/login", &body.to_string())
        .await;
    assert_eq!(answer.status().as_u16(), 200);
}
