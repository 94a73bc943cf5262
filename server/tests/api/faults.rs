//! Fault tests: Postgres going away under a checkout load and coming back (through a proxy
//! the test cuts, as a restart looks to the app), and one Stripe event delivered ten times
//! at once to two server processes. Redis going away mid-checkout is in `oversell.rs`; a
//! process killed mid-checkout and a real Postgres restart are in `scripts/faults.sh`
//! (`make test-faults`).

use std::time::Duration;

use reqwest::Method;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{TcpProxy, TestApp, assert_error_shape, json, spawn_app};
use crate::orders::{cart_total, prices};
use crate::oversell::{buyers, stampede};

/// Counts orders that are not whole: items missing or not adding up to the items total, or
/// no event recording that the order was placed.
const NOT_WHOLE: &str = "
    select count(*) from orders o
     where o.items_total_minor <> coalesce(
               (select sum(line_total_minor) from order_items i where i.order_id = o.id), -1)
        or not exists (select 1 from order_events e where e.order_id = o.id)";

/// Orders, units sold, and the stock left of `product`, read past the proxy.
async fn ledger(db: &PgPool, product: uuid::Uuid) -> (i64, i64, i32) {
    let (orders, units): (i64, i64) = sqlx::query_as(
        "select count(distinct o.id), coalesce(sum(i.quantity), 0)::bigint
           from orders o left join order_items i on i.order_id = o.id",
    )
    .fetch_one(db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let broken: i64 = sqlx::query_scalar(NOT_WHOLE)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        broken, 0,
        "orders without their items, totals or first event"
    );
    let stock: i32 = sqlx::query_scalar("select stock from products where id = $1")
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (orders, units, stock)
}

/// Polls `/health/ready` until it answers `status`; false after five seconds.
async fn ready_becomes(app: &TestApp, status: u16) -> bool {
    for _ in 0..100 {
        if app.get("/health/ready").await.status().as_u16() == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[sqlx::test(migrations = "../migrations")]
async fn postgres_going_away_under_load_answers_503_writes_no_half_order_and_recovers(
    pool: PgPool,
) {
    // The app reaches Postgres only through the proxy; the test reads past it.
    let options = pool.connect_options();
    let upstream = format!("{}:{}", options.get_host(), options.get_port());
    let proxy = TcpProxy::start(&upstream, 0).await;
    let through = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy_with((*options).clone().host("127.0.0.1").port(proxy.port));
    let app = spawn_app(through).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    sqlx::query("update products set stock = 1000 where id = $1")
        .bind(butter)
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tokens = buyers(&app, butter, 150).await;
    let total = cart_total(&app, &tokens[0]).await;

    // Postgres goes away while 150 checkouts are under way.
    let apps = [&app];
    let (statuses, ()) = tokio::join!(stampede(&apps, &tokens, total), async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        proxy.kill();
    });
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 503),
        "only placed or unavailable: {statuses:?}"
    );
    let accepted = statuses.iter().filter(|s| **s == 201).count();
    assert!(statuses.contains(&503), "the outage was felt: {statuses:?}");
    // Every order is whole: one line of one unit each, and the stock went down by exactly
    // the units ordered. An order may exist whose answer was lost with the connection (the
    // client retries with its Idempotency-Key), never one without its lines or stock.
    let (orders, units, stock) = ledger(&pool, butter).await;
    assert!(
        orders >= accepted as i64,
        "{orders} orders, {accepted} placed"
    );
    assert_eq!(units, orders);
    assert_eq!(i64::from(stock), 1000 - units);

    // While it is down: the error shape with 503, readiness says so, nothing is written.
    let me = app.call(Method::GET, "/api/v1/me", &tokens[0], None).await;
    assert_eq!(
        me.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    assert_error_shape(me, 503, "unavailable").await;
    let ready = assert_error_shape(app.get("/health/ready").await, 503, "not_ready").await;
    assert_eq!(ready["details"]["checks"]["database"]["status"], "down");
    let late = tokens.last().map(String::as_str).unwrap_or_default();
    let refused = stampede(&apps, &[late.to_owned()], total).await;
    assert_eq!(refused, vec![503]);
    assert_eq!(ledger(&pool, butter).await, (orders, units, stock));

    // It comes back on the same address: the pool recovers without a restart.
    let _back = TcpProxy::start(&upstream, proxy.port).await;
    assert!(ready_becomes(&app, 200).await, "ready again");
    let me = app.call(Method::GET, "/api/v1/me", &tokens[0], None).await;
    assert_eq!(me.status().as_u16(), 200);
    let placed_before = orders;
    let again: Vec<String> = tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| statuses.get(*i) == Some(&503))
        .map(|(_, t)| t.clone())
        .take(5)
        .collect();
    let statuses = stampede(&apps, &again, total).await;
    // A buyer whose order went through unseen finds an empty cart (409); the rest buy.
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let placed_now = statuses.iter().filter(|s| **s == 201).count() as i64;
    let (orders, units, stock) = ledger(&pool, butter).await;
    assert_eq!(orders, placed_before + placed_now);
    assert_eq!(i64::from(stock), 1000 - units);
    let body = json(app.get("/health/ready").await).await;
    assert_eq!(body["checks"]["database"]["status"], "up");
}
