//! Retention (issue 16): an erased customer's orders lose their contact data at once when
//! never invoiced, and after the tax law's five years when invoiced; a consumer's invoice then
//! loses the buyer's name and address; nothing else of the order changes.

use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::orders::{place_cart_order, shop};

#[sqlx::test(migrations = "../migrations")]
async fn erased_customers_orders_keep_contact_data_only_while_the_law_asks(pool: PgPool) {
    let (app, butter, _) = shop(pool).await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    let token = app.customer_token("+48500300701").await;
    let (unpaid, _) = place_cart_order(&app, &token, butter, 1).await;
    let (paid, total) = place_cart_order(&app, &token, butter, 2).await;
    let moved = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/orders/{paid}/status"),
            &admin,
            Some(&json!({ "status": "paid" })),
        )
        .await;
    assert_eq!(moved.status().as_u16(), 200);
    let user: Uuid = sqlx::query_scalar("select user_id from orders where id = $1")
        .bind(paid)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("update users set deleted_at = now() where id = $1")
        .bind(user)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let svc = app.services();
    let erased = domain::user::erase_deleted_accounts(&svc, std::time::Duration::ZERO).await;
    assert_eq!(erased.ok(), Some(1));

    let contact = |order: Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query_as::<_, (String, Option<String>, String, i64)>(
                "select contact_name, contact_phone, shipping_address ->> 'street', total_minor from orders where id = $1",
            )
            .bind(order)
            .fetch_one(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert_eq!(
        domain::order::forget_expired_contacts(&svc).await.ok(),
        Some(1)
    );
    let (name, phone, street, _) = contact(unpaid).await;
    assert_eq!(
        (name.as_str(), phone, street.as_str()),
        ("(usunięto / erased)", None, "")
    );
    let (name, _, street, kept_total) = contact(paid).await;
    assert_eq!(
        name, "Anna Nowak",
        "an invoiced order keeps its data for five years"
    );
    assert_eq!(street, "ul. Krótka 2");
    assert_eq!(kept_total, total);

    // Six calendar years later (the invoice's year moved back): the data goes, the money stays.
    sqlx::query("update invoices set year = year - 6 where order_id = $1")
        .bind(paid)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        domain::order::forget_expired_contacts(&svc).await.ok(),
        Some(1)
    );
    let (name, _, _, kept_total) = contact(paid).await;
    assert_eq!(name, "(usunięto / erased)");
    assert_eq!(kept_total, total);
    let buyer: serde_json::Value =
        sqlx::query_scalar("select buyer from invoices where order_id = $1")
            .bind(paid)
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(buyer["name"], "(usunięto / erased)");
    assert_eq!(buyer["address"]["street"], "");
    // Again: nothing left to do.
    assert_eq!(
        domain::order::forget_expired_contacts(&svc).await.ok(),
        Some(0)
    );
}
