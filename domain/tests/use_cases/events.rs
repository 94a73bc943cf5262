//! `payment::handle_event`: each gateway event acts once, in any order, and money the order
//! does not expect is flagged rather than taken.

use std::collections::HashMap;

use domain::order::{OrderStatus, PaymentStatus, Viewer};
use domain::payment::{Event, ObjectKind, Outcome, PaymentObject};
use domain::shared::{CustomerType, Locale, OrderId, UserId};
use domain::shopping::{Owner, Unit};
use sqlx::PgPool;

use crate::support::{TestShop, checkout, ok};

/// A customer's unpaid order of two butters (7.99 each) and its total.
async fn unpaid_order(shop: &TestShop) -> (UserId, OrderId, i64) {
    let butter = shop.product("BUTTER-1", 799, 500, 20).await;
    let user = shop.customer("+48500100201").await;
    let owner = Owner::User {
        id: user,
        customer_type: CustomerType::Individual,
    };
    ok(domain::shopping::add_item(&shop.svc, &owner, butter, 2, Unit::Item, Locale::Pl).await);
    let placed = ok(domain::order::place_order(&shop.svc, checkout(user, None)).await);
    let order =
        ok(domain::order::get_order(&shop.svc, Viewer::Customer(user), placed.order_id).await);
    (user, order.id, order.total.minor)
}

/// A PaymentIntent event for the order, as the webhook reads one from Stripe.
fn intent_event(id: &str, kind: &str, order: OrderId, paid: i64) -> Event {
    Event {
        id: id.into(),
        kind: kind.into(),
        object: PaymentObject {
            kind: ObjectKind::Intent,
            id: format!("pi_{}", order.uuid().simple()),
            paid: Some(paid),
            refunded: None,
            currency: Some("pln".into()),
            intent: Some(format!("pi_{}", order.uuid().simple())),
            metadata: HashMap::from([("order_id".to_owned(), order.to_string())]),
            settled: true,
        },
    }
}

async fn status(shop: &TestShop, user: UserId, order: OrderId) -> (OrderStatus, PaymentStatus) {
    let order = ok(domain::order::get_order(&shop.svc, Viewer::Customer(user), order).await);
    (order.status, order.payment_status)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_success_delivered_twice_pays_the_order_once(pool: PgPool) {
    // Arrange
    let shop = TestShop::new(pool);
    let (user, order, total) = unpaid_order(&shop).await;
    let paid = intent_event("evt_paid_1", "payment_intent.succeeded", order, total);

    // Act
    let first = ok(domain::payment::handle_event(&shop.svc, &paid).await);
    let second = ok(domain::payment::handle_event(&shop.svc, &paid).await);

    // Assert
    assert_eq!((first, second), (Outcome::Applied, Outcome::Duplicate));
    assert_eq!(
        status(&shop, user, order).await,
        (OrderStatus::Paid, PaymentStatus::Paid)
    );
    let invoices: i64 = ok(
        sqlx::query_scalar("select count(*) from invoices where order_id = $1")
            .bind(order.uuid())
            .fetch_one(&shop.svc.db)
            .await,
    );
    assert_eq!(invoices, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failure_arriving_after_the_success_changes_nothing(pool: PgPool) {
    // Arrange
    let shop = TestShop::new(pool);
    let (user, order, total) = unpaid_order(&shop).await;
    let paid = intent_event("evt_paid_2", "payment_intent.succeeded", order, total);
    let failed = intent_event("evt_failed_2", "payment_intent.payment_failed", order, 0);

    // Act
    ok(domain::payment::handle_event(&shop.svc, &paid).await);
    let late = ok(domain::payment::handle_event(&shop.svc, &failed).await);

    // Assert
    assert_eq!(late, Outcome::Stale);
    assert_eq!(
        status(&shop, user, order).await,
        (OrderStatus::Paid, PaymentStatus::Paid)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_amount_that_does_not_match_flags_the_order_instead_of_paying_it(pool: PgPool) {
    // Arrange
    let shop = TestShop::new(pool);
    let (user, order, total) = unpaid_order(&shop).await;
    let short = intent_event("evt_short_3", "payment_intent.succeeded", order, total - 1);

    // Act
    let outcome = ok(domain::payment::handle_event(&shop.svc, &short).await);

    // Assert
    assert_eq!(outcome, Outcome::Flagged);
    let after = ok(domain::order::get_order(&shop.svc, Viewer::Customer(user), order).await);
    assert_eq!(after.status, OrderStatus::PendingPayment);
    assert!(after.review_reason.is_some());
}
