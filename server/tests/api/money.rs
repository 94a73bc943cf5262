//! Money no order keeps, against a local fake Stripe that remembers its sessions and
//! intents: a Checkout Session ends with the order's reservation, open attempts are closed
//! before an unpaid order is cancelled, a payment landing on a cancelled order and a second
//! payment for a paid one are refunded automatically (also by reconciliation when the
//! webhook or the refund call was lost), refunds go to the payment the order kept, an
//! admin's move to `refunded` gives the money back, and late events never move money
//! state backwards.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Fake, TestApp, json};
use crate::orders::{add_to_cart, cart_total, place, place_cart_order};
use crate::stripe::stripe_app;

/// The fake's objects by id, and whether its refunds answer 500.
#[derive(Default)]
struct Ledger {
    objects: HashMap<String, Value>,
    next: u32,
    refunds_fail: bool,
}

type Shared = Arc<Mutex<Ledger>>;

fn error(status: u16, message: &str) -> (u16, String) {
    (
        status,
        json!({ "error": { "message": message } }).to_string(),
    )
}

fn form(body: &str) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// Answers like Stripe for the calls the shop makes, keeping state between them.
fn answer(ledger: &Shared, method: &str, path: &str, body: &str) -> (u16, String) {
    let Ok(mut ledger) = ledger.lock() else {
        return error(500, "poisoned");
    };
    ledger.next += 1;
    let n = ledger.next;
    let sent = form(body);
    let parts: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    match (method, parts.as_slice()) {
        ("POST", ["checkout", "sessions"]) => {
            let id = format!("cs_test_{n}");
            let session = json!({
                "id": id, "object": "checkout.session", "status": "open", "payment_status": "unpaid",
                "url": format!("https://checkout.stripe.test/{id}"),
                "expires_at": sent.get("expires_at").and_then(|v| v.parse::<i64>().ok()),
                "amount_total": null, "currency": "pln", "payment_intent": null,
                "metadata": { "order_id": sent.get("metadata[order_id]") },
            });
            ledger.objects.insert(id, session.clone());
            (200, session.to_string())
        }
        ("POST", ["payment_intents"]) => {
            let id = format!("pi_test_{n}");
            let intent = json!({
                "id": id, "object": "payment_intent", "status": "requires_payment_method",
                "client_secret": format!("{id}_secret"),
                "amount": sent.get("amount").and_then(|v| v.parse::<i64>().ok()),
                "amount_received": 0, "currency": "pln",
                "metadata": { "order_id": sent.get("metadata[order_id]") },
            });
            ledger.objects.insert(id, intent.clone());
            (200, intent.to_string())
        }
        ("POST", ["checkout", "sessions", id, "expire"]) => match ledger.objects.get_mut(*id) {
            Some(s) if s["status"] == "open" => {
                s["status"] = json!("expired");
                (200, s.to_string())
            }
            Some(_) => error(400, "This Checkout Session is not open."),
            None => error(404, "No such session"),
        },
        ("POST", ["payment_intents", id, "cancel"]) => match ledger.objects.get_mut(*id) {
            Some(i) if i["status"] != "succeeded" => {
                i["status"] = json!("canceled");
                (200, i.to_string())
            }
            Some(_) => error(400, "This PaymentIntent has succeeded."),
            None => error(404, "No such payment_intent"),
        },
        ("GET", ["checkout", "sessions", id]) | ("GET", ["payment_intents", id]) => {
            match ledger.objects.get(*id) {
                Some(o) => (200, o.to_string()),
                None => error(404, "No such object"),
            }
        }
        ("POST", ["refunds"]) if ledger.refunds_fail => error(500, "try later"),
        ("POST", ["refunds"]) => (
            200,
            json!({ "id": format!("re_{n}"), "object": "refund", "status": "succeeded" })
                .to_string(),
        ),
        _ => error(404, "no such route"),
    }
}

struct Shop {
    app: TestApp,
    fake: Fake,
    ledger: Shared,
    butter: Uuid,
    token: String,
    user: Uuid,
}

async fn shop(pool: PgPool) -> Shop {
    let ledger: Shared = Arc::default();
    let state = ledger.clone();
    let fake = Fake::start(move |r| {
        let path = r.uri.split('?').next().unwrap_or_default().to_owned();
        match answer(&state, &r.method, &path, &r.body) {
            (200, body) => match serde_json::from_str(&body) {
                Ok(object) => (200, crate::stripe::stripe_object(object).to_string()),
                Err(_) => (200, body),
            },
            other => other,
        }
    })
    .await;
    // Below Stripe's 30-minute minimum for a session: raised to it.
    let extra = [("ORDER_RESERVATION_MINUTES", "10")];
    let (app, butter, token, user) = stripe_app(pool, &fake.url, &extra).await;
    Shop {
        app,
        fake,
        ledger,
        butter,
        token,
        user,
    }
}

async fn order(shop: &Shop) -> (Uuid, i64) {
    place_cart_order(&shop.app, &shop.token, shop.butter, 2).await
}

/// Starts the web payment; returns the session's id.
async fn session(shop: &Shop, order: Uuid) -> String {
    let url = domain::payment::start_payment(&shop.app.services(), shop.user.into(), order.into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// Starts the app payment; returns the intent's id.
async fn app_intent(shop: &Shop, order: Uuid) -> String {
    let path = format!("/api/v1/orders/{order}/payment");
    let answer = json(shop.app.call(Method::POST, &path, &shop.token, None).await).await;
    answer["payment_intent_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned()
}

/// The customer pays at Stripe (the fake's object becomes paid); returns it.
fn pay(shop: &Shop, id: &str, total: i64) -> Value {
    let Ok(mut ledger) = shop.ledger.lock() else {
        panic!("ledger")
    };
    let object = ledger
        .objects
        .get_mut(id)
        .unwrap_or_else(|| panic!("no {id}"));
    if id.starts_with("cs_") {
        object["status"] = json!("complete");
        object["payment_status"] = json!("paid");
        object["amount_total"] = json!(total);
        object["payment_intent"] = json!(format!("pi_of_{id}"));
    } else {
        object["status"] = json!("succeeded");
        object["amount_received"] = json!(total);
    }
    object.clone()
}

async fn deliver(app: &TestApp, kind: &str, object: Value) -> String {
    crate::stripe::deliver(app, crate::stripe::stripe_event(kind, object)).await["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn charge(intent: &str, amount: i64, refunded: i64) -> Value {
    json!({
        "id": format!("ch_{intent}"), "object": "charge", "amount": amount,
        "amount_refunded": refunded, "currency": "pln", "payment_intent": intent
    })
}

/// The refund calls the fake received: (payment_intent, amount).
fn refunds(shop: &Shop) -> Vec<(String, String)> {
    shop.fake
        .received()
        .into_iter()
        .filter(|r| r.method == "POST" && r.uri == "/v1/refunds")
        .map(|r| {
            let sent = form(&r.body);
            (
                sent.get("payment_intent").cloned().unwrap_or_default(),
                sent.get("amount").cloned().unwrap_or_default(),
            )
        })
        .collect()
}

async fn order_row(app: &TestApp, id: Uuid) -> (String, String, i64, Option<String>) {
    sqlx::query_as(
        "select status, payment_status, refunded_minor, review_reason from orders where id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// (provider_intent, status, orphaned) of the order's payments, oldest first.
async fn payments(app: &TestApp, id: Uuid) -> Vec<(Option<String>, String, bool)> {
    sqlx::query_as(
        r#"select provider_intent, status, orphaned_at is not null from payments
            where order_id = $1 order by created_at"#,
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn lapse_reservation(app: &TestApp, id: Uuid) {
    sqlx::query("update orders set reserved_until = now() - interval '1 minute' where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_checkout_session_ends_with_the_reservation_and_is_expired_before_the_order_is_cancelled(
    pool: PgPool,
) {
    let shop = shop(pool).await;
    let (id, _) = order(&shop).await;
    let cs = session(&shop, id).await;

    // The session stops taking payments when the reservation ends, never sooner than
    // Stripe's 30 minutes (the 10 configured were raised), and the reservation matches it.
    let expires_at = shop
        .ledger
        .lock()
        .map(|l| l.objects[&cs]["expires_at"].as_i64());
    let expires_at = expires_at
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no expires_at"));
    let reserved: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select reserved_until from orders where id = $1")
            .bind(id)
            .fetch_one(&shop.app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    let now = chrono::Utc::now().timestamp();
    assert!(expires_at >= now + 30 * 60, "{expires_at} vs {now}");
    assert!(expires_at <= now + 32 * 60);
    assert!(
        reserved.timestamp() >= expires_at,
        "the session never outlives the stock it pays for"
    );

    // Stripe cannot be asked: the order keeps its stock rather than risk a late payment.
    let svc = shop.app.services();
    lapse_reservation(&shop.app, id).await;
    if let Ok(mut l) = shop.ledger.lock() {
        l.objects.remove(&cs);
    }
    assert_eq!(domain::order::expire_unpaid(&svc).await.ok(), Some(0));
    assert_eq!(order_row(&shop.app, id).await.0, "pending_payment");
    if let Ok(mut l) = shop.ledger.lock() {
        l.objects.insert(
            cs.clone(),
            json!({ "id": cs, "object": "checkout.session", "status": "open", "payment_status": "unpaid" }),
        );
    }

    // The job expires the session at Stripe first, then cancels the order.
    assert_eq!(domain::order::expire_unpaid(&svc).await.ok(), Some(1));
    assert!(
        shop.fake
            .received()
            .iter()
            .any(|r| r.method == "POST" && r.uri == format!("/v1/checkout/sessions/{cs}/expire"))
    );
    assert_eq!(order_row(&shop.app, id).await.0, "cancelled");
    assert_eq!(payments(&shop.app, id).await[0].1, "cancelled");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_order_paid_just_before_its_reservation_ended_is_paid_not_cancelled(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let pi = app_intent(&shop, id).await;
    pay(&shop, &pi, total);
    // The webhook has not come; the expiry job finds the intent paid when it tries to cancel.
    lapse_reservation(&shop.app, id).await;
    let svc = shop.app.services();
    assert_eq!(domain::order::expire_unpaid(&svc).await.ok(), Some(0));
    assert_eq!(order_row(&shop.app, id).await.0, "paid");
    assert!(refunds(&shop).is_empty());

    // An open app intent is cancelled at Stripe before its order is.
    let (other, _) = order(&shop).await;
    let open = app_intent(&shop, other).await;
    lapse_reservation(&shop.app, other).await;
    assert_eq!(domain::order::expire_unpaid(&svc).await.ok(), Some(1));
    let status = shop
        .ledger
        .lock()
        .map(|l| l.objects[&open]["status"].clone());
    assert_eq!(status.ok(), Some(json!("canceled")));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_landing_on_a_cancelled_order_is_refunded_automatically(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let pi = app_intent(&shop, id).await;
    // Cancelled while Stripe could not be asked to cancel the intent, which is then paid.
    sqlx::query("update orders set status = 'cancelled' where id = $1")
        .bind(id)
        .execute(&shop.app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let paid = pay(&shop, &pi, total);
    assert_eq!(
        deliver(&shop.app, "payment_intent.succeeded", paid.clone()).await,
        "refunding"
    );
    assert_eq!(refunds(&shop), vec![(pi.clone(), total.to_string())]);
    let (status, _, refunded, reason) = order_row(&shop.app, id).await;
    assert_eq!(status, "cancelled");
    assert_eq!(refunded, 0, "the order itself kept nothing");
    assert!(reason.is_some_and(|r| r.contains("cancelled")));
    assert_eq!(
        payments(&shop.app, id).await,
        vec![(Some(pi.clone()), "succeeded".to_owned(), true)],
        "the payment is recorded, as money no order keeps"
    );

    // The same event again, or Stripe reporting the refund: one refund, recorded.
    assert_eq!(
        deliver(&shop.app, "payment_intent.succeeded", paid).await,
        "stale"
    );
    assert_eq!(
        deliver(&shop.app, "charge.refunded", charge(&pi, total, total)).await,
        "applied"
    );
    assert_eq!(refunds(&shop).len(), 1);
    assert_eq!(
        payments(&shop.app, id).await,
        vec![(Some(pi), "refunded".to_owned(), true)]
    );
    assert_eq!(order_row(&shop.app, id).await.0, "cancelled");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_payment_is_refunded_and_refunds_go_to_the_payment_the_order_kept(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    // Paid twice: in the browser through Checkout, and in the app.
    let cs = session(&shop, id).await;
    let pi = app_intent(&shop, id).await;
    let web = pay(&shop, &cs, total);
    let app_paid = pay(&shop, &pi, total);
    // Stripe may report the session's intent before the session itself.
    let web_intent = json!({
        "id": format!("pi_of_{cs}"), "object": "payment_intent", "status": "succeeded",
        "amount": total, "amount_received": total, "currency": "pln",
        "metadata": { "order_id": id.to_string(), "attempt": "checkout" }
    });
    assert_eq!(
        deliver(&shop.app, "payment_intent.succeeded", web_intent).await,
        "applied"
    );
    // Paying the order closed its other attempt at Stripe, which turned out paid too: that
    // money went back at once, so its own webhook changes nothing.
    let kept = format!("pi_of_{cs}");
    assert_eq!(refunds(&shop), vec![(pi.clone(), total.to_string())]);
    assert_eq!(
        deliver(&shop.app, "checkout.session.completed", web).await,
        "stale",
        "the same money as its intent"
    );
    assert_eq!(
        deliver(&shop.app, "payment_intent.succeeded", app_paid).await,
        "stale"
    );
    assert_eq!(refunds(&shop).len(), 1);
    let mut recorded = payments(&shop.app, id).await;
    recorded.sort();
    assert_eq!(
        recorded,
        vec![
            (Some(kept.clone()), "succeeded".to_owned(), false),
            (Some(pi.clone()), "succeeded".to_owned(), true),
        ],
        "only the attempts the events named succeeded; one of them is the order's"
    );
    let (status, _, _, reason) = order_row(&shop.app, id).await;
    assert_eq!(status, "paid");
    assert!(reason.is_some_and(|r| r.contains("second payment")));

    // The customer cancels: the refund goes to the payment the order kept.
    let cancel = format!("/api/v1/orders/{id}/cancel");
    let answer = shop
        .app
        .call(Method::POST, &cancel, &shop.token, None)
        .await;
    assert_eq!(answer.status().as_u16(), 202);
    assert_eq!(
        refunds(&shop),
        vec![
            (pi.clone(), total.to_string()),
            (kept.clone(), total.to_string())
        ]
    );
    // Stripe reports both refunds; each goes where it belongs.
    assert_eq!(
        deliver(&shop.app, "charge.refunded", charge(&pi, total, total)).await,
        "applied"
    );
    assert_eq!(order_row(&shop.app, id).await.0, "paid");
    assert_eq!(
        deliver(&shop.app, "charge.refunded", charge(&kept, total, total)).await,
        "applied"
    );
    let (status, payment_status, refunded, _) = order_row(&shop.app, id).await;
    assert_eq!(
        (status.as_str(), payment_status.as_str(), refunded),
        ("refunded", "refunded", total)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_move_to_refunded_gives_the_money_back_through_the_gateway(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let pi = app_intent(&shop, id).await;
    let paid = pay(&shop, &pi, total);
    assert_eq!(
        deliver(&shop.app, "payment_intent.succeeded", paid).await,
        "applied"
    );
    crate::auth::create_admin(&shop.app).await;
    let admin = crate::auth::admin_token(&shop.app).await;
    let path = format!("/api/v1/admin/orders/{id}/status");
    let answer = shop
        .app
        .call(
            Method::POST,
            &path,
            &admin,
            Some(&json!({ "status": "refunded" })),
        )
        .await;
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(refunds(&shop), vec![(pi.clone(), total.to_string())]);
    // Refunded once the gateway says the money went back, not before.
    assert_eq!(order_row(&shop.app, id).await.0, "paid");
    assert_eq!(
        deliver(&shop.app, "charge.refunded", charge(&pi, total, total)).await,
        "applied"
    );
    assert_eq!(order_row(&shop.app, id).await.0, "refunded");
}

#[sqlx::test(migrations = "../migrations")]
async fn late_and_out_of_order_events_never_move_money_backwards(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let cs = session(&shop, id).await;
    let unpaid = shop
        .ledger
        .lock()
        .map(|l| l.objects[&cs].clone())
        .unwrap_or_default();
    let mut completed_unpaid = unpaid.clone();
    completed_unpaid["status"] = json!("complete");
    let paid = pay(&shop, &cs, total);
    let intent = format!("pi_of_{cs}");
    assert_eq!(
        deliver(&shop.app, "checkout.session.completed", paid).await,
        "applied"
    );
    // A completion that had not settled yet, delivered late: paid stays paid.
    assert_eq!(
        deliver(&shop.app, "checkout.session.completed", completed_unpaid).await,
        "stale"
    );
    assert_eq!(order_row(&shop.app, id).await.1, "paid");
    // Two partial refunds reported newest first: the older never lowers the amount.
    assert_eq!(
        deliver(&shop.app, "charge.refunded", charge(&intent, total, 800)).await,
        "applied"
    );
    assert_eq!(
        deliver(&shop.app, "charge.refunded", charge(&intent, total, 500)).await,
        "stale"
    );
    let (status, payment_status, refunded, _) = order_row(&shop.app, id).await;
    assert_eq!(
        (status.as_str(), payment_status.as_str(), refunded),
        ("paid", "partially_refunded", 800)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn reconciliation_refunds_late_payments_whose_webhook_or_refund_was_lost(pool: PgPool) {
    let shop = shop(pool).await;
    let (id, total) = order(&shop).await;
    let cs = session(&shop, id).await;
    // Paid at Stripe a moment before the order was cancelled, the webhook lost, and the
    // refund call failing the first time.
    pay(&shop, &cs, total);
    let svc = shop.app.services();
    sqlx::query("update orders set status = 'cancelled' where id = $1")
        .bind(id)
        .execute(&shop.app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("update payments set created_at = now() - interval '1 hour' where order_id = $1")
        .bind(id)
        .execute(&shop.app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if let Ok(mut l) = shop.ledger.lock() {
        l.refunds_fail = true;
    }
    let stale = Duration::from_secs(15 * 60);
    assert_eq!(domain::payment::reconcile(&svc, stale).await.ok(), Some(1));
    let kept = format!("pi_of_{cs}");
    let asked = refunds(&shop);
    assert!(!asked.is_empty(), "asked, and Stripe failed");
    assert!(
        asked
            .iter()
            .all(|r| *r == (kept.clone(), total.to_string()))
    );
    assert_eq!(
        payments(&shop.app, id).await,
        vec![(Some(kept.clone()), "succeeded".to_owned(), true)]
    );
    if let Ok(mut l) = shop.ledger.lock() {
        l.refunds_fail = false;
    }
    assert_eq!(domain::payment::reconcile(&svc, stale).await.ok(), Some(1));
    assert_eq!(refunds(&shop).len(), asked.len() + 1);
    let requested: bool = sqlx::query_scalar(
        "select refund_requested_at is not null from payments where order_id = $1",
    )
    .bind(id)
    .fetch_one(&shop.app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(requested);
    assert_eq!(
        domain::payment::reconcile(&svc, stale).await.ok(),
        Some(0),
        "asked once it was taken"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_idempotency_key_sent_again_with_another_request_is_refused(pool: PgPool) {
    let shop = shop(pool).await;
    add_to_cart(&shop.app, &shop.token, shop.butter, 2).await;
    let total = cart_total(&shop.app, &shop.token).await;
    let body = |street: &str| {
        json!({
            "shipping_address": { "recipient_name": "Anna Nowak", "street": street, "city": "Kraków", "postal_code": "30-001" },
            "accept_terms": true, "expected_total_minor": total
        })
    };
    let key = Some("checkout-key-0001");
    let first = place(&shop.app, &shop.token, &body("ul. Krótka 2"), key).await;
    assert_eq!(first.status().as_u16(), 201);
    let first = json(first).await;
    // The same request again: the same order.
    let again = place(&shop.app, &shop.token, &body("ul. Krótka 2"), key).await;
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(json(again).await["id"], first["id"]);
    // Another request with that key: refused, nothing placed.
    add_to_cart(&shop.app, &shop.token, shop.butter, 2).await;
    let other = place(&shop.app, &shop.token, &body("ul. Długa 9"), key).await;
    crate::helpers::assert_error_shape(other, 422, "idempotency_key_reused").await;
    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&shop.app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(orders, 1);
}
