//! Signing in with a password, refreshing and revoking tokens, and authenticating requests.

use anyhow::Context;
use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::password::verify_password;
use super::token::{
    Claims, hash_refresh_token, issue_access_token, new_refresh_token, verify_access_token,
};
use crate::Services;
use crate::shared::rate_limit::Limit;
use crate::shared::{CustomerType, UserId};

/// Password attempts per e-mail address, right or wrong, in the API and the browser alike:
/// enough for a person who mistypes, far too few to guess a password. (Per address, not per
/// client: the guesses of a botnet count against the same budget.)
const LOGIN_PER_EMAIL: Limit = Limit {
    name: "login_email",
    max: 10,
    window: std::time::Duration::from_secs(15 * 60),
};

/// Password attempts per client address, right or wrong: a client trying many addresses
/// (each of which has its own budget above) is stopped here.
const LOGIN_PER_IP: Limit = Limit {
    name: "login_ip",
    max: 20,
    window: std::time::Duration::from_secs(15 * 60),
};

/// The longest e-mail address there can be (RFC 5321: 254 characters).
const EMAIL_MAX: usize = 254;

/// How long a sign-in waits for a free password check before it is asked to come back.
const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a request is not allowed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong e-mail or password (never says which).
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// No token, or an expired, tampered, revoked or unknown one.
    #[error("sign in to continue")]
    Unauthenticated,
    /// Signed in, but the role does not allow it.
    #[error("you may not do this")]
    Forbidden,
    /// Too many password attempts for this e-mail; try again after this many seconds.
    #[error("too many attempts; try again in {retry_after} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A shopper.
    Customer,
    /// Runs the shop.
    Admin,
}

impl Role {
    pub(crate) fn parse(role: &str) -> Role {
        if role == "admin" {
            Role::Admin
        } else {
            Role::Customer
        }
    }

    /// `customer` or `admin`, as clients send it; anything else is `None`.
    pub fn from_code(text: &str) -> Option<Role> {
        match text.trim() {
            "customer" => Some(Role::Customer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// As stored and put in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Admin => "admin",
        }
    }
}

/// The authenticated user of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    /// User id.
    pub id: UserId,
    /// Role, read from the database on every request (a demotion takes effect at once).
    pub role: Role,
    /// Price list and minimum quantities: a company's only for an approved member of a
    /// company the VAT register verified, read on every request.
    pub customer_type: CustomerType,
    /// The access token's id, for logout.
    pub token_id: Uuid,
    /// When the access token expires (seconds since the epoch).
    pub token_expires: i64,
}

impl CurrentUser {
    /// `Forbidden` unless an admin.
    pub fn require_admin(&self) -> Result<(), AuthError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }
}

/// Tokens handed to a client after signing in or refreshing.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use token for `refresh`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The user.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
    /// Whether the account has completed its profile.
    pub profile_complete: bool,
}

// A valid argon2id hash of a random password: verifying against it when the e-mail is
// unknown keeps the answer time the same as for a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Hq7Z0b5m1Pp1z0eKq3o2FqjF5m7b8w9x0y1z2a3b4c5";

/// Signs in an account that has a password (admins) and issues API tokens.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn login_with_password(
    svc: &Services,
    email: &str,
    password: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<IssuedTokens, AuthError> {
    let user = verify_login(svc, email, password, ip).await?;
    issue_tokens(svc, user.id, user.role, Uuid::now_v7()).await
}

/// Issues API tokens (a new refresh-token family) to an account that just signed in.
pub async fn issue_tokens_for(
    svc: &Services,
    user: SessionUser,
) -> Result<IssuedTokens, AuthError> {
    issue_tokens(svc, user.id, user.role, Uuid::now_v7()).await
}

async fn issue_tokens(
    svc: &Services,
    user: UserId,
    role: Role,
    family: Uuid,
) -> Result<IssuedTokens, AuthError> {
    let now = Utc::now();
    let (access_token, _) = issue_access_token(&svc.tokens, user, role.as_str(), now.timestamp())?;
    let (refresh_token, hash) = new_refresh_token();
    let expires =
        now + chrono::Duration::from_std(svc.tokens.refresh_ttl).context("refresh TTL")?;
    let profile_complete = sqlx::query_scalar!(
        r#"
        with stored as (
            insert into refresh_tokens (id, user_id, family_id, token_hash, expires_at)
            values ($1, $2, $3, $4, $5)
        )
        select profile_completed_at is not null as "complete!" from users where id = $2
        "#,
        Uuid::now_v7(),
        user as _,
        family,
        hash,
        expires as _,
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to store the refresh token")?;
    Ok(IssuedTokens {
        access_token,
        refresh_token,
        expires_in: svc.tokens.access_ttl.as_secs(),
        user_id: user,
        role,
        profile_complete,
    })
}

/// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a
/// used one again means it was stolen, so its whole family is revoked.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn refresh(svc: &Services, refresh_token: &str) -> Result<IssuedTokens, AuthError> {
    let hash = hash_refresh_token(refresh_token);
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let Some(row) = sqlx::query!(
        r#"
        select t.id, t.user_id, t.family_id, t.used_at as "used_at: chrono::DateTime<Utc>",
               t.revoked_at as "revoked_at: chrono::DateTime<Utc>",
               t.expires_at as "expires_at: chrono::DateTime<Utc>", u.role
          from refresh_tokens t
          join users u on u.id = t.user_id and u.deleted_at is null and u.blocked_at is null
         where t.token_hash = $1
           for update of t
        "#,
        hash
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to look up the refresh token")?
    else {
        return Err(AuthError::Unauthenticated);
    };
    if row.used_at.is_some() || row.revoked_at.is_some() {
        sqlx::query!(
            "update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null",
            row.family_id
        )
        .execute(&mut *tx)
        .await
        .context("Failed to revoke a token family")?;
        tx.commit()
            .await
            .context("Failed to commit the revocation")?;
        tracing::warn!(user_id = %row.user_id, "refresh token reused; family revoked");
        return Err(AuthError::Unauthenticated);
    }
    if row.expires_at < Utc::now() {
        return Err(AuthError::Unauthenticated);
    }
    sqlx::query!(
        "update refresh_tokens set used_at = now() where id = $1",
        row.id
    )
    .execute(&mut *tx)
    .await
    .context("Failed to use the refresh token")?;
    tx.commit().await.context("Failed to commit the refresh")?;
    issue_tokens(
        svc,
        row.user_id.into(),
        Role::parse(&row.role),
        row.family_id,
    )
    .await
}

/// Revokes the access token (until it expires) and, when given, the refresh token's family
/// and the app's device (no more pushes to it).
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn logout(
    svc: &Services,
    user: &CurrentUser,
    refresh_token: Option<&str>,
    device: Option<uuid::Uuid>,
) -> Result<(), AuthError> {
    let expires = Utc
        .timestamp_opt(user.token_expires, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    sqlx::query!(
        "insert into revoked_tokens (jti, user_id, expires_at) values ($1, $2, $3) on conflict (jti) do nothing",
        user.token_id,
        user.id as _,
        expires as _,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to revoke the access token")?;
    if let Some(token) = refresh_token {
        sqlx::query!(
            r#"
            update refresh_tokens set revoked_at = now()
             where user_id = $2 and revoked_at is null
               and family_id = (select family_id from refresh_tokens where token_hash = $1)
            "#,
            hash_refresh_token(token),
            user.id as _,
        )
        .execute(&mut *tx)
        .await
        .context("Failed to revoke the refresh tokens")?;
    }
    if device.is_some() {
        crate::notify::forget_devices(&mut tx, user.id, device).await?;
    }
    tx.commit().await.context("Failed to commit the logout")?;
    Ok(())
}

/// The user behind a bearer token: signature, algorithm and expiry are checked, then in one
/// query that the user still exists, their current role, and that the token is not revoked.
pub async fn authenticate(svc: &Services, bearer: &str) -> Result<CurrentUser, AuthError> {
    let claims: Claims =
        verify_access_token(&svc.tokens, bearer).ok_or(AuthError::Unauthenticated)?;
    let row = sqlx::query!(
        r#"
        select u.role, u.customer_type,
               u.company_approved_at is not null as "approved!",
               coalesce(c.vat_status = 'active', false) as "verified!",
               exists(select 1 from revoked_tokens r where r.jti = $2)
                 or coalesce(u.signed_out_at >= to_timestamp($3), false) as "revoked!"
          from users u left join companies c on c.id = u.company_id
         where u.id = $1 and u.deleted_at is null and u.blocked_at is null
        "#,
        claims.sub as _,
        claims.jti,
        claims.iat as f64,
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to check the token")?;
    match row {
        Some(r) if !r.revoked => Ok(CurrentUser {
            id: claims.sub,
            role: Role::parse(&r.role),
            customer_type: buys_at(&r.customer_type, r.approved, r.verified),
            token_id: claims.jti,
            token_expires: claims.exp,
        }),
        _ => Err(AuthError::Unauthenticated),
    }
}

/// A signed-in browser user, as the session names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionUser {
    /// User id.
    pub id: UserId,
    /// Current role.
    pub role: Role,
    /// Price list and minimum quantities: a company's only for an approved member of a
    /// company the VAT register verified, read on every request.
    pub customer_type: CustomerType,
}

/// Checks e-mail and password for a browser sign-in (same rules and timing as the API).
/// An address longer than any e-mail is refused before anything else; the attempt counts
/// against the address (by its hash, so an attacker's text never becomes a key) and the
/// client's IP; at most one password check per core runs at once.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn verify_login(
    svc: &Services,
    email: &str,
    password: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<SessionUser, AuthError> {
    let email = email.trim();
    if email.chars().count() > EMAIL_MAX {
        return Err(AuthError::InvalidCredentials);
    }
    if let Some(ip) = ip
        && let Err(wait) = LOGIN_PER_IP
            .hit(svc, &crate::shared::limit_subject(ip))
            .await?
    {
        return Err(AuthError::RateLimited {
            retry_after: wait.0,
        });
    }
    let subject = {
        use sha2::Digest;
        format!(
            "{:x}",
            sha2::Sha256::digest(email.to_lowercase().as_bytes())
        )
    };
    if let Err(wait) = LOGIN_PER_EMAIL.hit(svc, &subject).await? {
        return Err(AuthError::RateLimited {
            retry_after: wait.0,
        });
    }
    let Ok(Ok(_permit)) =
        tokio::time::timeout(CHECK_WAIT, svc.password_checks.clone().acquire_owned()).await
    else {
        return Err(AuthError::RateLimited { retry_after: 1 });
    };
    let row = sqlx::query!(
        r#"select id, role, customer_type, password_hash, blocked_at is not null as "blocked!" from users where lower(email) = lower($1) and deleted_at is null"#,
        email
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to look up the account")?;
    let (user, hash) = match row {
        Some(r) if !r.blocked => (
            Some(SessionUser {
                id: r.id.into(),
                role: Role::parse(&r.role),
                customer_type: CustomerType::parse(&r.customer_type),
            }),
            r.password_hash.unwrap_or_else(|| DUMMY_HASH.to_owned()),
        ),
        _ => (None, DUMMY_HASH.to_owned()),
    };
    match (user, verify_password(password.to_owned(), hash).await?) {
        (Some(user), true) => Ok(user),
        _ => Err(AuthError::InvalidCredentials),
    }
}

/// The price list of an account from its row: see [`crate::user::price_list`].
fn buys_at(account: &str, approved: bool, company_verified: bool) -> CustomerType {
    crate::user::price_list_for(CustomerType::parse(account), approved, company_verified)
}

/// The user a browser session points at, with their current role; `None` once deleted,
/// blocked, or signed out everywhere after `signed_in_ms` (milliseconds since the epoch).
pub async fn session_user(
    svc: &Services,
    id: UserId,
    signed_in_ms: i64,
) -> Result<Option<SessionUser>, AuthError> {
    let row = sqlx::query!(
        r#"
        select u.role, u.customer_type,
               u.company_approved_at is not null as "approved!",
               coalesce(c.vat_status = 'active', false) as "verified!"
          from users u left join companies c on c.id = u.company_id
         where u.id = $1 and u.deleted_at is null and u.blocked_at is null
           and (u.signed_out_at is null or u.signed_out_at < to_timestamp($2))
        "#,
        id as _,
        signed_in_ms as f64 / 1000.0,
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the session's user")?;
    Ok(row.map(|r| SessionUser {
        id,
        role: Role::parse(&r.role),
        customer_type: buys_at(&r.customer_type, r.approved, r.verified),
    }))
}

/// Ends every browser session and API token of the account: refresh tokens are revoked and
/// access tokens and sessions issued until now stop counting.
#[tracing::instrument(skip_all, fields(user_id = %user), err(level = "info"))]
pub async fn sign_out_everywhere(svc: &Services, user: UserId) -> Result<(), AuthError> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    sqlx::query!(
        "update users set signed_out_at = now() where id = $1",
        user as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to sign out everywhere")?;
    revoke_refresh_tokens(&mut tx, user).await?;
    crate::notify::forget_devices(&mut tx, user, None).await?;
    tx.commit().await.context("Failed to commit the sign-out")?;
    Ok(())
}

/// Revokes every refresh token of the account, in the caller's transaction (deleting or
/// blocking an account ends its API sign-ins with it).
pub async fn revoke_refresh_tokens(
    tx: &mut sqlx::PgConnection,
    user: UserId,
) -> anyhow::Result<()> {
    sqlx::query!(
        "update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null",
        user as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to revoke refresh tokens")?;
    Ok(())
}
