//! Applying Stripe-format payment events to orders, once each.

use anyhow::Context;
use serde_json::Value;
use uuid::Uuid;

use super::Error;
use crate::Services;
use crate::order::{self, Move, OrderStatus, Viewer};

/// The parts of a Stripe event we act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `evt_…`.
    pub id: String,
    /// `payment_intent.succeeded`, ….
    pub kind: String,
    /// `data.object`.
    pub object: Value,
}

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It changed the order.
    Applied,
    /// Seen before: nothing changed.
    Duplicate,
    /// A type we do not act on.
    Ignored,
    /// It arrived after a later state (e.g. a failure after the success): nothing changed.
    Stale,
    /// The amount or currency did not match: the order is flagged for review, not paid.
    Flagged,
}

impl Outcome {
    /// As recorded and answered.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Stale => "stale",
            Outcome::Flagged => "flagged",
        }
    }
}

const HANDLED: [&str; 5] = [
    "checkout.session.completed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
];

/// Reads an event body (after its signature was verified).
pub fn parse_event(body: &[u8]) -> Result<Event, Error> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Error::InvalidEvent(format!("not JSON: {e}")))?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let id = value
        .get("id")
        .and_then(text)
        .filter(|id| id.starts_with("evt_") && id.len() <= 255)
        .ok_or_else(|| Error::InvalidEvent("no event id".into()))?;
    let kind = value
        .get("type")
        .and_then(text)
        .ok_or_else(|| Error::InvalidEvent("no event type".into()))?;
    let object = value
        .get("data")
        .and_then(|d| d.get("object"))
        .filter(|o| o.is_object())
        .cloned()
        .ok_or_else(|| Error::InvalidEvent("no data.object".into()))?;
    Ok(Event { id, kind, object })
}

fn amount(object: &Value, keys: &[&str]) -> Result<Option<i64>, Error> {
    for key in keys {
        if let Some(v) = object.get(*key).filter(|v| !v.is_null()) {
            let minor = v
                .as_i64()
                .ok_or_else(|| Error::InvalidEvent(format!("{key} is not an integer")))?;
            if minor < 0 {
                return Err(Error::InvalidEvent(format!("{key} is negative")));
            }
            return Ok(Some(minor));
        }
    }
    Ok(None)
}

/// The order an event is about: `metadata.order_id`, or for a charge the payment we
/// recorded for its PaymentIntent.
async fn order_of(svc: &Services, object: &Value) -> Result<Uuid, Error> {
    if let Some(id) = object
        .get("metadata")
        .and_then(|m| m.get("order_id"))
        .and_then(Value::as_str)
    {
        return Uuid::parse_str(id).map_err(|_| Error::UnknownOrder);
    }
    let intent = object
        .get("payment_intent")
        .and_then(Value::as_str)
        .ok_or(Error::UnknownOrder)?;
    sqlx::query_scalar!(
        "select order_id from payments where provider_ref = $1 or provider_intent = $1 limit 1",
        intent
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to find the payment")?
    .ok_or(Error::UnknownOrder)
}

/// Applies an event to its order, once: the event id is recorded in the transaction that
/// makes the change, so a duplicate (or ten arriving at once) finds it and does nothing.
#[tracing::instrument(skip_all, fields(event_id = %event.id, kind = %event.kind), err(level = "info"))]
pub async fn handle_event(svc: &Services, event: &Event) -> Result<Outcome, Error> {
    if !HANDLED.contains(&event.kind.as_str()) {
        return Ok(Outcome::Ignored);
    }
    let object = &event.object;
    let paid_amount = amount(object, &["amount_total", "amount_received", "amount"])?;
    let refunded = amount(object, &["amount_refunded"])?;
    let currency = object
        .get("currency")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase);
    let order_id = order_of(svc, object).await?;

    let mut tx = svc.db.begin().await.context("No database connection")?;
    let first = sqlx::query_scalar!(
        r#"
        insert into processed_stripe_events (event_id, event_type, order_id, outcome)
        select $1, $2, id, 'applied' from orders where id = $3
        on conflict (event_id) do nothing
        returning event_id
        "#,
        event.id,
        event.kind,
        order_id
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to record the event")?;
    if first.is_none() {
        let known = sqlx::query_scalar!(
            "select 1 as \"one!\" from processed_stripe_events where event_id = $1",
            event.id
        )
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to look the event up")?;
        return match known {
            Some(_) => Ok(Outcome::Duplicate),
            None => Err(Error::UnknownOrder),
        };
    }
    let status = order::lock_order(&mut tx, order_id, Viewer::Payment).await?;
    let row = sqlx::query!(
        "select total_minor, currency, payment_status from orders where id = $1",
        order_id
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the order")?;
    let waiting = matches!(
        status,
        OrderStatus::PendingPayment | OrderStatus::AwaitingTransfer
    );
    let reference = object.get("id").and_then(Value::as_str).map(str::to_owned);
    // A PaymentIntent's own id, or the one a Checkout Session or a charge points at.
    let intent = if object.get("object").and_then(Value::as_str) == Some("payment_intent") {
        reference.clone()
    } else {
        object
            .get("payment_intent")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut returned = Vec::new();
    let outcome = match event.kind.as_str() {
        "checkout.session.completed" | "payment_intent.succeeded" => {
            let settled = event.kind != "checkout.session.completed"
                || object.get("payment_status").and_then(Value::as_str) == Some("paid");
            let matches = paid_amount == Some(row.total_minor)
                && currency.as_deref() == Some(row.currency.as_str());
            if !settled {
                set_payment_status(&mut tx, order_id, "processing").await?;
                Outcome::Applied
            } else if !matches {
                flag(
                    &mut tx,
                    order_id,
                    &format!(
                        "{}: {} {} paid for an order of {} {}",
                        event.id,
                        paid_amount.unwrap_or(0),
                        currency.as_deref().unwrap_or("?"),
                        row.total_minor,
                        row.currency
                    ),
                )
                .await?;
                Outcome::Flagged
            } else if waiting {
                let note = format!("payment {}", reference.as_deref().unwrap_or(&event.id));
                returned =
                    gateway_move(svc, &mut tx, order_id, status, OrderStatus::Paid, note).await?;
                record_payment(
                    &mut tx,
                    order_id,
                    reference.as_deref(),
                    intent.as_deref(),
                    "succeeded",
                    row.total_minor,
                    &row.currency,
                )
                .await?;
                Outcome::Applied
            } else if status == OrderStatus::Cancelled {
                flag(
                    &mut tx,
                    order_id,
                    &format!(
                        "{}: paid after the order was cancelled; refund it",
                        event.id
                    ),
                )
                .await?;
                Outcome::Flagged
            } else {
                Outcome::Stale
            }
        }
        "checkout.session.expired" | "payment_intent.payment_failed" => {
            if waiting && row.payment_status != "paid" {
                set_payment_status(&mut tx, order_id, "failed").await?;
                record_payment(
                    &mut tx,
                    order_id,
                    reference.as_deref(),
                    intent.as_deref(),
                    "failed",
                    row.total_minor,
                    &row.currency,
                )
                .await?;
                Outcome::Applied
            } else {
                Outcome::Stale
            }
        }
        _ => {
            // charge.refunded
            let refunded = refunded.unwrap_or(0);
            if refunded >= row.total_minor
                && status.can_move_to(OrderStatus::Refunded, order::Actor::Payment)
            {
                let note = format!("refund {}", reference.as_deref().unwrap_or(&event.id));
                returned =
                    gateway_move(svc, &mut tx, order_id, status, OrderStatus::Refunded, note)
                        .await?;
                Outcome::Applied
            } else if refunded > 0 {
                let label = if refunded >= row.total_minor {
                    "refunded"
                } else {
                    "partially_refunded"
                };
                sqlx::query!(
                    "update orders set payment_status = $2, refunded_minor = least($3, total_minor) where id = $1",
                    order_id,
                    label,
                    refunded
                )
                .execute(&mut *tx)
                .await
                .context("Failed to record the refund")?;
                Outcome::Applied
            } else {
                Outcome::Stale
            }
        }
    };
    sqlx::query!(
        "update processed_stripe_events set outcome = $2 where event_id = $1",
        event.id,
        outcome.as_str()
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the outcome")?;
    tx.commit()
        .await
        .context("Failed to commit the payment event")?;
    order::gate::release(svc, &returned).await;
    tracing::info!(%order_id, outcome = outcome.as_str(), "payment event handled");
    Ok(outcome)
}

/// Moves the order as the payment gateway (the note names the provider's object).
async fn gateway_move(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    order_id: Uuid,
    from: OrderStatus,
    to: OrderStatus,
    note: String,
) -> Result<Vec<(Uuid, i32)>, Error> {
    let change = Move {
        to,
        note: Some(note.clone()),
        carrier: None,
        tracking_number: None,
    };
    Ok(order::apply(
        svc,
        tx,
        order_id,
        from,
        Viewer::Payment,
        &change,
        Some(note),
    )
    .await?)
}

async fn set_payment_status(
    tx: &mut sqlx::PgConnection,
    order: Uuid,
    status: &str,
) -> Result<(), Error> {
    sqlx::query!(
        "update orders set payment_status = $2 where id = $1",
        order,
        status
    )
    .execute(&mut *tx)
    .await
    .context("Failed to set the payment status")?;
    Ok(())
}

async fn flag(tx: &mut sqlx::PgConnection, order: Uuid, reason: &str) -> Result<(), Error> {
    tracing::warn!(%order, reason, "payment flagged for review");
    sqlx::query!(
        "update orders set review_reason = $2 where id = $1",
        order,
        reason
    )
    .execute(&mut *tx)
    .await
    .context("Failed to flag the order")?;
    Ok(())
}

/// Updates the order's open attempt (or the one with this intent: a failed PaymentIntent may
/// succeed later), or records one for a payment made elsewhere.
async fn record_payment(
    tx: &mut sqlx::PgConnection,
    order: Uuid,
    reference: Option<&str>,
    intent: Option<&str>,
    status: &str,
    amount_minor: i64,
    currency: &str,
) -> Result<(), Error> {
    let updated = sqlx::query!(
        r#"
        update payments set status = $2, provider_ref = coalesce(provider_ref, $3),
               provider_intent = coalesce(provider_intent, $4)
         where order_id = $1
           and (status in ('pending', 'requires_action')
                or provider_ref = $3 or provider_intent = $4)
        "#,
        order,
        status,
        reference,
        intent
    )
    .execute(&mut *tx)
    .await
    .context("Failed to update the payment")?
    .rows_affected();
    if updated == 0 {
        sqlx::query!(
            r#"
            insert into payments (id, order_id, provider, provider_ref, provider_intent, method,
                                  status, amount_minor, currency, idempotency_key)
            values ($1, $2,
                    -- Another attempt through the gateway of the earlier ones.
                    coalesce((select provider from payments where order_id = $2
                               order by created_at desc limit 1), 'stripe'),
                    $3, $8, 'card', $4, $5, $6, $7)
            on conflict do nothing
            "#,
            Uuid::now_v7(),
            order,
            reference,
            status,
            amount_minor,
            currency,
            format!("event:{order}:{}", Uuid::now_v7()),
            intent
        )
        .execute(&mut *tx)
        .await
        .context("Failed to record the payment")?;
    }
    Ok(())
}

/// Starts paying an order through the development gateway: records the attempt and returns
/// the page where the customer presses "pay" or "fail".
pub async fn start_dev_payment(
    svc: &Services,
    user: Uuid,
    order_id: Uuid,
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
        order_id,
        format!("pi_dev_{}", order_id.simple()),
        method,
        o.total_minor,
        o.currency,
        format!("pay:{order_id}")
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the payment attempt")?;
    sqlx::query!(
        "update orders set payment_status = 'processing' where id = $1 and payment_status in ('unpaid', 'failed')",
        order_id
    )
    .execute(&svc.db)
    .await
    .context("Failed to mark the payment started")?;
    Ok(format!("/pay/dev/{order_id}"))
}

/// The development gateway's answer: a Stripe-format `payment_intent.succeeded` (or
/// `payment_failed`) event for the order, handled exactly like one from Stripe.
pub async fn dev_outcome(
    svc: &Services,
    user: Uuid,
    order_id: Uuid,
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
    let event = Event {
        id: format!("evt_dev_{}", Uuid::now_v7().simple()),
        kind: kind.into(),
        object: serde_json::json!({
            "id": format!("pi_dev_{}", order_id.simple()),
            "object": "payment_intent",
            "amount": o.total_minor,
            "amount_received": if succeed { o.total_minor } else { 0 },
            "currency": o.currency.to_ascii_lowercase(),
            "metadata": { "order_id": order_id.to_string(), "order_number": o.number.to_string() },
        }),
    };
    handle_event(svc, &event).await
}
