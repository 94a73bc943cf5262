//! The handles every use-case needs, built once at start-up and shared by both adapters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sqlx::PgPool;
use tokio::sync::OnceCell;

use crate::catalog::CatalogCache;
use crate::identity::{SmsGateway, TokenConfig};
use crate::shared::Locale;
use crate::shared::blob::BlobStore;
use crate::user::CompanyRegistry;

/// Postgres, Redis and the shop-wide settings the domain needs.
#[derive(Clone)]
pub struct Services {
    /// The source of truth.
    pub db: PgPool,
    /// The fast path for stock, sessions and token revocation; `None` when not configured.
    pub redis: Option<Redis>,
    /// Language used when a translation is missing.
    pub default_locale: Locale,
    /// Short-lived catalog reads, invalidated on writes.
    pub catalog_cache: CatalogCache,
    /// Signs and verifies access tokens.
    pub tokens: TokenConfig,
    /// Sends sign-in codes.
    pub sms: SmsGateway,
    /// Sends e-mail (SMTP, or the log in development).
    pub mail: crate::notify::Mailer,
    /// Sends pushes to the apps (Expo, or the log).
    pub push: crate::notify::PushGateway,
    /// How notices are retried.
    pub notify: crate::notify::Settings,
    /// Where SMS may go and how many an hour.
    pub sms_policy: crate::identity::SmsPolicy,
    /// Looks companies up by NIP.
    pub registry: CompanyRegistry,
    /// Uploaded files.
    pub blobs: BlobStore,
    /// How shipping is charged.
    pub shipping: crate::shopping::ShippingRule,
    /// How long unpaid orders hold stock; the seller on invoices.
    pub orders: crate::order::Settings,
    /// The development payment gateway is on (never in production, never with Stripe).
    pub dev_payments: bool,
    /// Stripe, when a key is configured.
    pub stripe: Option<crate::payment::StripeClient>,
    /// The shop's public address, for links given to Stripe (success and cancel pages).
    pub public_url: String,
    /// Password checks (argon2, 19 MiB each) running at once: at most one per core, so a
    /// burst of sign-ins queues instead of exhausting memory.
    pub password_checks: std::sync::Arc<tokio::sync::Semaphore>,
    /// Image decodes running at once (uploads; up to 96 MB each): `IMAGE_DECODERS`,
    /// by default one per core, at most 4.
    pub image_decoders: std::sync::Arc<tokio::sync::Semaphore>,
}

/// The outside services the domain talks to, chosen by configuration.
#[derive(Clone)]
pub struct Adapters {
    /// SMS: Twilio or the log.
    pub sms: SmsGateway,
    /// The VAT register, or checksum only.
    pub registry: CompanyRegistry,
    /// Local folder or S3-compatible bucket.
    pub blobs: BlobStore,
    /// SMTP or the log.
    pub mail: crate::notify::Mailer,
    /// Expo's push service or the log.
    pub push: crate::notify::PushGateway,
}

impl Services {
    /// Bundles the handles; catalog reads are cached for `catalog_cache_ttl` (zero: never).
    pub fn new(
        db: PgPool,
        redis: Option<Redis>,
        default_locale: Locale,
        catalog_cache_ttl: Duration,
        tokens: TokenConfig,
        adapters: Adapters,
    ) -> Self {
        Services {
            db,
            redis,
            default_locale,
            catalog_cache: CatalogCache::new(catalog_cache_ttl),
            tokens,
            sms: adapters.sms,
            mail: adapters.mail,
            push: adapters.push,
            notify: crate::notify::Settings::default(),
            sms_policy: crate::identity::SmsPolicy::default(),
            registry: adapters.registry,
            blobs: adapters.blobs,
            shipping: crate::shopping::ShippingRule::default(),
            orders: crate::order::Settings::default(),
            dev_payments: false,
            stripe: None,
            public_url: "http://127.0.0.1:3000".into(),
            password_checks: std::sync::Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            image_decoders: std::sync::Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get().min(4)),
            )),
        }
    }

    /// Runs `select 1` and reports how long it took.
    pub async fn ping_database(&self) -> Result<Duration, sqlx::Error> {
        let started = Instant::now();
        sqlx::query("select 1").execute(&self.db).await?;
        Ok(started.elapsed())
    }

    /// Sends `PING` to Redis and reports how long it took; `None` when Redis is not configured.
    pub async fn ping_redis(&self) -> Option<Result<Duration, redis::RedisError>> {
        let redis = self.redis.as_ref()?;
        let started = Instant::now();
        let result = async {
            let mut conn = redis.connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        }
        .await;
        Some(result.map(|_| started.elapsed()))
    }
}

/// A Redis client that connects on first use and reconnects by itself afterwards, so that
/// the server starts and serves the Postgres paths while Redis is down.
#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    manager: Arc<OnceCell<ConnectionManager>>,
    prefix: Arc<str>,
    /// Set when a stock-gate call failed: the counters are re-synced before the next use.
    pub(crate) stock_stale: Arc<std::sync::atomic::AtomicBool>,
}

impl Redis {
    /// How long a connection attempt or a command may take before Redis counts as down.
    const TIMEOUT: Duration = Duration::from_millis(500);

    /// Validates the URL without connecting. Every key is put under `prefix`, which lets
    /// several shops or test runs share one Redis.
    pub fn new(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        Ok(Redis {
            client: redis::Client::open(url)?,
            manager: Arc::new(OnceCell::new()),
            prefix: prefix.into(),
            stock_stale: Arc::default(),
        })
    }

    /// A multiplexed connection; the first call connects.
    pub async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let manager = self
            .manager
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Self::TIMEOUT))
                    .set_response_timeout(Some(Self::TIMEOUT))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await?;
        Ok(manager.clone())
    }

    /// A dedicated publish/subscribe connection.
    pub async fn pubsub(&self) -> Result<redis::aio::PubSub, redis::RedisError> {
        tokio::time::timeout(Self::TIMEOUT, self.client.get_async_pubsub())
            .await
            .map_err(|_| {
                redis::RedisError::from((redis::ErrorKind::Io, "timed out connecting to Redis"))
            })?
    }

    /// The full key for `name`, under this instance's prefix.
    pub fn key(&self, name: &str) -> String {
        format!("{}{}", self.prefix, name)
    }
}
