//! The Redis stock gate in front of Postgres, and a lock for jobs that run once per cluster.
//!
//! Redis holds one counter per product (`{stock}:<id>`, one hash tag so that a Lua script
//! touching several stays legal on Redis Cluster). A checkout reserves every line at once
//! or none; a sold-out product is refused there without touching the product row in
//! Postgres. Postgres stays the source of truth: the order transaction decrements stock
//! conditionally, so a counter that is too high only costs a refused transaction, and a
//! counter that is too low is corrected by the periodic re-sync. Missing counters are
//! rebuilt from Postgres; an unreachable Redis is skipped.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::shared::ProductId;
use anyhow::Context;

use crate::{Redis, Services};

/// What the gate said about a set of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Every line is reserved in Redis; give it back if the order does not commit.
    Reserved,
    /// This product has fewer units than asked for (per Redis).
    Short {
        /// The product.
        product_id: ProductId,
        /// Units Redis holds for it.
        available: i32,
    },
    /// Redis is not configured or not reachable: Postgres alone decides.
    Bypassed,
}

// Returns {1} when every line was reserved, {0, i, have} when line i is short, and
// {-1, i, j, ...} when the counters of lines i, j... are missing (nothing is taken then).
const RESERVE: &str = r"
local missing = {-1}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then table.insert(missing, i) end
end
if #missing > 1 then return missing end
for i, key in ipairs(KEYS) do
  local have = tonumber(redis.call('GET', key))
  if have < tonumber(ARGV[i]) then return {0, i, have} end
end
for i, key in ipairs(KEYS) do redis.call('DECRBY', key, ARGV[i]) end
return {1}
";

// Gives units back to counters that exist (a missing one will be rebuilt from Postgres).
const RELEASE: &str = r"
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('INCRBY', key, ARGV[i]) end
end
return 1
";

// Deletes the lock only when it still holds our token.
const UNLOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

fn stock_key(redis: &Redis, product: ProductId) -> String {
    redis.key(&format!("{{stock}}:{product}"))
}

/// Remembers that this process saw Redis fail: its counters may be stale until re-synced.
fn mark_stale(redis: &Redis, e: &dyn std::fmt::Display) {
    redis.stock_stale.store(true, Ordering::Relaxed);
    tracing::warn!(error = %e, "Redis stock gate unavailable; Postgres alone decides");
}

/// Reserves `lines` (product, units; each product once) in Redis, all or nothing. Missing
/// counters are rebuilt reading through `conn` (the caller's transaction: a checkout must
/// not wait for a second pool connection while it holds locks).
pub async fn reserve(
    svc: &Services,
    conn: &mut sqlx::PgConnection,
    lines: &[(ProductId, i32)],
) -> Gate {
    let Some(redis) = &svc.redis else {
        return Gate::Bypassed;
    };
    if lines.is_empty() {
        return Gate::Reserved;
    }
    if redis.stock_stale.swap(false, Ordering::Relaxed)
        && let Err(e) = resync_with(redis, &mut *conn).await
    {
        mark_stale(redis, &format!("{e:#}"));
        return Gate::Bypassed;
    }
    // Two rounds: the second after rebuilding missing counters.
    for _ in 0..2 {
        let answer: Result<Vec<i64>, redis::RedisError> = async {
            let mut conn = redis.connection().await?;
            let script = redis::Script::new(RESERVE);
            let mut invocation = script.prepare_invoke();
            for (product, quantity) in lines {
                invocation.key(stock_key(redis, *product)).arg(*quantity);
            }
            invocation.invoke_async(&mut conn).await
        }
        .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                mark_stale(redis, &e);
                return Gate::Bypassed;
            }
        };
        match answer.first().copied() {
            Some(1) => return Gate::Reserved,
            Some(0) => {
                let index = answer.get(1).copied().unwrap_or(1);
                let (product_id, _) = usize::try_from(index - 1)
                    .ok()
                    .and_then(|i| lines.get(i))
                    .copied()
                    .unwrap_or(lines[0]);
                let available = answer.get(2).copied().unwrap_or(0);
                return Gate::Short {
                    product_id,
                    available: i32::try_from(available.max(0)).unwrap_or(i32::MAX),
                };
            }
            _ => {
                let missing: Vec<ProductId> = answer
                    .iter()
                    .skip(1)
                    .filter_map(|i| usize::try_from(i - 1).ok())
                    .filter_map(|i| lines.get(i).map(|(p, _)| *p))
                    .collect();
                if let Err(e) = rebuild(&mut *conn, redis, &missing).await {
                    mark_stale(redis, &format!("{e:#}"));
                    return Gate::Bypassed;
                }
            }
        }
    }
    // Rebuilt twice and still missing (keys evicted at once): let Postgres decide.
    Gate::Bypassed
}

/// Gives a reservation back (the order did not commit, or it was cancelled).
pub async fn release(svc: &Services, lines: &[(ProductId, i32)]) {
    if let Some(redis) = &svc.redis {
        release_with(redis, lines).await;
    }
}

async fn release_with(redis: &Redis, lines: &[(ProductId, i32)]) {
    if lines.is_empty() {
        return;
    }
    let result: Result<i64, redis::RedisError> = async {
        let mut conn = redis.connection().await?;
        let script = redis::Script::new(RELEASE);
        let mut invocation = script.prepare_invoke();
        for (product, quantity) in lines {
            invocation.key(stock_key(redis, *product)).arg(*quantity);
        }
        invocation.invoke_async(&mut conn).await
    }
    .await;
    if let Err(e) = result {
        mark_stale(redis, &e);
    }
}

/// Units a checkout took in Redis, given back unless the order that took them commits:
/// on an error ([`Reservation::release`]) and, from `Drop`, when the checkout is dropped
/// mid-flight (a request timeout, a client gone), so that a counter never stays low until
/// the next re-sync. (Given back after a commit whose answer was lost, the counter runs
/// high for a moment, which Postgres refuses and `forget` corrects: never an oversell.)
pub(crate) struct Reservation {
    redis: Option<Redis>,
    lines: Vec<(ProductId, i32)>,
}

impl Reservation {
    /// What `gate` reserved of `lines` (nothing unless it says `Reserved`).
    pub(crate) fn of(svc: &Services, gate: Gate, lines: &[(ProductId, i32)]) -> Reservation {
        Reservation {
            redis: svc.redis.clone().filter(|_| gate == Gate::Reserved),
            lines: lines.to_vec(),
        }
    }

    /// The order committed: its units stay taken.
    pub(crate) fn keep(mut self) {
        self.redis = None;
    }

    /// Gives the units back now.
    pub(crate) async fn release(mut self) {
        if let Some(redis) = self.redis.take() {
            release_with(&redis, &self.lines).await;
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let Some(redis) = self.redis.take() else {
            return;
        };
        let lines = std::mem::take(&mut self.lines);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { release_with(&redis, &lines).await });
        }
    }
}

/// Sets the counters of `products` from Postgres where they are missing.
async fn rebuild(
    db: &mut sqlx::PgConnection,
    redis: &Redis,
    products: &[ProductId],
) -> anyhow::Result<()> {
    let rows = sqlx::query!(
        "select id, stock from products where id = any($1)",
        products as _
    )
    .fetch_all(db)
    .await
    .context("Failed to read stock")?;
    let mut conn = redis.connection().await?;
    let mut pipe = redis::pipe();
    for row in &rows {
        pipe.cmd("SET")
            .arg(stock_key(redis, row.id.into()))
            .arg(row.stock)
            .arg("NX")
            .ignore();
    }
    pipe.query_async::<()>(&mut conn).await?;
    Ok(())
}

/// Overwrites every counter with the stock in Postgres. A counter may come out higher than
/// the truth while orders are in flight (harmless: Postgres refuses), never lower for long.
pub async fn resync(svc: &Services) -> anyhow::Result<usize> {
    let Some(redis) = &svc.redis else {
        return Ok(0);
    };
    let mut conn = svc.db.acquire().await.context("No database connection")?;
    resync_with(redis, &mut conn).await
}

async fn resync_with(redis: &Redis, db: &mut sqlx::PgConnection) -> anyhow::Result<usize> {
    let rows = sqlx::query!("select id, stock from products")
        .fetch_all(db)
        .await
        .context("Failed to read stock")?;
    let mut conn = redis.connection().await?;
    for chunk in rows.chunks(1000) {
        let mut pipe = redis::pipe();
        for row in chunk {
            pipe.cmd("SET")
                .arg(stock_key(redis, row.id.into()))
                .arg(row.stock)
                .ignore();
        }
        pipe.query_async::<()>(&mut conn).await?;
    }
    Ok(rows.len())
}

/// Drops the counters of products whose stock was set by hand; they are rebuilt on next use.
pub async fn forget(svc: &Services, products: &[ProductId]) {
    let Some(redis) = &svc.redis else {
        return;
    };
    if products.is_empty() {
        return;
    }
    let result: Result<(), redis::RedisError> = async {
        let mut conn = redis.connection().await?;
        let keys: Vec<String> = products.iter().map(|p| stock_key(redis, *p)).collect();
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut conn)
            .await
    }
    .await;
    if let Err(e) = result {
        mark_stale(redis, &e);
    }
}

/// A lock held in Redis by one process of the cluster.
pub struct JobLock {
    key: String,
    token: String,
}

/// What trying a lock gave.
pub enum Locked {
    /// We hold it until `unlock` (or until it expires).
    Held(JobLock),
    /// Another process holds it.
    Taken,
    /// No Redis: the caller must be safe without the lock (e.g. `FOR UPDATE SKIP LOCKED`).
    NoRedis,
}

/// Takes the lock `name` for at most `ttl` (SET NX PX with a random token).
pub async fn lock(svc: &Services, name: &str, ttl: Duration) -> Locked {
    let Some(redis) = &svc.redis else {
        return Locked::NoRedis;
    };
    let key = redis.key(&format!("lock:{name}"));
    let (token, _) = crate::identity::new_opaque_token();
    let result: Result<Option<String>, redis::RedisError> = async {
        let mut conn = redis.connection().await?;
        redis::cmd("SET")
            .arg(&key)
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
            .query_async(&mut conn)
            .await
    }
    .await;
    match result {
        Ok(Some(_)) => Locked::Held(JobLock { key, token }),
        Ok(None) => Locked::Taken,
        Err(e) => {
            tracing::warn!(error = %e, lock = name, "Redis unavailable for the job lock");
            Locked::NoRedis
        }
    }
}

impl JobLock {
    /// Releases the lock if it is still ours (compare-and-delete).
    pub async fn unlock(self, svc: &Services) -> bool {
        let Some(redis) = &svc.redis else {
            return false;
        };
        let result: Result<i64, redis::RedisError> = async {
            let mut conn = redis.connection().await?;
            redis::Script::new(UNLOCK)
                .key(&self.key)
                .arg(&self.token)
                .invoke_async(&mut conn)
                .await
        }
        .await;
        matches!(result, Ok(1))
    }
}

/// The Redis counter of a product, for tests and the admin.
pub async fn counter(svc: &Services, product: ProductId) -> Option<i64> {
    let redis = svc.redis.as_ref()?;
    let mut conn = redis.connection().await.ok()?;
    redis::cmd("GET")
        .arg(stock_key(redis, product))
        .query_async(&mut conn)
        .await
        .ok()?
}
