//! Where uploaded files live: a local folder by default, an S3-compatible bucket when
//! configured (both through `object_store`).

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

/// The address the shop serves a stored file at (`/media/<key>`), for pages and the API.
pub fn media_url(key: &str) -> String {
    format!("/media/{key}")
}

/// Stores and serves uploaded files by key (`avatars/<user>/<id>.jpg`).
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
}

/// S3-compatible bucket settings.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Region, e.g. `eu-central-1`.
    pub region: String,
    /// Endpoint for non-AWS services (MinIO, R2, ...); `None` for AWS.
    pub endpoint: Option<String>,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
}

impl BlobStore {
    /// Files under `dir`, which is created when missing.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("Failed to create the upload folder {}", dir.display()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("Failed to open the upload folder {}", dir.display()))?;
        Ok(BlobStore {
            store: Arc::new(store),
        })
    }

    /// An S3-compatible bucket.
    pub fn s3(config: &S3Config) -> anyhow::Result<Self> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        Ok(BlobStore {
            store: Arc::new(builder.build().context("Invalid S3 settings")?),
        })
    }

    /// Writes `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .with_context(|| format!("Failed to store {key}"))?;
        Ok(())
    }

    /// The file under `key`, or `None`.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        let path = Path::parse(key).with_context(|| format!("Invalid key {key}"))?;
        match self.store.get(&path).await {
            Ok(found) => Ok(Some(found.bytes().await.context("Failed to read a file")?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("Failed to read {key}")),
        }
    }

    /// Deletes `key`; a missing file is fine.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("Failed to delete {key}")),
        }
    }
}
