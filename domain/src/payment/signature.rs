//! Signing a body as Stripe signs webhook deliveries (`t=…,v1=…`), for the tests and local
//! tools that deliver events to the shop. Verifying is async-stripe's, in
//! [`super::read_webhook`].

/// A `Stripe-Signature` header for `body` signed with `secret` at `timestamp`.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    stripe_webhook::Webhook::generate_test_header(
        &String::from_utf8_lossy(body),
        secret,
        Some(timestamp),
    )
}
