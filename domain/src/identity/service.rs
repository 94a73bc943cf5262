//! Identity use-cases.

use anyhow::Context;
use uuid::Uuid;

use super::password::hash_password;
use crate::Services;

/// What can go wrong signing in by phone or managing an account.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// Too many attempts; the caller may try again after this many seconds.
    #[error("too many attempts; try again in {retry_after} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The code is wrong; this many tries are left for it.
    #[error("wrong code")]
    WrongCode {
        /// Tries left before the code stops working.
        attempts_left: i32,
    },
    /// No code is waiting, or it expired or was used up.
    #[error("the code expired; request a new one")]
    CodeExpired,
    /// The account is blocked by the shop.
    #[error("this account is blocked")]
    Blocked,
    /// The request conflicts with existing data (e.g. a phone number already in use).
    #[error("{0}")]
    Conflict(String),
    /// The thing does not exist, or belongs to somebody else.
    #[error("not found")]
    NotFound,
    /// An outside service (SMS) could not be reached.
    #[error("{0} is unavailable")]
    Unavailable(&'static str),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// An admin account to create.
#[derive(Debug, Clone)]
pub struct CreateAdmin {
    /// Sign-in e-mail.
    pub email: String,
    /// Plain password, hashed before storage.
    pub password: String,
}

/// The result of [`create_admin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAccount {
    /// A new account was created.
    Created(Uuid),
    /// An account with this e-mail exists; it was made an admin and its password kept.
    Existing(Uuid),
}

/// Shortest admin password accepted.
pub const MIN_ADMIN_PASSWORD_LEN: usize = 12;

/// Creates an admin account, or promotes the live account with that e-mail (keeping its
/// password). Idempotent.
#[tracing::instrument(skip_all, fields(email = %cmd.email), err(level = "info"))]
pub async fn create_admin(svc: &Services, cmd: CreateAdmin) -> Result<AdminAccount, Error> {
    let email = cmd.email.trim().to_lowercase();
    let valid_email = email.len() <= 254
        && email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !email.contains(char::is_whitespace)
        });
    if !valid_email {
        return Err(Error::Invalid {
            field: "email",
            message: "is not an e-mail address".into(),
        });
    }
    if cmd.password.chars().count() < MIN_ADMIN_PASSWORD_LEN {
        return Err(Error::Invalid {
            field: "password",
            message: "must be at least 12 characters".into(),
        });
    }
    let existing = sqlx::query_scalar!(
        r#"
        update users set role = 'admin'
         where lower(email) = $1 and deleted_at is null
        returning id
        "#,
        email
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to look up account")?;
    if let Some(id) = existing {
        return Ok(AdminAccount::Existing(id));
    }
    let hash = hash_password(cmd.password).await?;
    let id = Uuid::now_v7();
    // A concurrent creator may win the unique index; then that row is the admin.
    let inserted = sqlx::query_scalar!(
        r#"
        insert into users (id, email, password_hash, role)
        values ($1, $2, $3, 'admin')
        on conflict do nothing
        returning id
        "#,
        id,
        email,
        hash
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to create admin")?;
    if let Some(id) = inserted {
        return Ok(AdminAccount::Created(id));
    }
    let id = sqlx::query_scalar!(
        "select id from users where lower(email) = $1 and deleted_at is null",
        email
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to look up account created concurrently")?;
    Ok(AdminAccount::Existing(id))
}

/// A random 22-character password (128 bits from the OS generator).
pub fn generate_password() -> String {
    argon2::password_hash::SaltString::generate(&mut argon2::password_hash::rand_core::OsRng)
        .as_str()
        .to_owned()
}

impl Error {
    /// A validation error for `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}
