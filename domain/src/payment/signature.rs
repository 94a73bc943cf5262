//! Verifying the `Stripe-Signature` header: HMAC-SHA256 of `"{t}.{raw body}"` with the
//! endpoint secret, hex-encoded in one or more `v1=` entries, within a tolerance of the
//! timestamp `t`. Several secrets are accepted while one is being rotated.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far the signed timestamp may be from now.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header, or no `t=` or `v1=` in it.
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    /// The timestamp is too old (a replay) or in the future.
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    /// No `v1` signature matches any secret.
    #[error("no signature matches")]
    Mismatch,
}

/// A parsed header: the timestamp and every `v1` signature (other schemes are ignored).
#[derive(Debug, PartialEq, Eq)]
pub struct SignatureHeader {
    /// Seconds since the epoch.
    pub timestamp: i64,
    /// Raw `v1` signatures (32 bytes each).
    pub signatures: Vec<Vec<u8>>,
}

/// Parses `t=1492774577,v1=5257a8…,v1=…,v0=…`.
pub fn parse_header(header: &str) -> Result<SignatureHeader, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => {
                if let Some(bytes) = hex(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !signatures.is_empty() => Ok(SignatureHeader {
            timestamp,
            signatures,
        }),
        _ => Err(SignatureError::Malformed),
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `body` against the header with any of `secrets`, at time `now` (seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let parsed = parse_header(header.ok_or(SignatureError::Malformed)?)?;
    if (now - parsed.timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let signed_prefix = format!("{}.", parsed.timestamp);
    let matches = |secret: &String, candidate: &Vec<u8>| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(signed_prefix.as_bytes());
        mac.update(body);
        // Compares in constant time.
        mac.verify_slice(candidate).is_ok()
    };
    let any = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .any(|secret| parsed.signatures.iter().any(|c| matches(secret, c)));
    if any {
        return Ok(());
    }
    Err(SignatureError::Mismatch)
}

/// A header for `body` signed with `secret` at `timestamp` (for tests and the dev gateway).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return format!("t={timestamp}"),
    };
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_fresh_signature_with_the_right_secret_passes() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, 1_000_000);
        let secrets = [SECRET.to_owned()];
        assert_eq!(verify(Some(&header), body, &secrets, 1_000_100), Ok(()));
        assert_eq!(
            verify(Some(&header), br#"{"id":"evt_2"}"#, &secrets, 1_000_100),
            Err(SignatureError::Mismatch),
            "a body changed after signing"
        );
        assert_eq!(
            verify(Some(&header), body, &secrets, 1_000_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), body, &["whsec_other".to_owned()], 1_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(None, body, &secrets, 1_000_000),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn rotation_accepts_either_secret_and_any_v1_entry() {
        let body = b"{}";
        let new = sign(body, "whsec_new", 50);
        let old = sign(body, "whsec_old", 50);
        let both = format!("{new},{}", old.trim_start_matches("t=50,"));
        let secrets = ["whsec_old".to_owned(), "whsec_new".to_owned()];
        assert_eq!(verify(Some(&new), body, &secrets, 50), Ok(()));
        assert_eq!(
            verify(Some(&both), body, &["whsec_old".to_owned()], 50),
            Ok(())
        );
        let with_v0 = format!("{new},v0=deadbeef");
        assert_eq!(verify(Some(&with_v0), body, &secrets, 50), Ok(()));
    }

    #[test]
    fn malformed_headers_are_named() {
        for header in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz", "garbage"] {
            assert_eq!(
                parse_header(header),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    proptest! {
        #[test]
        fn the_header_parser_never_panics(header in ".{0,300}") {
            let _ = parse_header(&header);
        }

        #[test]
        fn signatures_round_trip(body in prop::collection::vec(any::<u8>(), 0..512), t in 0i64..4_000_000_000) {
            let header = sign(&body, SECRET, t);
            prop_assert_eq!(verify(Some(&header), &body, &[SECRET.to_owned()], t), Ok(()));
        }
    }
}
