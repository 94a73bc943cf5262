//! VAT invoices: issued in the transaction that marks an order paid, numbered per year
//! without gaps, rendered as a PDF with an embedded font that has Polish and Turkish
//! letters, and kept in the blob store.

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Error;
use super::lifecycle::{Viewer, get_order};
use super::model::AddressSnapshot;
use crate::Services;
use crate::shared::{OrderId, VatLine, VatRate, warsaw_date};

/// DejaVu Sans (Bitstream Vera licence, see `assets/DejaVuSans-LICENSE.txt`), cut down to
/// Latin, Latin-1 and Latin Extended-A (Polish and Turkish letters) and common punctuation
/// (`assets/README.md` says how): 55 KB instead of 760 KB in every invoice.
pub(super) const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans-LatinExt.ttf");

/// The shop as printed on its invoices (from configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    /// Registered name.
    pub name: String,
    /// 10-digit NIP.
    pub nip: String,
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// Bank account (IBAN) for transfers.
    pub bank_account: Option<String>,
}

impl Default for Seller {
    /// Development data; production requires the real values (see the server's settings).
    fn default() -> Self {
        Seller {
            name: "Metropolitan Sp. z o.o. (development)".into(),
            nip: "1234563218".into(),
            street: "ul. Przykładowa 1".into(),
            postal_code: "00-001".into(),
            city: "Warszawa".into(),
            bank_account: None,
        }
    }
}

/// The buyer as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    /// Person or company.
    pub name: String,
    /// Company NIP.
    pub nip: Option<String>,
    /// Address lines.
    pub address: AddressSnapshot,
}

/// A line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// What.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Net unit price (gross unit price minus its VAT).
    pub unit_net_minor: i64,
    /// Rate.
    pub vat_rate: VatRate,
    /// Net line amount.
    pub net_minor: i64,
    /// VAT of the line.
    pub vat_minor: i64,
    /// Gross line amount.
    pub gross_minor: i64,
}

/// An issued invoice with everything printed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// `FV/2026/000123`.
    pub number: String,
    /// The order's number.
    pub order_number: i64,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// The day it was issued in Warsaw (an invoice of 23:30 UTC on 31 December is dated 1
    /// January and numbered in the new year).
    pub issue_date: NaiveDate,
    /// Date of sale (the day the order was placed, in Warsaw).
    pub sale_date: NaiveDate,
    /// The shop.
    pub seller: Seller,
    /// The customer.
    pub buyer: Buyer,
    /// Lines, shipping last.
    pub lines: Vec<InvoiceLine>,
    /// Net, VAT and gross per rate; this is what the totals are.
    pub summary: Vec<VatLine>,
    /// ISO 4217.
    pub currency: String,
    /// Net total.
    pub net_total_minor: i64,
    /// VAT total.
    pub vat_total_minor: i64,
    /// Gross total.
    pub gross_total_minor: i64,
    /// How it was paid.
    pub payment_method: String,
    /// For orders on payment terms: the day the transfer is due.
    pub due_date: Option<NaiveDate>,
}

/// Issues the invoice of a paid order inside the caller's transaction: the year's counter
/// row stays locked until commit, so numbers have no gaps and no duplicates.
pub(super) async fn issue_invoice(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    order: OrderId,
) -> Result<(), Error> {
    // Orders on payment terms were invoiced when placed.
    let issued = sqlx::query_scalar!(
        r#"select exists(select 1 from invoices where order_id = $1) as "issued!""#,
        order as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to look the invoice up")?;
    if issued {
        return Ok(());
    }
    let o = sqlx::query!(
        r#"
        select contact_name, buyer_nip, buyer_company_name, shipping_address, billing_address,
               currency, total_minor, vat_total_minor, placed_at as "placed_at: DateTime<Utc>"
          from orders where id = $1
        "#,
        order as _
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to load the order to invoice")?;
    let address: AddressSnapshot = serde_json::from_value(
        o.billing_address
            .clone()
            .unwrap_or_else(|| o.shipping_address.clone()),
    )
    .context("Stored address is invalid")?;
    let buyer = Buyer {
        name: o
            .buyer_company_name
            .clone()
            .unwrap_or_else(|| o.contact_name.clone()),
        nip: o.buyer_nip.clone(),
        address,
    };
    // Dated and numbered by the Polish calendar: issued at 23:30 UTC on 31 December, an
    // invoice belongs to the new year.
    let issued_at = Utc::now();
    let year = warsaw_date(issued_at).year();
    let seq = sqlx::query_scalar!(
        r#"
        insert into invoice_counters (year, last_seq) values ($1, 1)
        on conflict (year) do update set last_seq = invoice_counters.last_seq + 1
        returning last_seq
        "#,
        year
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to number the invoice")?;
    let net = o.total_minor - o.vat_total_minor;
    sqlx::query!(
        r#"
        insert into invoices (id, order_id, year, seq, number, sale_date, seller, buyer,
                              currency, net_total_minor, vat_total_minor, gross_total_minor,
                              issued_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        "#,
        Uuid::now_v7(),
        order as _,
        year,
        seq,
        format!("FV/{year}/{seq:06}"),
        warsaw_date(o.placed_at) as _,
        serde_json::to_value(&svc.orders.seller).context("seller to JSON")?,
        serde_json::to_value(&buyer).context("buyer to JSON")?,
        o.currency,
        net,
        o.vat_total_minor,
        o.total_minor,
        issued_at as _,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to store the invoice")?;
    Ok(())
}

/// The name of the delivery line on invoices and corrections.
pub(super) const DELIVERY: &str = "Dostawa / Delivery";

/// The delivery's gross amount per VAT rate: what the order's VAT summary holds at each rate
/// beyond the goods (`goods`: rate and gross of each line). Shipping is taxed like the goods
/// it delivers (split by their values, `shopping::calc`), and orders placed before that carry
/// it at 23 %; reading it off the stored summary keeps every invoice equal to its order.
pub(super) fn delivery(goods: &[(VatRate, i64)], summary: &[VatLine]) -> Vec<(VatRate, i64)> {
    summary
        .iter()
        .filter_map(|row| {
            let goods_gross: i64 = goods
                .iter()
                .filter(|(rate, _)| *rate == row.rate)
                .map(|(_, gross)| gross)
                .sum();
            let gross = row.gross_minor - goods_gross;
            (gross > 0).then_some((row.rate, gross))
        })
        .collect()
}

/// The invoice of an order as issued.
pub(super) async fn load_invoice(
    svc: &Services,
    viewer: Viewer,
    order: OrderId,
) -> Result<(Invoice, Option<String>), Error> {
    let o = get_order(svc, viewer, order).await?;
    let r = sqlx::query!(
        r#"
        select number, issued_at as "issued_at: DateTime<Utc>",
               sale_date as "sale_date: NaiveDate", seller, buyer, currency, net_total_minor,
               vat_total_minor, gross_total_minor, pdf_key
          from invoices where order_id = $1
        "#,
        order as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the invoice")?
    .ok_or(Error::NotFound)?;
    let mut lines: Vec<InvoiceLine> = o
        .lines
        .iter()
        .map(|l| {
            let unit_vat = l.vat_rate.vat_in_gross(l.unit_price.minor);
            InvoiceLine {
                name: l.name.clone(),
                quantity: l.quantity,
                unit_net_minor: l.unit_price.minor - unit_vat,
                vat_rate: l.vat_rate,
                net_minor: l.line_total.minor - l.line_vat.minor,
                vat_minor: l.line_vat.minor,
                gross_minor: l.line_total.minor,
            }
        })
        .collect();
    let goods: Vec<(VatRate, i64)> = lines.iter().map(|l| (l.vat_rate, l.gross_minor)).collect();
    lines.extend(
        delivery(&goods, &o.vat_breakdown)
            .into_iter()
            .map(|(rate, gross)| {
                let vat = rate.vat_in_gross(gross);
                InvoiceLine {
                    name: DELIVERY.into(),
                    quantity: 1,
                    unit_net_minor: gross - vat,
                    vat_rate: rate,
                    net_minor: gross - vat,
                    vat_minor: vat,
                    gross_minor: gross,
                }
            }),
    );
    let invoice = Invoice {
        number: r.number,
        order_number: o.number,
        issued_at: r.issued_at,
        issue_date: warsaw_date(r.issued_at),
        sale_date: r.sale_date,
        seller: serde_json::from_value(r.seller).context("Stored seller is invalid")?,
        buyer: serde_json::from_value(r.buyer).context("Stored buyer is invalid")?,
        lines,
        summary: o.vat_breakdown.clone(),
        currency: r.currency,
        net_total_minor: r.net_total_minor,
        vat_total_minor: r.vat_total_minor,
        gross_total_minor: r.gross_total_minor,
        due_date: o.payment_due_at.map(|at| at.date_naive()),
        payment_method: o.payment_method,
    };
    Ok((invoice, r.pdf_key))
}

/// The invoice PDF of an order (its number and bytes), rendered once and then served from
/// the blob store. Only the order's owner and admins get it; no invoice yet is `NotFound`.
pub async fn invoice_pdf(
    svc: &Services,
    viewer: Viewer,
    order: OrderId,
) -> Result<(String, Vec<u8>), Error> {
    let (invoice, key) = load_invoice(svc, viewer, order).await?;
    if let Some(key) = &key
        && let Some(bytes) = svc
            .blobs
            .get(key)
            .await
            .context("Failed to read the invoice")?
    {
        return Ok((invoice.number, bytes.to_vec()));
    }
    let bytes = render_invoice_pdf(&invoice)?;
    let key = format!("invoices/{}/{order}.pdf", invoice.sale_date.year());
    svc.blobs
        .put(&key, bytes::Bytes::from(bytes.clone()))
        .await
        .context("Failed to store the invoice")?;
    sqlx::query!(
        "update invoices set pdf_key = $2 where order_id = $1",
        order as _,
        key
    )
    .execute(&svc.db)
    .await
    .context("Failed to record the invoice file")?;
    Ok((invoice.number, bytes))
}

/// `1234.5` as printed: `1 234,50`.
pub(super) fn amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    let whole = (minor / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", minor % 100)
}

fn method_label(method: &str) -> &'static str {
    match method {
        "card" => "karta / card",
        "blik" => "BLIK",
        "bank_transfer" => "przelew / bank transfer",
        _ => "płatność online / online payment",
    }
}

/// Renders an invoice as an A4 PDF.
pub fn render_invoice_pdf(invoice: &Invoice) -> Result<Vec<u8>, Error> {
    use printpdf::{Mm, PdfDocument};

    let (doc, page, layer) =
        PdfDocument::new(invoice.number.as_str(), Mm(210.0), Mm(297.0), "invoice");
    let font = doc
        .add_external_font(std::io::Cursor::new(FONT))
        .map_err(|e| anyhow::anyhow!("Failed to embed the font: {e}"))?;
    let mut layer = doc.get_page(page).get_layer(layer);
    let mut y = 280.0_f32;
    let text = |layer: &printpdf::PdfLayerReference, s: &str, size: f32, x: f32, y: f32| {
        layer.use_text(s, size, Mm(x), Mm(y), &font);
    };

    text(
        &layer,
        &format!("Faktura VAT / VAT invoice {}", invoice.number),
        16.0,
        15.0,
        y,
    );
    y -= 8.0;
    text(
        &layer,
        &format!(
            "Data wystawienia / Issued: {}    Data sprzedaży / Sale date: {}    Zamówienie / Order: {}",
            invoice.issue_date.format("%Y-%m-%d"),
            invoice.sale_date.format("%Y-%m-%d"),
            invoice.order_number
        ),
        8.5,
        15.0,
        y,
    );
    y -= 12.0;
    let seller = &invoice.seller;
    let buyer = &invoice.buyer;
    let seller_lines = [
        "Sprzedawca / Seller".to_owned(),
        seller.name.clone(),
        seller.street.clone(),
        format!("{} {}", seller.postal_code, seller.city),
        format!("NIP: {}", seller.nip),
    ];
    let mut buyer_lines = vec![
        "Nabywca / Buyer".to_owned(),
        buyer.name.clone(),
        buyer.address.street.clone(),
        format!(
            "{} {} {}",
            buyer.address.postal_code, buyer.address.city, buyer.address.country_code
        ),
    ];
    if let Some(nip) = &buyer.nip {
        buyer_lines.push(format!("NIP: {nip}"));
    }
    for (i, line) in seller_lines.iter().enumerate() {
        text(
            &layer,
            line,
            if i == 0 { 9.0 } else { 10.0 },
            15.0,
            y - 5.0 * i as f32,
        );
    }
    for (i, line) in buyer_lines.iter().enumerate() {
        text(
            &layer,
            line,
            if i == 0 { 9.0 } else { 10.0 },
            110.0,
            y - 5.0 * i as f32,
        );
    }
    y -= 5.0 * seller_lines.len().max(buyer_lines.len()) as f32 + 8.0;

    // Columns: no, name, qty, unit net, rate, net, VAT, gross.
    let columns = [15.0, 22.0, 100.0, 113.0, 135.0, 150.0, 170.0, 188.0];
    let header = [
        "Lp.",
        "Nazwa / Item",
        "Ilość",
        "Cena netto",
        "VAT",
        "Netto",
        "VAT",
        "Brutto",
    ];
    for (x, h) in columns.iter().zip(header) {
        text(&layer, h, 8.0, *x, y);
    }
    y -= 6.0;
    for (i, line) in invoice.lines.iter().enumerate() {
        if y < 40.0 {
            let (page, new_layer) = doc.add_page(Mm(210.0), Mm(297.0), "invoice");
            layer = doc.get_page(page).get_layer(new_layer);
            y = 280.0;
        }
        let name: String = line.name.chars().take(48).collect();
        let cells = [
            format!("{}", i + 1),
            name,
            line.quantity.to_string(),
            amount(line.unit_net_minor),
            line.vat_rate.to_string(),
            amount(line.net_minor),
            amount(line.vat_minor),
            amount(line.gross_minor),
        ];
        for (x, cell) in columns.iter().zip(&cells) {
            text(&layer, cell, 8.0, *x, y);
        }
        y -= 5.0;
    }
    if y < 70.0 {
        let (page, new_layer) = doc.add_page(Mm(210.0), Mm(297.0), "invoice");
        layer = doc.get_page(page).get_layer(new_layer);
        y = 280.0;
    }
    y -= 6.0;
    text(
        &layer,
        "Podsumowanie według stawek / Summary per VAT rate",
        9.0,
        15.0,
        y,
    );
    y -= 6.0;
    for row in &invoice.summary {
        text(
            &layer,
            &format!(
                "Stawka {}:  netto {}   VAT {}   brutto {}",
                row.rate,
                amount(row.net_minor),
                amount(row.vat_minor),
                amount(row.gross_minor)
            ),
            9.0,
            20.0,
            y,
        );
        y -= 5.0;
    }
    y -= 4.0;
    text(
        &layer,
        &format!(
            "Razem / Total:  netto {}   VAT {}   brutto {} {}",
            amount(invoice.net_total_minor),
            amount(invoice.vat_total_minor),
            amount(invoice.gross_total_minor),
            invoice.currency
        ),
        11.0,
        15.0,
        y,
    );
    y -= 8.0;
    let payment = match invoice.due_date {
        Some(due) => format!(
            "Do zapłaty przelewem do / Due by bank transfer by {due}: {} {}, tytuł / reference: {}",
            amount(invoice.gross_total_minor),
            invoice.currency,
            invoice.order_number
        ),
        None => format!(
            "Zapłacono / Paid: {} {} ({})",
            amount(invoice.gross_total_minor),
            invoice.currency,
            method_label(&invoice.payment_method)
        ),
    };
    text(&layer, &payment, 9.0, 15.0, y);
    if let Some(account) = &seller.bank_account {
        y -= 5.0;
        text(
            &layer,
            &format!("Konto / Bank account: {account}"),
            9.0,
            15.0,
            y,
        );
    }
    let bytes = doc
        .save_to_bytes()
        .map_err(|e| anyhow::anyhow!("Failed to write the PDF: {e}"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lines: usize) -> Invoice {
        let rate = VatRate::from_basis_points(500).unwrap_or(VatRate::STANDARD);
        Invoice {
            number: "FV/2026/000042".into(),
            order_number: 100_042,
            issued_at: Utc::now(),
            issue_date: Utc::now().date_naive(),
            sale_date: Utc::now().date_naive(),
            seller: Seller::default(),
            buyer: Buyer {
                name: "Şirket Gıda Sp. z o.o.".into(),
                nip: Some("1234563218".into()),
                address: AddressSnapshot {
                    name: "Zażółć Gęślą".into(),
                    street: "ul. Świętokrzyska 11".into(),
                    postal_code: "90-001".into(),
                    city: "Łódź".into(),
                    country_code: "PL".into(),
                    ..Default::default()
                },
            },
            lines: (0..lines)
                .map(|i| InvoiceLine {
                    name: format!("Masło ekstra {i}"),
                    quantity: 2,
                    unit_net_minor: 761,
                    vat_rate: rate,
                    net_minor: 1522,
                    vat_minor: 76,
                    gross_minor: 1598,
                })
                .collect(),
            summary: vec![VatLine {
                rate,
                net_minor: 1522,
                vat_minor: 76,
                gross_minor: 1598,
            }],
            currency: "PLN".into(),
            net_total_minor: 1522,
            vat_total_minor: 76,
            gross_total_minor: 1598,
            payment_method: "card".into(),
            due_date: None,
        }
    }

    #[test]
    fn long_invoices_flow_onto_more_pages() {
        for lines in [1, 120] {
            let bytes = render_invoice_pdf(&sample(lines)).unwrap_or_else(|e| panic!("{e}"));
            assert!(bytes.starts_with(b"%PDF"));
            let pages = bytes.windows(10).filter(|w| w == b"/Type/Page").count();
            if let Ok(dir) = std::env::var("INVOICE_PREVIEW_DIR") {
                let _ = std::fs::write(format!("{dir}/invoice-{lines}.pdf"), &bytes);
            }
            assert!(pages > lines / 60, "{lines} lines on {pages} pages");
        }
    }

    #[test]
    fn amounts_are_printed_the_polish_way() {
        assert_eq!(amount(0), "0,00");
        assert_eq!(amount(5), "0,05");
        assert_eq!(amount(123_456_789), "1 234 567,89");
        assert_eq!(amount(-1999), "-19,99");
    }
}
