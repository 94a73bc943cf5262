//! A correcting invoice as an A4 PDF, laid out like the invoice: the corrected invoice named,
//! the reason, every line and every rate before, after and the difference, and the total
//! to return.

use super::Error;
use super::correction::{Amounts, Correction};
use super::invoice::{FONT, amount};

/// Renders a correction.
pub fn render(correction: &Correction) -> Result<Vec<u8>, Error> {
    use printpdf::{Mm, PdfDocument};

    let (doc, page, layer) = PdfDocument::new(
        correction.number.as_str(),
        Mm(210.0),
        Mm(297.0),
        "correction",
    );
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
        &format!(
            "Faktura korygująca / Correcting invoice {}",
            correction.number
        ),
        15.0,
        15.0,
        y,
    );
    y -= 7.0;
    let heading = [
        format!(
            "Data wystawienia / Issued: {}    Zamówienie / Order: {}",
            correction.issue_date.format("%Y-%m-%d"),
            correction.order_number
        ),
        format!(
            "Do faktury / Corrects invoice {} z dnia / of {}",
            correction.corrects,
            correction.corrected_issue_date.format("%Y-%m-%d")
        ),
        format!("Przyczyna korekty / Reason: {}", correction.reason.label()),
    ];
    for line in &heading {
        text(&layer, line, 9.0, 15.0, y);
        y -= 5.0;
    }
    y -= 5.0;
    let seller = &correction.seller;
    let buyer = &correction.buyer;
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
    for (x, block) in [(15.0, &seller_lines[..]), (110.0, &buyer_lines[..])] {
        for (i, line) in block.iter().enumerate() {
            let size = if i == 0 { 9.0 } else { 10.0 };
            text(&layer, line, size, x, y - 5.0 * i as f32);
        }
    }
    y -= 5.0 * seller_lines.len().max(buyer_lines.len()) as f32 + 8.0;

    // Columns: no, name, rate, then net / VAT / gross.
    let columns = [15.0, 22.0, 82.0, 98.0, 130.0, 162.0];
    let header = [
        "Lp.",
        "Nazwa / Item",
        "VAT",
        "Przed / Before",
        "Po / After",
        "Różnica / Change",
    ];
    for (x, h) in columns.iter().zip(header) {
        text(&layer, h, 8.0, *x, y);
    }
    y -= 4.0;
    text(&layer, "(netto / VAT / brutto)", 7.0, columns[3], y);
    y -= 5.0;
    let triple = |a: Amounts| {
        format!(
            "{} / {} / {}",
            amount(a.net_minor),
            amount(a.vat_minor),
            amount(a.gross_minor)
        )
    };
    for (i, line) in correction.lines.iter().enumerate() {
        if y < 50.0 {
            let (page, new_layer) = doc.add_page(Mm(210.0), Mm(297.0), "correction");
            layer = doc.get_page(page).get_layer(new_layer);
            y = 280.0;
        }
        let name: String = line.name.chars().take(34).collect();
        let cells = [
            format!("{}", i + 1),
            format!("{name} ×{}", line.quantity),
            line.vat_rate.to_string(),
            triple(line.before),
            triple(line.after),
            triple(line.after.minus(line.before)),
        ];
        for (x, cell) in columns.iter().zip(&cells) {
            text(&layer, cell, 7.5, *x, y);
        }
        y -= 5.0;
    }
    if y < 70.0 {
        let (page, new_layer) = doc.add_page(Mm(210.0), Mm(297.0), "correction");
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
    for row in &correction.summary {
        let cells = [
            String::new(),
            String::new(),
            row.rate.to_string(),
            triple(row.before),
            triple(row.after),
            triple(row.after.minus(row.before)),
        ];
        for (x, cell) in columns.iter().zip(&cells) {
            text(&layer, cell, 7.5, *x, y);
        }
        y -= 5.0;
    }
    y -= 5.0;
    let change = correction.difference();
    text(
        &layer,
        &format!(
            "Razem korekta / Total change:  netto {}   VAT {}   brutto {} {}",
            amount(change.net_minor),
            amount(change.vat_minor),
            amount(change.gross_minor),
            correction.currency
        ),
        10.5,
        15.0,
        y,
    );
    y -= 7.0;
    text(
        &layer,
        &format!(
            "Do zwrotu / To be returned: {} {}",
            amount(-change.gross_minor),
            correction.currency
        ),
        10.0,
        15.0,
        y,
    );
    doc.save_to_bytes()
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("Failed to write the PDF: {e}")))
}
