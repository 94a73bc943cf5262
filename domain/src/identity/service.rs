//! Identity use-cases.

use anyhow::Context;
use uuid::Uuid;

use super::password::hash_password;
use crate::Services;
use crate::shared::UserId;

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
    /// What to do when an account with this e-mail exists.
    pub existing: ExistingAccount,
}

/// What [`create_admin`] does with an account that already has the e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingAccount {
    /// Leave an admin as it is (the seed); refuse a customer.
    Keep,
    /// Set an admin's password; refuse a customer.
    SetPassword,
    /// Set an admin's password, or make a customer whose e-mail is confirmed an admin with
    /// this password (`create-admin --promote`).
    Promote,
}

/// The result of [`create_admin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAccount {
    /// A new account was created.
    Created(UserId),
    /// An admin with this e-mail exists; it was left as it was.
    Existing(UserId),
    /// An admin with this e-mail exists; its password was set.
    PasswordSet(UserId),
    /// A customer with this confirmed e-mail was made an admin, with the password.
    Promoted(UserId),
}

/// Shortest admin password accepted.
pub const MIN_ADMIN_PASSWORD_LEN: usize = 12;

/// Creates an admin account with a confirmed e-mail; what happens to an account that already
/// has the e-mail is `cmd.existing`'s choice. A customer is never made an admin without
/// [`ExistingAccount::Promote`], and never through an e-mail nobody confirmed (anyone can
/// type an operator's address into a profile).
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
    let existing = sqlx::query!(
        r#"
        select id, role, email_verified_at is not null as "verified!" from users
         where lower(email) = $1 and deleted_at is null
        "#,
        email
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to look up account")?;
    if let Some(account) = existing {
        let admin = account.role == "admin";
        let outcome = match (admin, account.verified, cmd.existing) {
            (true, _, ExistingAccount::Keep) => {
                return Ok(AdminAccount::Existing(account.id.into()));
            }
            (true, _, _) => AdminAccount::PasswordSet(account.id.into()),
            (false, true, ExistingAccount::Promote) => AdminAccount::Promoted(account.id.into()),
            (false, false, _) => {
                return Err(Error::Conflict(
                    "a customer typed this e-mail and never confirmed it; it is not used to find an admin: use another address".into(),
                ));
            }
            (false, true, _) => {
                return Err(Error::Conflict(
                    "a customer account has this e-mail; pass --promote to make it an admin".into(),
                ));
            }
        };
        let hash = hash_password(cmd.password).await?;
        sqlx::query!(
            "update users set role = 'admin', password_hash = $2 where id = $1",
            account.id,
            hash
        )
        .execute(&svc.db)
        .await
        .context("Failed to update the admin")?;
        tracing::warn!(user_id = %account.id, ?outcome, "admin account changed by an operator");
        return Ok(outcome);
    }
    let hash = hash_password(cmd.password).await?;
    let id = Uuid::now_v7();
    // A concurrent creator may win the unique index; then that row is the admin.
    let inserted = sqlx::query_scalar!(
        r#"
        insert into users (id, email, password_hash, role, email_verified_at)
        values ($1, $2, $3, 'admin', now())
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
    match inserted {
        Some(id) => Ok(AdminAccount::Created(id.into())),
        None => Err(Error::Conflict(
            "another account took this e-mail at the same moment; run it again".into(),
        )),
    }
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
