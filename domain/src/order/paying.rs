//! What the payment context may read and change on an order, so that it never writes the
//! `orders` table itself: the payment status, the reservation while a payment page is open,
//! the amount refunded, and a flag for an admin to review.

use anyhow::Context;

use super::{Error, PaymentStatus};
use crate::notify::Kind;
use crate::shared::{Currency, Money, OrderId};

/// The money side of an order, read under its row lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payable {
    /// What the order costs.
    pub total: Money,
    /// Where its money is.
    pub payment_status: PaymentStatus,
    /// Refunded so far (in the order's currency).
    pub refunded: Money,
}

/// The order's amounts and payment status (call it with the order locked).
pub async fn payable(tx: &mut sqlx::PgConnection, order: OrderId) -> Result<Payable, Error> {
    let row = sqlx::query!(
        "select total_minor, currency, payment_status, refunded_minor from orders where id = $1",
        order as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the order")?;
    let currency = Currency::parse(&row.currency).context("Stored currency is invalid")?;
    Ok(Payable {
        total: Money::new(row.total_minor, currency),
        payment_status: PaymentStatus::from_code(&row.payment_status)
            .context("Stored payment status is invalid")?,
        refunded: Money::new(row.refunded_minor, currency),
    })
}

/// Keeps the stock of an unpaid order reserved until at least `until` (a payment page open
/// that long); false when the order is no longer waiting for payment.
pub async fn hold_for_payment<'e>(
    db: impl sqlx::PgExecutor<'e>,
    order: OrderId,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Error> {
    let held = sqlx::query!(
        r#"
        update orders set reserved_until = greatest(reserved_until, to_timestamp($2::bigint))
         where id = $1 and status = 'pending_payment'
        "#,
        order as _,
        until.timestamp()
    )
    .execute(db)
    .await
    .context("Failed to extend the reservation")?
    .rows_affected();
    Ok(held > 0)
}

/// A payment attempt started: an unpaid or failed order is now `processing`.
pub async fn payment_started<'e>(
    db: impl sqlx::PgExecutor<'e>,
    order: OrderId,
) -> Result<(), Error> {
    sqlx::query!(
        "update orders set payment_status = 'processing' where id = $1 and payment_status in ('unpaid', 'failed')",
        order as _
    )
    .execute(db)
    .await
    .context("Failed to mark the payment started")?;
    Ok(())
}

/// Sets the payment status as the gateway reported it.
pub async fn set_payment_status(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    status: PaymentStatus,
) -> Result<(), Error> {
    sqlx::query!(
        "update orders set payment_status = $2 where id = $1",
        order as _,
        status.as_str()
    )
    .execute(&mut *tx)
    .await
    .context("Failed to set the payment status")?;
    if status == PaymentStatus::Failed {
        crate::notify::order(tx, order, Kind::PaymentFailed, "", serde_json::json!({})).await?;
    }
    Ok(())
}

/// Flags the order for an admin to review (money that does not match or no order keeps).
pub async fn flag_for_review(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    reason: &str,
) -> Result<(), Error> {
    tracing::warn!(%order, reason, "payment flagged for review");
    sqlx::query!(
        "update orders set review_reason = $2 where id = $1",
        order as _,
        reason
    )
    .execute(&mut *tx)
    .await
    .context("Failed to flag the order")?;
    crate::notify::admins(
        tx,
        order,
        Kind::AdminFlagged,
        serde_json::json!({"reason": reason}),
    )
    .await?;
    Ok(())
}

/// Records that `refunded` has been refunded in all (a partial refund, or a full one the
/// lifecycle does not move: the payment status says which).
pub async fn record_refunded(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    refunded: Money,
) -> Result<(), Error> {
    sqlx::query!(
        r#"
        update orders
           set refunded_minor = $2,
               payment_status = case when $2 >= total_minor then 'refunded'
                                     else 'partially_refunded' end
         where id = $1
        "#,
        order as _,
        refunded.minor
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the refund")?;
    super::correction::correct(tx, order, refunded.minor, super::correction::Reason::Refund)
        .await?;
    crate::notify::order(tx, order, Kind::OrderRefunded, "", serde_json::json!({})).await?;
    Ok(())
}
