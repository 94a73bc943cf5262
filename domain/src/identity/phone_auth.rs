//! Signing in (and up) with a phone number and a code.

use anyhow::Context;
use uuid::Uuid;

use super::Error;
use super::auth::{Role, SessionUser};
use super::otp::{self, Purpose, Requester};
use super::phone::Phone;
use crate::Services;
use crate::shared::{CustomerType, Locale};

/// A code-based sign-in.
#[derive(Debug, Clone)]
pub struct PhoneSignIn {
    /// The phone number as typed.
    pub phone: String,
    /// The 6 digits from the SMS.
    pub code: String,
    /// Which of the phone's accounts; needed only when it has both. Naming a type the
    /// phone has no account of creates that account.
    pub account_type: Option<CustomerType>,
    /// Language for a new account.
    pub locale: Locale,
}

/// The outcome of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    /// The account.
    pub user: SessionUser,
    /// Whether it has chosen its customer type and given its details.
    pub profile_complete: bool,
    /// Whether this sign-in created it.
    pub created: bool,
}

/// Checks the code and returns the account, creating it on a first sign-in. A phone may
/// hold one individual and one corporate account.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn sign_in_with_code(
    svc: &Services,
    cmd: PhoneSignIn,
    requester: Requester,
) -> Result<SignedIn, Error> {
    let phone = Phone::parse(&cmd.phone)?;
    let accounts = sqlx::query!(
        r#"
        select id, role, customer_type, blocked_at is not null as "blocked!",
               profile_completed_at is not null as "complete!"
          from users where phone = $1 and deleted_at is null
         order by created_at
        "#,
        phone.as_str()
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to look up the phone's accounts")?;
    // Resolved before the code is checked, so that a missing choice does not use it up.
    let existing = match cmd.account_type {
        Some(kind) => accounts.iter().find(|a| a.customer_type == kind.as_str()),
        None if accounts.len() > 1 => {
            return Err(Error::invalid(
                "account_type",
                "this phone has an individual and a corporate account; choose one",
            ));
        }
        None => accounts.first(),
    };
    otp::check_code(
        svc,
        &phone,
        Purpose::SignIn,
        &cmd.code,
        Requester {
            user_id: None,
            ..requester
        },
    )
    .await?;
    // Blocking applies to the person, that is the phone: a blocked person neither signs in
    // to the phone's other account nor creates one.
    if accounts.iter().any(|a| a.blocked) {
        return Err(Error::Blocked);
    }
    if let Some(account) = existing {
        return Ok(SignedIn {
            user: SessionUser {
                id: account.id.into(),
                role: Role::parse(&account.role),
                customer_type: CustomerType::parse(&account.customer_type),
            },
            profile_complete: account.complete,
            created: false,
        });
    }
    let kind = cmd.account_type.unwrap_or_default();
    let id = Uuid::now_v7();
    let inserted = sqlx::query_scalar!(
        r#"
        insert into users (id, phone, customer_type, locale)
        values ($1, $2, $3, $4)
        on conflict do nothing
        returning id
        "#,
        id,
        phone.as_str(),
        kind.as_str(),
        cmd.locale.code(),
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to create the account")?;
    let (id, created) = match inserted {
        Some(id) => (id, true),
        // Created by a concurrent sign-in with the same phone.
        None => {
            let id = sqlx::query_scalar!(
                "select id from users where phone = $1 and customer_type = $2 and deleted_at is null",
                phone.as_str(),
                kind.as_str()
            )
            .fetch_one(&svc.db)
            .await
            .context("Failed to look up the account")?;
            (id, false)
        }
    };
    tracing::info!(user_id = %id, created, "signed in by phone");
    Ok(SignedIn {
        user: SessionUser {
            id: id.into(),
            role: Role::Customer,
            customer_type: kind,
        },
        profile_complete: false,
        created,
    })
}
