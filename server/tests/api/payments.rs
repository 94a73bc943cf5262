//! `POST /webhooks/stripe` with real-format Stripe events signed by a test secret: each event
//! type, duplicates (one after another, and ten at once to two server processes),
//! out-of-order events, bad signatures, timestamp tolerance, secret rotation, amount
//! mismatches; and the development gateway.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error_shape, json, spawn_app_with};
use crate::orders::{add_to_cart, cart_total, place, place_cart_order, prices};

const SECRET: &str = "whsec_test_current";
const OLD_SECRET: &str = "whsec_test_previous";

pub(crate) struct Shop {
    pub(crate) app: TestApp,
    pub(crate) butter: Uuid,
    pub(crate) token: String,
}

pub(crate) async fn shop(pool: PgPool) -> Shop {
    let secrets = format!("{SECRET},{OLD_SECRET}");
    let app = spawn_app_with(pool, &[("STRIPE_WEBHOOK_SECRET", &secrets)]).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let token = app.customer_token("+48500300400").await;
    Shop { app, butter, token }
}

/// Places an order of `quantity` butter; returns its id and total.
pub(crate) async fn place_butter(shop: &Shop, quantity: i32) -> (String, i64) {
    let (id, total) = place_cart_order(&shop.app, &shop.token, shop.butter, quantity).await;
    (id.to_string(), total)
}

pub(crate) fn event(kind: &str, object: Value) -> Value {
    crate::stripe::stripe_event(kind, object)
}

pub(crate) fn intent(order: &str, amount: i64, currency: &str) -> Value {
    json!({
        "id": format!("pi_{}", Uuid::now_v7().simple()),
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "status": "succeeded",
        "metadata": { "order_id": order }
    })
}

async fn post_signed(app: &TestApp, body: &str, header: Option<String>) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/webhooks/stripe", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(header) = header {
        request = request.header("stripe-signature", header);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("webhook: {e}"))
}

async fn deliver(app: &TestApp, event: &Value) -> reqwest::Response {
    let body = event.to_string();
    let header =
        domain::payment::signature::sign(body.as_bytes(), SECRET, chrono::Utc::now().timestamp());
    post_signed(app, &body, Some(header)).await
}

pub(crate) async fn outcome(app: &TestApp, event: &Value) -> String {
    let answer = deliver(app, event).await;
    assert_eq!(answer.status().as_u16(), 200);
    json(answer).await["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn get(shop: &Shop, id: &str) -> Value {
    json(
        shop.app
            .call(
                Method::GET,
                &format!("/api/v1/orders/{id}"),
                &shop.token,
                None,
            )
            .await,
    )
    .await
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(Uuid::parse_str(id).unwrap_or_default())
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_event_pays_the_order_once_however_often_it_arrives(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = place_butter(&shop, 2).await;
    let paid = event("payment_intent.succeeded", intent(&id, total, "pln"));
    assert_eq!(outcome(&shop.app, &paid).await, "applied");
    let order = get(&shop, &id).await;
    assert_eq!(order["status"], "paid");
    assert_eq!(order["payment_status"], "paid");
    assert!(order["invoice_number"].is_string());
    assert_eq!(order["events"][1]["actor"], "payment");
    assert_eq!(outcome(&shop.app, &paid).await, "duplicate");

    // Ten copies of a new event at once, spread over two server processes (each with its
    // own connection pool, sharing Postgres and Redis): one applies it.
    let other = PgPoolOptions::new()
        .max_connections(10)
        .connect_with((*shop.app.db.connect_options()).clone())
        .await
        .unwrap_or_else(|e| panic!("second pool: {e}"));
    let secrets = format!("{SECRET},{OLD_SECRET}");
    let prefix = shop.app.settings.redis_key_prefix.clone();
    let twin = spawn_app_with(
        other,
        &[
            ("STRIPE_WEBHOOK_SECRET", &secrets),
            ("REDIS_KEY_PREFIX", &prefix),
        ],
    )
    .await;
    let (second, total) = place_butter(&shop, 1).await;
    let paid = event("payment_intent.succeeded", intent(&second, total, "pln"));
    let processes = [&shop.app, &twin];
    let answers =
        futures_util::future::join_all((0..10).map(|i| outcome(processes[i % 2], &paid))).await;
    assert_eq!(
        answers.iter().filter(|o| *o == "applied").count(),
        1,
        "{answers:?}"
    );
    assert_eq!(answers.iter().filter(|o| *o == "duplicate").count(), 9);
    let events = "select count(*) from order_events where order_id = $1 and to_status = 'paid'";
    assert_eq!(count(&shop.app, events, &second).await, 1);
    assert_eq!(
        count(
            &shop.app,
            "select count(*) from invoices where order_id = $1",
            &second
        )
        .await,
        1
    );

    // A late failure does not move a paid order back.
    let failed = event(
        "payment_intent.payment_failed",
        intent(&second, total, "pln"),
    );
    assert_eq!(outcome(&shop.app, &failed).await, "stale");
    assert_eq!(get(&shop, &second).await["payment_status"], "paid");
}

#[sqlx::test(migrations = "../migrations")]
async fn checkout_sessions_complete_or_expire_and_failures_leave_the_order_waiting(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = place_butter(&shop, 1).await;
    let session = |payment_status: &str| {
        json!({
            "id": format!("cs_test_{}", Uuid::now_v7().simple()),
            "object": "checkout.session",
            "amount_total": total,
            "currency": "pln",
            "payment_status": payment_status,
            "payment_intent": "pi_from_session",
            "metadata": { "order_id": id, "order_number": "100001" }
        })
    };
    assert_eq!(
        outcome(
            &shop.app,
            &event("checkout.session.expired", session("unpaid"))
        )
        .await,
        "applied"
    );
    let order = get(&shop, &id).await;
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["payment_status"], "failed");
    // BLIK confirmed later: the session completes unpaid first, then paid.
    assert_eq!(
        outcome(
            &shop.app,
            &event("checkout.session.completed", session("unpaid"))
        )
        .await,
        "applied"
    );
    assert_eq!(get(&shop, &id).await["payment_status"], "processing");
    assert_eq!(
        outcome(
            &shop.app,
            &event("checkout.session.completed", session("paid"))
        )
        .await,
        "applied"
    );
    assert_eq!(get(&shop, &id).await["status"], "paid");
    // Types we do not act on are acknowledged.
    let other = event(
        "customer.created",
        json!({ "id": "cus_1", "object": "customer", "created": 1_700_000_000, "livemode": false }),
    );
    assert_eq!(outcome(&shop.app, &other).await, "ignored");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_that_does_not_match_the_order_is_flagged_not_paid(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = place_butter(&shop, 1).await;
    for wrong in [intent(&id, total - 1, "pln"), intent(&id, total, "eur")] {
        assert_eq!(
            outcome(&shop.app, &event("payment_intent.succeeded", wrong)).await,
            "flagged"
        );
    }
    let order = get(&shop, &id).await;
    assert_eq!(order["status"], "pending_payment");
    assert_ne!(order["payment_status"], "paid");
    let reason: Option<String> =
        sqlx::query_scalar("select review_reason from orders where id = $1::uuid")
            .bind(&id)
            .fetch_one(&shop.app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(reason.is_some_and(|r| r.contains("EUR")));
}

#[sqlx::test(migrations = "../migrations")]
async fn refunds_follow_charge_refunded_and_a_full_one_returns_the_stock(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = place_butter(&shop, 4).await;
    let stock = || async {
        sqlx::query_scalar::<_, i32>("select stock from products where id = $1")
            .bind(shop.butter)
            .fetch_one(&shop.app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(stock().await, 16);
    let pi = intent(&id, total, "pln");
    let pi_id = pi["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        outcome(&shop.app, &event("payment_intent.succeeded", pi)).await,
        "applied"
    );
    let charge = |refunded: i64| {
        json!({
            "id": "ch_1", "object": "charge", "amount": total, "amount_refunded": refunded,
            "currency": "pln", "payment_intent": pi_id, "refunded": refunded == total, "metadata": {}
        })
    };
    assert_eq!(
        outcome(&shop.app, &event("charge.refunded", charge(500))).await,
        "applied"
    );
    let order = get(&shop, &id).await;
    assert_eq!(order["payment_status"], "partially_refunded");
    assert_eq!(order["status"], "paid");
    assert_eq!(stock().await, 16);
    assert_eq!(
        outcome(&shop.app, &event("charge.refunded", charge(total))).await,
        "applied"
    );
    let order = get(&shop, &id).await;
    assert_eq!(order["status"], "refunded");
    assert_eq!(order["payment_status"], "refunded");
    assert_eq!(
        stock().await,
        20,
        "a full refund of an unshipped order returns the stock"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_signatures_and_bad_events_are_refused_and_change_nothing(pool: PgPool) {
    let shop = shop(pool).await;
    let app = &shop.app;
    let (id, total) = place_butter(&shop, 1).await;
    let paid = event("payment_intent.succeeded", intent(&id, total, "pln"));
    let body = paid.to_string();
    let now = chrono::Utc::now().timestamp();
    let sign = |body: &str, secret: &str, at: i64| {
        domain::payment::signature::sign(body.as_bytes(), secret, at)
    };

    let cases = [
        ("no header", body.clone(), None),
        (
            "garbage header",
            body.clone(),
            Some("t=abc,v1=xyz".to_owned()),
        ),
        (
            "wrong secret",
            body.clone(),
            Some(sign(&body, "whsec_attacker", now)),
        ),
        (
            "six minutes old",
            body.clone(),
            Some(sign(&body, SECRET, now - 360)),
        ),
        (
            "from the future",
            body.clone(),
            Some(sign(&body, SECRET, now + 360)),
        ),
        (
            "body altered after signing",
            body.replace(&total.to_string(), "1"),
            Some(sign(&body, SECRET, now)),
        ),
    ];
    for (what, body, header) in cases {
        let answer = post_signed(app, &body, header).await;
        let error = assert_error_shape(answer, 400, "invalid_signature").await;
        assert!(error["details"]["reason"].is_string(), "{what}");
    }
    // Signed but unreadable: refused.
    let malformed = "{not json";
    let answer = post_signed(app, malformed, Some(sign(malformed, SECRET, now))).await;
    assert_error_shape(answer, 400, "invalid_event").await;
    // Signed and naming no order of ours: 200 `ignored`, or Stripe would retry it for days
    // and disable the endpoint.
    for object in [
        intent(&Uuid::now_v7().to_string(), total, "pln"),
        intent("not-a-uuid", total, "pln"),
        json!({ "id": "pi_x", "amount": total, "currency": "pln" }),
    ] {
        let answer = deliver(app, &event("payment_intent.succeeded", object)).await;
        assert_eq!(answer.status().as_u16(), 200);
        assert_eq!(json(answer).await["outcome"], "ignored");
    }
    let negative = event("payment_intent.succeeded", intent(&id, -total, "pln"));
    assert_error_shape(deliver(app, &negative).await, 400, "invalid_event").await;

    assert_eq!(get(&shop, &id).await["status"], "pending_payment");
    let recorded: i64 = sqlx::query_scalar("select count(*) from processed_stripe_events")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recorded, 0);

    // During rotation the previous secret still works.
    let header = sign(&body, OLD_SECRET, now);
    assert_eq!(
        post_signed(app, &body, Some(header))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(get(&shop, &id).await["status"], "paid");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_development_gateway_pays_through_the_same_path(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, _) = place_butter(&shop, 1).await;
    let order_id = Uuid::parse_str(&id).unwrap_or_default();
    let user: Uuid = sqlx::query_scalar("select user_id from orders where id = $1")
        .bind(order_id)
        .fetch_one(&shop.app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let svc = shop.app.services();
    assert!(svc.dev_payments, "on in tests, without a Stripe key");
    let url = domain::payment::start_dev_payment(&svc, user.into(), order_id.into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(url, format!("/pay/dev/{id}"));
    assert_eq!(get(&shop, &id).await["payment_status"], "processing");
    let failed = domain::payment::dev_outcome(&svc, user.into(), order_id.into(), false).await;
    assert!(matches!(failed, Ok(domain::payment::Outcome::Applied)));
    assert_eq!(get(&shop, &id).await["payment_status"], "failed");
    let paid = domain::payment::dev_outcome(&svc, user.into(), order_id.into(), true).await;
    assert!(matches!(paid, Ok(domain::payment::Outcome::Applied)));
    let order = get(&shop, &id).await;
    assert_eq!(order["status"], "paid");
    assert!(order["invoice_number"].is_string());
    let kinds: Vec<String> =
        sqlx::query_scalar("select event_type from processed_stripe_events order by received_at")
            .fetch_all(&shop.app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        kinds,
        ["payment_intent.payment_failed", "payment_intent.succeeded"]
    );
    // Somebody else's order does not exist for them; a paid one cannot be paid again.
    assert!(matches!(
        domain::payment::start_dev_payment(&svc, Uuid::now_v7().into(), order_id.into()).await,
        Err(domain::payment::Error::NotFound)
    ));
    assert!(matches!(
        domain::payment::start_dev_payment(&svc, user.into(), order_id.into()).await,
        Err(domain::payment::Error::NotPayable)
    ));

    // The customer changes their mind: a paid order is cancelled by a full refund.
    let stock = || async {
        sqlx::query_scalar::<_, i32>("select stock from products where id = $1")
            .bind(shop.butter)
            .fetch_one(&shop.app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(stock().await, 19);
    let cancel = shop
        .app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{id}/cancel"),
            &shop.token,
            None,
        )
        .await;
    let status = cancel.status().as_u16();
    let order = json(cancel).await;
    assert_eq!(status, 202, "{order}");
    assert_eq!(order["status"], "refunded");
    assert_eq!(order["payment_status"], "refunded");
    assert_eq!(stock().await, 20);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_development_gateway_never_runs_in_production_or_with_stripe(pool: PgPool) {
    let production = [
        ("APP_ENV", "production"),
        ("DATABASE_URL", "postgres://shop@db/shop"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("STRIPE_SECRET_KEY", "sk_live_x"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
        ("TWILIO_ACCOUNT_SID", "AC1"),
        ("TWILIO_AUTH_TOKEN", "t"),
        ("TWILIO_FROM", "+48500000000"),
        ("SELLER_NAME", "Sklep Sp. z o.o."),
        ("SELLER_NIP", "5260250274"),
        ("SELLER_STREET", "ul. Długa 1"),
        ("SELLER_POSTAL_CODE", "00-001"),
        ("SELLER_CITY", "Warszawa"),
        ("PUBLIC_URL", "https://sklep.example"),
    ];
    let with_stripe = [("STRIPE_SECRET_KEY", "sk_test_x")];
    for overrides in [&production[..], &with_stripe[..]] {
        let (settings, _uploads) = crate::helpers::test_settings(overrides);
        let svc =
            server::startup::services(&settings, pool.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!svc.dev_payments, "{overrides:?}");
        let refused =
            domain::payment::dev_outcome(&svc, Uuid::now_v7().into(), Uuid::now_v7().into(), true)
                .await;
        assert!(matches!(
            refused,
            Err(domain::payment::Error::DevGatewayDisabled)
        ));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn companies_on_terms_pay_by_transfer_and_late_transfers_are_flagged(pool: PgPool) {
    let shop = shop(pool).await;
    let app = &shop.app;
    crate::auth::create_admin(app).await;
    let admin = crate::auth::admin_token(app).await;
    let tokens = app.sign_in_by_phone("+48500300401", None).await;
    let company = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = app
        .post_as(
            Some(&company),
            "/api/v1/me/complete-profile",
            &json!({ "customer_type": "corporate", "nip": "1234563218", "company_name": "Bistro Anatolia", "accept_terms": true }),
        )
        .await;
    assert_eq!(done.status().as_u16(), 200);
    sqlx::query(
        "update products set min_qty_corporate = 1, corporate_price_minor = null where id = $1",
    )
    .bind(shop.butter)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    add_to_cart(app, &company, shop.butter, 10).await;
    let total = cart_total(app, &company).await;
    let body = json!({
        "shipping_address": { "recipient_name": "Bistro Anatolia", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "accept_terms": true, "expected_total_minor": total,
        "payment_method": "bank_transfer"
    });

    // No terms yet (the default is 0): refused, nothing taken.
    let refused = place(app, &company, &body, None).await;
    let error = assert_error_shape(refused, 422, "validation_failed").await;
    assert_eq!(error["details"]["field"], "payment_method");
    let bad = app
        .call(
            Method::PUT,
            "/api/v1/admin/payment-terms",
            &admin,
            Some(&json!({ "days": 10 })),
        )
        .await;
    assert_error_shape(bad, 422, "validation_failed").await;
    let set = app
        .call(
            Method::PUT,
            "/api/v1/admin/payment-terms",
            &admin,
            Some(&json!({ "days": 14 })),
        )
        .await;
    assert_eq!(set.status().as_u16(), 200);
    // A private customer never gets terms, whatever the default.
    add_to_cart(app, &shop.token, shop.butter, 1).await;
    let mut private = body.clone();
    private["expected_total_minor"] = cart_total(app, &shop.token).await.into();
    assert_error_shape(
        place(app, &shop.token, &private, None).await,
        422,
        "validation_failed",
    )
    .await;

    let placed = place(app, &company, &body, None).await;
    assert_eq!(placed.status().as_u16(), 201);
    let order = json(placed).await;
    let id = order["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(order["status"], "awaiting_transfer");
    assert_eq!(order["payment_terms_days"], 14);
    assert_eq!(
        order["reserved_until"],
        Value::Null,
        "terms orders do not expire"
    );
    let due =
        chrono::DateTime::parse_from_rfc3339(order["payment_due_at"].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    let days = (due.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((14 * 24 - 1..=14 * 24).contains(&days), "{days} hours");
    assert!(
        order["invoice_number"].is_string(),
        "invoiced at once, with the due date"
    );
    let pdf = app
        .call(
            Method::GET,
            &format!("/api/v1/orders/{id}/invoice.pdf"),
            &company,
            None,
        )
        .await;
    assert_eq!(pdf.status().as_u16(), 200);

    // A per-company override of 0 takes terms away again.
    let user: Uuid = sqlx::query_scalar("select user_id from orders where id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/api/v1/admin/users/{user}/payment-terms");
    let zero = app
        .call(Method::PUT, &path, &admin, Some(&json!({ "days": 0 })))
        .await;
    assert_eq!(zero.status().as_u16(), 200);
    add_to_cart(app, &company, shop.butter, 1).await;
    let mut again = body.clone();
    again["expected_total_minor"] = cart_total(app, &company).await.into();
    assert_error_shape(
        place(app, &company, &again, None).await,
        422,
        "validation_failed",
    )
    .await;
    let not_company = format!("/api/v1/admin/users/{}/payment-terms", Uuid::now_v7());
    let missing = app
        .call(
            Method::PUT,
            &not_company,
            &admin,
            Some(&json!({ "days": 7 })),
        )
        .await;
    assert_error_shape(missing, 422, "validation_failed").await;

    // Late: the daily job flags it once; the admin marks it paid; the invoice stays the one.
    sqlx::query("update orders set payment_due_at = now() - interval '1 day' where id = $1::uuid")
        .bind(&id)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let svc = app.services();
    assert_eq!(domain::order::flag_overdue(&svc).await.ok(), Some(1));
    assert_eq!(domain::order::flag_overdue(&svc).await.ok(), Some(0));
    let order = json(
        app.call(Method::GET, &format!("/api/v1/orders/{id}"), &company, None)
            .await,
    )
    .await;
    assert_eq!(order["overdue"], true);
    let paid = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/orders/{id}/status"),
            &admin,
            Some(&json!({ "status": "paid", "note": "transfer received" })),
        )
        .await;
    assert_eq!(json(paid).await["status"], "paid");
    assert_eq!(
        count(
            app,
            "select count(*) from invoices where order_id = $1",
            &id
        )
        .await,
        1
    );
}
