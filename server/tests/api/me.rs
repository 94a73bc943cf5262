//! `/api/v1/me`: profile completion with the VAT register fake, profile edits, addresses,
//! photos, phone change, export and deletion, and that nobody reaches another's data.

use std::io::Cursor;

use reqwest::Method;
use sqlx::PgPool;

use crate::helpers::{
    Fake, Recorded, TestApp, assert_error_shape, json, spawn_app, spawn_app_with,
};

const PHONE: &str = "+48500100200";
const OTHER: &str = "+48600100200";

/// The VAT register as the Ministry answers: an active company, an exempt one, an
/// unknown NIP, and one that never answers in time.
fn white_list(request: &Recorded) -> (u16, String) {
    let nip = request
        .uri
        .trim_start_matches("/api/search/nip/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let subject = |name: &str, status: &str| {
        serde_json::json!({
            "result": {
                "subject": {
                    "name": name,
                    "nip": nip,
                    "statusVat": status,
                    "regon": "012345678",
                    "workingAddress": "PROSTA 49, 00-838 WARSZAWA",
                    "residenceAddress": null
                },
                "requestId": "abc-123",
                "requestDateTime": "26-11-2026 10:00:00"
            }
        })
        .to_string()
    };
    match nip.as_str() {
        "5261040828" => (200, subject("HURTOWNIA SPOŻYWCZA SP. Z O.O.", "Czynny")),
        "7740001454" => (200, subject("ZWOLNIONA FIRMA", "Zwolniony")),
        "1234563218" => (0, String::new()),
        _ => (
            200,
            r#"{"result": {"subject": null, "requestId": "x"}}"#.to_owned(),
        ),
    }
}

pub(crate) async fn app_with_register(pool: PgPool) -> (TestApp, Fake) {
    let register = Fake::start(white_list).await;
    let app = spawn_app_with(
        pool,
        &[
            ("VAT_REGISTRY_URL", register.url.as_str()),
            ("VAT_REGISTRY_TIMEOUT_MS", "300"),
        ],
    )
    .await;
    (app, register)
}

async fn new_account(app: &TestApp, phone: &str) -> String {
    app.sign_in_by_phone(phone, None).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Completes the profile with `body`, the terms accepted unless `body` says otherwise.
async fn complete(app: &TestApp, token: &str, mut body: serde_json::Value) -> reqwest::Response {
    if body.get("accept_terms").is_none() {
        body["accept_terms"] = true.into();
    }
    app.post_as(Some(token), "/api/v1/me/complete-profile", &body)
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn an_active_vat_payer_completes_a_corporate_profile_from_the_register(pool: PgPool) {
    let (app, register) = app_with_register(pool).await;
    let token = new_account(&app, PHONE).await;
    let response = complete(
        &app,
        &token,
        serde_json::json!({ "customer_type": "corporate", "nip": "PL 526-104-08-28" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let me = json(response).await;
    assert_eq!(me["customer_type"], "corporate");
    assert_eq!(me["profile_complete"], true);
    assert_eq!(me["company"]["nip"], "5261040828");
    assert_eq!(me["company"]["name"], "HURTOWNIA SPOŻYWCZA SP. Z O.O.");
    assert_eq!(me["company"]["street"], "PROSTA 49");
    assert_eq!(me["company"]["postal_code"], "00-838");
    assert_eq!(me["company"]["city"], "WARSZAWA");
    assert_eq!(me["company"]["verification"], "verified");
    let asked = register.received();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0]
            .uri
            .starts_with("/api/search/nip/5261040828?date=20"),
        "{}",
        asked[0].uri
    );

    // A second account of the same company is answered from the Redis cache.
    let other = new_account(&app, OTHER).await;
    let response = complete(
        &app,
        &other,
        serde_json::json!({ "customer_type": "corporate", "nip": "5261040828" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(register.received().len(), 1, "cached for 7 days");

    // Completing twice is a conflict.
    let again = complete(
        &app,
        &token,
        serde_json::json!({ "customer_type": "individual", "first_name": "A", "last_name": "B" }),
    )
    .await;
    assert_error_shape(again, 409, "conflict").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_nips_inactive_and_unknown_companies_are_refused_with_the_reason(pool: PgPool) {
    let (app, _register) = app_with_register(pool).await;
    let token = new_account(&app, PHONE).await;
    let cases = [
        (
            serde_json::json!({ "customer_type": "corporate" }),
            "nip",
            "required",
        ),
        (
            serde_json::json!({ "customer_type": "corporate", "nip": "5261040829" }),
            "nip",
            "checksum",
        ),
        (
            serde_json::json!({ "customer_type": "corporate", "nip": "52610408" }),
            "nip",
            "valid NIP",
        ),
        (
            serde_json::json!({ "customer_type": "corporate", "nip": "7740001454" }),
            "nip",
            "Zwolniony",
        ),
        (
            serde_json::json!({ "customer_type": "corporate", "nip": "5260250274" }),
            "nip",
            "VAT register",
        ),
        (
            serde_json::json!({ "customer_type": "individual", "last_name": "Nowak" }),
            "first_name",
            "required",
        ),
        (
            serde_json::json!({ "customer_type": "individual", "first_name": "A", "last_name": "B", "email": "not-an-email" }),
            "email",
            "e-mail",
        ),
    ];
    for (body, field, reason) in cases {
        let response = complete(&app, &token, body.clone()).await;
        let error = assert_error_shape(response, 422, "validation_failed").await;
        assert_eq!(error["details"]["field"], field, "{body}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(reason),
            "{body}: {error}"
        );
    }
    let bad_type = complete(&app, &token, serde_json::json!({ "customer_type": "vip" })).await;
    assert_error_shape(bad_type, 422, "validation_failed").await;
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["profile_complete"], false, "nothing stored");
    let companies: i64 = sqlx::query_scalar("select count(*) from companies")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(companies, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unreachable_register_leaves_the_company_pending_until_checked_again(pool: PgPool) {
    let (app, _register) = app_with_register(pool).await;
    let token = new_account(&app, PHONE).await;
    // 1234563218 is checksum-valid; the fake never answers it in time.
    let response = complete(
        &app,
        &token,
        serde_json::json!({ "customer_type": "corporate", "nip": "1234563218", "company_name": "Bistro Anatolia" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let me = json(response).await;
    assert_eq!(me["company"]["verification"], "pending");
    assert_eq!(me["company"]["name"], "Bistro Anatolia");

    // The background check settles it once the register answers (here: it does not know
    // the number, so the company is refused).
    sqlx::query("update companies set nip = '5260250274' where nip = '1234563218'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let settled = domain::user::recheck_pending_companies(&app.services())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(settled, 1);
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["company"]["verification"], "refused");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_profile_can_be_read_and_edited_and_bad_values_change_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["phone"], PHONE);
    assert_eq!(me["first_name"], "Anna");
    assert_eq!(me["profile_complete"], true);
    assert_eq!(me["photo_url"], serde_json::Value::Null);

    let body =
        serde_json::json!({ "first_name": "Ayşe", "email": "Ayse@Example.com", "locale": "tr" });
    let updated = json(
        app.call(Method::PUT, "/api/v1/me", &token, Some(&body))
            .await,
    )
    .await;
    assert_eq!(updated["first_name"], "Ayşe");
    assert_eq!(updated["last_name"], "Nowak", "untouched");
    assert_eq!(updated["email"], "ayse@example.com");
    assert_eq!(updated["locale"], "tr");

    for (body, field) in [
        (serde_json::json!({ "email": "a@b" }), "email"),
        (serde_json::json!({ "locale": "de" }), "locale"),
        (
            serde_json::json!({ "first_name": "x".repeat(101) }),
            "first_name",
        ),
    ] {
        let response = app
            .call(Method::PUT, "/api/v1/me", &token, Some(&body))
            .await;
        let error = assert_error_shape(response, 422, "validation_failed").await;
        assert_eq!(error["details"]["field"], field);
    }
    let unknown = app
        .call(
            Method::PUT,
            "/api/v1/me",
            &token,
            Some(&serde_json::json!({ "role": "admin" })),
        )
        .await;
    assert_error_shape(unknown, 422, "validation_failed").await;

    // Another account cannot take the e-mail.
    let other = app.customer_token(OTHER).await;
    let taken = app
        .call(
            Method::PUT,
            "/api/v1/me",
            &other,
            Some(&serde_json::json!({ "email": "ayse@example.com" })),
        )
        .await;
    assert_error_shape(taken, 409, "conflict").await;
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["first_name"], "Ayşe");
    assert_eq!(me["locale"], "tr");
}

fn address(postal_code: &str) -> serde_json::Value {
    serde_json::json!({
        "recipient_name": "Anna Nowak",
        "street": "ul. Piotrkowska 1",
        "city": "Łódź",
        "postal_code": postal_code,
        "phone": "500 100 200"
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn addresses_keep_one_default_per_kind(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    let first = app
        .call(
            Method::POST,
            "/api/v1/me/addresses",
            &token,
            Some(&address("90-001")),
        )
        .await;
    assert_eq!(first.status().as_u16(), 201);
    let first = json(first).await;
    assert_eq!(first["is_default"], true, "the first of its kind");
    assert_eq!(first["kind"], "shipping");
    assert_eq!(first["country_code"], "PL");
    assert_eq!(first["phone"], PHONE);

    let mut second_body = address("00-838");
    second_body["is_default"] = true.into();
    let second = json(
        app.call(
            Method::POST,
            "/api/v1/me/addresses",
            &token,
            Some(&second_body),
        )
        .await,
    )
    .await;
    assert_eq!(second["is_default"], true);
    let mut billing = address("31-042");
    billing["kind"] = "billing".into();
    billing["nip"] = "5261040828".into();
    let billing = json(
        app.call(Method::POST, "/api/v1/me/addresses", &token, Some(&billing))
            .await,
    )
    .await;
    assert_eq!(billing["is_default"], true, "defaults are per kind");

    let list = json(
        app.call(Method::GET, "/api/v1/me/addresses", &token, None)
            .await,
    )
    .await;
    let defaults: Vec<_> = list
        .as_array()
        .map(|a| a.iter().filter(|x| x["is_default"] == true).collect())
        .unwrap_or_default();
    assert_eq!(defaults.len(), 2);

    // Making the first the default again moves the flag.
    let id = first["id"].as_str().unwrap_or_default();
    let made = app
        .call(
            Method::POST,
            &format!("/api/v1/me/addresses/{id}/default"),
            &token,
            None,
        )
        .await;
    assert_eq!(json(made).await["is_default"], true);
    let second_now = json(
        app.call(
            Method::GET,
            &format!(
                "/api/v1/me/addresses/{}",
                second["id"].as_str().unwrap_or_default()
            ),
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(second_now["is_default"], false);

    // Edit, then delete.
    let mut edited = address("90-002");
    edited["label"] = "Dom".into();
    let edited = json(
        app.call(
            Method::PUT,
            &format!("/api/v1/me/addresses/{id}"),
            &token,
            Some(&edited),
        )
        .await,
    )
    .await;
    assert_eq!(edited["postal_code"], "90-002");
    assert_eq!(edited["is_default"], true, "keeps its default flag");
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/addresses/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 204);

    // The database itself refuses a second default of a kind.
    let user: uuid::Uuid = sqlx::query_scalar("select user_id from addresses limit 1")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = sqlx::query(
        "update addresses set is_default = true where user_id = $1 and kind = 'shipping'",
    )
    .bind(user)
    .execute(&app.db)
    .await;
    let second_default = sqlx::query(
        "insert into addresses (id, user_id, recipient_name, street, city, postal_code, is_default) values ($1, $2, 'X', 'Y', 'Z', '00-001', true)",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(user)
    .execute(&app.db)
    .await;
    assert!(refused.is_ok(), "only one shipping address is left");
    assert!(second_default.is_err(), "partial unique index");
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_addresses_name_the_field_and_store_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    let mut no_postal = address("");
    no_postal["postal_code"] = "".into();
    let mut wrong_country = address("90-001");
    wrong_country["country_code"] = "XX".into();
    let mut bad_nip = address("90-001");
    bad_nip["nip"] = "1234567890".into();
    let mut bad_kind = address("90-001");
    bad_kind["kind"] = "pickup".into();
    for (body, field) in [
        (no_postal, "postal_code"),
        (address("90001"), "postal_code"),
        (wrong_country, "country_code"),
        (bad_nip, "nip"),
        (bad_kind, "kind"),
    ] {
        let response = app
            .call(Method::POST, "/api/v1/me/addresses", &token, Some(&body))
            .await;
        let error = assert_error_shape(response, 422, "validation_failed").await;
        assert_eq!(error["details"]["field"], field, "{body}");
    }
    let missing = app
        .call(
            Method::POST,
            "/api/v1/me/addresses",
            &token,
            Some(&serde_json::json!({ "recipient_name": "A", "street": "B", "city": "C" })),
        )
        .await;
    assert_error_shape(missing, 422, "validation_failed").await;
    let count: i64 = sqlx::query_scalar("select count(*) from addresses")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn nobody_reaches_another_users_addresses_or_photo(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app.customer_token(PHONE).await;
    let intruder = app.customer_token(OTHER).await;
    let created = json(
        app.call(
            Method::POST,
            "/api/v1/me/addresses",
            &owner,
            Some(&address("90-001")),
        )
        .await,
    )
    .await;
    let id = created["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/me/addresses/{id}");
    assert_error_shape(
        app.call(Method::GET, &path, &intruder, None).await,
        404,
        "not_found",
    )
    .await;
    assert_error_shape(
        app.call(Method::PUT, &path, &intruder, Some(&address("00-001")))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_error_shape(
        app.call(Method::DELETE, &path, &intruder, None).await,
        404,
        "not_found",
    )
    .await;
    assert_error_shape(
        app.call(Method::POST, &format!("{path}/default"), &intruder, None)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_error_shape(
        app.call(
            Method::GET,
            "/api/v1/me/addresses/not-a-uuid",
            &intruder,
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let intruders = json(
        app.call(Method::GET, "/api/v1/me/addresses", &intruder, None)
            .await,
    )
    .await;
    assert_eq!(intruders, serde_json::json!([]));
    let mine = json(app.call(Method::GET, &path, &owner, None).await).await;
    assert_eq!(mine["postal_code"], "90-001", "unchanged");

    // Photos: each account only ever changes its own.
    upload(&app, &owner, "photo.png", "image/png", png(300, 200)).await;
    let before: Option<String> = sqlx::query_scalar("select photo_key from users where phone = $1")
        .bind(PHONE)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let removed = app
        .call(Method::DELETE, "/api/v1/me/photo", &intruder, None)
        .await;
    assert_eq!(removed.status().as_u16(), 204);
    let after: Option<String> = sqlx::query_scalar("select photo_key from users where phone = $1")
        .bind(PHONE)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(before.is_some());
    assert_eq!(before, after);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| image::Rgb([x as u8, 120, 40]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap_or_else(|e| panic!("{e}"));
    app.client
        .post(format!("{}/api/v1/me/photo", app.address))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("photo", part))
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_photo_is_re_encoded_to_a_square_jpeg_and_served(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    // A JPEG with an EXIF block (APP1) carrying a GPS marker string.
    let mut with_exif = jpeg(800, 600);
    let exif = b"Exif\0\0GPSLatitude 52.2297";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap_or(0).to_be_bytes());
    app1.extend_from_slice(exif);
    with_exif.splice(2..2, app1);
    let response = upload(&app, &token, "holiday.jpg", "image/jpeg", with_exif).await;
    assert_eq!(response.status().as_u16(), 200);
    let url = json(response).await["photo_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        url.starts_with("/media/avatars/") && url.ends_with(".jpg"),
        "{url}"
    );
    let served = app.get(&url).await;
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(
        served
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    let bytes = served.bytes().await.unwrap_or_default();
    assert!(
        !bytes.windows(11).any(|w| w == b"GPSLatitude"),
        "metadata stripped"
    );
    let decoded = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((decoded.width(), decoded.height()), (256, 256));
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["photo_url"], url.as_str());

    // A new photo replaces the old file; deleting removes it.
    let response = upload(&app, &token, "p.webp", "image/png", png(64, 64)).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(app.get(&url).await.status().as_u16(), 404, "old file gone");
    let new_url = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await["photo_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let removed = app
        .call(Method::DELETE, "/api/v1/me/photo", &token, None)
        .await;
    assert_eq!(removed.status().as_u16(), 204);
    assert_eq!(app.get(&new_url).await.status().as_u16(), 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_uploads_get_a_clear_error_and_store_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    let good = jpeg(64, 64);
    let truncated = good[..good.len() / 2].to_vec();
    let mut gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
    gif.extend_from_slice(&[0; 32]);
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "photo.jpg",
            "image/jpeg",
            b"<?php system($_GET['c']); ?>".to_vec(),
            422,
            "PHP",
        ),
        ("photo.png", "image/png", gif, 422, "GIF"),
        ("photo.jpg", "image/jpeg", truncated, 422, "truncated"),
        (
            "photo.gif",
            "image/gif",
            b"GIF89a".to_vec(),
            422,
            "image/gif",
        ),
        (
            "photo.jpg",
            "image/jpeg",
            vec![0xFF; 6 * 1024 * 1024],
            413,
            "5 MB",
        ),
    ];
    for (name, mime, bytes, status, reason) in cases {
        let response = upload(&app, &token, name, mime, bytes).await;
        let code = if status == 413 {
            "payload_too_large"
        } else {
            "validation_failed"
        };
        let error = assert_error_shape(response, status, code).await;
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(reason),
            "{name} {mime}: {error}"
        );
    }
    let no_file = app
        .client
        .post(format!("{}/api/v1/me/photo", app.address))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error_shape(no_file, 422, "validation_failed").await;
    let not_multipart = app
        .call(
            Method::POST,
            "/api/v1/me/photo",
            &token,
            Some(&serde_json::json!({})),
        )
        .await;
    assert_error_shape(not_multipart, 415, "unsupported_media_type").await;

    let photo: Option<String> = sqlx::query_scalar("select photo_key from users where phone = $1")
        .bind(PHONE)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(photo, None);
    let avatars = std::fs::read_dir(app.settings.upload_dir.join("avatars"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(avatars, 0, "no file written");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_phone_changes_with_a_code_to_each_number(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    let new_phone = "+48 601 200 300";
    let sent = app
        .call(
            Method::POST,
            "/api/v1/me/phone/request",
            &token,
            Some(&serde_json::json!({ "new_phone": new_phone })),
        )
        .await;
    assert_eq!(sent.status().as_u16(), 200);
    let current_code = app.last_code(PHONE).await;
    let new_code = app.last_code("+48601200300").await;
    // A sign-in code is no use here, and the codes are not interchangeable.
    let swapped = app
        .call(
            Method::POST,
            "/api/v1/me/phone/confirm",
            &token,
            Some(&serde_json::json!({ "new_phone": new_phone, "current_code": new_code, "new_code": current_code })),
        )
        .await;
    if current_code != new_code {
        assert_error_shape(swapped, 422, "wrong_code").await;
    }
    let confirmed = app
        .call(
            Method::POST,
            "/api/v1/me/phone/confirm",
            &token,
            Some(&serde_json::json!({ "new_phone": new_phone, "current_code": current_code, "new_code": new_code })),
        )
        .await;
    assert_eq!(confirmed.status().as_u16(), 200);
    assert_eq!(json(confirmed).await["phone"], "+48601200300");
    // The security notice: in the inbox, and by SMS (no confirmed e-mail), number masked.
    let notices: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "select channel, recipient, data from notifications where kind = 'phone_changed' order by channel",
    )
    .fetch_all(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let channels: Vec<&str> = notices.iter().map(|n| n.0.as_str()).collect();
    assert_eq!(channels, vec!["in_app", "sms"]);
    assert_eq!(notices[1].1, "+48601200300");
    assert_eq!(notices[1].2["phone"], "…300");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_export_holds_the_users_data_and_deletion_needs_a_code(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.customer_token(PHONE).await;
    app.call(
        Method::POST,
        "/api/v1/me/addresses",
        &token,
        Some(&address("90-001")),
    )
    .await;
    let export = app
        .call(Method::GET, "/api/v1/me/export", &token, None)
        .await;
    assert_eq!(export.status().as_u16(), 200);
    assert!(
        export
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("attachment"))
    );
    let export = json(export).await;
    assert_eq!(export["profile"]["phone"], PHONE);
    assert!(export["profile"].get("password_hash").is_none());
    assert_eq!(export["addresses"][0]["postal_code"], "90-001");
    assert_eq!(export["orders"], serde_json::json!([]));
    assert_eq!(export["favorites"], serde_json::json!([]));

    let sent = app
        .call(Method::POST, "/api/v1/me/deletion/request", &token, None)
        .await;
    assert_eq!(sent.status().as_u16(), 200);
    let code = app.last_code(PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .call(
            Method::DELETE,
            "/api/v1/me",
            &token,
            Some(&serde_json::json!({ "code": wrong })),
        )
        .await;
    assert_error_shape(refused, 422, "wrong_code").await;
    let deleted = app
        .call(
            Method::DELETE,
            "/api/v1/me",
            &token,
            Some(&serde_json::json!({ "code": code })),
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 204);
    assert_error_shape(
        app.call(Method::GET, "/api/v1/me", &token, None).await,
        401,
        "unauthorized",
    )
    .await;
    // The deleted account hears it by SMS only (its inbox is gone with it).
    let told: Vec<(String, String)> = sqlx::query_as(
        "select channel, data->>'erase_on' from notifications where kind = 'account_deleted'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, "sms");
    assert!(told[0].1.len() == 10, "a day: {told:?}");

    // Personal data is erased after the grace period (zero here); the phone is free again.
    let erased = domain::user::erase_deleted_accounts(&app.services(), std::time::Duration::ZERO)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(erased, 1);
    let row: (Option<String>, Option<String>, i64) = sqlx::query_as(
        "select phone, first_name, (select count(*) from addresses) from users where deleted_at is not null",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(row, (None, None, 0));
    app.allow_new_code().await;
    let fresh = app.sign_in_by_phone(PHONE, None).await;
    assert_eq!(fresh["user"]["profile_complete"], false, "a new account");
}

#[sqlx::test(migrations = "../migrations")]
async fn me_routes_need_a_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in ["/api/v1/me", "/api/v1/me/addresses", "/api/v1/me/export"] {
        assert_error_shape(app.get(path).await, 401, "unauthorized").await;
    }
}
