//! Profile photos: JPEG, PNG or WebP up to 5 MB, checked by declared type and magic bytes,
//! decoded and re-encoded as a 256×256 JPEG (which drops EXIF and GPS metadata).

use std::io::Cursor;

use anyhow::Context;
use bytes::Bytes;
use image::{ImageFormat, ImageReader, Limits};
use uuid::Uuid;

use crate::Services;
use crate::identity::Error;

/// Largest upload accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Side of the stored square thumbnail.
pub const THUMBNAIL_SIDE: u32 = 256;

fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "JPEG"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "PNG"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "WebP"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "GIF"
    } else if bytes.starts_with(b"%PDF") {
        "PDF"
    } else if bytes.starts_with(b"<?php") || bytes.starts_with(b"<?=") {
        "a PHP script"
    } else if bytes.starts_with(b"<") {
        "HTML or XML"
    } else {
        "not an image we know"
    }
}

/// Checks the upload and makes the thumbnail; CPU-bound, run it off the async threads.
pub fn make_thumbnail(declared_type: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
    if bytes.is_empty() {
        return Err(Error::invalid("photo", "the file is empty"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(Error::invalid("photo", "the file is larger than 5 MB"));
    }
    let declared = declared_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (format, name) = match declared.as_str() {
        "image/jpeg" | "image/jpg" => (ImageFormat::Jpeg, "JPEG"),
        "image/png" => (ImageFormat::Png, "PNG"),
        "image/webp" => (ImageFormat::WebP, "WebP"),
        other => {
            return Err(Error::invalid(
                "photo",
                format!("only JPEG, PNG or WebP images are accepted, not `{other}`"),
            ));
        }
    };
    let actual = sniff(bytes);
    if actual != name {
        return Err(Error::invalid(
            "photo",
            format!("the file says it is {name} but its content is {actual}"),
        ));
    }
    let damaged = || Error::invalid("photo", format!("the {name} image is damaged or truncated"));
    // Decoders are lenient with a cut-off end; check that the container is whole.
    let whole = match format {
        ImageFormat::Jpeg => {
            let end = bytes.iter().rposition(|b| *b != 0).unwrap_or(0);
            end >= 1 && bytes[end - 1] == 0xFF && bytes[end] == 0xD9
        }
        ImageFormat::WebP => {
            let declared_len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
            usize::try_from(declared_len).is_ok_and(|n| n.saturating_add(8) <= bytes.len())
        }
        _ => true,
    };
    if !whole {
        return Err(damaged());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| damaged())?;
    let thumb = image
        .resize_to_fill(
            THUMBNAIL_SIDE,
            THUMBNAIL_SIDE,
            image::imageops::FilterType::Lanczos3,
        )
        .to_rgb8();
    let mut out = Vec::with_capacity(32 * 1024);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&thumb)
        .map_err(|e| {
            Error::Unexpected(anyhow::Error::new(e).context("Failed to encode the photo"))
        })?;
    Ok(out)
}

/// Replaces the user's photo; returns the new blob key.
#[tracing::instrument(skip_all, fields(user_id = %user, size = bytes.len()), err)]
pub async fn upload_photo(
    svc: &Services,
    user: Uuid,
    declared_type: String,
    bytes: Bytes,
) -> Result<String, Error> {
    let thumbnail = tokio::task::spawn_blocking(move || make_thumbnail(&declared_type, &bytes))
        .await
        .context("The photo worker stopped")??;
    let key = format!("avatars/{user}/{}.jpg", Uuid::now_v7());
    svc.blobs.put(&key, Bytes::from(thumbnail)).await?;
    let old = sqlx::query_scalar!(
        r#"
        update users u set photo_key = $2
          from (select photo_key from users where id = $1 for update) old
         where u.id = $1 and u.deleted_at is null
        returning old.photo_key
        "#,
        user,
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
pub async fn delete_photo(svc: &Services, user: Uuid) -> Result<(), Error> {
    let old = sqlx::query_scalar!(
        r#"
        update users u set photo_key = null
          from (select photo_key from users where id = $1 for update) old
         where u.id = $1 and u.deleted_at is null
        returning old.photo_key
        "#,
        user
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
