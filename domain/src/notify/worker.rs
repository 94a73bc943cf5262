//! Delivering queued e-mail, SMS and push notices. A worker claims a batch of due rows in one
//! statement (`FOR UPDATE SKIP LOCKED`, so processes share the queue): each claimed row is
//! counted as tried and leased, its `next_attempt_at` moved `lease` ahead. The sending then
//! holds no database connection; each outcome is one short update. A process that dies
//! mid-send leaves its rows queued, to be taken again when the lease runs out (every send is
//! cut off at half the lease, so a live sender never loses its row to another). Failures are
//! retried with a doubling wait until `max_attempts`, then the row is `failed` for admins.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::mail::{Email, SendError};
use super::text::{Text, render};
use super::{Channel, Error, Kind};
use crate::Services;
use crate::order::{Order, Viewer};
use crate::shared::{Locale, OrderId, UserId};

/// Delivers what was due when the run started, `concurrency` at a time (a notice that fails
/// waits for a later run); answers how many notices went out. A batch takes two database
/// connections in turn, briefly: one to claim it, one to record its outcomes, so delivery
/// never crowds the requests out of the pool.
pub async fn deliver_due(svc: &Services) -> anyhow::Result<u64> {
    let started = Utc::now();
    let batch = svc.notify.concurrency.max(1);
    let mut sent = 0u64;
    // Bounded so one run ends even while new notices keep arriving.
    for _ in 0..(10_000 / batch).max(1) {
        let claimed = claim(svc, started, batch).await?;
        if claimed.is_empty() {
            break;
        }
        let results =
            futures_util::future::join_all(claimed.iter().map(|row| attempt(svc, row))).await;
        sent += record(svc, &claimed, results).await?;
    }
    Ok(sent)
}

/// A claimed row.
struct Claimed {
    id: Uuid,
    user_id: Option<Uuid>,
    kind: String,
    channel: String,
    recipient: String,
    locale: String,
    order_id: Option<Uuid>,
    data: Value,
    attempts: i32,
}

/// Up to `limit` rows due at `due`, leased to this worker and counted as tried.
async fn claim(svc: &Services, due: DateTime<Utc>, limit: usize) -> anyhow::Result<Vec<Claimed>> {
    let rows = sqlx::query!(
        r#"
        update notifications n
           set attempts = n.attempts + 1,
               next_attempt_at = now() + make_interval(secs => $2)
         where n.id in (select id from notifications
                         where status = 'queued' and next_attempt_at <= $1
                         order by next_attempt_at
                         limit $3
                           for update skip locked)
        returning n.id, n.user_id, n.kind, n.channel, n.recipient, n.locale, n.order_id, n.data,
                  n.attempts
        "#,
        due as _,
        svc.notify.lease.as_secs_f64(),
        i64::try_from(limit).unwrap_or(64)
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to take notices")?;
    Ok(rows
        .into_iter()
        .map(|r| Claimed {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind,
            channel: r.channel,
            recipient: r.recipient,
            locale: r.locale,
            order_id: r.order_id,
            data: r.data,
            attempts: r.attempts,
        })
        .collect())
}

/// Sends one claimed row.
async fn attempt(svc: &Services, row: &Claimed) -> Result<(), SendError> {
    let locale = Locale::from_code(&row.locale).unwrap_or_default();
    let (Some(kind), Some(channel)) = (Kind::parse(&row.kind), Channel::parse(&row.channel)) else {
        return Err(SendError::Permanent(format!(
            "unknown kind or channel {}/{}",
            row.kind, row.channel
        )));
    };
    let notice = Notice {
        id: row.id,
        user: row.user_id.map(UserId::from),
        kind,
        locale,
        order: row.order_id.map(OrderId::from),
        data: &row.data,
        recipient: &row.recipient,
    };
    // Cut off well inside the lease, so no other worker takes the row meanwhile.
    let limit = svc.notify.lease / 2;
    match tokio::time::timeout(limit, send(svc, channel, &notice)).await {
        Ok(result) => result,
        Err(_) => Err(SendError::Retry(format!(
            "no answer within {} s",
            limit.as_secs()
        ))),
    }
}

/// Records a batch's outcomes on one connection: the sent ones in one statement, the others
/// one each; answers how many went out.
async fn record(
    svc: &Services,
    rows: &[Claimed],
    results: Vec<Result<(), SendError>>,
) -> anyhow::Result<u64> {
    let mut conn = svc.db.acquire().await.context("No database connection")?;
    let mut sent = Vec::new();
    for (row, result) in rows.iter().zip(results) {
        match result {
            Ok(()) => sent.push(row.id),
            Err(SendError::Skipped(why)) => {
                sqlx::query!(
                    r#"
                    update notifications set status = 'skipped', last_error = left($2, 1000)
                     where id = $1 and status = 'queued'
                    "#,
                    row.id,
                    why
                )
                .execute(&mut *conn)
                .await
                .context("Failed to record the skip")?;
            }
            Err(e) => {
                let give_up =
                    matches!(e, SendError::Permanent(_)) || row.attempts >= svc.notify.max_attempts;
                let wait = retry_after(svc.notify.first_retry, row.attempts);
                tracing::warn!(id = %row.id, channel = %row.channel, attempts = row.attempts, give_up, error = %e, "notice not delivered");
                sqlx::query!(
                    r#"
                    update notifications
                       set status = case when $2 then 'failed' else 'queued' end,
                           next_attempt_at = now() + make_interval(secs => $3),
                           last_error = left($4, 1000)
                     where id = $1 and status = 'queued'
                    "#,
                    row.id,
                    give_up,
                    wait.as_secs_f64(),
                    e.to_string()
                )
                .execute(&mut *conn)
                .await
                .context("Failed to record the failure")?;
            }
        }
    }
    if !sent.is_empty() {
        sqlx::query!(
            r#"
            update notifications set status = 'sent', sent_at = now(), last_error = null
             where id = any($1) and status = 'queued'
            "#,
            &sent
        )
        .execute(&mut *conn)
        .await
        .context("Failed to record the deliveries")?;
    }
    Ok(u64::try_from(sent.len()).unwrap_or(u64::MAX))
}

/// The wait before try `attempts + 1`: `first`, doubled each time, at most an hour.
pub(crate) fn retry_after(first: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    first
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(Duration::from_secs(3600))
}

struct Notice<'a> {
    id: Uuid,
    user: Option<UserId>,
    kind: Kind,
    locale: Locale,
    order: Option<OrderId>,
    data: &'a Value,
    recipient: &'a str,
}

async fn send(svc: &Services, channel: Channel, notice: &Notice<'_>) -> Result<(), SendError> {
    let text = render(notice.kind, notice.locale, notice.data);
    match channel {
        Channel::InApp => Ok(()),
        Channel::Push => {
            let user = notice
                .user
                .ok_or_else(|| SendError::Permanent("a push without a user".into()))?;
            let push = super::push::Push {
                title: &text.title,
                body: &text.body,
                link: &text.link,
                kind: notice.kind.as_str(),
                notification_id: notice.id,
            };
            super::push::send_push(svc, user, push).await
        }
        Channel::Sms => {
            let phone = crate::identity::Phone::parse(notice.recipient)
                .map_err(|_| SendError::Permanent("not a phone number".into()))?;
            if !svc.sms_policy.allows(&phone) {
                return Err(SendError::Permanent(format!(
                    "SMS go only to {}",
                    svc.sms_policy.country_list()
                )));
            }
            let body = format!("{} {}{}", text.body, svc.public_url, text.link);
            svc.sms
                .send_text(&phone, &body)
                .await
                .map_err(|e| SendError::Retry(format!("{e:#}")))
        }
        Channel::Email => {
            let email = compose(svc, notice, text).await?;
            svc.mail.send(email).await
        }
    }
}

/// The e-mail of a notice: its words, and for order notices the order itself; the
/// confirmation carries the terms, the paid notice the invoice.
async fn compose(svc: &Services, notice: &Notice<'_>, text: Text) -> Result<Email, SendError> {
    let locale = notice.locale;
    let link = format!("{}{}", svc.public_url, text.link);
    let order = match notice.order.filter(|_| notice.kind.about_order()) {
        Some(id) => Some(
            crate::order::get_order(svc, Viewer::System, id)
                .await
                .map_err(|e| SendError::Retry(format!("order: {e}")))?,
        ),
        None => None,
    };
    let mut attachments = Vec::new();
    let mut extra_text = String::new();
    let mut extra_html = String::new();
    if let Some(order) = &order {
        let (t, h) = order_summary(order, locale);
        extra_text.push_str(&t);
        extra_html.push_str(&h);
    }
    if notice.kind == Kind::OrderPlaced {
        let terms_link = format!("{}/terms", svc.public_url);
        let label = words(locale).terms;
        extra_text.push_str(&format!("\n{label}: {terms_link}\n"));
        extra_html.push_str(&format!(
            r#"<p>{label}: <a href="{terms_link}">{terms_link}</a></p>"#
        ));
        match crate::content::get_page(svc, "terms", locale).await {
            Ok(page) => attachments.push((
                "terms.html".to_owned(),
                "text/html; charset=utf-8".to_owned(),
                format!(
                    "<!doctype html><meta charset=\"utf-8\"><title>{0}</title><h1>{0}</h1>{1}",
                    escape(&page.title),
                    page.body_html
                )
                .into_bytes(),
            )),
            Err(crate::content::Error::NotFound) => {}
            Err(e) => return Err(SendError::Retry(format!("terms: {e}"))),
        }
    }
    if notice.kind == Kind::OrderPaid
        && let Some(id) = notice.order
    {
        let (number, pdf) = crate::order::invoice_pdf(svc, Viewer::System, id)
            .await
            .map_err(|e| SendError::Retry(format!("invoice: {e}")))?;
        attachments.push((
            format!("{}.pdf", number.replace('/', "-")),
            "application/pdf".to_owned(),
            pdf,
        ));
    }
    // A refund or the cancellation of an invoiced order carries the correcting invoice.
    if matches!(notice.kind, Kind::OrderRefunded | Kind::OrderCancelled)
        && let Some(id) = notice.order
    {
        let corrections = crate::order::corrections(svc, Viewer::System, id)
            .await
            .map_err(|e| SendError::Retry(format!("corrections: {e}")))?;
        if let Some(latest) = corrections.last() {
            let (number, pdf) = crate::order::correction_pdf(svc, Viewer::System, id, latest.id)
                .await
                .map_err(|e| SendError::Retry(format!("correction: {e}")))?;
            attachments.push((
                format!("{}.pdf", number.replace('/', "-")),
                "application/pdf".to_owned(),
                pdf,
            ));
        }
    }
    let open = if notice.kind.about_order() {
        words(locale).open
    } else {
        words(locale).confirm
    };
    Ok(Email {
        to: notice.recipient.to_owned(),
        subject: format!("Metropolitan: {}", text.title),
        text: format!("{}\n\n{extra_text}\n{open}: {link}\n", text.body),
        html: format!(
            r#"<!doctype html><html lang="{lang}"><meta charset="utf-8"><body style="font-family:sans-serif"><h1 style="font-size:20px">{title}</h1><p>{body}</p>{extra_html}<p><a href="{link}">{open}</a></p></body></html>"#,
            lang = locale.code(),
            title = escape(&text.title),
            body = escape(&text.body),
        ),
        attachments,
        message_id: format!("<{}@metropolitan>", notice.id),
    })
}

struct Words {
    lines: &'static str,
    shipping: &'static str,
    vat: &'static str,
    total: &'static str,
    address: &'static str,
    terms: &'static str,
    open: &'static str,
    confirm: &'static str,
}

fn words(locale: Locale) -> Words {
    match locale {
        Locale::Pl => Words {
            lines: "Produkty",
            shipping: "Dostawa",
            vat: "w tym VAT",
            total: "Razem",
            address: "Adres dostawy",
            terms: "Regulamin obowiązujący w chwili zamówienia",
            open: "Zobacz zamówienie",
            confirm: "Potwierdź adres",
        },
        Locale::En => Words {
            lines: "Items",
            shipping: "Delivery",
            vat: "incl. VAT",
            total: "Total",
            address: "Delivery address",
            terms: "Terms in force when you ordered",
            open: "View the order",
            confirm: "Confirm the address",
        },
        Locale::Tr => Words {
            lines: "Ürünler",
            shipping: "Teslimat",
            vat: "KDV dahil",
            total: "Toplam",
            address: "Teslimat adresi",
            terms: "Sipariş anında geçerli koşullar",
            open: "Siparişi görüntüle",
            confirm: "Adresi onayla",
        },
    }
}

/// The order's lines, totals with VAT per rate and the delivery address, as text and HTML.
fn order_summary(order: &Order, locale: Locale) -> (String, String) {
    let w = words(locale);
    let money = |minor: i64| shop_types::format_money(locale, minor, order.total.currency.code());
    let mut text = format!("{}:\n", w.lines);
    let mut rows = String::new();
    for line in &order.lines {
        text.push_str(&format!(
            "- {} × {} = {}\n",
            line.name,
            line.quantity,
            line.line_total.format(locale)
        ));
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td style=\"text-align:right\">{}</td></tr>",
            escape(&line.name),
            line.quantity,
            line.line_total.format(locale)
        ));
    }
    text.push_str(&format!(
        "{}: {}\n",
        w.shipping,
        order.shipping.format(locale)
    ));
    rows.push_str(&format!(
        "<tr><td colspan=\"2\">{}</td><td style=\"text-align:right\">{}</td></tr>",
        w.shipping,
        order.shipping.format(locale)
    ));
    for vat in &order.vat_breakdown {
        text.push_str(&format!(
            "{} {}: {}\n",
            w.vat,
            vat.rate,
            money(vat.vat_minor)
        ));
        rows.push_str(&format!(
            "<tr><td colspan=\"2\">{} {}</td><td style=\"text-align:right\">{}</td></tr>",
            w.vat,
            vat.rate,
            money(vat.vat_minor)
        ));
    }
    text.push_str(&format!("{}: {}\n", w.total, order.total.format(locale)));
    rows.push_str(&format!(
        "<tr><th colspan=\"2\" style=\"text-align:left\">{}</th><th style=\"text-align:right\">{}</th></tr>",
        w.total,
        order.total.format(locale)
    ));
    let a = &order.shipping_address;
    let address = format!("{}, {}, {} {}", a.name, a.street, a.postal_code, a.city);
    text.push_str(&format!("\n{}: {address}\n", w.address));
    let html = format!(
        "<h2 style=\"font-size:16px\">{}</h2><table>{rows}</table><p>{}: {}</p>",
        w.lines,
        w.address,
        escape(&address)
    );
    (text, html)
}

fn escape(text: &str) -> String {
    ammonia::clean_text(text)
}

/// A notice as an order's page lists it for admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Id (for "send again").
    pub id: Uuid,
    /// What it said.
    pub kind: String,
    /// `email`, `sms`, `in_app`.
    pub channel: String,
    /// To whom.
    pub recipient: String,
    /// `queued`, `sent`, `failed`, `skipped`.
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

/// What was sent about an order, oldest first.
pub async fn sent_for_order(svc: &Services, order: OrderId) -> Result<Vec<Delivered>, Error> {
    let rows = sqlx::query_as!(
        Delivered,
        r#"
        select id, kind, channel, recipient, status, attempts, last_error,
               created_at as "created_at: DateTime<Utc>", sent_at as "sent_at: DateTime<Utc>"
          from notifications where order_id = $1
         order by created_at, channel
        "#,
        order as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list the notices")?;
    Ok(rows)
}

/// Notices per channel and status (`queued`, `sent`, `failed`, `skipped`), for `/metrics`.
pub async fn counts(svc: &Services) -> anyhow::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query!(
        r#"select channel, status, count(*) as "n!" from notifications group by channel, status"#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to count notices")?;
    Ok(rows
        .into_iter()
        .map(|r| (r.channel, r.status, r.n))
        .collect())
}

/// Sends a notice again (an admin's "send again"): a new row with the same words, queued now.
pub async fn resend(svc: &Services, admin: UserId, id: Uuid) -> Result<Uuid, Error> {
    let new_id = Uuid::now_v7();
    let written = sqlx::query_scalar!(
        r#"
        insert into notifications
               (id, user_id, kind, channel, recipient, locale, order_id, data, dedupe_key,
                status, sent_at)
        select $2, user_id, kind, channel, recipient, locale, order_id, data,
               left(dedupe_key, 120) || ':again:' || $3,
               case when channel = 'in_app' then 'sent' else 'queued' end,
               case when channel = 'in_app' then now() end
          from notifications where id = $1
        returning id
        "#,
        id,
        new_id,
        new_id.to_string()
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to queue the notice again")?
    .ok_or(Error::NotFound)?;
    tracing::info!(%admin, original = %id, again = %written, "notice sent again");
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let first = Duration::from_secs(30);
        assert_eq!(retry_after(first, 1), Duration::from_secs(30));
        assert_eq!(retry_after(first, 2), Duration::from_secs(60));
        assert_eq!(retry_after(first, 4), Duration::from_secs(240));
        assert_eq!(retry_after(first, 40), Duration::from_secs(3600));
    }
}
