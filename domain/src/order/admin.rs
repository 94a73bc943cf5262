//! The admin's order list and dashboard.

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::Error;
use super::lifecycle::OrderSummary;
use super::model::OrderStatus;
use crate::Services;
use crate::shared::{Currency, Money, OrderId, Page, PageRequest, ProductId, UserId};

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Only this customer's.
    pub user: Option<UserId>,
    /// Only in this status.
    pub status: Option<OrderStatus>,
    /// Placed at or after.
    pub from: Option<DateTime<Utc>>,
    /// Placed before.
    pub to: Option<DateTime<Utc>>,
    /// An order number, e-mail or phone (or a part of the e-mail).
    pub query: Option<String>,
}

impl OrderFilter {
    /// The admin's order list filter from what was typed: a status code, the days (Polish
    /// days, inclusive) and a search text; an unknown status names the field.
    pub fn for_admin(
        status: Option<&str>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        query: Option<String>,
    ) -> Result<OrderFilter, Error> {
        let status = status
            .filter(|s| !s.trim().is_empty())
            .map(super::parse_status)
            .transpose()?;
        let (from, to) = placed_on_days(from, to);
        Ok(OrderFilter {
            user: None,
            status,
            from,
            to,
            query,
        })
    }
}

/// The instants between which orders were placed on the days `from` to `to` (inclusive) in
/// Poland. Midnight is taken at +1 h (winter time), which keeps the time-zone database out of
/// the binary; an hour either way does not matter for a day filter.
pub fn placed_on_days(
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let start = |day: chrono::NaiveDate| {
        Some(day.and_hms_opt(0, 0, 0)?.and_utc() - chrono::Duration::hours(1))
    };
    (
        from.and_then(start),
        to.and_then(|d| d.succ_opt()).and_then(start),
    )
}

/// Orders matching `filter`, newest first (admins).
pub async fn search_orders(
    svc: &Services,
    filter: &OrderFilter,
    page: PageRequest,
) -> Result<Page<OrderSummary>, Error> {
    summaries(svc, filter, page).await
}

pub(super) async fn summaries(
    svc: &Services,
    filter: &OrderFilter,
    page: PageRequest,
) -> Result<Page<OrderSummary>, Error> {
    let query = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    if query.is_some_and(|q| q.chars().count() > 100) {
        return Err(Error::invalid("q", "must be at most 100 characters"));
    }
    let number: Option<i64> = query.and_then(|q| q.trim_start_matches('#').parse().ok());
    let phone = query
        .and_then(|q| crate::identity::Phone::parse(q).ok())
        .map(|p| p.as_str().to_owned());
    let email = query
        .filter(|q| q.contains('@') || (number.is_none() && phone.is_none()))
        .map(|q| {
            format!(
                "%{}%",
                q.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    let rows = sqlx::query!(
        r#"
        select o.id, o.number, o.status, o.total_minor, o.currency, o.contact_name,
               o.contact_phone, o.contact_email,
               o.placed_at as "placed_at: DateTime<Utc>",
               (select coalesce(sum(quantity), 0) from order_items i where i.order_id = o.id)::bigint
                   as "item_count!",
               count(*) over () as "total!"
          from orders o
         where ($1::uuid is null or o.user_id = $1)
           and ($2::text is null or o.status = $2)
           and ($3::timestamptz is null or o.placed_at >= $3)
           and ($4::timestamptz is null or o.placed_at < $4)
           and ($5::bool is false
                or o.number = $6 or o.contact_phone = $7 or lower(o.contact_email) like $8)
         order by o.placed_at desc, o.id desc
         limit $9 offset $10
        "#,
        filter.user as _,
        filter.status.map(OrderStatus::as_str),
        filter.from as _,
        filter.to as _,
        query.is_some(),
        number,
        phone,
        email,
        page.limit(),
        page.offset(),
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list orders")?;
    let total = rows
        .first()
        .map_or(0, |r| u64::try_from(r.total).unwrap_or(0));
    let items = rows
        .into_iter()
        .map(|r| {
            let currency = Currency::parse(&r.currency).context("Stored currency is invalid")?;
            Ok(OrderSummary {
                id: OrderId(r.id),
                number: r.number,
                status: OrderStatus::from_code(&r.status).unwrap_or(OrderStatus::PendingPayment),
                total: Money::new(r.total_minor, currency),
                item_count: r.item_count,
                contact_name: r.contact_name,
                contact_phone: r.contact_phone,
                contact_email: r.contact_email,
                placed_at: r.placed_at,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(Page {
        items,
        page: page.page(),
        per_page: page.per_page(),
        total,
    })
}

/// A product running out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowStock {
    /// Product id.
    pub id: ProductId,
    /// SKU.
    pub sku: String,
    /// Name in the shop's default language.
    pub name: String,
    /// Units left.
    pub stock: i32,
}

/// The admin's front page figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Orders placed today (shop time, Europe/Warsaw), cancelled ones excluded.
    pub orders_today: i64,
    /// Their total, gross.
    pub revenue_today: Money,
    /// Orders placed this month.
    pub orders_month: i64,
    /// Their total.
    pub revenue_month: Money,
    /// Orders waiting for payment.
    pub pending_payment: i64,
    /// Paid orders waiting to be processed or shipped.
    pub to_ship: i64,
    /// Active products with at most `LOW_STOCK` units, fewest first.
    pub low_stock: Vec<LowStock>,
}

/// Products at or under this many units count as low.
pub const LOW_STOCK: i32 = 5;

/// Today's and this month's orders and revenue, and what runs out.
pub async fn dashboard(svc: &Services) -> Result<Dashboard, Error> {
    let figures = sqlx::query!(
        r#"
        with bounds as (
            select date_trunc('day', now() at time zone 'Europe/Warsaw') at time zone 'Europe/Warsaw' as day,
                   date_trunc('month', now() at time zone 'Europe/Warsaw') at time zone 'Europe/Warsaw' as month
        )
        select
            count(*) filter (where o.placed_at >= b.day and o.status not in ('cancelled'))
                as "orders_today!",
            coalesce(sum(o.total_minor) filter (where o.placed_at >= b.day and o.status not in ('cancelled')), 0)::bigint
                as "revenue_today!",
            count(*) filter (where o.status not in ('cancelled')) as "orders_month!",
            coalesce(sum(o.total_minor) filter (where o.status not in ('cancelled')), 0)::bigint
                as "revenue_month!",
            (select count(*) from orders where status = 'pending_payment') as "pending!",
            (select count(*) from orders where status in ('paid', 'processing')) as "to_ship!"
          from bounds b left join orders o on o.placed_at >= b.month
        "#
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to compute the dashboard")?;
    let low_stock = sqlx::query!(
        r#"
        select p.id, p.sku, p.stock, product_name(p.id, $1::text, $1::text) as "name!"
          from products p
         where p.is_active and p.stock <= $2
         order by p.stock, p.sku
         limit 20
        "#,
        svc.default_locale.code(),
        LOW_STOCK
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list low stock")?
    .into_iter()
    .map(|r| LowStock {
        id: r.id.into(),
        sku: r.sku,
        name: r.name,
        stock: r.stock,
    })
    .collect();
    Ok(Dashboard {
        orders_today: figures.orders_today,
        revenue_today: Money::new(figures.revenue_today, Currency::PLN),
        orders_month: figures.orders_month,
        revenue_month: Money::new(figures.revenue_month, Currency::PLN),
        pending_payment: figures.pending,
        to_ship: figures.to_ship,
        low_stock,
    })
}

/// The admins' daily digest: products running out and bank transfers past due, told once a
/// day (Polish time) when there is anything to tell. Answers whether it was written.
pub async fn send_staff_digest(svc: &Services) -> anyhow::Result<bool> {
    let low = dashboard(svc)
        .await
        .map_err(|e| anyhow::anyhow!("dashboard: {e}"))?
        .low_stock;
    let overdue = sqlx::query_scalar!(
        r#"
        select number from orders
         where status = 'awaiting_transfer' and payment_due_at < now()
         order by payment_due_at
         limit 50
        "#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list overdue transfers")?;
    if low.is_empty() && overdue.is_empty() {
        return Ok(false);
    }
    let mut tx = svc.db.begin().await.context("No database connection")?;
    let day =
        sqlx::query_scalar!(r#"select (now() at time zone 'Europe/Warsaw')::date::text as "day!""#)
            .fetch_one(&mut *tx)
            .await
            .context("Failed to read the day")?;
    let data = serde_json::json!({
        "day": day,
        "low_stock": low.iter().map(|p| format!("{} {} ({})", p.sku, p.name, p.stock)).collect::<Vec<_>>(),
        "overdue": overdue,
    });
    crate::notify::outbox::staff(&mut tx, crate::notify::Kind::AdminDigest, &day, data).await?;
    tx.commit().await.context("Failed to commit the digest")?;
    Ok(true)
}
