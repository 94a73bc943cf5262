//! Starting payments, refunding and reconciling through the configured gateway: Stripe when
//! a key is set, else (outside production) the development gateway. Stripe is never called
//! inside a database transaction; its answers come back as events through `handle_event`.

use std::time::Duration;

use anyhow::Context;
use uuid::Uuid;

use super::dev::start_dev_payment;
use super::events::{Outcome, handle_event};
use super::stripe::Attempt;
use super::webhook::{Event, Meaning, ObjectKind, PaymentObject};
use super::{Error, Intent};
use crate::Services;
use crate::order::{self, OrderStatus, Viewer};
use crate::shared::{OrderId, UserId};

async fn payable(svc: &Services, user: UserId, order_id: OrderId) -> Result<order::Order, Error> {
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

/// The shortest and longest life Stripe allows a Checkout Session (30 minutes, with a
/// minute for clocks that differ, and 24 hours).
const SESSION_MIN: chrono::TimeDelta = chrono::TimeDelta::minutes(31);
const SESSION_MAX: chrono::TimeDelta = chrono::TimeDelta::hours(23);

/// When a Checkout Session started `now` for an order held until `reserved_until` stops
/// taking payments: with the reservation, but never sooner than Stripe allows (the order's
/// reservation is then extended to match, so the session never outlives it).
fn session_end(
    reserved_until: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    reserved_until
        .unwrap_or(now)
        .clamp(now + SESSION_MIN, now + SESSION_MAX)
}

/// The web checkout: places the order, then starts paying it. Returns the order and where
/// the buyer goes next: the gateway's page, or the order's own page (which offers "Pay")
/// when the gateway cannot start now; the order is placed either way.
pub async fn place_and_pay(
    svc: &Services,
    cmd: order::PlaceOrder,
) -> Result<(order::Placed, String), order::Error> {
    let user = cmd.user;
    let placed = order::place_order(svc, cmd).await?;
    let next = match start_payment(svc, user, placed.order_id).await {
        Ok(url) => url,
        Err(e) => {
            tracing::warn!(error = %e, order = %placed.order_id, "payment not started after checkout");
            format!("/orders/{}", placed.order_id)
        }
    };
    Ok((placed, next))
}

/// Where the customer goes to pay (web): a Stripe Checkout Session (success and cancel URLs
/// back to the order page) that stops taking payments when the order's reservation ends,
/// or the development gateway's page.
pub async fn start_payment(
    svc: &Services,
    user: UserId,
    order_id: OrderId,
) -> Result<String, Error> {
    let Some(stripe) = &svc.stripe else {
        return start_dev_payment(svc, user, order_id).await;
    };
    let o = payable(svc, user, order_id).await?;
    let key = format!("checkout:{order_id}");
    // The session made before, as Stripe has it now (a second create with another
    // `expires_at` would not be the same request for the idempotency key).
    let earlier = sqlx::query_scalar!(
        "select provider_ref from payments where idempotency_key = $1",
        key
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to look the payment up")?
    .flatten();
    if let Some(id) = earlier {
        return match stripe.session_page(&id).await.map_err(gateway_error)? {
            (Some(status), Some(url)) if status == "open" => Ok(url),
            _ => Err(Error::NotPayable),
        };
    }
    let ends = session_end(o.reserved_until, chrono::Utc::now());
    // The reservation lasts as long as the session, or the order is no longer payable.
    if !order::paying::hold_for_payment(&svc.db, order_id, ends).await? {
        return Err(Error::NotPayable);
    }
    let back = format!("{}/orders/{order_id}", svc.public_url.trim_end_matches('/'));
    let session = stripe
        .create_checkout_session(&o, &format!("{back}?paid=1"), &back, ends.timestamp())
        .await
        .map_err(gateway_error)?;
    record_attempt(svc, &o, &session.id, None, &key).await?;
    Ok(session.url)
}

/// The order's PaymentIntent for an app's Stripe SDK (created once, then the same one).
pub async fn app_payment(svc: &Services, user: UserId, order_id: OrderId) -> Result<Intent, Error> {
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
        return stripe.intent(&id).await.map_err(gateway_error);
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
        o.id as _,
        reference,
        intent,
        method,
        o.total.minor,
        o.total.currency.code(),
        key
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the payment attempt")?;
    order::paying::payment_started(&svc.db, o.id).await?;
    Ok(())
}

/// Refunds `amount_minor` (the whole rest when `None`) of a paid order through the gateway.
/// The order follows when the gateway reports the refund (`charge.refunded`).
pub async fn refund(
    svc: &Services,
    admin: UserId,
    order_id: OrderId,
    amount_minor: Option<i64>,
) -> Result<(), Error> {
    refund_as(svc, Viewer::Admin(admin), order_id, amount_minor).await
}

/// What a cancellation or another move did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// Done (a cancelled order's stock is back).
    Done,
    /// It was paid through the gateway: a full refund was asked of the gateway, and the
    /// order becomes refunded (its stock back) when the gateway reports it, at once with the
    /// development gateway.
    RefundRequested,
}

/// Cancels an order for `viewer`: an unpaid one at once; a paid one (customers: until it is
/// processed) by refunding it in full through the gateway.
pub async fn cancel(
    svc: &Services,
    viewer: Viewer,
    order_id: OrderId,
    note: Option<String>,
) -> Result<Moved, Error> {
    let change = order::Move {
        to: OrderStatus::Cancelled,
        note: note.or_else(|| match viewer {
            Viewer::Customer(_) => Some("cancelled by the customer".into()),
            _ => None,
        }),
        carrier: None,
        tracking_number: None,
    };
    move_order(svc, viewer, order_id, change).await
}

/// Moves an order along its lifecycle for `viewer`. Cancelling or refunding an order paid
/// through the gateway gives the money back through the gateway, which then moves it: an
/// order is never marked refunded while its money stays with the shop.
pub async fn move_order(
    svc: &Services,
    viewer: Viewer,
    order_id: OrderId,
    change: order::Move,
) -> Result<Moved, Error> {
    let gives_money_back = matches!(change.to, OrderStatus::Cancelled | OrderStatus::Refunded);
    if change.to == OrderStatus::Cancelled {
        // Nothing may be paid for an order once it is cancelled. An attempt found paid has
        // paid the order (the move below then refunds it); one Stripe cannot tell about is
        // refunded automatically if it is ever paid.
        let _ = close_attempts(svc, order_id).await?;
    }
    match order::move_order(svc, viewer, order_id, change).await {
        Ok(_) => Ok(Moved::Done),
        Err(order::Error::RefundRequired) if gives_money_back => {
            refund_as(svc, viewer, order_id, None).await?;
            Ok(Moved::RefundRequested)
        }
        Err(e) => Err(Error::Order(e)),
    }
}

async fn refund_as(
    svc: &Services,
    viewer: Viewer,
    order_id: OrderId,
    amount_minor: Option<i64>,
) -> Result<(), Error> {
    let o = order::get_order(svc, viewer, order_id).await?;
    let paid = sqlx::query!(
        r#"
        select o.refunded_minor, p.provider as "provider?", p.provider_intent as "provider_intent?"
          from orders o
          left join payments p on p.order_id = o.id and p.orphaned_at is null
               and p.status in ('succeeded', 'partially_refunded')
         where o.id = $1
         order by p.created_at desc limit 1
        "#,
        order_id as _
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to read the payment")?;
    let left = o.total.minor - paid.refunded_minor;
    let refundable_status = match viewer {
        Viewer::Customer(_) => o.status == OrderStatus::Paid,
        _ => o.status.holds_payment(),
    };
    let Some(intent) = paid.provider_intent.filter(|_| refundable_status) else {
        return Err(Error::NotRefundable);
    };
    let amount = amount_minor.unwrap_or(left);
    if amount < 1 || amount > left {
        return Err(Error::InvalidAmount { refundable: left });
    }
    send_refund(
        svc,
        paid.provider.as_deref().unwrap_or_default(),
        &Refund {
            intent: &intent,
            amount,
            charged: o.total.minor,
            refunded_before: paid.refunded_minor,
            currency: o.total.currency.code(),
            key: format!("refund:{order_id}:{}:{amount}", paid.refunded_minor),
        },
    )
    .await
}

/// Whether the order's money came through the payment gateway (not a bank transfer), in
/// the caller's transaction: such money only goes back through the gateway.
pub(crate) async fn paid_through_gateway(
    tx: &mut sqlx::PgConnection,
    order_id: OrderId,
) -> Result<bool, anyhow::Error> {
    sqlx::query_scalar!(
        r#"
        select exists (select 1 from payments
                        where order_id = $1 and provider in ('stripe', 'dev')
                          and status in ('succeeded', 'partially_refunded')
                          and orphaned_at is null) as "paid!"
        "#,
        order_id as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the order's payments")
}

/// A refund asked of the gateway.
struct Refund<'a> {
    /// The PaymentIntent that took the money.
    intent: &'a str,
    /// What to give back now.
    amount: i64,
    /// What the intent took.
    charged: i64,
    /// What it had given back before.
    refunded_before: i64,
    currency: &'a str,
    /// Makes a retry harmless.
    key: String,
}

/// Gives money back through the gateway that took it: Stripe, or the development gateway,
/// which reports it at once as Stripe would (`charge.refunded` with the charge's refunded
/// total), through the same event path.
async fn send_refund(svc: &Services, provider: &str, refund: &Refund<'_>) -> Result<(), Error> {
    match (&svc.stripe, provider) {
        (Some(stripe), "stripe") => {
            stripe
                .refund(refund.intent, refund.amount, &refund.key)
                .await
                .map_err(gateway_error)?;
            Ok(())
        }
        (_, "dev") if svc.dev_payments => {
            let event = Event {
                id: format!("evt_dev_{}", Uuid::now_v7().simple()),
                kind: "charge.refunded".into(),
                object: PaymentObject {
                    kind: ObjectKind::Charge,
                    id: format!("ch_dev_{}", refund.intent),
                    paid: Some(refund.charged),
                    refunded: Some(refund.refunded_before + refund.amount),
                    currency: Some(refund.currency.to_ascii_lowercase()),
                    intent: Some(refund.intent.to_owned()),
                    metadata: Default::default(),
                    settled: true,
                },
            };
            handle_event(svc, &event).await.map(|_| ())
        }
        _ => Err(Error::NotRefundable),
    }
}

/// Refunds a payment that no order keeps (see `handle_event`), in full, through the gateway
/// it came from; the refund is recorded when the gateway reports it.
pub(crate) async fn refund_orphan(svc: &Services, payment: Uuid) -> Result<(), Error> {
    let Some(p) = sqlx::query!(
        r#"
        select order_id, provider, provider_intent, amount_minor, refunded_minor, currency
          from payments
         where id = $1 and orphaned_at is not null and refund_requested_at is null
        "#,
        payment
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to read the payment")?
    else {
        return Ok(());
    };
    let amount = p.amount_minor - p.refunded_minor;
    let Some(intent) = p.provider_intent.filter(|_| amount > 0) else {
        tracing::warn!(%payment, "orphaned payment has no intent to refund; an admin must look");
        return Ok(());
    };
    let refund = Refund {
        intent: &intent,
        amount,
        charged: p.amount_minor,
        refunded_before: p.refunded_minor,
        currency: &p.currency,
        key: format!("orphan:{payment}"),
    };
    send_refund(svc, &p.provider, &refund).await?;
    sqlx::query!(
        "update payments set refund_requested_at = coalesce(refund_requested_at, now()) where id = $1",
        payment
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the refund request")?;
    tracing::warn!(%payment, order_id = %p.order_id, amount, "money no order keeps refunded automatically");
    Ok(())
}

/// What closing an order's open payment attempts found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// None can take money any more.
    All,
    /// One had been paid: its success was applied to the order.
    Paid,
    /// The provider could not say: the order keeps its stock until it can.
    Unknown,
}

/// Ends the order's open Stripe attempts (expires its Checkout Session, cancels its
/// PaymentIntent) so that nothing can be paid once its reservation is gone. An attempt that
/// turns out to be paid is applied through the event path instead.
pub(crate) async fn close_attempts(svc: &Services, order_id: OrderId) -> Result<Closed, Error> {
    let Some(stripe) = &svc.stripe else {
        return Ok(Closed::All);
    };
    let open = sqlx::query!(
        r#"
        select id, provider_ref as "provider_ref!" from payments
         where order_id = $1 and provider = 'stripe' and status = 'pending'
           and provider_ref is not null
        "#,
        order_id as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list open payments")?;
    let mut closed = Closed::All;
    for attempt in open {
        let reference = attempt.provider_ref;
        // Closed now, or already: read back what it is (it may have been paid meanwhile).
        let object = match stripe.close(&reference).await {
            Ok(object) => object,
            Err(e) => {
                tracing::info!(error = %format!("{e:#}"), %reference, "could not close a payment; reading it back");
                match stripe.attempt(&reference).await {
                    Ok(object) => object,
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), %reference, "Stripe cannot say whether a payment is open");
                        closed = Closed::Unknown;
                        continue;
                    }
                }
            }
        };
        match read_back_event(&reference, &object) {
            Some(event) if event.kind.meaning() == Meaning::Paid => {
                handle_event(svc, &event).await?;
                return Ok(Closed::Paid);
            }
            _ if object.ended() => {
                sqlx::query!(
                    "update payments set status = 'cancelled' where id = $1 and status = 'pending'",
                    attempt.id
                )
                .execute(&svc.db)
                .await
                .context("Failed to record the closed payment")?;
            }
            _ => closed = Closed::Unknown,
        }
    }
    Ok(closed)
}

/// After an order is paid, its other open attempts can only take money twice: close them.
pub(crate) async fn close_other_attempts(svc: &Services, order_id: OrderId) {
    if let Err(e) = close_attempts(svc, order_id).await {
        tracing::warn!(error = %e, %order_id, "could not close the other payment attempts");
    }
}

/// The event a session or intent read back from Stripe amounts to, if it is settled either
/// way. One id per object and state: a second read, or the late webhook, changes nothing.
fn read_back_event(reference: &str, object: &Attempt) -> Option<Event> {
    let (kind, object) = match object {
        Attempt::Session(s) => {
            let status = s.status.as_ref().map(|s| s.as_str());
            let kind = match (s.payment_status.as_str(), status) {
                ("paid", _) => "checkout.session.completed",
                (_, Some("expired")) => "checkout.session.expired",
                _ => return None,
            };
            (kind, PaymentObject::from(s.as_ref()))
        }
        Attempt::Intent(i) => {
            let kind = match i.status.as_str() {
                "succeeded" => "payment_intent.succeeded",
                "canceled" => "payment_intent.payment_failed",
                "requires_payment_method" if i.last_payment_error.is_some() => {
                    "payment_intent.payment_failed"
                }
                _ => return None,
            };
            (kind, PaymentObject::from(i.as_ref()))
        }
    };
    Some(Event {
        id: format!("evt_reconcile_{reference}_{}", kind.replace('.', "_")),
        kind: kind.into(),
        object,
    })
}

/// Asks Stripe about payments still open after `older_than` (a webhook that never came),
/// on orders waiting for payment and on cancelled ones (a late payment is refunded), and
/// applies what it says through the same event path; asks again for automatic refunds the
/// gateway has not taken yet. Returns how many changed something.
pub async fn reconcile(svc: &Services, older_than: Duration) -> anyhow::Result<usize> {
    let Some(stripe) = &svc.stripe else {
        return Ok(0);
    };
    let secs = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    let open = sqlx::query!(
        r#"
        select p.provider_ref as "provider_ref!"
          from payments p join orders o on o.id = p.order_id
         where p.provider = 'stripe' and p.status = 'pending' and p.provider_ref is not null
           and o.status in ('pending_payment', 'cancelled')
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
        let object = stripe.attempt(&reference).await?;
        let Some(event) = read_back_event(&reference, &object) else {
            continue;
        };
        match handle_event(svc, &event).await {
            Ok(Outcome::Applied | Outcome::Refunding) => changed += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, %reference, "could not reconcile a payment"),
        }
    }
    let orphans = sqlx::query_scalar!(
        r#"
        select id from payments
         where orphaned_at is not null and refund_requested_at is null
         order by orphaned_at limit 200
        "#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list payments to refund")?;
    for payment in orphans {
        match refund_orphan(svc, payment).await {
            Ok(()) => changed += 1,
            Err(e) => tracing::warn!(error = %e, %payment, "automatic refund not made yet"),
        }
    }
    Ok(changed)
}
