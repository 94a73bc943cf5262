//! Abuse limits: per-address limits behind a reverse proxy, where SMS may go and how many,
//! and memory under a burst of huge pictures.

use sqlx::PgPool;

use crate::helpers::{Fake, ServerProcess, TestApp, assert_error_shape, spawn_app, spawn_app_with};

/// Asks for a sign-in code for `phone` as a request forwarded for `client`.
async fn request_code(app: &TestApp, phone: &str, forwarded_for: Option<&str>) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/api/v1/auth/otp/request", app.address))
        .json(&serde_json::json!({ "phone": phone }));
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .status()
        .as_u16()
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_each_shopper_has_their_own_limit(pool: PgPool) {
    // Arrange: the test client is the shop's proxy.
    let app = spawn_app_with(pool, &[("TRUSTED_PROXIES", "127.0.0.1/32, ::1")]).await;

    // Act: 25 shoppers behind the proxy ask for a code each (20 per address per hour).
    let mut statuses = Vec::new();
    for n in 0..25 {
        let client = format!("198.51.100.{n}, 127.0.0.1");
        statuses.push(request_code(&app, &format!("+4850040{n:04}"), Some(&client)).await);
    }

    // Assert: nobody is locked out by the others.
    assert_eq!(statuses, vec![200; 25]);
    // One IPv6 shopper is one /64: the 21st address of the block is refused.
    let mut statuses = Vec::new();
    for n in 0..21 {
        let client = format!("2001:db8:7:8::{:x}", n + 1);
        statuses.push(request_code(&app, &format!("+4850050{n:04}"), Some(&client)).await);
    }
    assert_eq!(&statuses[..20], &[200; 20]);
    assert_eq!(statuses[20], 429, "the same /64");
    assert_eq!(
        request_code(&app, "+48500600000", Some("2001:db8:7:9::1")).await,
        200,
        "the next /64 is somebody else"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn forwarding_headers_from_anyone_else_are_ignored(pool: PgPool) {
    // Arrange: no proxy trusted, so a client cannot pick its own address.
    let app = spawn_app(pool).await;

    // Act
    let mut statuses = Vec::new();
    for n in 0..21 {
        let spoofed = format!("203.0.113.{n}");
        statuses.push(request_code(&app, &format!("+4850070{n:04}"), Some(&spoofed)).await);
    }

    // Assert
    assert_eq!(&statuses[..20], &[200; 20]);
    assert_eq!(statuses[20], 429, "counted under the real peer");
}

#[sqlx::test(migrations = "../migrations")]
async fn sms_go_only_to_the_allowed_countries(pool: PgPool) {
    let german = "+49 1512 3456789";
    let app = spawn_app(pool.clone()).await;
    let response = app
        .post_as(
            None,
            "/api/v1/auth/otp/request",
            &serde_json::json!({ "phone": german }),
        )
        .await;
    let error = assert_error_shape(response, 422, "validation_failed").await;
    assert_eq!(error["details"]["field"], "phone");
    assert!(
        error["message"].as_str().unwrap_or_default().contains("PL"),
        "{error}"
    );
    let codes: i64 = sqlx::query_scalar("select count(*) from otp_challenges")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(codes, 0, "nothing sent, nothing stored");

    let wider = spawn_app_with(pool, &[("SMS_ALLOWED_COUNTRIES", "PL, DE")]).await;
    assert_eq!(request_code(&wider, german, None).await, 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_hourly_sms_budget_stops_sending_for_the_whole_shop(pool: PgPool) {
    // Arrange: a budget of 3 SMS an hour, through Twilio's protocol.
    let twilio = Fake::start(|_: &crate::helpers::Recorded| {
        (201, r#"{"sid": "SM1", "status": "queued"}"#.to_owned())
    })
    .await;
    let app = spawn_app_with(
        pool,
        &[
            ("SMS_HOURLY_BUDGET", "3"),
            ("TWILIO_BASE_URL", twilio.url.as_str()),
            ("TWILIO_ACCOUNT_SID", "AC0123"),
            ("TWILIO_AUTH_TOKEN", "twilio-secret"),
            ("TWILIO_FROM", "+48100200300"),
        ],
    )
    .await;

    // Act: five different shoppers, each within their own limits.
    let mut statuses = Vec::new();
    for n in 0..5 {
        statuses.push(request_code(&app, &format!("+4850080{n:04}"), None).await);
    }

    // Assert
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    assert_eq!(twilio.received().len(), 3, "no SMS beyond the budget");
}

/// CRC-32 (ISO-HDLC), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len())
        .unwrap_or(0)
        .to_be_bytes()
        .to_vec();
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// A well-formed 80-byte grey PNG whose header claims `side`×`side` pixels and whose data
/// holds one row: a decoder that trusts the header allocates side² bytes first.
fn png_bomb(side: u32) -> Vec<u8> {
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, no filter, no interlace
    // zlib: one stored block with a filter byte and a few zero pixels.
    let row = [0u8; 16];
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&16u16.to_le_bytes());
    zlib.extend_from_slice(&(!16u16).to_le_bytes());
    zlib.extend_from_slice(&row);
    let (a, b) = row.iter().fold((1u32, 0u32), |(a, b), x| {
        let a = (a + u32::from(*x)) % 65_521;
        (a, (b + a) % 65_521)
    });
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &zlib));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A real black PNG of `width`×`height`: fast to make and a few kilobytes (the encoder's
/// fast mode compresses runs of zeros), 1 byte a pixel once decoded.
fn grey_png(width: u32, height: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let pixels = vec![0u8; usize::try_from(width * height).unwrap_or(0)];
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(&pixels, width, height, image::ExtendedColorType::L8)
    .unwrap_or_else(|e| panic!("{e}"));
    out
}

async fn upload_photo(app: &TestApp, token: &str, bytes: Vec<u8>) -> u16 {
    crate::me::upload(app, token, "photo.png", "image/png", bytes)
        .await
        .status()
        .as_u16()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_burst_of_huge_pictures_keeps_the_server_memory_bounded(pool: PgPool) {
    // Arrange: the server in its own process, two decoders.
    let server = ServerProcess::start(pool, &[("IMAGE_DECODERS", "2")]).await;
    let app = &server.app;
    let token = app.customer_token("+48500100200").await;
    let baseline = server.peak_rss_mib();

    // Act: 16 uploads at once of 80 bytes that claim 12000×12000 pixels (144 MB each).
    let bomb = png_bomb(12_000);
    let bombs =
        futures_util::future::join_all((0..16).map(|_| upload_photo(app, &token, bomb.clone())))
            .await;

    // Assert: refused from the header, before any pixel is allocated.
    assert_eq!(bombs, vec![422; 16]);
    let after_bombs = server.peak_rss_mib();
    assert!(
        after_bombs < baseline + 64,
        "peak RSS {baseline} -> {after_bombs} MiB"
    );

    // Act: 12 real pictures at the limit (24 megapixels, 24 MB each decoded) at once.
    let picture = grey_png(6000, 4000);
    let pictures =
        futures_util::future::join_all((0..12).map(|_| upload_photo(app, &token, picture.clone())))
            .await;

    // Assert: two decode at a time; the rest wait (or, after 10 s, hear 503 and retry).
    assert!(
        pictures.iter().all(|s| *s == 200 || *s == 503),
        "{pictures:?}"
    );
    assert!(pictures.contains(&200), "{pictures:?}");
    let peak = server.peak_rss_mib();
    assert!(
        peak < after_bombs + 200,
        "12 decodes at once would take 300 MB and more; peak RSS {after_bombs} -> {peak} MiB"
    );
    // One pixel over the limit is refused with the reason.
    assert_eq!(upload_photo(app, &token, grey_png(6001, 4000)).await, 422);
}
