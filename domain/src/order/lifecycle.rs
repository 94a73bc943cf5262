//! Reading orders and moving them along their lifecycle: payment, shipping, cancellation
//! (which returns the stock), and the expiry of unpaid orders.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Error;
use super::correction::{Reason, correct};
use super::gate;
use super::invoice::issue_invoice;
use super::model::{
    Actor, AddressSnapshot, Order, OrderEvent, OrderLine, OrderStatus, PaymentStatus, parse_actor,
};
use crate::Services;
use crate::notify::Kind;
use crate::shared::{
    Currency, CustomerType, Money, OrderId, Page, PageRequest, ProductId, UserId, VatLine, VatRate,
};

/// Who is looking at or changing an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// A customer: only their own orders exist for them.
    Customer(UserId),
    /// A shop admin (their id is recorded on the events).
    Admin(UserId),
    /// A background job.
    System,
    /// The payment gateway.
    Payment,
}

impl Viewer {
    /// A signed-in user: admins see every order, customers their own.
    pub fn signed_in(id: UserId, role: crate::identity::Role) -> Viewer {
        if role == crate::identity::Role::Admin {
            Viewer::Admin(id)
        } else {
            Viewer::Customer(id)
        }
    }

    fn actor(self) -> Actor {
        match self {
            Viewer::Customer(_) => Actor::Customer,
            Viewer::Admin(_) => Actor::Admin,
            Viewer::System => Actor::System,
            Viewer::Payment => Actor::Payment,
        }
    }

    fn user(self) -> Option<UserId> {
        match self {
            Viewer::Customer(id) | Viewer::Admin(id) => Some(id),
            Viewer::System | Viewer::Payment => None,
        }
    }

    fn owner_filter(self) -> Option<UserId> {
        match self {
            Viewer::Customer(id) => Some(id),
            _ => None,
        }
    }
}

/// A move of an order to another status.
#[derive(Debug, Clone)]
pub struct Move {
    /// The status asked for.
    pub to: OrderStatus,
    /// Why (shown on the timeline).
    pub note: Option<String>,
    /// Carrier, required when shipping.
    pub carrier: Option<String>,
    /// Tracking number, required when shipping.
    pub tracking_number: Option<String>,
}

/// An order in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSummary {
    /// Id.
    pub id: OrderId,
    /// Human number.
    pub number: i64,
    /// Status.
    pub status: OrderStatus,
    /// Total to pay.
    pub total: Money,
    /// Units over all lines.
    pub item_count: i64,
    /// Buyer.
    pub contact_name: String,
    /// Buyer's phone.
    pub contact_phone: Option<String>,
    /// Buyer's e-mail.
    pub contact_email: Option<String>,
    /// When.
    pub placed_at: DateTime<Utc>,
}

/// One order as `viewer` may see it; another customer's order is `NotFound`.
pub async fn get_order(svc: &Services, viewer: Viewer, id: OrderId) -> Result<Order, Error> {
    let r = sqlx::query!(
        r#"
        select o.id, o.number, o.user_id, o.status, o.payment_status, o.payment_method,
               o.customer_type, o.contact_name, o.contact_email, o.contact_phone,
               o.shipping_address, o.billing_address, o.buyer_nip, o.buyer_company_name,
               o.currency, o.items_total_minor, o.shipping_minor, o.total_minor,
               o.vat_total_minor, o.vat_breakdown, o.carrier, o.tracking_number, o.notes,
               o.review_reason, o.reserved_until as "reserved_until: DateTime<Utc>",
               o.payment_terms_days, o.payment_due_at as "payment_due_at: DateTime<Utc>",
               o.overdue_at is not null as "overdue!",
               o.placed_at as "placed_at: DateTime<Utc>",
               (select number from invoices i where i.order_id = o.id) as invoice_number
          from orders o
         where o.id = $1 and ($2::uuid is null or o.user_id = $2)
        "#,
        id as _,
        viewer.owner_filter() as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the order")?
    .ok_or(Error::NotFound)?;
    let currency = Currency::parse(&r.currency).context("Stored currency is invalid")?;
    let lines = sqlx::query!(
        r#"
        select product_id, sku, name, quantity, unit_price_minor, vat_rate_bp,
               line_total_minor, line_vat_minor
          from order_items where order_id = $1 order by position
        "#,
        id as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load the order lines")?
    .into_iter()
    .map(|l| {
        Ok(OrderLine {
            product_id: l.product_id.map(ProductId),
            sku: l.sku,
            name: l.name,
            quantity: l.quantity,
            unit_price: Money::new(l.unit_price_minor, currency),
            vat_rate: VatRate::from_basis_points(l.vat_rate_bp)
                .context("Stored VAT rate is invalid")?,
            line_total: Money::new(l.line_total_minor, currency),
            line_vat: Money::new(l.line_vat_minor, currency),
        })
    })
    .collect::<Result<_, Error>>()?;
    let events = sqlx::query!(
        r#"
        select from_status, to_status, actor, note,
               created_at as "created_at: DateTime<Utc>"
          from order_events where order_id = $1 order by created_at, id
        "#,
        id as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load the order events")?
    .into_iter()
    .map(|e| OrderEvent {
        from: e.from_status.as_deref().and_then(OrderStatus::from_code),
        to: OrderStatus::from_code(&e.to_status).unwrap_or(OrderStatus::PendingPayment),
        actor: parse_actor(&e.actor),
        note: e.note,
        at: e.created_at,
    })
    .collect();
    let address = |v: serde_json::Value| -> Result<AddressSnapshot, Error> {
        Ok(serde_json::from_value(v).context("Stored address is invalid")?)
    };
    Ok(Order {
        id: OrderId(r.id),
        number: r.number,
        user_id: r.user_id.map(UserId),
        status: OrderStatus::from_code(&r.status).context("Stored status is invalid")?,
        payment_status: PaymentStatus::from_code(&r.payment_status)
            .context("Stored payment status is invalid")?,
        payment_method: r.payment_method,
        customer_type: CustomerType::parse(&r.customer_type),
        contact_name: r.contact_name,
        contact_email: r.contact_email,
        contact_phone: r.contact_phone,
        shipping_address: address(r.shipping_address)?,
        billing_address: r.billing_address.map(address).transpose()?,
        buyer_nip: r.buyer_nip,
        buyer_company_name: r.buyer_company_name,
        items_total: Money::new(r.items_total_minor, currency),
        shipping: Money::new(r.shipping_minor, currency),
        total: Money::new(r.total_minor, currency),
        vat_total: Money::new(r.vat_total_minor, currency),
        vat_breakdown: vat_lines(&r.vat_breakdown),
        carrier: r.carrier,
        tracking_number: r.tracking_number,
        notes: r.notes,
        reserved_until: r.reserved_until,
        placed_at: r.placed_at,
        lines,
        events,
        invoice_number: r.invoice_number,
        review_reason: r.review_reason,
        payment_terms_days: r.payment_terms_days,
        payment_due_at: r.payment_due_at,
        overdue: r.overdue,
    })
}

/// The stored VAT summary.
pub(super) fn vat_lines(value: &serde_json::Value) -> Vec<VatLine> {
    value
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|row| {
                    let int = |k: &str| row.get(k).and_then(serde_json::Value::as_i64);
                    Some(VatLine {
                        rate: VatRate::from_basis_points(i32::try_from(int("rate_bp")?).ok()?)
                            .ok()?,
                        net_minor: int("net_minor")?,
                        vat_minor: int("vat_minor")?,
                        gross_minor: int("gross_minor")?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A customer's orders, newest first.
pub async fn list_orders(
    svc: &Services,
    user: UserId,
    page: PageRequest,
) -> Result<Page<OrderSummary>, Error> {
    super::admin::summaries(
        svc,
        &super::OrderFilter {
            user: Some(user),
            ..Default::default()
        },
        page,
    )
    .await
}

/// Moves an order to `change.to` if the lifecycle and `viewer` allow it. Cancelling returns
/// the stock; paying issues the invoice, in the same transaction.
#[tracing::instrument(skip_all, fields(order_id = %id, to = %change.to), err(level = "info"))]
pub async fn move_order(
    svc: &Services,
    viewer: Viewer,
    id: OrderId,
    change: Move,
) -> Result<Order, Error> {
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(Error::invalid("note", "must be at most 500 characters"));
    }
    let mut tx = svc.db.begin().await.context("No database connection")?;
    let from = lock_order(&mut tx, id, viewer).await?;
    let returned = apply(svc, &mut tx, id, from, viewer, &change, note).await?;
    tx.commit()
        .await
        .context("Failed to commit the order change")?;
    gate::release(svc, &returned).await;
    get_order(svc, viewer, id).await
}

pub(crate) async fn lock_order(
    tx: &mut sqlx::PgConnection,
    id: OrderId,
    viewer: Viewer,
) -> Result<OrderStatus, Error> {
    let status = sqlx::query_scalar!(
        "select status from orders where id = $1 and ($2::uuid is null or user_id = $2) for update",
        id as _,
        viewer.owner_filter() as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to lock the order")?
    .ok_or(Error::NotFound)?;
    Ok(OrderStatus::from_code(&status).context("Stored status is invalid")?)
}

/// Applies a move inside the caller's transaction (the order row locked by
/// [`lock_order`]); returns the stock lines given back, for the Redis gate after commit.
pub(crate) async fn apply(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    id: OrderId,
    from: OrderStatus,
    viewer: Viewer,
    change: &Move,
    note: Option<String>,
) -> Result<Vec<(ProductId, i32)>, Error> {
    let to = change.to;
    if !from.can_move_to(to, viewer.actor()) {
        return Err(Error::Transition { from, to });
    }
    let mut returned = Vec::new();
    let mut note = note;
    match to {
        OrderStatus::Cancelled => {
            // Paid money goes back through the payment gateway, which does the cancelling.
            if matches!(from, OrderStatus::Paid | OrderStatus::Processing)
                && viewer != Viewer::Payment
            {
                return Err(Error::RefundRequired);
            }
            returned = return_stock(tx, id).await?;
            sqlx::query!(
                r#"
                update orders set status = 'cancelled', cancelled_at = now(), reserved_until = null
                 where id = $1
                "#,
                id as _
            )
            .execute(&mut *tx)
            .await
            .context("Failed to cancel the order")?;
            // An order invoiced when placed (on payment terms) has its invoice corrected.
            correct(tx, id, i64::MAX, Reason::Cancellation).await?;
        }
        OrderStatus::Paid => {
            sqlx::query!(
                "update orders set status = 'paid', payment_status = 'paid', reserved_until = null where id = $1",
                id as _
            )
            .execute(&mut *tx)
            .await
            .context("Failed to mark the order paid")?;
            issue_invoice(svc, tx, id).await?;
        }
        OrderStatus::Shipped => {
            let carrier = required_text(change.carrier.as_deref(), "carrier", 50)?;
            let number = required_text(change.tracking_number.as_deref(), "tracking_number", 100)?;
            sqlx::query!(
                "update orders set status = 'shipped', carrier = $2, tracking_number = $3 where id = $1",
                id as _,
                carrier,
                number
            )
            .execute(&mut *tx)
            .await
            .context("Failed to ship the order")?;
            let shipped = format!("{carrier} {number}");
            note = Some(match note {
                Some(n) => format!("{shipped} — {n}"),
                None => shipped,
            });
        }
        OrderStatus::Refunded => {
            // Money paid through the gateway goes back through it, which then moves the order.
            if viewer != Viewer::Payment && crate::payment::paid_through_gateway(tx, id).await? {
                return Err(Error::RefundRequired);
            }
            // A full refund of an order not yet shipped puts its units back.
            if from.holds_stock() {
                returned = return_stock(tx, id).await?;
            }
            sqlx::query!(
                r#"
                update orders set status = 'refunded', payment_status = 'refunded',
                       refunded_minor = total_minor
                 where id = $1
                "#,
                id as _
            )
            .execute(&mut *tx)
            .await
            .context("Failed to mark the order refunded")?;
            correct(tx, id, i64::MAX, Reason::Refund).await?;
        }
        other => {
            sqlx::query!(
                "update orders set status = $2 where id = $1",
                id as _,
                other.as_str()
            )
            .execute(&mut *tx)
            .await
            .context("Failed to move the order")?;
        }
    }
    sqlx::query!(
        r#"
        insert into order_events (id, order_id, from_status, to_status, actor_user_id, actor, note)
        values ($1, $2, $3, $4, $5, $6, $7)
        "#,
        Uuid::now_v7(),
        id as _,
        from.as_str(),
        to.as_str(),
        viewer.user() as _,
        viewer.actor().as_str(),
        note
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the order event")?;
    let told = match to {
        OrderStatus::Paid => Some(Kind::OrderPaid),
        OrderStatus::Shipped => Some(Kind::OrderShipped),
        OrderStatus::Delivered => Some(Kind::OrderDelivered),
        OrderStatus::Cancelled => Some(Kind::OrderCancelled),
        OrderStatus::Refunded => Some(Kind::OrderRefunded),
        _ => None,
    };
    if let Some(kind) = told {
        crate::notify::order(tx, id, kind, "", serde_json::json!({})).await?;
    }
    Ok(returned)
}

fn required_text(value: Option<&str>, field: &'static str, max: usize) -> Result<String, Error> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(Error::invalid(field, "is required to ship an order"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Puts an order's units back in stock, products in id order (the checkout's lock order).
async fn return_stock(
    tx: &mut sqlx::PgConnection,
    id: OrderId,
) -> Result<Vec<(ProductId, i32)>, Error> {
    let lines = sqlx::query!(
        r#"
        select product_id as "product_id!", sum(quantity)::int as "quantity!"
          from order_items where order_id = $1 and product_id is not null
         group by product_id order by product_id
        "#,
        id as _
    )
    .fetch_all(&mut *tx)
    .await
    .context("Failed to read the order lines")?;
    let mut returned = Vec::with_capacity(lines.len());
    for line in lines {
        sqlx::query!(
            "update products set stock = stock + $2 where id = $1",
            line.product_id,
            line.quantity
        )
        .execute(&mut *tx)
        .await
        .context("Failed to return stock")?;
        returned.push((line.product_id.into(), line.quantity));
    }
    Ok(returned)
}

/// Corrects the carrier or tracking number of a shipped order (admins).
pub async fn set_tracking(
    svc: &Services,
    admin: UserId,
    id: OrderId,
    carrier: &str,
    tracking_number: &str,
) -> Result<Order, Error> {
    let carrier = required_text(Some(carrier), "carrier", 50)?;
    let number = required_text(Some(tracking_number), "tracking_number", 100)?;
    let mut tx = svc.db.begin().await.context("No database connection")?;
    let status = lock_order(&mut tx, id, Viewer::Admin(admin)).await?;
    if !matches!(status, OrderStatus::Shipped | OrderStatus::Delivered) {
        return Err(Error::invalid(
            "status",
            "tracking is set when the order is shipped",
        ));
    }
    sqlx::query!(
        "update orders set carrier = $2, tracking_number = $3 where id = $1",
        id as _,
        carrier,
        number
    )
    .execute(&mut *tx)
    .await
    .context("Failed to set tracking")?;
    sqlx::query!(
        r#"
        insert into order_events (id, order_id, from_status, to_status, actor_user_id, actor, note)
        values ($1, $2, $3, $3, $4, 'admin', $5)
        "#,
        Uuid::now_v7(),
        id as _,
        status.as_str(),
        admin as _,
        format!("tracking: {carrier} {number}")
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the order event")?;
    tx.commit().await.context("Failed to commit tracking")?;
    get_order(svc, Viewer::Admin(admin), id).await
}

/// Cancels unpaid orders whose reservation ran out and returns their stock. Safe with many
/// processes: one holds the Redis lock, and each order is taken with `SKIP LOCKED` anyway.
pub async fn expire_unpaid(svc: &Services) -> anyhow::Result<usize> {
    let held = match gate::lock(svc, "expire-unpaid-orders", Duration::from_secs(120)).await {
        gate::Locked::Taken => return Ok(0),
        gate::Locked::Held(lock) => Some(lock),
        gate::Locked::NoRedis => None,
    };
    let result = expire_batch(svc).await;
    if let Some(lock) = held {
        lock.unlock(svc).await;
    }
    result
}

async fn expire_batch(svc: &Services) -> anyhow::Result<usize> {
    // At most 1,000 per run; the next run takes the rest.
    let due = sqlx::query_scalar!(
        r#"
        select id from orders
         where status = 'pending_payment' and reserved_until < now()
         order by reserved_until
         limit 1000
        "#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to find expired orders")?;
    let mut expired = 0;
    for id in due.into_iter().map(OrderId) {
        // Nothing may be paid once the stock is sold again: the provider side ends first. An
        // attempt found paid has paid the order; one Stripe cannot tell about waits a run.
        match crate::payment::close_attempts(svc, id).await {
            Ok(crate::payment::Closed::All) => {}
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(error = %e, order_id = %id, "could not close the order's payments");
                continue;
            }
        }
        let mut tx = svc.db.begin().await.context("No database connection")?;
        let still_due = sqlx::query_scalar!(
            r#"
            select id from orders
             where id = $1 and status = 'pending_payment' and reserved_until < now()
             for update skip locked
            "#,
            id as _
        )
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to lock an expired order")?;
        if still_due.is_none() {
            continue;
        }
        let change = Move {
            to: OrderStatus::Cancelled,
            note: Some("not paid in time".into()),
            carrier: None,
            tracking_number: None,
        };
        let returned = apply(
            svc,
            &mut tx,
            id,
            OrderStatus::PendingPayment,
            Viewer::System,
            &change,
            change.note.clone(),
        )
        .await
        .map_err(|e| match e {
            Error::Unexpected(e) => e,
            other => anyhow::Error::new(other),
        })?;
        tx.commit().await.context("Failed to commit the expiry")?;
        gate::release(svc, &returned).await;
        expired += 1;
    }
    Ok(expired)
}
