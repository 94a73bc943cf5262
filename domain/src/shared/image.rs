//! Checking uploaded images: the declared type and the file's magic bytes must agree on
//! JPEG, PNG or WebP, the container must be whole, and the picture must decode within size
//! limits. Re-encoding the decoded pixels drops every piece of metadata (EXIF, GPS).
//!
//! Memory is bounded twice: a picture of more than [`MAX_PIXELS`] is refused from its
//! header, before anything is decoded (a small PNG can claim 20000×20000 pixels), and only
//! a few decodes run at once ([`off_thread`]); the others wait their turn.

use std::io::Cursor;
use std::time::Duration;

use anyhow::Context;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::Services;
use crate::shared::Outage;

/// The most pixels an upload may have: 24 megapixels, a 6000×4000 camera picture. Decoded,
/// that is at most 96 MB (4 bytes a pixel).
pub const MAX_PIXELS: u64 = 24_000_000;

/// How long an upload waits for a decoder before the answer is 503 (try again shortly).
const DECODER_WAIT: Duration = Duration::from_secs(10);

/// Runs image work on the blocking threads, at most `Services::image_decoders` at once.
pub async fn off_thread<T: Send + 'static>(
    svc: &Services,
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let permit = tokio::time::timeout(DECODER_WAIT, svc.image_decoders.clone().acquire_owned())
        .await
        .map_err(|_| anyhow::Error::new(Outage("the image decoder (every one busy)")))?
        .context("The image decoders were shut down")?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .context("The image worker stopped")
}

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

/// Decodes an upload, or says in words what is wrong with it. CPU-bound.
pub fn decode_upload(
    declared_type: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<DynamicImage, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.len() > max_bytes {
        return Err(format!(
            "the file is larger than {} MB",
            max_bytes / (1024 * 1024)
        ));
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
            return Err(format!(
                "only JPEG, PNG or WebP images are accepted, not `{other}`"
            ));
        }
    };
    let actual = sniff(bytes);
    if actual != name {
        return Err(format!(
            "the file says it is {name} but its content is {actual}"
        ));
    }
    let damaged = || format!("the {name} image is damaged or truncated");
    // Decoders are lenient with a cut-off end; check that the container is whole.
    let whole = match format {
        ImageFormat::Jpeg => {
            let end = bytes.iter().rposition(|b| *b != 0).unwrap_or(0);
            end >= 1 && bytes[end - 1] == 0xFF && bytes[end] == 0xD9
        }
        // A whole PNG has its IEND chunk (length 0, type, CRC); some tools append bytes.
        ImageFormat::Png => {
            const IEND: &[u8] = b"\0\0\0\0IEND\xAE\x42\x60\x82";
            bytes.windows(IEND.len()).rev().any(|w| w == IEND)
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
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| damaged())?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "the picture is {width}×{height} pixels; at most {} megapixels are accepted",
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(128 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader.decode().map_err(|_| damaged())
}

/// Encodes as a JPEG at quality 85 (no metadata).
pub fn encode_jpeg(image: &DynamicImage) -> anyhow::Result<Vec<u8>> {
    let rgb = image.to_rgb8();
    let mut out = Vec::with_capacity(64 * 1024);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&rgb)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use image::RgbImage;
    use proptest::prelude::*;

    use super::*;

    const TYPES: [&str; 6] = [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "text/html",
        "",
    ];
    const MAGIC: [&[u8]; 6] = [
        &[0xFF, 0xD8, 0xFF],
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\xff\xff\xff\x7fWEBP",
        b"GIF89a",
        b"<?php",
        b"",
    ];

    fn small_picture(format: ImageFormat) -> Vec<u8> {
        let picture = DynamicImage::ImageRgb8(RgbImage::from_fn(16, 16, |x, y| {
            image::Rgb([(x * 16) as u8, (y * 16) as u8, 128])
        }));
        let mut bytes = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap_or_else(|e| panic!("{e}"));
        bytes
    }

    proptest! {
        // The upload type check on hostile bytes: any declared type, a real or fake magic
        // number, any tail. It answers in words or decodes; it never panics.
        #[test]
        fn any_bytes_under_any_declared_type_are_refused_in_words_or_decoded(
            declared in prop::sample::select(&TYPES[..]),
            magic in prop::sample::select(&MAGIC[..]),
            tail in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            let bytes = [magic, tail.as_slice()].concat();
            if let Err(reason) = decode_upload(declared, &bytes, 1 << 20) {
                prop_assert!(!reason.is_empty());
            }
        }

        // A real picture cut short anywhere is refused (PNG and JPEG, the two we encode).
        #[test]
        fn a_picture_cut_short_anywhere_is_refused(cut in 0.0f64..1.0, png in any::<bool>()) {
            let (format, declared) = if png {
                (ImageFormat::Png, "image/png")
            } else {
                (ImageFormat::Jpeg, "image/jpeg")
            };
            let whole = small_picture(format);
            prop_assert!(decode_upload(declared, &whole, 1 << 20).is_ok());
            let keep = ((whole.len() - 1) as f64 * cut) as usize;
            prop_assert!(decode_upload(declared, &whole[..keep], 1 << 20).is_err());
        }
    }
}
