//! A short-lived in-process cache of catalog reads, invalidated everywhere on writes.
//!
//! Each process keeps listings, category trees and product pages for a few seconds. A
//! catalog write bumps a generation number that is part of every key, locally at once and
//! in every other process through Redis pub/sub; without Redis the TTL bounds staleness.
//! Checkout never reads through this cache: prices for orders come from Postgres.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::future::Cache;

use super::model::{Category, ProductDetail, ProductSummary};
use super::service::ListProducts;
use super::{Error, Result};
use crate::shared::{CustomerType, Locale, Page};

/// The Redis channel (under the key prefix) that carries invalidations.
pub const INVALIDATION_CHANNEL: &str = "catalog:invalidate";

type Entry<K, V> = Cache<(u64, K), Arc<V>>;

/// Cached catalog reads; cheap to clone (shared state).
#[derive(Clone)]
pub struct CatalogCache {
    generation: Arc<AtomicU64>,
    listings: Option<Entry<ListProducts, Page<ProductSummary>>>,
    categories: Option<Entry<Locale, Vec<Category>>>,
    products: Option<Entry<(String, Locale, CustomerType), ProductDetail>>,
}

impl CatalogCache {
    /// A cache whose entries live `ttl`; a zero TTL disables caching.
    pub fn new(ttl: Duration) -> Self {
        fn build<K: Hash + Eq + Send + Sync + 'static, V: Send + Sync + 'static>(
            ttl: Duration,
        ) -> Option<Entry<K, V>> {
            (!ttl.is_zero()).then(|| {
                Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(ttl)
                    .build()
            })
        }
        CatalogCache {
            generation: Arc::new(AtomicU64::new(0)),
            listings: build(ttl),
            categories: build(ttl),
            products: build(ttl),
        }
    }

    /// Forgets everything cached in this process.
    pub fn invalidate_local(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn key<K>(&self, k: K) -> (u64, K) {
        (self.generation.load(Ordering::SeqCst), k)
    }

    /// The cached listing, or the one `load` produces; concurrent misses for the same key
    /// wait for a single load instead of all hitting the database.
    pub(super) async fn listing<F>(
        &self,
        q: ListProducts,
        load: F,
    ) -> Result<Arc<Page<ProductSummary>>>
    where
        F: Future<Output = Result<Page<ProductSummary>>>,
    {
        cached(&self.listings, self.key(q), load).await
    }

    pub(super) async fn categories<F>(&self, locale: Locale, load: F) -> Result<Arc<Vec<Category>>>
    where
        F: Future<Output = Result<Vec<Category>>>,
    {
        cached(&self.categories, self.key(locale), load).await
    }

    pub(super) async fn product<F>(
        &self,
        k: (String, Locale, CustomerType),
        load: F,
    ) -> Result<Arc<ProductDetail>>
    where
        F: Future<Output = Result<ProductDetail>>,
    {
        cached(&self.products, self.key(k), load).await
    }
}

async fn cached<K, V, F>(cache: &Option<Entry<K, V>>, key: (u64, K), load: F) -> Result<Arc<V>>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
    F: Future<Output = Result<V>>,
{
    let Some(cache) = cache else {
        return load.await.map(Arc::new);
    };
    cache
        .try_get_with(key, async move { load.await.map(Arc::new) })
        .await
        .map_err(|shared: Arc<Error>| shared.duplicate())
}

/// Forgets cached catalog reads in this process and, through Redis, in every other one.
/// Call after every catalog write has committed.
pub async fn invalidate_catalog(svc: &crate::Services) {
    svc.catalog_cache.invalidate_local();
    if let Some(redis) = &svc.redis {
        let published = async {
            let mut conn = redis.connection().await?;
            redis::cmd("PUBLISH")
                .arg(redis.key(INVALIDATION_CHANNEL))
                .arg("1")
                .query_async::<i64>(&mut conn)
                .await
        }
        .await;
        if let Err(e) = published {
            tracing::warn!(error = %e, "could not publish a catalog invalidation; other processes catch up by TTL");
        }
    }
}

/// Applies invalidations published by other processes until the process ends; reconnects
/// after Redis failures (and then drops the local cache, since messages may have been missed).
pub async fn listen_for_invalidations(svc: crate::Services) {
    use futures_util::StreamExt;

    let Some(redis) = svc.redis.clone() else {
        return;
    };
    let channel = redis.key(INVALIDATION_CHANNEL);
    loop {
        match redis.pubsub().await {
            Ok(mut pubsub) => {
                if let Err(e) = pubsub.subscribe(&channel).await {
                    tracing::warn!(error = %e, "catalog invalidation subscribe failed");
                } else {
                    svc.catalog_cache.invalidate_local();
                    let mut messages = pubsub.on_message();
                    while messages.next().await.is_some() {
                        svc.catalog_cache.invalidate_local();
                    }
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "catalog invalidation listener cannot reach Redis")
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::PageRequest;

    fn query() -> ListProducts {
        ListProducts {
            locale: Locale::Pl,
            customer_type: CustomerType::Individual,
            page: PageRequest::new(1, 24),
            filter: Default::default(),
            sort: Default::default(),
        }
    }

    async fn total(cache: &CatalogCache, total: u64) -> u64 {
        let loaded = cache
            .listing(query(), async move {
                Ok(Page {
                    items: vec![],
                    page: 1,
                    per_page: 24,
                    total,
                })
            })
            .await;
        loaded.map(|p| p.total).unwrap_or_default()
    }

    #[tokio::test]
    async fn an_invalidation_hides_every_earlier_entry() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        assert_eq!(total(&cache, 7).await, 7);
        assert_eq!(total(&cache, 8).await, 7, "cached");
        cache.invalidate_local();
        assert_eq!(total(&cache, 9).await, 9, "reloaded");
    }

    #[tokio::test]
    async fn a_zero_ttl_caches_nothing() {
        let cache = CatalogCache::new(Duration::ZERO);
        assert_eq!(total(&cache, 7).await, 7);
        assert_eq!(total(&cache, 8).await, 8);
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        let failed = cache.listing(query(), async { Err(Error::NotFound) }).await;
        assert!(matches!(failed, Err(Error::NotFound)));
        assert_eq!(total(&cache, 3).await, 3);
    }
}
