//! Account-wide actions: changing the phone number (a code to each number), deleting the
//! account (a code, then erasure after a grace period), exporting the user's data, and the
//! admin's user list with blocking and roles.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::Error;
use crate::Services;
use crate::identity::otp::{self, CodeSent, Purpose, Requester};
use crate::identity::{Phone, Role};
use crate::shared::{Locale, UserId};

/// How long a deleted account's personal data is kept before it is erased.
pub const DELETION_GRACE: Duration = Duration::from_secs(30 * 24 * 3600);

async fn current_phone(svc: &Services, user: UserId) -> Result<Phone, Error> {
    let phone = sqlx::query_scalar!(
        "select phone from users where id = $1 and deleted_at is null",
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the account")?
    .ok_or(Error::NotFound)?
    .ok_or_else(|| Error::invalid("phone", "this account has no phone number"))?;
    Ok(Phone::parse(&phone)?)
}

/// Sends a code to the current number and one to `new_phone`.
pub async fn request_phone_change(
    svc: &Services,
    user: UserId,
    new_phone: &str,
    requester: Requester,
    locale: Locale,
) -> Result<CodeSent, Error> {
    let new_phone = Phone::parse(new_phone)?;
    let current = current_phone(svc, user).await?;
    if current == new_phone {
        return Err(Error::invalid(
            "new_phone",
            "is the number you already have",
        ));
    }
    let requester = Requester {
        user_id: Some(user),
        ..requester
    };
    otp::send_code(
        svc,
        &current,
        Purpose::PhoneChangeCurrent,
        requester,
        locale,
    )
    .await?;
    Ok(otp::send_code(svc, &new_phone, Purpose::PhoneChangeNew, requester, locale).await?)
}

/// Checks both codes and moves the account to `new_phone`.
pub async fn confirm_phone_change(
    svc: &Services,
    user: UserId,
    new_phone: &str,
    current_code: &str,
    new_code: &str,
    requester: Requester,
) -> Result<(), Error> {
    let new_phone = Phone::parse(new_phone)?;
    let current = current_phone(svc, user).await?;
    let requester = Requester {
        user_id: Some(user),
        ..requester
    };
    otp::check_code(
        svc,
        &current,
        Purpose::PhoneChangeCurrent,
        current_code,
        requester,
    )
    .await
    .map_err(|e| rename_code_field(e, "current_code"))?;
    otp::check_code(
        svc,
        &new_phone,
        Purpose::PhoneChangeNew,
        new_code,
        requester,
    )
    .await
    .map_err(|e| rename_code_field(e, "new_code"))?;
    let mut tx = svc.db.begin().await.context("No database connection")?;
    let updated = sqlx::query!(
        "update users set phone = $2 where id = $1 and deleted_at is null",
        user as _,
        new_phone.as_str()
    )
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(_) => {}
        Err(e) if crate::shared::violated_constraint(&e) == Some("users_phone_type_key") => {
            return Err(Error::Conflict(
                "the new number already has an account of this type".into(),
            ));
        }
        Err(e) => {
            return Err(Error::Unexpected(
                anyhow::Error::new(e).context("Failed to change the phone"),
            ));
        }
    }
    // The security notice shows only the end of the number.
    let digits = new_phone.as_str();
    let masked = format!("…{}", &digits[digits.len().saturating_sub(3)..]);
    crate::notify::outbox::account(
        &mut tx,
        user,
        crate::notify::Kind::PhoneChanged,
        digits,
        serde_json::json!({ "phone": masked }),
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the phone change")?;
    Ok(())
}

/// A code refused on its `code` field, named after the field the request used.
fn rename_code_field(e: crate::identity::Error, field: &'static str) -> Error {
    match e {
        crate::identity::Error::Invalid {
            field: "code",
            message,
        } => Error::Invalid { field, message },
        other => other.into(),
    }
}

/// Sends the code that confirms deleting the account.
pub async fn request_deletion(
    svc: &Services,
    user: UserId,
    requester: Requester,
    locale: Locale,
) -> Result<CodeSent, Error> {
    let phone = current_phone(svc, user).await?;
    let requester = Requester {
        user_id: Some(user),
        ..requester
    };
    Ok(otp::send_code(svc, &phone, Purpose::AccountDeletion, requester, locale).await?)
}

/// Checks the code and deletes the account: it stops working at once (tokens, sessions),
/// and its personal data is erased after [`DELETION_GRACE`]. Orders and invoices stay.
#[tracing::instrument(skip_all, fields(user_id = %user), err(level = "info"))]
pub async fn delete_account(
    svc: &Services,
    user: UserId,
    code: &str,
    requester: Requester,
) -> Result<(), Error> {
    let phone = current_phone(svc, user).await?;
    let requester = Requester {
        user_id: Some(user),
        ..requester
    };
    otp::check_code(svc, &phone, Purpose::AccountDeletion, code, requester).await?;
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    sqlx::query!(
        "update users set deleted_at = now(), signed_out_at = now() where id = $1 and deleted_at is null",
        user as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to delete the account")?;
    crate::identity::revoke_refresh_tokens(&mut tx, user).await?;
    let erase_on = (chrono::Utc::now() + DELETION_GRACE).date_naive();
    crate::notify::outbox::account(
        &mut tx,
        user,
        crate::notify::Kind::AccountDeleted,
        "",
        serde_json::json!({ "erase_on": erase_on.to_string() }),
    )
    .await?;
    crate::notify::forget_devices(&mut tx, user, None).await?;
    tx.commit().await.context("Failed to commit the deletion")?;
    tracing::info!("account deleted; personal data erased after the grace period");
    Ok(())
}

/// Erases the personal data of accounts deleted more than `grace` ago: contact data, names,
/// photo, addresses, favorites and carts. Returns how many accounts were erased.
pub async fn erase_deleted_accounts(svc: &Services, grace: Duration) -> anyhow::Result<usize> {
    let grace_secs = i64::try_from(grace.as_secs()).unwrap_or(i64::MAX);
    let due = sqlx::query!(
        r#"
        select id, photo_key from users
         where deleted_at is not null and erased_at is null
           and deleted_at <= now() - make_interval(secs => $1::bigint)
         limit 100
        "#,
        grace_secs
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list accounts to erase")?;
    for user in &due {
        let mut tx = svc
            .db
            .begin()
            .await
            .context("Failed to start a transaction")?;
        sqlx::query!("delete from addresses where user_id = $1", user.id)
            .execute(&mut *tx)
            .await
            .context("Failed to erase addresses")?;
        crate::shopping::forget_user(&mut tx, user.id.into()).await?;
        crate::notify::forget_user(&mut tx, user.id.into()).await?;
        sqlx::query!(
            r#"
            update users
               set phone = null, email = null, password_hash = null, first_name = null,
                   last_name = null, photo_key = null, erased_at = now()
             where id = $1
            "#,
            user.id
        )
        .execute(&mut *tx)
        .await
        .context("Failed to erase the account")?;
        tx.commit().await.context("Failed to commit the erasure")?;
        if let Some(key) = &user.photo_key {
            svc.blobs.delete(key).await?;
        }
    }
    Ok(due.len())
}

/// Everything the shop holds about the user, as JSON (GDPR article 15 and 20).
pub async fn export_data(svc: &Services, user: UserId) -> Result<serde_json::Value, Error> {
    let row = sqlx::query!(
        r#"
        select jsonb_build_object(
          'exported_at', now(),
          'profile', (select to_jsonb(u) - 'password_hash' - 'photo_key' - 'signed_out_at'
                        from users u where u.id = $1 and u.deleted_at is null),
          'company', (select to_jsonb(c) from users u join companies c on c.id = u.company_id
                       where u.id = $1),
          'addresses', coalesce((select jsonb_agg(to_jsonb(a) - 'user_id' order by a.created_at)
                                   from addresses a where a.user_id = $1), '[]'::jsonb),
          'orders', coalesce((select jsonb_agg(to_jsonb(o) || jsonb_build_object('items',
                                coalesce((select jsonb_agg(to_jsonb(i)) from order_items i where i.order_id = o.id), '[]'::jsonb))
                                order by o.placed_at)
                                from orders o where o.user_id = $1), '[]'::jsonb),
          'favorites', coalesce((select jsonb_agg(jsonb_build_object('product_id', f.product_id, 'added_at', f.created_at))
                                   from favorites f where f.user_id = $1), '[]'::jsonb),
          'consents', coalesce((select jsonb_agg(to_jsonb(c) - 'id' - 'user_id' order by c.created_at)
                                  from consents c where c.user_id = $1), '[]'::jsonb)
        ) as "export!"
        "#,
        user as _
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to export the account")?;
    if row
        .export
        .get("profile")
        .is_none_or(serde_json::Value::is_null)
    {
        return Err(Error::NotFound);
    }
    Ok(row.export)
}

/// A row of the admin's user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// Id.
    pub id: UserId,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// "First Last", when given.
    pub name: Option<String>,
    /// Role.
    pub role: Role,
    /// `individual` or `corporate`.
    pub customer_type: String,
    /// Company name, for corporate accounts.
    pub company: Option<String>,
    /// Where the account stands with that company.
    pub company_membership: Option<super::Membership>,
    /// Orders placed.
    pub orders_count: i64,
    /// Blocked by an admin.
    pub blocked: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Live accounts matching `query` (phone, e-mail, name or company), newest first.
pub async fn search_users(
    svc: &Services,
    query: Option<&str>,
    page: crate::shared::PageRequest,
) -> Result<crate::shared::Page<UserSummary>, Error> {
    find_users(svc, query, None, page).await
}

async fn find_users(
    svc: &Services,
    query: Option<&str>,
    id: Option<UserId>,
    page: crate::shared::PageRequest,
) -> Result<crate::shared::Page<UserSummary>, Error> {
    let pattern = query.map(str::trim).filter(|q| !q.is_empty()).map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let rows = sqlx::query!(
        r#"
        select u.id, u.phone, u.email, u.role, u.customer_type,
               nullif(concat_ws(' ', u.first_name, u.last_name), '') as name,
               c.name as "company?", u.blocked_at is not null as "blocked!",
               u.company_approved_at is not null as "approved!",
               u.company_rejected_at is not null as "rejected!",
               u.created_at as "created_at: DateTime<Utc>",
               (select count(*) from orders o where o.user_id = u.id) as "orders_count!",
               count(*) over () as "total!"
          from users u left join companies c on c.id = u.company_id
         where u.deleted_at is null
           and ($1::text is null or u.phone ilike $1 or u.email ilike $1 or c.name ilike $1
                or concat_ws(' ', u.first_name, u.last_name) ilike $1)
           and ($4::uuid is null or u.id = $4)
         order by u.created_at desc, u.id
         limit $2 offset $3
        "#,
        pattern,
        page.limit(),
        page.offset(),
        id as _,
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to search users")?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(crate::shared::Page {
        total: u64::try_from(total).unwrap_or(0),
        page: page.page(),
        per_page: page.per_page(),
        items: rows
            .into_iter()
            .map(|r| UserSummary {
                id: r.id.into(),
                phone: r.phone,
                email: r.email,
                name: r.name,
                role: Role::parse(&r.role),
                customer_type: r.customer_type,
                company_membership: r
                    .company
                    .as_ref()
                    .map(|_| super::Membership::of(r.approved, r.rejected)),
                company: r.company,
                orders_count: r.orders_count,
                blocked: r.blocked,
                created_at: r.created_at,
            })
            .collect(),
    })
}

/// An admin's change to an account.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserChange {
    /// New role.
    pub role: Option<Role>,
    /// Block (`true`) or unblock (`false`).
    pub blocked: Option<bool>,
    /// Approve or turn down the account's membership of the company whose NIP it gave.
    pub membership: Option<super::Decision>,
}

/// Changes a user's role, blocked state or company membership; blocking ends their tokens
/// and sessions at once. Admins cannot block or demote themselves.
#[tracing::instrument(skip_all, fields(admin = %admin, user_id = %user), err(level = "info"))]
pub async fn change_user(
    svc: &Services,
    admin: UserId,
    user: UserId,
    change: UserChange,
) -> Result<UserSummary, Error> {
    if admin == user && (change.blocked == Some(true) || change.role == Some(Role::Customer)) {
        return Err(Error::invalid(
            "user",
            "you cannot block or demote your own account",
        ));
    }
    if let Some(decision) = change.membership {
        super::decide_membership(svc, super::Decider::Admin(admin), user, decision).await?;
    }
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let done = sqlx::query!(
        r#"
        update users
           set role = coalesce($2, role),
               blocked_at = case when $3::boolean is null then blocked_at
                                 when $3 then coalesce(blocked_at, now()) else null end
         where id = $1 and deleted_at is null
        "#,
        user as _,
        change.role.map(Role::as_str),
        change.blocked,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to change the user")?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    if change.blocked == Some(true) {
        crate::identity::revoke_refresh_tokens(&mut tx, user).await?;
    }
    tx.commit().await.context("Failed to commit the change")?;
    tracing::info!(role = ?change.role, blocked = ?change.blocked, "user changed by an admin");
    find_users(svc, None, Some(user), crate::shared::PageRequest::new(1, 1))
        .await?
        .items
        .pop()
        .ok_or(Error::NotFound)
}
