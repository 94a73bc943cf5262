//! Applying Stripe-format payment events to orders, once each.

use anyhow::Context;
use uuid::Uuid;

use super::Error;
use super::webhook::{Event, EventKind, Meaning, ObjectKind, PaymentObject};
use crate::Services;
use crate::order::{self, Move, OrderStatus, PaymentStatus, Viewer};
use crate::shared::{Money, OrderId, ProductId};

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
    /// Money that no order keeps (paid after the order was cancelled, or a second payment):
    /// recorded, flagged and refunded automatically through the gateway.
    Refunding,
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
            Outcome::Refunding => "refunding",
        }
    }
}

fn amount(value: Option<i64>, what: &str) -> Result<Option<i64>, Error> {
    match value {
        Some(minor) if minor < 0 => Err(Error::InvalidEvent(format!("{what} is negative"))),
        other => Ok(other),
    }
}

/// The order an event is about: `metadata.order_id`, or for a session or a charge the
/// payment we recorded for its PaymentIntent.
async fn order_of(svc: &Services, object: &PaymentObject) -> Result<OrderId, Error> {
    if let Some(id) = object.metadata.get("order_id") {
        return id.parse().map_err(|_| Error::UnknownOrder);
    }
    let intent = match object.kind {
        ObjectKind::Session | ObjectKind::Charge => object.intent.as_deref(),
        ObjectKind::Intent | ObjectKind::Other => None,
    }
    .ok_or(Error::UnknownOrder)?;
    sqlx::query_scalar!(
        "select order_id from payments where provider_ref = $1 or provider_intent = $1 limit 1",
        intent
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to find the payment")?
    .map(OrderId)
    .ok_or(Error::UnknownOrder)
}

/// What an event says about money, read once from its object.
struct Facts {
    /// What was paid (`amount_total`, `amount_received` or `amount`).
    paid: Option<i64>,
    /// What a charge has had refunded so far (`amount_refunded`).
    refunded: Option<i64>,
    /// Upper case.
    currency: Option<String>,
    /// The object's own id (`cs_…`, `pi_…`, `ch_…`).
    reference: Option<String>,
    /// The PaymentIntent: the money itself, whichever object reports it.
    intent: Option<String>,
    /// A PaymentIntent made by one of our Checkout Sessions (`metadata.attempt`).
    from_checkout: bool,
    /// A completed Checkout Session whose money has not arrived yet is not settled.
    settled: bool,
}

impl Facts {
    fn read(event: &Event) -> Result<Facts, Error> {
        let object = &event.object;
        let is_intent = object.kind == ObjectKind::Intent;
        Ok(Facts {
            paid: amount(object.paid, "the amount")?,
            refunded: amount(object.refunded, "amount_refunded")?,
            currency: object.currency.as_ref().map(|c| c.to_ascii_uppercase()),
            reference: Some(object.id.clone()).filter(|id| !id.is_empty()),
            intent: object.intent.clone(),
            from_checkout: is_intent
                && object.metadata.get("attempt").map(String::as_str)
                    == Some(super::stripe::CHECKOUT_ATTEMPT),
            settled: event.kind != EventKind::SessionCompleted || object.settled,
        })
    }
}

/// The order as an event finds it (its row locked).
struct OrderState {
    id: OrderId,
    status: OrderStatus,
    total: Money,
    payment_status: PaymentStatus,
    refunded: Money,
}

impl OrderState {
    fn waiting(&self) -> bool {
        matches!(
            self.status,
            OrderStatus::PendingPayment | OrderStatus::AwaitingTransfer
        )
    }
}

/// Applies an event to its order, once: the event id is recorded in the transaction that
/// makes the change, so a duplicate (or ten arriving at once) finds it and does nothing.
/// Money that no order keeps (a payment on a cancelled order, a second payment) is recorded
/// and refunded through the gateway after the commit.
#[tracing::instrument(skip_all, fields(event_id = %event.id, kind = %event.kind), err(level = "info"))]
pub async fn handle_event(svc: &Services, event: &Event) -> Result<Outcome, Error> {
    let meaning = event.kind.meaning();
    if meaning == Meaning::Ignored {
        return Ok(Outcome::Ignored);
    }
    let facts = Facts::read(event)?;
    let order_id = match order_of(svc, &event.object).await {
        Ok(id) => id,
        // Not ours (another shop on the account, a deleted order): answering an error would
        // make Stripe retry it for days and disable the endpoint.
        Err(Error::UnknownOrder) => return Ok(ignore_unknown(event)),
        Err(e) => return Err(e),
    };

    let mut tx = svc.db.begin().await.context("No database connection")?;
    let first = sqlx::query_scalar!(
        r#"
        insert into processed_stripe_events (event_id, event_type, order_id, outcome)
        select $1, $2, id, 'applied' from orders where id = $3
        on conflict (event_id) do nothing
        returning event_id
        "#,
        event.id,
        event.kind.as_str(),
        order_id as _
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
        return Ok(match known {
            Some(_) => Outcome::Duplicate,
            None => ignore_unknown(event),
        });
    }
    let status = order::lock_order(&mut tx, order_id, Viewer::Payment).await?;
    let row = order::paying::payable(&mut tx, order_id).await?;
    let state = OrderState {
        id: order_id,
        status,
        total: row.total,
        payment_status: row.payment_status,
        refunded: row.refunded,
    };
    let mut effect = Effect::default();
    let outcome = match meaning {
        Meaning::Paid => on_success(svc, &mut tx, event, &facts, &state, &mut effect).await?,
        Meaning::Failed => on_failure(&mut tx, &facts, &state).await?,
        Meaning::Refunded => on_refund(svc, &mut tx, event, &facts, &state, &mut effect).await?,
        Meaning::Ignored => Outcome::Ignored,
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
    order::gate::release(svc, &effect.returned).await;
    tracing::info!(%order_id, outcome = outcome.as_str(), "payment event handled");
    if let Some(payment) = effect.orphan {
        // If the gateway cannot be reached now, reconciliation asks again.
        if let Err(e) = Box::pin(super::gateway::refund_orphan(svc, payment)).await {
            tracing::warn!(error = %e, %payment, "automatic refund not made yet");
        }
    }
    if effect.paid {
        Box::pin(super::gateway::close_other_attempts(svc, order_id)).await;
    }
    Ok(outcome)
}

fn ignore_unknown(event: &Event) -> Outcome {
    tracing::warn!(event_id = %event.id, kind = %event.kind, "payment event names no order of ours; ignored");
    Outcome::Ignored
}

/// What an event leaves to do after its transaction commits.
#[derive(Default)]
struct Effect {
    /// Stock given back, for the Redis gate.
    returned: Vec<(ProductId, i32)>,
    /// A payment to refund automatically.
    orphan: Option<Uuid>,
    /// The order became paid: other open attempts are closed at the provider.
    paid: bool,
}

/// A payment attempt of ours that an event names.
struct Attempt {
    id: Uuid,
    status: String,
    orphaned: bool,
}

const KEPT: [&str; 3] = ["succeeded", "partially_refunded", "refunded"];

/// The attempt the event's object belongs to: by its own id, by its PaymentIntent, or (a
/// Checkout Session's intent reported before the session's completion) the order's session.
async fn find_attempt(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    facts: &Facts,
) -> Result<Option<Attempt>, Error> {
    let row = sqlx::query!(
        r#"
        select id, status, orphaned_at is not null as "orphaned!" from payments
         where order_id = $1
           and (provider_ref = $2 or provider_intent = $3
                or ($4 and provider_intent is null and idempotency_key = 'checkout:' || $1::text))
         order by (provider_intent is not distinct from $3) desc, created_at
         limit 1
        "#,
        order as _,
        facts.reference,
        facts.intent,
        facts.from_checkout
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to find the payment attempt")?;
    Ok(row.map(|r| Attempt {
        id: r.id,
        status: r.status,
        orphaned: r.orphaned,
    }))
}

async fn on_success(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    event: &Event,
    facts: &Facts,
    order: &OrderState,
    effect: &mut Effect,
) -> Result<Outcome, Error> {
    if !facts.settled {
        // Completed, money not arrived: never lowers a paid order.
        if order.waiting() && order.payment_status != PaymentStatus::Paid {
            order::paying::set_payment_status(tx, order.id, PaymentStatus::Processing).await?;
            return Ok(Outcome::Applied);
        }
        return Ok(Outcome::Stale);
    }
    let attempt = find_attempt(tx, order.id, facts).await?;
    if attempt
        .as_ref()
        .is_some_and(|a| KEPT.contains(&a.status.as_str()))
    {
        // The same money reported again (its session and its intent, or a late copy).
        return Ok(Outcome::Stale);
    }
    let kept = sqlx::query_scalar!(
        r#"
        select count(*) as "n!" from payments
         where order_id = $1 and status in ('succeeded', 'partially_refunded', 'refunded')
           and orphaned_at is null
        "#,
        order.id as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the order's payments")?;
    let paid = facts.paid.unwrap_or(0);
    let currency = facts
        .currency
        .clone()
        .unwrap_or_else(|| order.total.currency.to_string());
    if order.waiting() && kept == 0 {
        if facts.paid != Some(order.total.minor) || currency != order.total.currency.code() {
            order::paying::flag_for_review(
                tx,
                order.id,
                &format!(
                    "{}: {paid} {currency} paid for an order of {} {}",
                    event.id, order.total.minor, order.total.currency
                ),
            )
            .await?;
            return Ok(Outcome::Flagged);
        }
        let note = format!(
            "payment {}",
            facts.reference.as_deref().unwrap_or(&event.id)
        );
        effect.returned =
            gateway_move(svc, tx, order.id, order.status, OrderStatus::Paid, note).await?;
        save_attempt(tx, order.id, attempt.as_ref(), facts, "succeeded", None).await?;
        effect.paid = true;
        return Ok(Outcome::Applied);
    }
    if paid == 0 {
        return Ok(Outcome::Stale);
    }
    // Money that no order keeps: paid after the order was cancelled, or a second payment.
    let why = if kept > 0 {
        "a second payment for an order already paid"
    } else {
        "paid after the order was cancelled"
    };
    let orphan = save_attempt(
        tx,
        order.id,
        attempt.as_ref(),
        facts,
        "succeeded",
        Some((paid, &currency)),
    )
    .await?;
    order::paying::flag_for_review(
        tx,
        order.id,
        &format!(
            "{}: {why}; {paid} {currency} refunded automatically",
            event.id
        ),
    )
    .await?;
    effect.orphan = Some(orphan);
    Ok(Outcome::Refunding)
}

async fn on_failure(
    tx: &mut sqlx::PgConnection,
    facts: &Facts,
    order: &OrderState,
) -> Result<Outcome, Error> {
    let attempt = find_attempt(tx, order.id, facts).await?;
    if !order.waiting()
        || order.payment_status == PaymentStatus::Paid
        || attempt.as_ref().is_some_and(|a| a.status != "pending")
    {
        return Ok(Outcome::Stale);
    }
    order::paying::set_payment_status(tx, order.id, PaymentStatus::Failed).await?;
    save_attempt(tx, order.id, attempt.as_ref(), facts, "failed", None).await?;
    Ok(Outcome::Applied)
}

/// `charge.refunded`: its `amount_refunded` is what the charge has had refunded in all, so
/// an older event (a smaller amount) changes nothing.
async fn on_refund(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    event: &Event,
    facts: &Facts,
    order: &OrderState,
    effect: &mut Effect,
) -> Result<Outcome, Error> {
    let refunded = facts.refunded.unwrap_or(0);
    let attempt = find_attempt(tx, order.id, facts).await?;
    if let Some(orphan) = attempt.as_ref().filter(|a| a.orphaned) {
        // An automatic refund of money no order keeps: the order itself does not change.
        let changed = sqlx::query!(
            r#"
            update payments
               set refunded_minor = least($2, amount_minor),
                   status = case when $2 >= amount_minor then 'refunded' else 'partially_refunded' end,
                   refund_requested_at = coalesce(refund_requested_at, now())
             where id = $1 and refunded_minor < least($2, amount_minor)
            "#,
            orphan.id,
            refunded
        )
        .execute(&mut *tx)
        .await
        .context("Failed to record the refund")?
        .rows_affected();
        return Ok(if changed > 0 {
            Outcome::Applied
        } else {
            Outcome::Stale
        });
    }
    let refunded = refunded.min(order.total.minor);
    if refunded <= order.refunded.minor {
        return Ok(Outcome::Stale);
    }
    if let Some(kept) = &attempt {
        sqlx::query!(
            r#"
            update payments
               set refunded_minor = greatest(refunded_minor, least($2, amount_minor)),
                   status = case when least($2, amount_minor) >= amount_minor then 'refunded'
                                 else 'partially_refunded' end
             where id = $1 and status in ('succeeded', 'partially_refunded')
            "#,
            kept.id,
            refunded
        )
        .execute(&mut *tx)
        .await
        .context("Failed to record the refund")?;
    }
    if refunded >= order.total.minor
        && order
            .status
            .can_move_to(OrderStatus::Refunded, order::Actor::Payment)
    {
        let note = format!("refund {}", facts.reference.as_deref().unwrap_or(&event.id));
        effect.returned =
            gateway_move(svc, tx, order.id, order.status, OrderStatus::Refunded, note).await?;
        return Ok(Outcome::Applied);
    }
    order::paying::record_refunded(tx, order.id, Money::new(refunded, order.total.currency))
        .await?;
    Ok(Outcome::Applied)
}

/// Moves the order as the payment gateway (the note names the provider's object).
async fn gateway_move(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    order_id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
    note: String,
) -> Result<Vec<(ProductId, i32)>, Error> {
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

/// Records what happened to the one attempt the event names (only that one), or a new
/// attempt for a payment made elsewhere. `orphan` (amount, currency) marks money that no
/// order keeps, to be refunded. Returns the payment's id.
async fn save_attempt(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    attempt: Option<&Attempt>,
    facts: &Facts,
    status: &str,
    orphan: Option<(i64, &str)>,
) -> Result<Uuid, Error> {
    if let Some(attempt) = attempt {
        sqlx::query!(
            r#"
            update payments set status = $2, provider_ref = coalesce(provider_ref, $3),
                   provider_intent = coalesce(provider_intent, $4),
                   amount_minor = coalesce($5, amount_minor),
                   orphaned_at = case when $6 then now() end
             where id = $1
            "#,
            attempt.id,
            status,
            facts.reference,
            facts.intent,
            orphan.map(|(amount, _)| amount),
            orphan.is_some()
        )
        .execute(&mut *tx)
        .await
        .context("Failed to update the payment")?;
        return Ok(attempt.id);
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"
        insert into payments (id, order_id, provider, provider_ref, provider_intent, method,
                              status, amount_minor, currency, idempotency_key, orphaned_at)
        select $1, o.id,
               -- Another attempt through the gateway of the earlier ones.
               coalesce((select provider from payments where order_id = o.id
                          order by created_at desc limit 1), 'stripe'),
               $3, $4, 'card', $5, coalesce($6, o.total_minor), coalesce($7, o.currency),
               $8, case when $9 then now() end
          from orders o where o.id = $2
        on conflict do nothing
        "#,
        id,
        order as _,
        facts.reference,
        facts.intent,
        status,
        orphan.map(|(amount, _)| amount),
        orphan.map(|(_, currency)| currency),
        format!("event:{order}:{id}"),
        orphan.is_some()
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the payment")?;
    Ok(id)
}
