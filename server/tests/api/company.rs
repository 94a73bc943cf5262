//! Company members: typing another company's NIP gives no terms, invoices or prices until
//! the company (or the shop) approves the account.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error_shape, json};
use crate::orders::{add_to_cart, cart_total, place};

const NIP: &str = "5261040828";

async fn corporate_account(app: &TestApp, phone: &str, nip: &str) -> (String, Value) {
    let token = app.sign_in_by_phone(phone, None).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = app
        .post_as(
            Some(&token),
            "/api/v1/me/complete-profile",
            &json!({ "customer_type": "corporate", "nip": nip, "company_name": "Bistro", "accept_terms": true }),
        )
        .await;
    assert_eq!(done.status().as_u16(), 200);
    (token, json(done).await)
}

/// A shop with the VAT register's fake and its catalog, butter sold to companies by one.
async fn shop(pool: PgPool) -> (TestApp, crate::helpers::Fake) {
    let (app, register) = crate::me::app_with_register(pool).await;
    app.seed_catalog().await;
    sqlx::query("update products set min_qty_corporate = 1 where sku = 'MT-0102-1'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (app, register)
}

async fn butter(app: &TestApp) -> Uuid {
    sqlx::query_scalar("select id from products where sku = 'MT-0102-1'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The unit price the account's cart shows for butter (seeded: 799 private, 735 company).
async fn butter_price(app: &TestApp, token: &str) -> i64 {
    let cart = json(app.call(Method::GET, "/api/v1/cart", token, None).await).await;
    cart["lines"][0]["unit_price_minor"]
        .as_i64()
        .unwrap_or_default()
}

/// A member's decision about another account of the company.
async fn decide(app: &TestApp, member: &str, account: &str, decision: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/api/v1/me/company/members/{account}"),
        member,
        Some(&json!({ "decision": decision })),
    )
    .await
}

fn transfer_order(total: i64) -> Value {
    json!({
        "shipping_address": { "recipient_name": "Bistro", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "accept_terms": true, "expected_total_minor": total,
        "payment_method": "bank_transfer"
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_account_with_a_companys_nip_waits_for_the_company_to_approve_it(pool: PgPool) {
    // Arrange: a verified company on 14-day terms, its own account first.
    let (app, _register) = shop(pool).await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    let terms = app
        .call(
            Method::PUT,
            "/api/v1/admin/payment-terms",
            &admin,
            Some(&json!({ "days": 14 })),
        )
        .await;
    assert_eq!(terms.status().as_u16(), 200);
    let (owner, me) = corporate_account(&app, "+48500100200", NIP).await;
    assert_eq!(me["company"]["membership"], "approved", "{me}");
    assert_eq!(me["price_list"], "corporate");

    // Act: somebody else types the same NIP.
    let (intruder, me) = corporate_account(&app, "+48600100200", NIP).await;

    // Assert: attached to nothing of the company's until approved.
    assert_eq!(me["company"]["membership"], "pending", "{me}");
    assert_eq!(me["price_list"], "individual");
    add_to_cart(&app, &intruder, butter(&app).await, 2).await;
    assert_eq!(butter_price(&app, &intruder).await, 799, "private prices");
    let total = cart_total(&app, &intruder).await;
    let refused = place(&app, &intruder, &transfer_order(total), None).await;
    let error = assert_error_shape(refused, 422, "validation_failed").await;
    assert_eq!(error["details"]["field"], "payment_method", "no terms");
    let mut card = transfer_order(total);
    card["payment_method"] = "card".into();
    let order = json(place(&app, &intruder, &card, None).await).await;
    assert_eq!(
        order["buyer_nip"],
        Value::Null,
        "no invoice in the company's name: {order}"
    );
    let hidden = app
        .call(Method::GET, "/api/v1/me/company/members", &intruder, None)
        .await;
    assert_error_shape(hidden, 403, "forbidden").await;

    // The company's member sees the account waiting and approves it.
    let members = json(
        app.call(Method::GET, "/api/v1/me/company/members", &owner, None)
            .await,
    )
    .await;
    let waiting: Vec<&Value> = members
        .as_array()
        .map(|m| m.iter().filter(|m| m["membership"] == "pending").collect())
        .unwrap_or_default();
    assert_eq!(waiting.len(), 1, "{members}");
    let intruder_id = waiting[0]["id"].as_str().unwrap_or_default().to_owned();
    let approved = decide(&app, &owner, &intruder_id, "approve").await;
    assert_eq!(json(approved).await["membership"], "approved");
    add_to_cart(&app, &intruder, butter(&app).await, 2).await;
    assert_eq!(
        butter_price(&app, &intruder).await,
        735,
        "company prices now"
    );
    let total = cart_total(&app, &intruder).await;
    let placed = place(&app, &intruder, &transfer_order(total), None).await;
    assert_eq!(placed.status().as_u16(), 201, "terms now");
    assert_eq!(json(placed).await["buyer_nip"], NIP);

    // A member cannot take an approved member out (the shop can), nor decide for another
    // company's accounts; a third account turned down by the member is approved by an admin.
    let removed = decide(&app, &owner, &intruder_id, "reject").await;
    assert_error_shape(removed, 409, "conflict").await;
    let (third, _) = corporate_account(&app, "+48700100200", NIP).await;
    let third_id = json(app.call(Method::GET, "/api/v1/me", &third, None).await).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (other_company, _) = corporate_account(&app, "+48510100200", "1234563218").await;
    let foreign = decide(&app, &other_company, &third_id, "approve").await;
    assert_error_shape(foreign, 404, "not_found").await;
    let rejected = decide(&app, &owner, &third_id, "reject").await;
    assert_eq!(json(rejected).await["membership"], "rejected");
    let bad = decide(&app, &owner, &third_id, "maybe").await;
    assert_error_shape(bad, 422, "validation_failed").await;
    let by_admin = app
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/users/{third_id}"),
            &admin,
            Some(&json!({ "company_membership": "approve" })),
        )
        .await;
    assert_eq!(json(by_admin).await["company_membership"], "approved");
    let me = json(app.call(Method::GET, "/api/v1/me", &third, None).await).await;
    assert_eq!(me["company"]["membership"], "approved");
}

#[sqlx::test(migrations = "../migrations")]
async fn company_prices_wait_until_the_register_verifies_the_company(pool: PgPool) {
    // Arrange: the register does not answer for this NIP, so the company is pending.
    let (app, _register) = shop(pool).await;

    // Act
    let (token, me) = corporate_account(&app, "+48500100200", "1234563218").await;
    add_to_cart(&app, &token, butter(&app).await, 1).await;

    // Assert: the first account is the company's member, but buys at private prices.
    assert_eq!(me["company"]["membership"], "approved");
    assert_eq!(me["company"]["verification"], "pending");
    assert_eq!(me["price_list"], "individual");
    assert_eq!(butter_price(&app, &token).await, 799);

    // Verified later: company prices.
    sqlx::query("update companies set vat_status = 'active' where nip = '1234563218'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(butter_price(&app, &token).await, 735);
}
