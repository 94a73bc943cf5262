//! Bank transfer on payment terms for companies: a shop-wide default (0, 7, 14 or 21 days)
//! and a per-company override; late transfers are flagged by a daily job.

use crate::shared::UserId;
use anyhow::Context;

use super::Error;
use crate::Services;

/// The terms an admin may grant, in days (0: pay up front).
pub const TERMS: [i32; 4] = [0, 7, 14, 21];

fn check(days: i32) -> Result<i32, Error> {
    if TERMS.contains(&days) {
        Ok(days)
    } else {
        Err(Error::invalid("days", "must be 0, 7, 14 or 21"))
    }
}

/// Days a buyer may take to pay by transfer: their company's override, else the shop's
/// default; 0 for private customers, accounts the company has not approved as members, and
/// companies without terms.
pub async fn terms_for(conn: &mut sqlx::PgConnection, user: UserId) -> Result<i32, Error> {
    let days = sqlx::query_scalar!(
        r#"
        select coalesce(c.payment_terms_override, t.default_days) as "days!"
          from users u join companies c on c.id = u.company_id cross join payment_terms t
         where u.id = $1 and u.customer_type = 'corporate' and u.company_approved_at is not null
        "#,
        user as _
    )
    .fetch_optional(conn)
    .await
    .context("Failed to read payment terms")?;
    Ok(days.unwrap_or(0))
}

/// The shop-wide default.
pub async fn default_terms(svc: &Services) -> Result<i32, Error> {
    Ok(
        sqlx::query_scalar!("select default_days from payment_terms")
            .fetch_one(&svc.db)
            .await
            .context("Failed to read payment terms")?,
    )
}

/// Sets the shop-wide default.
pub async fn set_default_terms(svc: &Services, days: i32) -> Result<(), Error> {
    let days = check(days)?;
    sqlx::query!("update payment_terms set default_days = $1", days)
        .execute(&svc.db)
        .await
        .context("Failed to set payment terms")?;
    Ok(())
}

/// Sets (or with `None` removes) the override for the company of a corporate account.
pub async fn set_customer_terms(
    svc: &Services,
    user: UserId,
    days: Option<i32>,
) -> Result<(), Error> {
    let days = days.map(check).transpose()?;
    let done = sqlx::query!(
        r#"
        update companies c set payment_terms_override = $2
          from users u
         where u.id = $1 and u.company_id = c.id and u.customer_type = 'corporate'
        "#,
        user as _,
        days
    )
    .execute(&svc.db)
    .await
    .context("Failed to set payment terms")?
    .rows_affected();
    if done == 0 {
        return Err(Error::invalid(
            "user",
            "payment terms are for company accounts",
        ));
    }
    Ok(())
}

/// Flags orders whose transfer is past due (once each); returns how many.
pub async fn flag_overdue(svc: &Services) -> anyhow::Result<u64> {
    let flagged = sqlx::query!(
        r#"
        update orders set overdue_at = now()
         where status = 'awaiting_transfer' and payment_due_at < now() and overdue_at is null
        "#
    )
    .execute(&svc.db)
    .await
    .context("Failed to flag overdue transfers")?
    .rows_affected();
    Ok(flagged)
}
