//! Access tokens (JWT, HS256) and opaque refresh tokens.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::shared::UserId;

/// Signing settings for access tokens.
#[derive(Clone)]
pub struct TokenConfig {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
    otp_key: Arc<[u8]>,
    /// Lifetime of an access token.
    pub access_ttl: Duration,
    /// Lifetime of a refresh token.
    pub refresh_ttl: Duration,
}

impl TokenConfig {
    /// Access tokens live 15 minutes, refresh tokens 30 days.
    pub fn new(secret: &[u8]) -> Self {
        TokenConfig {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
            otp_key: Sha256::new()
                .chain_update(b"metropolitan-otp:")
                .chain_update(secret)
                .finalize()
                .to_vec()
                .into(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

impl TokenConfig {
    /// The key one-time codes are hashed with (derived from the signing secret).
    pub fn otp_key(&self) -> &[u8] {
        &self.otp_key
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: UserId,
    /// `customer` or `admin`.
    pub role: String,
    /// Token id, for revocation.
    pub jti: Uuid,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

/// Signs an access token for `user` with `role`, valid from `now` for the configured TTL.
pub fn issue_access_token(
    config: &TokenConfig,
    user: UserId,
    role: &str,
    now: i64,
) -> anyhow::Result<(String, Claims)> {
    let ttl = i64::try_from(config.access_ttl.as_secs()).unwrap_or(900);
    let claims = Claims {
        sub: user,
        role: role.to_owned(),
        jti: Uuid::now_v7(),
        iat: now,
        exp: now + ttl,
    };
    let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &config.encoding)?;
    Ok((token, claims))
}

/// Verifies signature, algorithm (HS256 only: `none` and others are refused) and expiry.
pub fn verify_access_token(config: &TokenConfig, token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Claims>(token, &config.decoding, &validation)
        .ok()
        .map(|data| data.claims)
}

/// A new random refresh token (256 bits, URL-safe text) and the hash to store.
pub fn new_refresh_token() -> (String, Vec<u8>) {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// The SHA-256 of a refresh token, as stored.
pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_key_and_before_expiry() -> anyhow::Result<()> {
        let config = TokenConfig::new(b"0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let user = UserId(Uuid::now_v7());
        let (token, claims) = issue_access_token(&config, user, "admin", now)?;
        assert_eq!(verify_access_token(&config, &token), Some(claims));

        let other = TokenConfig::new(b"another-key-another-key-another-k");
        assert_eq!(verify_access_token(&other, &token), None, "wrong key");

        let (expired, _) = issue_access_token(&config, user, "admin", now - 3600)?;
        assert_eq!(verify_access_token(&config, &expired), None, "expired");

        let mut tampered = token.clone();
        tampered.replace_range(tampered.len() - 3.., "AAA");
        assert_eq!(
            verify_access_token(&config, &tampered),
            None,
            "tampered signature"
        );

        // An unsigned token claiming `alg: none` with the same claims.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = token.split('.').nth(1).unwrap_or_default();
        assert_eq!(
            verify_access_token(&config, &format!("{header}.{payload}.")),
            None,
            "alg none"
        );
        Ok(())
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, hash_a) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), hash_a);
        assert_eq!(hash_a.len(), 32);
        assert!(a.len() >= 43);
    }
}
