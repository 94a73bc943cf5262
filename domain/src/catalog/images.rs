//! Product pictures: uploaded by admins (JPEG, PNG or WebP up to 8 MB, checked like profile
//! photos), fitted into 1200×1200 and stored as JPEG in the blob store.

use anyhow::Context;
use bytes::Bytes;
use uuid::Uuid;

use super::error::Error;
use crate::Services;

/// Largest picture accepted.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// Longest side after fitting.
pub const MAX_SIDE: u32 = 1200;

/// A stored product picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductImage {
    /// Id.
    pub id: Uuid,
    /// Blob key.
    pub key: String,
    /// Display order (0 first).
    pub position: i32,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
}

/// The pictures of the product with `sku`, in display order.
pub async fn product_images(svc: &Services, sku: &str) -> Result<Vec<ProductImage>, Error> {
    let rows = sqlx::query!(
        r#"
        select i.id, i.storage_key, i.position, i.width, i.height
          from product_images i join products p on p.id = i.product_id
         where p.sku = $1
         order by i.position
        "#,
        sku
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list product images")?;
    Ok(rows
        .into_iter()
        .map(|r| ProductImage {
            id: r.id,
            key: r.storage_key,
            position: r.position,
            width: r.width.unwrap_or(0),
            height: r.height.unwrap_or(0),
        })
        .collect())
}

/// Checks, fits and stores a picture as the product's last one.
#[tracing::instrument(skip_all, fields(%sku, size = bytes.len()), err(level = "info"))]
pub async fn add_product_image(
    svc: &Services,
    sku: &str,
    declared_type: String,
    bytes: Bytes,
) -> Result<ProductImage, Error> {
    let product = sqlx::query_scalar!("select id from products where sku = $1", sku)
        .fetch_optional(&svc.db)
        .await
        .context("Failed to look up the product")?
        .ok_or(Error::NotFound)?;
    let (jpeg, width, height) = crate::shared::image::off_thread(svc, move || {
        let image = crate::shared::image::decode_upload(&declared_type, &bytes, MAX_IMAGE_BYTES)
            .map_err(|reason| Error::Invalid {
                field: "image",
                message: reason,
            })?;
        let fitted = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
            image.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Lanczos3)
        } else {
            image
        };
        let jpeg = crate::shared::image::encode_jpeg(&fitted)?;
        Ok::<_, Error>((jpeg, fitted.width(), fitted.height()))
    })
    .await??;
    let id = Uuid::now_v7();
    let key = format!("products/{product}/{id}.jpg");
    svc.blobs.put(&key, Bytes::from(jpeg)).await?;
    let position = sqlx::query_scalar!(
        r#"
        insert into product_images (id, product_id, storage_key, position, width, height)
        values ($1, $2, $3,
                (select coalesce(max(position) + 1, 0) from product_images where product_id = $2),
                $4, $5)
        returning position
        "#,
        id,
        product,
        key,
        i32::try_from(width).unwrap_or(i32::MAX),
        i32::try_from(height).unwrap_or(i32::MAX),
    )
    .fetch_one(&svc.db)
    .await;
    let position = match position {
        Ok(p) => p,
        Err(e) => {
            svc.blobs.delete(&key).await?;
            return Err(Error::Unexpected(
                anyhow::Error::new(e).context("Failed to record the image"),
            ));
        }
    };
    super::invalidate_catalog(svc).await;
    Ok(ProductImage {
        id,
        key,
        position,
        width: i32::try_from(width).unwrap_or(0),
        height: i32::try_from(height).unwrap_or(0),
    })
}

/// Deletes a picture of the product with `sku`.
pub async fn delete_product_image(svc: &Services, sku: &str, id: Uuid) -> Result<(), Error> {
    let key = sqlx::query_scalar!(
        r#"
        delete from product_images i using products p
         where i.id = $2 and i.product_id = p.id and p.sku = $1
        returning i.storage_key
        "#,
        sku,
        id
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to delete the image")?
    .ok_or(Error::NotFound)?;
    svc.blobs.delete(&key).await?;
    super::invalidate_catalog(svc).await;
    Ok(())
}
