//! The Stripe client against a local fake Stripe: Checkout Sessions and PaymentIntents with
//! idempotency keys derived from the order, refunds, and reconciliation of a payment whose
//! webhook never came.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Fake, TestApp, assert_error_shape, json, spawn_app_with};
use crate::orders::{place_cart_order, prices};

const WEBHOOK_SECRET: &str = "whsec_stripe_tests";

/// What the fake answers for `GET /v1/checkout/sessions/{id}` (set by a test).
type SessionAnswer = Arc<Mutex<Value>>;

async fn fake_stripe() -> (Fake, SessionAnswer) {
    let session: SessionAnswer = Arc::new(Mutex::new(json!({})));
    let answer = session.clone();
    let fake = Fake::start(move |request| {
        let path = request.uri.split('?').next().unwrap_or_default();
        let body = match (request.method.as_str(), path) {
            ("POST", "/v1/checkout/sessions") => json!({
                "id": "cs_test_1", "object": "checkout.session",
                "url": "https://checkout.stripe.test/c/pay/cs_test_1"
            }),
            ("POST", "/v1/payment_intents") => json!({
                "id": "pi_test_1", "object": "payment_intent",
                "client_secret": "pi_test_1_secret_abc", "status": "requires_payment_method"
            }),
            ("POST", "/v1/refunds") => {
                json!({ "id": "re_1", "object": "refund", "status": "succeeded" })
            }
            ("GET", "/v1/payment_intents/pi_test_1") => json!({
                "id": "pi_test_1", "object": "payment_intent",
                "client_secret": "pi_test_1_secret_abc", "status": "requires_payment_method"
            }),
            ("GET", "/v1/checkout/sessions/cs_test_1") => {
                answer.lock().map(|v| v.clone()).unwrap_or_default()
            }
            _ => {
                return (
                    404,
                    json!({ "error": { "message": "no such route" } }).to_string(),
                );
            }
        };
        (200, stripe_object(body).to_string())
    })
    .await;
    (fake, session)
}

struct Shop {
    app: TestApp,
    fake: Fake,
    session: SessionAnswer,
    butter: Uuid,
    token: String,
    user: Uuid,
}

/// A shop on a fake Stripe at `stripe_url` (with `extra` settings), its catalog seeded:
/// the app, butter's id, and a signed-in customer's token and id.
pub(crate) async fn stripe_app(
    pool: PgPool,
    stripe_url: &str,
    extra: &[(&str, &str)],
) -> (TestApp, Uuid, String, Uuid) {
    let mut settings = vec![
        ("STRIPE_SECRET_KEY", "sk_test_metropolitan"),
        ("STRIPE_API_BASE", stripe_url),
        ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("PUBLIC_URL", "https://sklep.example"),
    ];
    settings.extend_from_slice(extra);
    let app = spawn_app_with(pool, &settings).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let token = app.customer_token("+48500400500").await;
    let user: Uuid = sqlx::query_scalar("select id from users where phone = '+48500400500'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (app, butter, token, user)
}

async fn shop(pool: PgPool) -> Shop {
    let (fake, session) = fake_stripe().await;
    let (app, butter, token, user) = stripe_app(pool, &fake.url, &[]).await;
    Shop {
        app,
        fake,
        session,
        butter,
        token,
        user,
    }
}

async fn order(shop: &Shop) -> (Uuid, i64) {
    place_cart_order(&shop.app, &shop.token, shop.butter, 2).await
}

fn form(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// An object as Stripe sends it: what a test states, plus the fields Stripe always sends
/// and async-stripe requires (by `object`: `payment_intent`, `checkout.session`, `charge`,
/// `refund`; a null required field is filled too).
pub(crate) fn stripe_object(mut object: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let defaults = match object["object"].as_str() {
        Some("payment_intent") => {
            let received = if object["status"] == "succeeded" {
                object["amount"].clone()
            } else {
                json!(0)
            };
            json!({
                "amount": 0, "amount_capturable": 0, "amount_received": received,
                "capture_method": "automatic", "confirmation_method": "automatic", "created": now,
                "currency": "pln", "livemode": false, "metadata": {},
                "payment_method_types": ["card", "blik"], "status": "requires_payment_method"
            })
        }
        Some("checkout.session") => json!({
            "automatic_tax": { "enabled": false }, "created": now, "custom_fields": [],
            "custom_text": {}, "expires_at": now + 24 * 3600, "livemode": false, "mode": "payment",
            "payment_method_types": ["card", "blik"], "payment_status": "unpaid",
            "shipping_options": [], "status": "open"
        }),
        Some("charge") => json!({
            "amount": 0, "amount_captured": object["amount"].clone(), "amount_refunded": 0,
            "billing_details": {}, "captured": true, "created": now, "currency": "pln",
            "disputed": false, "livemode": false, "metadata": {}, "paid": true,
            "refunded": object["amount_refunded"] == object["amount"], "status": "succeeded"
        }),
        Some("refund") => json!({ "amount": 0, "created": now, "currency": "pln" }),
        _ => json!({}),
    };
    if let (Some(fields), Some(defaults)) = (object.as_object_mut(), defaults.as_object()) {
        for (key, value) in defaults {
            if fields.get(key).is_none_or(Value::is_null) {
                fields.insert(key.clone(), value.clone());
            }
        }
    }
    object
}

/// A Stripe event of `kind` about `object` (completed as Stripe would send it; its
/// `object` field taken from the event type when the test left it out).
pub(crate) fn stripe_event(kind: &str, mut object: Value) -> Value {
    if object.get("object").is_none() {
        let of = ["checkout.session", "payment_intent", "charge"]
            .into_iter()
            .find(|prefix| kind.starts_with(prefix))
            .unwrap_or_default();
        object["object"] = json!(of);
    }
    json!({
        "id": format!("evt_{}", Uuid::now_v7().simple()),
        "object": "event",
        "api_version": "2026-09-30.endive",
        "created": chrono::Utc::now().timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "type": kind,
        "data": { "object": stripe_object(object) }
    })
}

/// Signs `event` as Stripe would (its object completed as Stripe sends it) and delivers it;
/// the answer (200 asserted).
pub(crate) async fn deliver(app: &TestApp, mut event: Value) -> Value {
    let kind = event["type"].as_str().unwrap_or_default().to_owned();
    let full = stripe_event(&kind, event["data"]["object"].take());
    event["data"] = full["data"].clone();
    for key in ["api_version", "created", "livemode", "pending_webhooks"] {
        event[key] = full[key].clone();
    }
    let body = event.to_string();
    let header = domain::payment::signature::sign(
        body.as_bytes(),
        WEBHOOK_SECRET,
        chrono::Utc::now().timestamp(),
    );
    let answer = app
        .client
        .post(format!("{}/webhooks/stripe", app.address))
        .header("stripe-signature", header)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.status().as_u16(), 200);
    json(answer).await
}

#[sqlx::test(migrations = "../migrations")]
async fn web_checkout_creates_one_checkout_session_per_order(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let svc = shop.app.services();
    assert!(!svc.dev_payments, "no development gateway next to Stripe");
    if let Ok(mut answer) = shop.session.lock() {
        *answer = json!({ "id": "cs_test_1", "object": "checkout.session", "status": "open",
                          "url": "https://checkout.stripe.test/c/pay/cs_test_1" });
    }
    for _ in 0..2 {
        let url = domain::payment::start_payment(&svc, shop.user.into(), id.into())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(url, "https://checkout.stripe.test/c/pay/cs_test_1");
    }
    let calls: Vec<_> = shop
        .fake
        .received()
        .into_iter()
        .filter(|r| r.uri == "/v1/checkout/sessions")
        .collect();
    assert_eq!(calls.len(), 1, "the second asks for the same session back");
    let read_back = shop
        .fake
        .received()
        .into_iter()
        .filter(|r| r.method == "GET" && r.uri.starts_with("/v1/checkout/sessions/cs_test_1"))
        .count();
    assert_eq!(read_back, 1);
    for call in &calls {
        assert_eq!(
            call.headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok()),
            Some(format!("checkout:{id}").as_str()),
            "a retry can never make a second session"
        );
        let auth = call
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(
            auth, "Bearer sk_test_metropolitan",
            "the secret key, as Stripe takes it"
        );
    }
    let sent = form(&calls[0].body);
    assert_eq!(field(&sent, "mode"), Some("payment"));
    assert_eq!(
        field(&sent, "allowed_payment_method_types[0]"),
        Some("card")
    );
    assert_eq!(
        field(&sent, "allowed_payment_method_types[1]"),
        Some("blik")
    );
    assert_eq!(
        field(&sent, "metadata[order_id]"),
        Some(id.to_string().as_str())
    );
    assert_eq!(
        field(&sent, "payment_intent_data[metadata][order_id]"),
        Some(id.to_string().as_str())
    );
    assert_eq!(
        field(&sent, "line_items[0][price_data][currency]"),
        Some("pln")
    );
    assert_eq!(
        field(&sent, "line_items[0][price_data][unit_amount]"),
        Some("799")
    );
    assert_eq!(field(&sent, "line_items[0][quantity]"), Some("2"));
    assert_eq!(
        field(&sent, "success_url"),
        Some(format!("https://sklep.example/orders/{id}?paid=1").as_str())
    );
    assert_eq!(
        field(&sent, "cancel_url"),
        Some(format!("https://sklep.example/orders/{id}").as_str())
    );
    let items_total: i64 = (0..5)
        .filter_map(|i| {
            let unit: i64 = field(&sent, &format!("line_items[{i}][price_data][unit_amount]"))?
                .parse()
                .ok()?;
            let quantity: i64 = field(&sent, &format!("line_items[{i}][quantity]"))?
                .parse()
                .ok()?;
            Some(unit * quantity)
        })
        .sum();
    assert_eq!(
        items_total, total,
        "line items (shipping included) add up to the order"
    );
    let attempts: i64 = sqlx::query_scalar(
        "select count(*) from payments where order_id = $1 and provider_ref = 'cs_test_1'",
    )
    .bind(id)
    .fetch_one(&shop.app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(attempts, 1);

    // The session completes: the webhook pays the order and remembers its PaymentIntent.
    let completed = json!({
        "id": format!("evt_{}", Uuid::now_v7().simple()), "object": "event", "type": "checkout.session.completed",
        "data": { "object": {
            "id": "cs_test_1", "object": "checkout.session", "payment_status": "paid", "status": "complete",
            "amount_total": total, "currency": "pln", "payment_intent": "pi_from_session",
            "metadata": { "order_id": id.to_string() }
        } }
    });
    assert_eq!(deliver(&shop.app, completed).await["outcome"], "applied");
    let intent: Option<String> =
        sqlx::query_scalar("select provider_intent from payments where order_id = $1")
            .bind(id)
            .fetch_one(&shop.app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(intent.as_deref(), Some("pi_from_session"));
}

#[sqlx::test(migrations = "../migrations")]
async fn apps_get_the_same_payment_intent_and_admins_refund_through_stripe(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let path = format!("/api/v1/orders/{id}/payment");
    for _ in 0..2 {
        let answer = json(shop.app.call(Method::POST, &path, &shop.token, None).await).await;
        assert_eq!(answer["payment_intent_id"], "pi_test_1");
        assert_eq!(answer["client_secret"], "pi_test_1_secret_abc");
    }
    let calls: Vec<_> = shop
        .fake
        .received()
        .into_iter()
        .filter(|r| r.uri == "/v1/payment_intents")
        .collect();
    assert_eq!(calls.len(), 1, "the second request reads the intent back");
    let read_back = shop
        .fake
        .received()
        .into_iter()
        .filter(|r| r.method == "GET" && r.uri.starts_with("/v1/payment_intents/pi_test_1"))
        .count();
    assert_eq!(read_back, 1);
    assert!(calls.iter().all(|c| {
        c.headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            == Some(format!("intent:{id}").as_str())
    }));
    let sent = form(&calls[0].body);
    assert_eq!(field(&sent, "amount"), Some(total.to_string().as_str()));
    assert_eq!(field(&sent, "currency"), Some("pln"));

    let paid = json!({
        "id": format!("evt_{}", Uuid::now_v7().simple()), "object": "event", "type": "payment_intent.succeeded",
        "data": { "object": {
            "id": "pi_test_1", "object": "payment_intent", "amount": total, "amount_received": total,
            "currency": "pln", "status": "succeeded", "metadata": { "order_id": id.to_string() }
        } }
    });
    assert_eq!(deliver(&shop.app, paid).await["outcome"], "applied");
    let again = shop.app.call(Method::POST, &path, &shop.token, None).await;
    assert_error_shape(again, 409, "not_payable").await;

    crate::auth::create_admin(&shop.app).await;
    let admin = crate::auth::admin_token(&shop.app).await;
    let refund_path = format!("/api/v1/admin/orders/{id}/refund");
    let too_much = shop
        .app
        .call(
            Method::POST,
            &refund_path,
            &admin,
            Some(&json!({ "amount_minor": total + 1 })),
        )
        .await;
    assert_error_shape(too_much, 422, "validation_failed").await;
    let customer = shop
        .app
        .call(Method::POST, &refund_path, &shop.token, Some(&json!({})))
        .await;
    assert_error_shape(customer, 403, "forbidden").await;
    let asked = shop
        .app
        .call(
            Method::POST,
            &refund_path,
            &admin,
            Some(&json!({ "amount_minor": 500 })),
        )
        .await;
    assert_eq!(asked.status().as_u16(), 202);
    let refunds: Vec<_> = shop
        .fake
        .received()
        .into_iter()
        .filter(|r| r.uri == "/v1/refunds")
        .collect();
    assert_eq!(refunds.len(), 1);
    let sent = form(&refunds[0].body);
    assert_eq!(field(&sent, "payment_intent"), Some("pi_test_1"));
    assert_eq!(field(&sent, "amount"), Some("500"));
    assert_eq!(
        refunds[0]
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok()),
        Some(format!("refund:{id}:0:500").as_str())
    );
    // Stripe reports it; the order follows.
    let refunded = json!({
        "id": format!("evt_{}", Uuid::now_v7().simple()), "object": "event", "type": "charge.refunded",
        "data": { "object": { "id": "ch_1", "object": "charge", "amount": total, "amount_refunded": 500,
                              "currency": "pln", "payment_intent": "pi_test_1" } }
    });
    assert_eq!(deliver(&shop.app, refunded).await["outcome"], "applied");
    let order = json(
        shop.app
            .call(
                Method::GET,
                &format!("/api/v1/orders/{id}"),
                &shop.token,
                None,
            )
            .await,
    )
    .await;
    assert_eq!(order["payment_status"], "partially_refunded");
}

#[sqlx::test(migrations = "../migrations")]
async fn reconciliation_applies_what_stripe_says_when_the_webhook_never_came(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let svc = shop.app.services();
    domain::payment::start_payment(&svc, shop.user.into(), id.into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = std::time::Duration::from_secs(15 * 60);
    // Not old enough yet, then still open at Stripe: nothing changes.
    assert_eq!(domain::payment::reconcile(&svc, stale).await.ok(), Some(0));
    sqlx::query(
        "update payments set created_at = now() - interval '20 minutes' where order_id = $1",
    )
    .bind(id)
    .execute(&shop.app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    if let Ok(mut answer) = shop.session.lock() {
        *answer = json!({ "id": "cs_test_1", "object": "checkout.session", "status": "open", "payment_status": "unpaid" });
    }
    assert_eq!(domain::payment::reconcile(&svc, stale).await.ok(), Some(0));
    if let Ok(mut answer) = shop.session.lock() {
        *answer = json!({
            "id": "cs_test_1", "object": "checkout.session", "status": "complete", "payment_status": "paid",
            "amount_total": total, "currency": "pln", "payment_intent": "pi_late",
            "metadata": { "order_id": id.to_string() }
        });
    }
    assert_eq!(domain::payment::reconcile(&svc, stale).await.ok(), Some(1));
    let order = json(
        shop.app
            .call(
                Method::GET,
                &format!("/api/v1/orders/{id}"),
                &shop.token,
                None,
            )
            .await,
    )
    .await;
    assert_eq!(order["status"], "paid");
    assert_eq!(
        domain::payment::reconcile(&svc, stale).await.ok(),
        Some(0),
        "only once"
    );
    // The webhook arriving late changes nothing either.
    let late = json!({
        "id": format!("evt_{}", Uuid::now_v7().simple()), "object": "event", "type": "checkout.session.completed",
        "data": { "object": {
            "id": "cs_test_1", "object": "checkout.session", "payment_status": "paid",
            "amount_total": total, "currency": "pln", "metadata": { "order_id": id.to_string() }
        } }
    });
    assert_eq!(deliver(&shop.app, late).await["outcome"], "stale");
}
