//! Password hashing with argon2id, run off the async executor.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

/// Hashes a password into a PHC string (argon2id, default parameters, random salt).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("Failed to hash password: {e}"))
    })
    .await?
}

/// Checks a password against a PHC string; `false` for a wrong password or a malformed hash.
pub async fn verify_password(password: String, phc: String) -> anyhow::Result<bool> {
    let span = tracing::Span::current();
    Ok(tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        PasswordHash::new(&phc)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() -> anyhow::Result<()> {
        let phc = hash_password("correct horse battery".into()).await?;
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), phc.clone()).await?);
        assert!(!verify_password("wrong".into(), phc).await?);
        assert!(!verify_password("x".into(), "not a hash".into()).await?);
        Ok(())
    }
}
