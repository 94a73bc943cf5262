//! Profile photos: JPEG, PNG or WebP up to 5 MB, checked by declared type and magic bytes,
//! decoded and re-encoded as a 256×256 JPEG (which drops EXIF and GPS metadata).

use anyhow::Context;
use bytes::Bytes;
use uuid::Uuid;

use super::Error;
use crate::Services;
use crate::shared::UserId;

/// Largest upload accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Side of the stored square thumbnail.
pub const THUMBNAIL_SIDE: u32 = 256;

/// Checks the upload and makes the thumbnail; CPU-bound, run it off the async threads.
pub fn make_thumbnail(declared_type: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let image = crate::shared::image::decode_upload(declared_type, bytes, MAX_PHOTO_BYTES)
        .map_err(|reason| Error::invalid("photo", reason))?;
    let thumb = image.resize_to_fill(
        THUMBNAIL_SIDE,
        THUMBNAIL_SIDE,
        image::imageops::FilterType::Lanczos3,
    );
    crate::shared::image::encode_jpeg(&thumb).map_err(Error::Unexpected)
}

/// Replaces the user's photo; returns the new blob key.
#[tracing::instrument(skip_all, fields(user_id = %user, size = bytes.len()), err(level = "info"))]
pub async fn upload_photo(
    svc: &Services,
    user: UserId,
    declared_type: String,
    bytes: Bytes,
) -> Result<String, Error> {
    let thumbnail =
        crate::shared::image::off_thread(svc, move || make_thumbnail(&declared_type, &bytes))
            .await??;
    let key = format!("avatars/{user}/{}.jpg", Uuid::now_v7());
    svc.blobs.put(&key, Bytes::from(thumbnail)).await?;
    let old = sqlx::query_scalar!(
        r#"
        update users u set photo_key = $2
          from (select photo_key from users where id = $1 for update) old
         where u.id = $1 and u.deleted_at is null
        returning old.photo_key
        "#,
        user as _,
        key
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to save the photo")?;
    match old {
        None => {
            svc.blobs.delete(&key).await?;
            Err(Error::NotFound)
        }
        Some(old) => {
            if let Some(old) = old {
                svc.blobs.delete(&old).await?;
            }
            Ok(key)
        }
    }
}

/// Removes the user's photo.
pub async fn delete_photo(svc: &Services, user: UserId) -> Result<(), Error> {
    let old = sqlx::query_scalar!(
        r#"
        update users u set photo_key = null
          from (select photo_key from users where id = $1 for update) old
         where u.id = $1 and u.deleted_at is null
        returning old.photo_key
        "#,
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to remove the photo")?
    .ok_or(Error::NotFound)?;
    if let Some(old) = old {
        svc.blobs.delete(&old).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::ImageFormat;

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{e}"));
        out.into_inner()
    }

    fn reason(result: Result<Vec<u8>, Error>) -> String {
        match result {
            Err(Error::Invalid {
                field: "photo",
                message,
            }) => message,
            other => panic!("expected a photo error, got {other:?}"),
        }
    }

    #[test]
    fn a_png_becomes_a_square_jpeg_thumbnail() {
        let thumb = make_thumbnail("image/png", &png(640, 480)).unwrap_or_else(|e| panic!("{e}"));
        let decoded = image::load_from_memory(&thumb).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((decoded.width(), decoded.height()), (256, 256));
        assert!(thumb.starts_with(&[0xFF, 0xD8, 0xFF]));
    }

    #[test]
    fn wrong_declared_types_and_contents_are_refused() {
        assert!(reason(make_thumbnail("image/gif", b"GIF89a....")).contains("image/gif"));
        let gif_as_png = reason(make_thumbnail("image/png", b"GIF89a\x01\x00\x01\x00"));
        assert!(gif_as_png.contains("GIF"), "{gif_as_png}");
        let php = reason(make_thumbnail(
            "image/jpeg",
            b"<?php system($_GET['c']); ?>",
        ));
        assert!(php.contains("PHP"), "{php}");
        assert!(reason(make_thumbnail("image/png", b"")).contains("empty"));
    }

    #[test]
    fn truncated_images_are_refused() {
        let img = image::RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3]));
        let mut jpeg = Cursor::new(Vec::new());
        img.write_to(&mut jpeg, ImageFormat::Jpeg)
            .unwrap_or_else(|e| panic!("{e}"));
        let jpeg = jpeg.into_inner();
        assert!(make_thumbnail("image/jpeg", &jpeg).is_ok());
        let cut = &jpeg[..jpeg.len() / 2];
        assert!(reason(make_thumbnail("image/jpeg", cut)).contains("truncated"));
        let png = png(64, 64);
        let cut = &png[..png.len() - 20];
        assert!(reason(make_thumbnail("image/png", cut)).contains("truncated"));
    }

    #[test]
    fn files_over_five_megabytes_are_refused() {
        let big = vec![0u8; MAX_PHOTO_BYTES + 1];
        assert!(reason(make_thumbnail("image/jpeg", &big)).contains("5 MB"));
    }
}
