//! One-time codes sent by SMS: 6 digits, stored only as a keyed hash, scoped to a purpose
//! (and to an account for everything but sign-in), valid 2 minutes, 3 tries, a new code at
//! most every 30 seconds, and rate-limited per phone and per IP.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::Error;
use super::phone::Phone;
use crate::Services;
use crate::shared::rate_limit::Limit;
use crate::shared::{Locale, UserId, limit_subject};

/// What a code is for; a code sent for one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Signing in (or up) with a phone number.
    SignIn,
    /// Changing the phone number: the code sent to the current number.
    PhoneChangeCurrent,
    /// Changing the phone number: the code sent to the new number.
    PhoneChangeNew,
    /// Deleting the account.
    AccountDeletion,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::PhoneChangeCurrent => "phone_change_current",
            Purpose::PhoneChangeNew => "phone_change_new",
            Purpose::AccountDeletion => "account_deletion",
        }
    }
}

/// How long a code works.
pub const CODE_TTL: Duration = Duration::from_secs(120);
/// The least time between two codes to one phone for one purpose.
pub const RESEND_AFTER: Duration = Duration::from_secs(30);
/// Tries per code.
pub const MAX_ATTEMPTS: i32 = 3;

const SEND_PER_PHONE: Limit = Limit {
    name: "otp_send_phone",
    max: 5,
    window: Duration::from_secs(3600),
};
const SEND_PER_IP: Limit = Limit {
    name: "otp_send_ip",
    max: 20,
    window: Duration::from_secs(3600),
};
const VERIFY_PER_PHONE: Limit = Limit {
    name: "otp_verify_phone",
    max: 10,
    window: Duration::from_secs(3600),
};
const VERIFY_PER_IP: Limit = Limit {
    name: "otp_verify_ip",
    max: 30,
    window: Duration::from_secs(600),
};

/// A code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSent {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be asked for.
    pub resend_after: u64,
}

/// Who is asking: their IP (for per-IP limits) and, for account actions, their account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requester {
    /// The client's address, when known.
    pub ip: Option<IpAddr>,
    /// The signed-in account, for every purpose except sign-in.
    pub user_id: Option<UserId>,
}

async fn limit(svc: &Services, limit: Limit, subject: &str) -> Result<(), Error> {
    limit
        .hit(svc, subject)
        .await?
        .map_err(|r| Error::RateLimited { retry_after: r.0 })
}

/// Counts one SMS against the shop's hourly budget. The first refusal of an hour is an
/// error in the log (Sentry's alert): somebody may be pumping SMS.
async fn spend_sms_budget(svc: &Services) -> Result<(), Error> {
    let budget = Limit {
        name: "sms_budget",
        max: svc.sms_policy.hourly_budget,
        window: Duration::from_secs(3600),
    };
    let (sent, retry_after) = budget.count(svc, "shop").await?;
    let max = u64::from(budget.max);
    if sent <= max {
        return Ok(());
    }
    if sent == max + 1 {
        tracing::error!(
            budget = max,
            "SMS budget for this hour used up: no more codes are sent until the hour is over \
             (SMS pumping? raise SMS_HOURLY_BUDGET if the traffic is real)"
        );
    }
    Err(Error::RateLimited {
        retry_after: retry_after.max(1),
    })
}

fn hash_code(svc: &Services, challenge: Uuid, code: &str) -> anyhow::Result<String> {
    // Keyed so that a leaked table does not give the codes away by trying all 10^6.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(svc.tokens.otp_key()).context("HMAC key")?;
    mac.update(challenge.as_bytes());
    mac.update(code.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_code() -> String {
    // Rejection sampling keeps every code equally likely.
    loop {
        let n = OsRng.next_u32();
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Sends a new code to `phone` for `purpose`.
#[tracing::instrument(skip_all, fields(purpose = purpose.as_str()), err(level = "info"))]
pub async fn send_code(
    svc: &Services,
    phone: &Phone,
    purpose: Purpose,
    requester: Requester,
    locale: Locale,
) -> Result<CodeSent, Error> {
    if !svc.sms_policy.allows(phone) {
        return Err(Error::invalid(
            "phone",
            format!(
                "codes are sent by SMS only to numbers from {}",
                svc.sms_policy.country_list()
            ),
        ));
    }
    if let Some(ip) = requester.ip {
        limit(svc, SEND_PER_IP, &limit_subject(ip)).await?;
    }
    let last = sqlx::query_scalar!(
        r#"
        select created_at as "created_at: chrono::DateTime<Utc>" from otp_challenges
         where phone = $1 and purpose = $2
         order by created_at desc limit 1
        "#,
        phone.as_str(),
        purpose.as_str(),
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to look up the last code")?;
    if let Some(last) = last {
        let since = (Utc::now() - last).num_seconds().max(0);
        let wait = i64::try_from(RESEND_AFTER.as_secs()).unwrap_or(30) - since;
        if wait > 0 {
            return Err(Error::RateLimited {
                retry_after: u64::try_from(wait).unwrap_or(1),
            });
        }
    }
    limit(svc, SEND_PER_PHONE, phone.as_str()).await?;
    spend_sms_budget(svc).await?;

    let id = Uuid::now_v7();
    let code = new_code();
    let expires =
        Utc::now() + chrono::Duration::seconds(CODE_TTL.as_secs().try_into().unwrap_or(120));
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    // Only the newest code counts.
    sqlx::query!(
        "update otp_challenges set consumed_at = now() where phone = $1 and purpose = $2 and consumed_at is null",
        phone.as_str(),
        purpose.as_str(),
    )
    .execute(&mut *tx)
    .await
    .context("Failed to retire older codes")?;
    sqlx::query!(
        r#"
        insert into otp_challenges (id, phone, code_hash, max_attempts, expires_at, purpose, user_id)
        values ($1, $2, $3, $4, $5, $6, $7)
        "#,
        id,
        phone.as_str(),
        hash_code(svc, id, &code)?,
        MAX_ATTEMPTS,
        expires as _,
        purpose.as_str(),
        requester.user_id as _,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to store the code")?;
    // Sent before committing: when the SMS cannot go out, no code is on record and the
    // shopper may ask again at once.
    if let Err(e) = svc.sms.send_code(phone, &code, locale).await {
        tracing::error!(error = %format!("{e:#}"), "SMS not sent");
        return Err(Error::Unavailable("SMS"));
    }
    tx.commit().await.context("Failed to commit the code")?;
    Ok(CodeSent {
        expires_in: CODE_TTL.as_secs(),
        resend_after: RESEND_AFTER.as_secs(),
    })
}

/// Checks `code` against the newest code sent to `phone` for `purpose` (and the
/// requester's account for account actions); a correct code is used up.
#[tracing::instrument(skip_all, fields(purpose = purpose.as_str()), err(level = "info"))]
pub async fn check_code(
    svc: &Services,
    phone: &Phone,
    purpose: Purpose,
    code: &str,
    requester: Requester,
) -> Result<(), Error> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("code", "must be the 6 digits from the SMS"));
    }
    if let Some(ip) = requester.ip {
        limit(svc, VERIFY_PER_IP, &limit_subject(ip)).await?;
    }
    limit(svc, VERIFY_PER_PHONE, phone.as_str()).await?;
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let challenge = sqlx::query!(
        r#"
        select id, code_hash, attempts, max_attempts,
               expires_at as "expires_at: chrono::DateTime<Utc>"
          from otp_challenges
         where phone = $1 and purpose = $2 and consumed_at is null
           and user_id is not distinct from $3
         order by created_at desc limit 1
           for update
        "#,
        phone.as_str(),
        purpose.as_str(),
        requester.user_id as _,
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to look up the code")?;
    let Some(challenge) = challenge else {
        return Err(Error::CodeExpired);
    };
    if challenge.expires_at <= Utc::now() || challenge.attempts >= challenge.max_attempts {
        return Err(Error::CodeExpired);
    }
    let expected = challenge.code_hash.as_bytes();
    let given = hash_code(svc, challenge.id, code)?;
    let matches = expected.len() == given.len()
        && expected
            .iter()
            .zip(given.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if matches {
        sqlx::query!(
            "update otp_challenges set consumed_at = now(), attempts = attempts + 1 where id = $1",
            challenge.id
        )
        .execute(&mut *tx)
        .await
        .context("Failed to use the code")?;
        tx.commit().await.context("Failed to commit the code")?;
        return Ok(());
    }
    let attempts = sqlx::query_scalar!(
        "update otp_challenges set attempts = attempts + 1 where id = $1 returning attempts",
        challenge.id
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to count the try")?;
    tx.commit().await.context("Failed to commit the try")?;
    Err(Error::WrongCode {
        attempts_left: (challenge.max_attempts - attempts).max(0),
    })
}

/// Deletes codes that expired more than a day ago.
pub async fn delete_expired_codes(svc: &Services) -> anyhow::Result<u64> {
    let done =
        sqlx::query!("delete from otp_challenges where expires_at < now() - interval '1 day'")
            .execute(&svc.db)
            .await
            .context("Failed to delete old codes")?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
