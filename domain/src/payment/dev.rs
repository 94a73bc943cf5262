//! The development gateway: a page where the customer presses "pay" or "fail", and the
//! Stripe-format events it makes, handled exactly like Stripe's (never in production, never
//! with a Stripe key).

use anyhow::Context;
use uuid::Uuid;

use super::Error;
use super::events::{Outcome, handle_event};
use super::webhook::{Event, ObjectKind, PaymentObject};
use crate::Services;
use crate::order::{self, OrderStatus, Viewer};
use crate::shared::{OrderId, UserId};

/// Starts paying an order through the development gateway: records the attempt and returns
/// the page where the customer presses "pay" or "fail".
pub async fn start_dev_payment(
    svc: &Services,
    user: UserId,
    order_id: OrderId,
) -> Result<String, Error> {
    if !svc.dev_payments {
        return Err(Error::DevGatewayDisabled);
    }
    let o = order::get_order(svc, Viewer::Customer(user), order_id).await?;
    if o.status != OrderStatus::PendingPayment {
        return Err(Error::NotPayable);
    }
    let method = if o.payment_method == "blik" {
        "blik"
    } else {
        "card"
    };
    sqlx::query!(
        r#"
        insert into payments (id, order_id, provider, provider_ref, provider_intent, method, status,
                              amount_minor, currency, idempotency_key)
        values ($1, $2, 'dev', $3, $3, $4, 'pending', $5, $6, $7)
        on conflict (idempotency_key) do nothing
        "#,
        Uuid::now_v7(),
        order_id as _,
        format!("pi_dev_{}", order_id.uuid().simple()),
        method,
        o.total.minor,
        o.total.currency.code(),
        format!("pay:{order_id}")
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the payment attempt")?;
    order::paying::payment_started(&svc.db, order_id).await?;
    Ok(format!("/pay/dev/{order_id}"))
}

/// The development gateway's answer: a Stripe-format `payment_intent.succeeded` (or
/// `payment_failed`) event for the order, handled exactly like one from Stripe.
pub async fn dev_outcome(
    svc: &Services,
    user: UserId,
    order_id: OrderId,
    succeed: bool,
) -> Result<Outcome, Error> {
    if !svc.dev_payments {
        return Err(Error::DevGatewayDisabled);
    }
    let o = order::get_order(svc, Viewer::Customer(user), order_id).await?;
    let kind = if succeed {
        "payment_intent.succeeded"
    } else {
        "payment_intent.payment_failed"
    };
    let intent = format!("pi_dev_{}", order_id.uuid().simple());
    let event = Event {
        id: format!("evt_dev_{}", Uuid::now_v7().simple()),
        kind: kind.into(),
        object: PaymentObject {
            kind: ObjectKind::Intent,
            id: intent.clone(),
            paid: Some(if succeed { o.total.minor } else { 0 }),
            refunded: None,
            currency: Some(o.total.currency.code().to_ascii_lowercase()),
            intent: Some(intent),
            metadata: [
                ("order_id".to_owned(), order_id.to_string()),
                ("order_number".to_owned(), o.number.to_string()),
            ]
            .into(),
            settled: true,
        },
    };
    handle_event(svc, &event).await
}
