//! Reminding buyers of unpaid orders before their reservation ends.

use anyhow::Context;

use crate::Services;
use crate::notify::Kind;
use crate::shared::OrderId;

/// Reminds buyers of unpaid orders whose reservation ends within ten minutes (once per
/// order: the notice's key makes a second reminder a no-op).
pub async fn remind_unpaid(svc: &Services) -> anyhow::Result<usize> {
    let due = sqlx::query_scalar!(
        r#"
        select o.id from orders o
         where o.status = 'pending_payment'
           and o.reserved_until between now() and now() + interval '10 minutes'
           and not exists (select 1 from notifications n
                            where n.order_id = o.id and n.kind = 'payment_reminder')
         order by o.reserved_until
         limit 1000
        "#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to find orders to remind")?;
    for id in &due {
        let mut tx = svc.db.begin().await.context("No database connection")?;
        crate::notify::order(
            &mut tx,
            OrderId(*id),
            Kind::PaymentReminder,
            "",
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await.context("Failed to commit the reminder")?;
    }
    Ok(due.len())
}
