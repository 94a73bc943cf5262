//! Fixed-window rate limits: a counter per subject in Redis, or in Postgres while Redis is
//! unreachable, so that a Redis outage neither opens the gate nor locks everybody out.

use std::time::Duration;

use anyhow::Context;

use crate::Services;

/// A limit: at most `max` hits per `window` for one subject (a phone number, an IP).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Names the counter, e.g. `otp_send_phone`.
    pub name: &'static str,
    /// Hits allowed per window.
    pub max: u32,
    /// Window length.
    pub window: Duration,
}

/// A limit was exceeded; try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

// INCR, start the window on the first hit, report the count and the time left.
const HIT_SCRIPT: &str = r"
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}
";

impl Limit {
    /// Counts a hit for `subject`; `Err(RetryAfter)` once the window holds more than `max`.
    pub async fn hit(
        &self,
        svc: &Services,
        subject: &str,
    ) -> anyhow::Result<Result<(), RetryAfter>> {
        let (hits, ttl_secs) = self.count(svc, subject).await?;
        if hits > u64::from(self.max) {
            Ok(Err(RetryAfter(ttl_secs.max(1))))
        } else {
            Ok(Ok(()))
        }
    }

    /// Counts a hit for `subject` and returns the hits in the window so far and the
    /// seconds until it ends.
    pub async fn count(&self, svc: &Services, subject: &str) -> anyhow::Result<(u64, u64)> {
        let key = format!("rl:{}:{}", self.name, subject);
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let counted = match &svc.redis {
            Some(redis) => {
                let result: Result<(u64, u64), redis::RedisError> = async {
                    let mut conn = redis.connection().await?;
                    redis::Script::new(HIT_SCRIPT)
                        .key(redis.key(&key))
                        .arg(window_ms)
                        .invoke_async(&mut conn)
                        .await
                }
                .await;
                match result {
                    Ok((hits, ttl_ms)) => Some((hits, ttl_ms.div_ceil(1000))),
                    Err(e) => {
                        tracing::warn!(error = %e, limit = self.name, "Redis down; counting in Postgres");
                        None
                    }
                }
            }
            None => None,
        };
        match counted {
            Some(c) => Ok(c),
            None => self.hit_postgres(svc, &key, window_ms).await,
        }
    }

    async fn hit_postgres(
        &self,
        svc: &Services,
        key: &str,
        window_ms: u64,
    ) -> anyhow::Result<(u64, u64)> {
        let window_ms = i64::try_from(window_ms).unwrap_or(i64::MAX);
        let row = sqlx::query!(
            r#"
            insert into rate_limit_windows as w (key, hits, resets_at)
            values ($1, 1, now() + make_interval(secs => $2::bigint / 1000.0))
            on conflict (key) do update
               set hits = case when w.resets_at <= now() then 1 else w.hits + 1 end,
                   resets_at = case when w.resets_at <= now() then excluded.resets_at else w.resets_at end
            returning hits, ceil(extract(epoch from resets_at - now()))::bigint as "secs_left!"
            "#,
            key,
            window_ms,
        )
        .fetch_one(&svc.db)
        .await
        .context("Failed to count a rate-limited request")?;
        Ok((
            u64::try_from(row.hits).unwrap_or(0),
            u64::try_from(row.secs_left).unwrap_or(0),
        ))
    }
}

/// Forgets windows that have ended (the Postgres fallback's housekeeping).
pub async fn delete_expired_windows(svc: &Services) -> anyhow::Result<u64> {
    let done = sqlx::query!("delete from rate_limit_windows where resets_at <= now()")
        .execute(&svc.db)
        .await
        .context("Failed to delete old rate-limit windows")?;
    Ok(done.rows_affected())
}
