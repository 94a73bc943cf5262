//! Starting payments, refunding and reconciling through the configured gateway: Stripe when
//! a key is set, else (outside production) the development gateway. Stripe is never called
//! inside a database transaction; its answers come back as events through `handle_event`.

use std::time::Duration;

use anyhow::Context;
use serde_json::json;
use uuid::Uuid;

use super::events::{Event, Outcome, handle_event, start_dev_payment};
use super::{Error, Intent};
use crate::Services;
use crate::order::{self, OrderStatus, Viewer};

async fn payable(svc: &Services, user: Uuid, order_id: Uuid) -> Result<order::Order, Error> {
    let o = order::get_order(svc, Viewer::Customer(user), order_id).await?;
    if o.status != OrderStatus::PendingPayment {
        return Err(Error::NotPayable);
    }
    Ok(o)
}

fn gateway_error(e: anyhow::Error) -> Error {
    tracing::warn!(error = %format!("{e:#}"), "Stripe call failed");
    Error::Gateway(format!("{e:#}"))
}

/// Where the customer goes to pay (web): a Stripe Checkout Session (success and cancel URLs
/// back to the order page), or the development gateway's page.
pub async fn start_payment(svc: &Services, user: Uuid, order_id: Uuid) -> Result<String, Error> {
    let Some(stripe) = &svc.stripe else {
        return start_dev_payment(svc, user, order_id).await;
    };
    let o = payable(svc, user, order_id).await?;
    let back = format!("{}/orders/{order_id}", svc.public_url.trim_end_matches('/'));
    let session = stripe
        .create_checkout_session(&o, &format!("{back}?paid=1"), &back)
        .await
        .map_err(gateway_error)?;
    record_attempt(svc, &o, &session.id, None, &format!("checkout:{order_id}")).await?;
    Ok(session.url)
}

/// The order's PaymentIntent for an app's Stripe SDK (created once, then the same one).
pub async fn app_payment(svc: &Services, user: Uuid, order_id: Uuid) -> Result<Intent, Error> {
    // Whose order it is comes first: another user's id is "not found" whatever else holds.
    let o = payable(svc, user, order_id).await?;
    let Some(stripe) = &svc.stripe else {
        return Err(Error::AppPaymentsUnavailable);
    };
    // The intent made before, as Stripe has it now (idempotency keys last only 24 hours).
    let earlier = sqlx::query_scalar!(
        "select provider_intent from payments where idempotency_key = $1",
        format!("intent:{order_id}")
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to look the payment up")?
    .flatten();
    if let Some(id) = earlier {
        let current = stripe.payment_intent(&id).await.map_err(gateway_error)?;
        return super::stripe::intent_of(&current).map_err(gateway_error);
    }
    let intent = stripe
        .create_payment_intent(&o)
        .await
        .map_err(gateway_error)?;
    record_attempt(
        svc,
        &o,
        &intent.id,
        Some(&intent.id),
        &format!("intent:{order_id}"),
    )
    .await?;
    Ok(intent)
}

async fn record_attempt(
    svc: &Services,
    o: &order::Order,
    reference: &str,
    intent: Option<&str>,
    key: &str,
) -> Result<(), Error> {
    let method = if o.payment_method == "blik" {
        "blik"
    } else {
        "card"
    };
    sqlx::query!(
        r#"
        insert into payments (id, order_id, provider, provider_ref, provider_intent, method,
                              status, amount_minor, currency, idempotency_key)
        values ($1, $2, 'stripe', $3, $4, $5, 'pending', $6, $7, $8)
        on conflict (idempotency_key) do nothing
        "#,
        Uuid::now_v7(),
        o.id,
        reference,
        intent,
        method,
        o.total_minor,
        o.currency,
        key
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the payment attempt")?;
    sqlx::query!(
        "update orders set payment_status = 'processing' where id = $1 and payment_status in ('unpaid', 'failed')",
        o.id
    )
    .execute(&svc.db)
    .await
    .context("Failed to mark the payment started")?;
    Ok(())
}

/// Refunds `amount_minor` (the whole rest when `None`) of a paid order through the gateway.
/// The order follows when the gateway reports the refund (`charge.refunded`).
pub async fn refund(
    svc: &Services,
    admin: Uuid,
    order_id: Uuid,
    amount_minor: Option<i64>,
) -> Result<(), Error> {
    refund_as(svc, Viewer::Admin(admin), order_id, amount_minor).await
}

/// What a cancellation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// Cancelled; its stock is back.
    Cancelled,
    /// It was paid: a full refund was asked of the gateway, and the order becomes refunded
    /// (its stock back) when the gateway reports it, at once with the development gateway.
    RefundRequested,
}

/// Cancels an order for `viewer`: an unpaid one at once; a paid one (customers: until it is
/// processed) by refunding it in full through the gateway.
pub async fn cancel(
    svc: &Services,
    viewer: Viewer,
    order_id: Uuid,
    note: Option<String>,
) -> Result<Cancellation, Error> {
    let change = order::Move {
        to: OrderStatus::Cancelled,
        note: note.or_else(|| match viewer {
            Viewer::Customer(_) => Some("cancelled by the customer".into()),
            _ => None,
        }),
        carrier: None,
        tracking_number: None,
    };
    match order::move_order(svc, viewer, order_id, change).await {
        Ok(_) => Ok(Cancellation::Cancelled),
        Err(order::Error::RefundRequired) => {
            refund_as(svc, viewer, order_id, None).await?;
            Ok(Cancellation::RefundRequested)
        }
        Err(e) => Err(Error::Order(e)),
    }
}

async fn refund_as(
    svc: &Services,
    viewer: Viewer,
    order_id: Uuid,
    amount_minor: Option<i64>,
) -> Result<(), Error> {
    let o = order::get_order(svc, viewer, order_id).await?;
    let paid = sqlx::query!(
        r#"
        select o.refunded_minor, p.provider as "provider?", p.provider_intent as "provider_intent?"
          from orders o left join payments p on p.order_id = o.id and p.status = 'succeeded'
         where o.id = $1
         order by p.created_at desc limit 1
        "#,
        order_id
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to read the payment")?;
    let left = o.total_minor - paid.refunded_minor;
    let refundable_status = match viewer {
        Viewer::Customer(_) => o.status == OrderStatus::Paid,
        _ => matches!(
            o.status,
            OrderStatus::Paid
                | OrderStatus::Processing
                | OrderStatus::Shipped
                | OrderStatus::Delivered
        ),
    };
    let Some(intent) = paid.provider_intent.filter(|_| refundable_status) else {
        return Err(Error::NotRefundable);
    };
    let amount = amount_minor.unwrap_or(left);
    if amount < 1 || amount > left {
        return Err(Error::InvalidAmount { refundable: left });
    }
    match (&svc.stripe, paid.provider.as_deref()) {
        (Some(stripe), Some("stripe")) => {
            let key = format!("refund:{order_id}:{}:{amount}", paid.refunded_minor);
            stripe
                .refund(&intent, amount, &key)
                .await
                .map_err(gateway_error)?;
            Ok(())
        }
        (_, Some("dev")) if svc.dev_payments => {
            let event = Event {
                id: format!("evt_dev_{}", Uuid::now_v7().simple()),
                kind: "charge.refunded".into(),
                object: json!({
                    "id": format!("ch_dev_{}", order_id.simple()),
                    "object": "charge",
                    "amount": o.total_minor,
                    "amount_refunded": paid.refunded_minor + amount,
                    "currency": o.currency.to_ascii_lowercase(),
                    "payment_intent": intent,
                }),
            };
            handle_event(svc, &event).await.map(|_| ())
        }
        _ => Err(Error::NotRefundable),
    }
}

/// Asks Stripe about payments still open after `older_than` (a webhook that never came) and
/// applies what it says, through the same event path. Returns how many changed an order.
pub async fn reconcile(svc: &Services, older_than: Duration) -> anyhow::Result<usize> {
    let Some(stripe) = &svc.stripe else {
        return Ok(0);
    };
    let secs = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    let open = sqlx::query!(
        r#"
        select p.provider_ref as "provider_ref!", p.provider_intent
          from payments p join orders o on o.id = p.order_id
         where p.provider = 'stripe' and p.status = 'pending' and p.provider_ref is not null
           and o.status = 'pending_payment'
           and p.created_at < now() - make_interval(secs => $1::bigint)
         order by p.created_at limit 200
        "#,
        secs
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list open payments")?;
    let mut changed = 0;
    for payment in open {
        let reference = payment.provider_ref;
        let (object, kind) = if reference.starts_with("cs_") {
            let session = stripe.checkout_session(&reference).await?;
            let kind = match (
                session["payment_status"].as_str(),
                session["status"].as_str(),
            ) {
                (Some("paid"), _) => "checkout.session.completed",
                (_, Some("expired")) => "checkout.session.expired",
                _ => continue,
            };
            (session, kind)
        } else {
            let intent = stripe.payment_intent(&reference).await?;
            let kind = match intent["status"].as_str() {
                Some("succeeded") => "payment_intent.succeeded",
                Some("canceled") => "payment_intent.payment_failed",
                Some("requires_payment_method") if !intent["last_payment_error"].is_null() => {
                    "payment_intent.payment_failed"
                }
                _ => continue,
            };
            (intent, kind)
        };
        // One id per object and state: a second run, or the late webhook, changes nothing.
        let event = Event {
            id: format!("evt_reconcile_{reference}_{}", kind.replace('.', "_")),
            kind: kind.into(),
            object,
        };
        match handle_event(svc, &event).await {
            Ok(Outcome::Applied) => changed += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, %reference, "could not reconcile a payment"),
        }
    }
    Ok(changed)
}
