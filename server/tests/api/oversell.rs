//! The oversell proof: many buyers at once for a product with little stock, through the
//! HTTP API, with Redis up, with Redis going away halfway, and with two server processes
//! sharing the database and Redis.

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::helpers::{TcpProxy, TestApp, json, redis_address, spawn_app, spawn_app_with};
use crate::orders::{cart_total, place, prices};

/// `n` customers with a finished profile and one unit of `product` in their carts; their
/// access tokens.
pub async fn buyers(app: &TestApp, product: Uuid, n: usize) -> Vec<String> {
    static NEXT_PHONE: AtomicU32 = AtomicU32::new(0);
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    let phones: Vec<String> = (0..n)
        .map(|_| format!("+48600{:06}", NEXT_PHONE.fetch_add(1, Ordering::Relaxed)))
        .collect();
    sqlx::query(
        r#"
        insert into users (id, phone, customer_type, first_name, last_name, profile_completed_at)
        select id, phone, 'individual', 'Kupujący', 'Testowy', now()
          from unnest($1::uuid[], $2::text[]) as u(id, phone)
        "#,
    )
    .bind(&ids)
    .bind(&phones)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("buyers: {e}"));
    sqlx::query(
        r#"
        with c as (
            insert into carts (id, user_id)
            select gen_random_uuid(), id from unnest($1::uuid[]) as u(id)
            returning id
        )
        insert into cart_items (cart_id, product_id, quantity) select id, $2, 1 from c
        "#,
    )
    .bind(&ids)
    .bind(product)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("carts: {e}"));
    let svc = app.services();
    let now = chrono::Utc::now().timestamp();
    ids.iter()
        .map(|id| {
            domain::identity::issue_access_token(&svc.tokens, (*id).into(), "customer", now)
                .unwrap_or_else(|e| panic!("{e}"))
                .0
        })
        .collect()
}

/// Everyone checks out at once, each through the app given for them; returns the statuses.
pub async fn stampede(apps: &[&TestApp], tokens: &[String], total: i64) -> Vec<u16> {
    let body = json!({
        "shipping_address": {
            "recipient_name": "Jan Kowalski", "street": "ul. Długa 1",
            "city": "Gdańsk", "postal_code": "80-001"
        },
        "accept_terms": true, "expected_total_minor": total
    });
    let calls = tokens.iter().enumerate().map(|(i, token)| {
        let app = apps[i % apps.len()];
        let body = body.clone();
        async move { place(app, token, &body, None).await.status().as_u16() }
    });
    futures_util::future::join_all(calls).await
}

async fn outcome(app: &TestApp, product: Uuid) -> (i64, i32) {
    let orders: i64 =
        sqlx::query_scalar("select count(*) from orders where status = 'pending_payment'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    let stock: i32 = sqlx::query_scalar("select stock from products where id = $1")
        .bind(product)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (orders, stock)
}

fn assert_only_accepted_or_sold_out(statuses: &[u16], accepted: usize) {
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "only 201 or 409: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), accepted);
}

#[sqlx::test(migrations = "../migrations")]
async fn two_hundred_buyers_for_twenty_units_make_twenty_orders(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let tokens = buyers(&app, butter, 200).await;
    let total = cart_total(&app, &tokens[0]).await;
    let statuses = stampede(&[&app], &tokens, total).await;
    assert_only_accepted_or_sold_out(&statuses, 20);
    assert_eq!(outcome(&app, butter).await, (20, 0));
    let svc = app.services();
    assert_eq!(
        domain::order::gate::counter(&svc, butter.into()).await,
        Some(0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn redis_going_away_halfway_neither_oversells_nor_stops_checkout(pool: PgPool) {
    let proxy = TcpProxy::start(&redis_address(), 0).await;
    let url = format!("redis://127.0.0.1:{}", proxy.port);
    let app = spawn_app_with(pool, &[("REDIS_URL", &url)]).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let tokens = buyers(&app, butter, 200).await;
    let total = cart_total(&app, &tokens[0]).await;

    // Ten buyers go through the gate; Redis dies while the other 190 arrive.
    let first = stampede(&[&app], &tokens[..10], total).await;
    assert_only_accepted_or_sold_out(&first, 10);
    let svc = app.services();
    // The gate took them (a Redis call timing out under load would leave it higher).
    let counter = domain::order::gate::counter(&svc, butter.into()).await;
    assert!(
        counter.is_some_and(|c| (10..=20).contains(&c)),
        "{counter:?}"
    );
    let apps = [&app];
    let (second, ()) = tokio::join!(stampede(&apps, &tokens[10..], total), async {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        proxy.kill();
    });
    let mut statuses = first;
    statuses.extend(second);
    assert_only_accepted_or_sold_out(&statuses, 20);
    assert_eq!(outcome(&app, butter).await, (20, 0));

    // With Redis gone for good, a restock sells through Postgres alone.
    domain::catalog::edit_stock(&svc, "MT-0102-1", domain::catalog::StockEdit::Change(5))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let more = buyers(&app, butter, 12).await;
    let statuses = stampede(&[&app], &more, total).await;
    assert_only_accepted_or_sold_out(&statuses, 5);
    assert_eq!(outcome(&app, butter).await, (25, 0));

    // Redis comes back: the gate re-syncs from Postgres before it is used again.
    let _back = TcpProxy::start(&redis_address(), proxy.port).await;
    let mut redis_up = false;
    for _ in 0..50 {
        let ready = json(app.get("/health/ready").await).await;
        if ready["checks"]["redis"]["status"] == "up" {
            redis_up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(redis_up, "the app reconnects to Redis");
    // Fresh handles: the ones above kept a connection through the dead proxy.
    let svc = app.services();
    domain::catalog::edit_stock(&svc, "MT-0102-1", domain::catalog::StockEdit::Change(3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let last = buyers(&app, butter, 6).await;
    let statuses = stampede(&[&app], &last, total).await;
    assert_only_accepted_or_sold_out(&statuses, 3);
    assert_eq!(outcome(&app, butter).await, (28, 0));
    // The gate is in use again. Its counter may run high for a moment (a re-sync racing a
    // checkout reads stock before that checkout commits: harmless, Postgres refuses); the
    // periodic re-sync brings it to the truth.
    let counter = domain::order::gate::counter(&svc, butter.into()).await;
    assert!(counter.is_some_and(|c| (0..=3).contains(&c)), "{counter:?}");
    assert!(domain::order::gate::resync(&svc).await.is_ok());
    assert_eq!(
        domain::order::gate::counter(&svc, butter.into()).await,
        Some(0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn two_server_processes_sharing_postgres_and_redis_sell_the_stock_once(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    first.seed_catalog().await;
    let (butter, _) = prices(&first).await;
    // The second process: its own connection pool and Redis connection, the same data.
    let second_pool = PgPoolOptions::new()
        .max_connections(10)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap_or_else(|e| panic!("second pool: {e}"));
    let prefix = first.settings.redis_key_prefix.clone();
    let second = spawn_app_with(second_pool, &[("REDIS_KEY_PREFIX", &prefix)]).await;
    let tokens = buyers(&first, butter, 200).await;
    let total = cart_total(&first, &tokens[0]).await;
    let statuses = stampede(&[&first, &second], &tokens, total).await;
    assert_only_accepted_or_sold_out(&statuses, 20);
    assert_eq!(outcome(&first, butter).await, (20, 0));
}

/// The stock gate's counter for `product`, read from Redis.
async fn gate_counter(app: &TestApp, product: Uuid) -> Option<i64> {
    let client = redis::Client::open(format!("redis://{}", redis_address()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    redis::cmd("GET")
        .arg(format!(
            "{}{{stock}}:{product}",
            app.settings.redis_key_prefix
        ))
        .query_async(&mut redis)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_checkout_dropped_mid_flight_gives_its_reservation_back(pool: PgPool) {
    let app = spawn_app_with(pool, &[("REQUEST_TIMEOUT_SECS", "1")]).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let token = buyers(&app, butter, 1).await.remove(0);
    let total = cart_total(&app, &token).await;
    // Another transaction holds butter's row: the checkout reserves in Redis, then waits in
    // Postgres until the server's request timeout drops it.
    let mut blocker = app.db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("select stock from products where id = $1 for update")
        .bind(butter)
        .execute(&mut *blocker)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = json!({
        "shipping_address": { "recipient_name": "Anna Nowak", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "accept_terms": true, "expected_total_minor": total
    });
    let answer = place(&app, &token, &body, None).await;
    assert!(
        !answer.status().is_success(),
        "timed out: {}",
        answer.status()
    );
    blocker.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    // The reservation comes back (released in the background as the checkout is dropped).
    let mut counter = None;
    for _ in 0..50 {
        counter = gate_counter(&app, butter).await;
        if counter == Some(20) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(counter, Some(20), "the counter is not left 1 low");
    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(orders, 0);
}
