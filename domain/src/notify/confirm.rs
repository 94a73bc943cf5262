//! Confirming an e-mail address a customer typed: a link with a random token, valid for a
//! day, of which only the hash is kept. Until the address is confirmed it receives nothing
//! else (order notices go to confirmed addresses only, see `settings::chosen`).

use anyhow::Context;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Error, Kind};
use crate::Services;
use crate::shared::UserId;

/// How long a link works.
const VALID_HOURS: i32 = 24;
/// The least wait between two links asked for by hand.
const RESEND_AFTER_SECS: i64 = 60;

/// What asking for a confirmation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// A link is on its way.
    Sent,
    /// A link for this address is still valid (automatic asks send one link per day).
    Pending,
    /// The address is confirmed already.
    Confirmed,
    /// The account has no e-mail address.
    NoEmail,
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Sends the account's unconfirmed address a confirmation link. Automatic asks (after the
/// profile changed) send one while none is valid; `resend` (the user asked) sends a new one
/// unless the last went less than a minute ago (`Error::TooSoon`).
pub async fn ask_to_confirm(svc: &Services, user: UserId, resend: bool) -> Result<Asked, Error> {
    let mut tx = svc.db.begin().await.context("No database connection")?;
    let Some(row) = sqlx::query!(
        r#"
        select email, email_verified_at is not null as "confirmed!", locale
          from users where id = $1 and deleted_at is null
           for update
        "#,
        user as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the user")?
    else {
        return Err(Error::NotFound);
    };
    let Some(email) = row.email else {
        return Ok(Asked::NoEmail);
    };
    if row.confirmed {
        return Ok(Asked::Confirmed);
    }
    let last = sqlx::query!(
        r#"
        select extract(epoch from now() - max(created_at))::bigint as "age",
               bool_or(expires_at > now()) as "valid"
          from email_confirmations where user_id = $1 and email = $2
        "#,
        user as _,
        email
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the last link")?;
    if !resend && last.valid == Some(true) {
        return Ok(Asked::Pending);
    }
    if let Some(age) = last.age.filter(|age| *age < RESEND_AFTER_SECS) {
        return Err(Error::TooSoon {
            retry_after: u64::try_from(RESEND_AFTER_SECS - age).unwrap_or(1),
        });
    }
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let token_hash = hash(&token);
    sqlx::query!(
        r#"
        insert into email_confirmations (token_hash, user_id, email, expires_at)
        values ($1, $2, $3, now() + make_interval(hours => $4))
        "#,
        token_hash,
        user as _,
        email,
        VALID_HOURS
    )
    .execute(&mut *tx)
    .await
    .context("Failed to store the link")?;
    let occasion: String = token_hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    super::outbox::to_address(
        &mut tx,
        user,
        Kind::EmailConfirmation,
        &email,
        &row.locale,
        &occasion,
        json!({ "path": format!("/account/confirm-email?token={token}") }),
    )
    .await?;
    tx.commit().await.context("Failed to commit the link")?;
    Ok(Asked::Sent)
}

/// Confirms the address a link was sent to; a used, expired or unknown link, or one for an
/// address the account no longer has, is refused.
pub async fn confirm_email(svc: &Services, token: &str) -> Result<UserId, Error> {
    let refused = || Error::Invalid {
        field: "token",
        message: "this link is not valid any more; ask for a new one".into(),
    };
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(refused());
    }
    let mut tx = svc.db.begin().await.context("No database connection")?;
    let link = sqlx::query!(
        r#"
        delete from email_confirmations where token_hash = $1 and expires_at > now()
        returning user_id, email
        "#,
        hash(token)
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the link")?
    .ok_or_else(refused)?;
    let confirmed = sqlx::query!(
        r#"
        update users set email_verified_at = now()
         where id = $1 and email = $2 and deleted_at is null
        "#,
        link.user_id,
        link.email
    )
    .execute(&mut *tx)
    .await
    .context("Failed to confirm the address")?;
    if confirmed.rows_affected() == 0 {
        return Err(refused());
    }
    sqlx::query!(
        "delete from email_confirmations where user_id = $1",
        link.user_id
    )
    .execute(&mut *tx)
    .await
    .context("Failed to drop the other links")?;
    tx.commit()
        .await
        .context("Failed to commit the confirmation")?;
    Ok(link.user_id.into())
}
