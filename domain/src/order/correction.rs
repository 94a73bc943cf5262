//! Correcting invoices (faktury korygujące): a refund or the cancellation of an invoiced order
//! is corrected in the same transaction that records it, in a gap-free yearly series of its
//! own (`KOR/2026/000001`). Each correction names the invoice it corrects and shows, per line
//! and per VAT rate, the values before, after and the difference.
//!
//! A refund by amount corrects proportionally: the amount refunded is split over the VAT rates
//! in proportion to what is still invoiced at each ([`split`], the same rule that taxes
//! shipping), and within a rate over its lines in proportion to their values; every part is
//! within a grosz of its exact share and the parts add up to the refund. VAT is then computed
//! per rate on the totals, as on the invoice. Each correction starts from what the previous
//! one left, and the refunded total it brings the invoice to is unique per order, so a
//! repeated or late refund notice corrects nothing twice.

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Error;
use super::invoice::{Buyer, DELIVERY, Seller, delivery};
use super::lifecycle::{Viewer, get_order, vat_lines};
use crate::Services;
use crate::shared::money::{split, vat_breakdown};
use crate::shared::{OrderId, VatRate, warsaw_date};

/// Net, VAT and gross of a line or a rate, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    /// Net.
    pub net_minor: i64,
    /// VAT.
    pub vat_minor: i64,
    /// Gross.
    pub gross_minor: i64,
}

impl Amounts {
    /// A gross amount at `rate`, its VAT rounded half up.
    fn of(rate: VatRate, gross_minor: i64) -> Amounts {
        let vat_minor = rate.vat_in_gross(gross_minor);
        Amounts {
            net_minor: gross_minor - vat_minor,
            vat_minor,
            gross_minor,
        }
    }

    /// `self - before`.
    pub fn minus(self, before: Amounts) -> Amounts {
        Amounts {
            net_minor: self.net_minor - before.net_minor,
            vat_minor: self.vat_minor - before.vat_minor,
            gross_minor: self.gross_minor - before.gross_minor,
        }
    }
}

/// A line as the correction shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectedLine {
    /// What.
    pub name: String,
    /// Units invoiced.
    pub quantity: i32,
    /// Rate.
    pub vat_rate: VatRate,
    /// Before this correction.
    pub before: Amounts,
    /// After it.
    pub after: Amounts,
}

/// A VAT rate's totals as the correction shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectedRate {
    /// Rate.
    pub rate: VatRate,
    /// Before this correction.
    pub before: Amounts,
    /// After it.
    pub after: Amounts,
}

/// Why an invoice was corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Money was returned to the buyer.
    Refund,
    /// The invoiced order was cancelled.
    Cancellation,
}

impl Reason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Refund => "refund",
            Reason::Cancellation => "cancellation",
        }
    }

    fn parse(text: &str) -> Option<Reason> {
        [Reason::Refund, Reason::Cancellation]
            .into_iter()
            .find(|r| r.as_str() == text)
    }

    /// As printed (Polish / English).
    pub fn label(self) -> &'static str {
        match self {
            Reason::Refund => "Zwrot płatności / Refund",
            Reason::Cancellation => "Anulowanie zamówienia / Order cancelled",
        }
    }
}

/// A correcting invoice as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// Id.
    pub id: Uuid,
    /// `KOR/2026/000001`.
    pub number: String,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// The day it was issued in Warsaw.
    pub issue_date: NaiveDate,
    /// The corrected invoice's number.
    pub corrects: String,
    /// The corrected invoice's issue date.
    pub corrected_issue_date: NaiveDate,
    /// Why.
    pub reason: Reason,
    /// The order's number.
    pub order_number: i64,
    /// The shop.
    pub seller: Seller,
    /// The customer.
    pub buyer: Buyer,
    /// Every line, before and after.
    pub lines: Vec<CorrectedLine>,
    /// Every rate, before and after; the difference is what the correction changes.
    pub summary: Vec<CorrectedRate>,
    /// Currency.
    pub currency: String,
}

impl Correction {
    /// The change of the invoice's totals (negative: money returned).
    pub fn difference(&self) -> Amounts {
        self.summary
            .iter()
            .fold(Amounts::default(), |sum, row| Amounts {
                net_minor: sum.net_minor + row.after.net_minor - row.before.net_minor,
                vat_minor: sum.vat_minor + row.after.vat_minor - row.before.vat_minor,
                gross_minor: sum.gross_minor + row.after.gross_minor - row.before.gross_minor,
            })
    }
}

/// A line still invoiced: name, units, rate, gross.
type Current = (String, i32, VatRate, i64);

/// Lowers the invoiced gross by `by` (at most what is invoiced), per rate in proportion to
/// each rate's gross and per line in proportion to each line's: the corrected lines and the
/// rates before and after, VAT per rate on the totals.
pub fn reduce(current: &[Current], by: i64) -> (Vec<CorrectedLine>, Vec<CorrectedRate>) {
    let mut rates: Vec<VatRate> = current.iter().map(|(_, _, rate, _)| *rate).collect();
    rates.sort_unstable_by(|a, b| b.cmp(a));
    rates.dedup();
    let per_rate: Vec<i64> = rates
        .iter()
        .map(|rate| {
            current
                .iter()
                .filter(|(_, _, r, _)| r == rate)
                .map(|(_, _, _, gross)| gross)
                .sum()
        })
        .collect();
    let invoiced: i64 = per_rate.iter().sum();
    let cuts = split(by.clamp(0, invoiced), &per_rate);
    let mut after_gross: Vec<i64> = current.iter().map(|(_, _, _, gross)| *gross).collect();
    for (rate, cut) in rates.iter().zip(cuts) {
        let members: Vec<usize> = (0..current.len())
            .filter(|i| current[*i].2 == *rate)
            .collect();
        let weights: Vec<i64> = members.iter().map(|i| current[*i].3).collect();
        for (i, part) in members.into_iter().zip(split(cut, &weights)) {
            after_gross[i] -= part;
        }
    }
    let lines: Vec<CorrectedLine> = current
        .iter()
        .zip(&after_gross)
        .map(|((name, quantity, rate, gross), after)| CorrectedLine {
            name: name.clone(),
            quantity: *quantity,
            vat_rate: *rate,
            before: Amounts::of(*rate, *gross),
            after: Amounts::of(*rate, *after),
        })
        .collect();
    let before = vat_breakdown(current.iter().map(|(_, _, rate, gross)| (*rate, *gross)));
    let after = vat_breakdown(
        current
            .iter()
            .zip(&after_gross)
            .map(|((_, _, rate, _), gross)| (*rate, *gross)),
    );
    let summary = before
        .iter()
        .map(|b| {
            let a = after
                .iter()
                .find(|a| a.rate == b.rate)
                .map(|a| (a.net_minor, a.vat_minor, a.gross_minor))
                .unwrap_or_default();
            CorrectedRate {
                rate: b.rate,
                before: Amounts {
                    net_minor: b.net_minor,
                    vat_minor: b.vat_minor,
                    gross_minor: b.gross_minor,
                },
                after: Amounts {
                    net_minor: a.0,
                    vat_minor: a.1,
                    gross_minor: a.2,
                },
            }
        })
        .collect();
    (lines, summary)
}

/// Corrects the invoice of `order`, in the caller's transaction, down to `refunded_to`
/// returned in all (capped at the invoice's total: a cancellation passes the total). No
/// invoice, or a refunded total already corrected, corrects nothing. Answers the new
/// correction's number.
pub(crate) async fn correct(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    refunded_to: i64,
    reason: Reason,
) -> Result<Option<String>, Error> {
    // The invoice row stays locked until commit: one correction of an order at a time.
    let Some(invoice) = sqlx::query!(
        r#"
        select id, gross_total_minor from invoices where order_id = $1 for update
        "#,
        order as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to find the invoice to correct")?
    else {
        return Ok(None);
    };
    let target = refunded_to.min(invoice.gross_total_minor);
    let last = sqlx::query!(
        r#"
        select refunded_minor, lines from invoice_corrections
         where order_id = $1 order by refunded_minor desc limit 1
        "#,
        order as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the last correction")?;
    let already = last.as_ref().map_or(0, |l| l.refunded_minor);
    if target <= already {
        return Ok(None);
    }
    let current: Vec<Current> = match last {
        Some(last) => serde_json::from_value::<Vec<CorrectedLine>>(last.lines)
            .context("Stored correction lines are invalid")?
            .into_iter()
            .map(|l| (l.name, l.quantity, l.vat_rate, l.after.gross_minor))
            .collect(),
        None => invoiced_lines(tx, order).await?,
    };
    let (lines, summary) = reduce(&current, target - already);
    let issued_at = Utc::now();
    let year = warsaw_date(issued_at).year();
    let seq = sqlx::query_scalar!(
        r#"
        insert into correction_counters (year, last_seq) values ($1, 1)
        on conflict (year) do update set last_seq = correction_counters.last_seq + 1
        returning last_seq
        "#,
        year
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to number the correction")?;
    let number = format!("KOR/{year}/{seq:06}");
    let change = summary.iter().fold(Amounts::default(), |sum, row| {
        let d = row.after.minus(row.before);
        Amounts {
            net_minor: sum.net_minor + d.net_minor,
            vat_minor: sum.vat_minor + d.vat_minor,
            gross_minor: sum.gross_minor + d.gross_minor,
        }
    });
    sqlx::query!(
        r#"
        insert into invoice_corrections
               (id, invoice_id, order_id, year, seq, number, issued_at, reason, refunded_minor,
                lines, summary, net_diff_minor, vat_diff_minor, gross_diff_minor)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        "#,
        Uuid::now_v7(),
        invoice.id,
        order as _,
        year,
        seq,
        number,
        issued_at as _,
        reason.as_str(),
        target,
        serde_json::to_value(&lines).context("lines to JSON")?,
        serde_json::to_value(&summary).context("summary to JSON")?,
        change.net_minor,
        change.vat_minor,
        change.gross_minor,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to store the correction")?;
    Ok(Some(number))
}

/// The lines of an order's invoice: the goods, then the delivery per rate.
async fn invoiced_lines(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
) -> Result<Vec<Current>, Error> {
    let goods = sqlx::query!(
        r#"
        select name, quantity, vat_rate_bp, line_total_minor
          from order_items where order_id = $1 order by position
        "#,
        order as _
    )
    .fetch_all(&mut *tx)
    .await
    .context("Failed to read the invoiced lines")?;
    let summary = sqlx::query_scalar!("select vat_breakdown from orders where id = $1", order as _)
        .fetch_one(&mut *tx)
        .await
        .context("Failed to read the order's VAT")?;
    let mut lines = Vec::with_capacity(goods.len() + 1);
    for g in goods {
        let rate = VatRate::from_basis_points(g.vat_rate_bp).context("Stored VAT rate")?;
        lines.push((g.name, g.quantity, rate, g.line_total_minor));
    }
    let rated: Vec<(VatRate, i64)> = lines.iter().map(|(_, _, r, g)| (*r, *g)).collect();
    for (rate, gross) in delivery(&rated, &vat_lines(&summary)) {
        lines.push((DELIVERY.to_owned(), 1, rate, gross));
    }
    Ok(lines)
}

/// The corrections of an order, oldest first: for its owner and admins (`NotFound` for
/// anyone else).
pub async fn corrections(
    svc: &Services,
    viewer: Viewer,
    order: OrderId,
) -> Result<Vec<Correction>, Error> {
    let o = get_order(svc, viewer, order).await?;
    let rows = sqlx::query!(
        r#"
        select c.id, c.number, c.issued_at as "issued_at: DateTime<Utc>", c.reason, c.lines,
               c.summary, i.number as corrects, i.issued_at as "corrected_at: DateTime<Utc>",
               i.seller, i.buyer, i.currency
          from invoice_corrections c join invoices i on i.id = c.invoice_id
         where c.order_id = $1
         order by c.refunded_minor
        "#,
        order as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load the corrections")?;
    rows.into_iter()
        .map(|r| {
            Ok(Correction {
                id: r.id,
                number: r.number,
                issue_date: warsaw_date(r.issued_at),
                issued_at: r.issued_at,
                corrects: r.corrects,
                corrected_issue_date: warsaw_date(r.corrected_at),
                reason: Reason::parse(&r.reason).context("Stored reason is invalid")?,
                order_number: o.number,
                seller: serde_json::from_value(r.seller).context("Stored seller is invalid")?,
                buyer: serde_json::from_value(r.buyer).context("Stored buyer is invalid")?,
                lines: serde_json::from_value(r.lines).context("Stored lines are invalid")?,
                summary: serde_json::from_value(r.summary).context("Stored summary is invalid")?,
                currency: r.currency,
            })
        })
        .collect()
}

/// A correction's PDF (its number and bytes), rendered once and then served from the blob
/// store; for the order's owner and admins.
pub async fn correction_pdf(
    svc: &Services,
    viewer: Viewer,
    order: OrderId,
    id: Uuid,
) -> Result<(String, Vec<u8>), Error> {
    let correction = corrections(svc, viewer, order)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound)?;
    let key = format!(
        "corrections/{}/{}.pdf",
        correction.issue_date.year(),
        correction.id
    );
    if let Some(bytes) = svc
        .blobs
        .get(&key)
        .await
        .context("Failed to read the correction")?
    {
        return Ok((correction.number, bytes.to_vec()));
    }
    let bytes = super::correction_pdf::render(&correction)?;
    svc.blobs
        .put(&key, bytes::Bytes::from(bytes.clone()))
        .await
        .context("Failed to store the correction")?;
    Ok((correction.number, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(bp: i32) -> VatRate {
        VatRate::from_basis_points(bp).unwrap_or_else(|e| panic!("{e}"))
    }

    fn cart() -> Vec<Current> {
        vec![
            ("Masło".into(), 2, rate(500), 1598),
            ("Chleb".into(), 1, rate(2300), 1250),
            ("Mleko".into(), 3, rate(500), 1047),
            (DELIVERY.into(), 1, rate(500), 1000),
            (DELIVERY.into(), 1, rate(2300), 499),
        ]
    }

    fn gross_change(summary: &[CorrectedRate]) -> i64 {
        summary
            .iter()
            .map(|r| r.after.gross_minor - r.before.gross_minor)
            .sum()
    }

    #[test]
    fn a_full_correction_leaves_nothing_invoiced() {
        let (lines, summary) = reduce(&cart(), i64::MAX);
        assert!(lines.iter().all(|l| l.after == Amounts::default()));
        assert!(summary.iter().all(|r| r.after == Amounts::default()));
        assert_eq!(gross_change(&summary), -5394);
    }

    #[test]
    fn a_partial_refund_is_split_by_rate_and_line_and_adds_up() {
        // 20.00 back of 53.94: 36.45 invoiced at 5 %, 17.49 at 23 %.
        let (lines, summary) = reduce(&cart(), 2000);
        assert_eq!(gross_change(&summary), -2000);
        let per_line: i64 = lines
            .iter()
            .map(|l| l.after.gross_minor - l.before.gross_minor)
            .sum();
        assert_eq!(per_line, -2000);
        // 2000 × 3645 / 5394 = 1351.5… → 1352 at 5 %, 648 at 23 %.
        assert_eq!(summary[0].rate, rate(2300));
        assert_eq!(
            summary[0].after.gross_minor - summary[0].before.gross_minor,
            -648
        );
        assert_eq!(
            summary[1].after.gross_minor - summary[1].before.gross_minor,
            -1352
        );
        for row in &summary {
            for a in [row.before, row.after] {
                assert_eq!(a.net_minor + a.vat_minor, a.gross_minor);
                assert_eq!(a.vat_minor, row.rate.vat_in_gross(a.gross_minor));
            }
        }
        assert!(lines.iter().all(|l| l.after.gross_minor >= 0));
    }

    #[test]
    fn refunds_in_steps_end_where_one_full_refund_would() {
        let (first, _) = reduce(&cart(), 1234);
        let left: Vec<Current> = first
            .into_iter()
            .map(|l| (l.name, l.quantity, l.vat_rate, l.after.gross_minor))
            .collect();
        let (second, summary) = reduce(&left, 5394 - 1234);
        assert!(second.iter().all(|l| l.after.gross_minor == 0));
        assert_eq!(gross_change(&summary), -(5394 - 1234));
    }

    #[test]
    fn reasons_read_back_what_is_stored() {
        for r in [Reason::Refund, Reason::Cancellation] {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
    }
}
