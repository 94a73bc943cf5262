//! Structured invoices for KSeF: the FA(3) XML (schema `http://crd.gov.pl/wzor/2025/06/25/13775/`,
//! `schemat_FA(3)_v1-0E.xsd`) of an invoice and of a correcting invoice. Prices are gross, so
//! the lines carry the gross unit price and value (`P_9B`, `P_11A`) and the totals per rate
//! are computed on the gross sums (art. 106e ust. 7-8 of the VAT act), as on the PDF.
//! The tests validate the output against the official schema with `xmllint`.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Utc};

use super::Error;
use super::correction::{Amounts, Correction};
use super::invoice::{Buyer, Invoice, Seller, load_invoice};
use super::lifecycle::Viewer;
use crate::Services;
use crate::shared::{OrderId, VatRate};

/// The FA(3) namespace.
pub const NAMESPACE: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";

/// The FA(3) XML of an order's invoice (its number and the document), for the order's owner
/// and admins; an invoice to a consumer (no NIP) has none.
pub async fn invoice_document(
    svc: &Services,
    viewer: Viewer,
    order: OrderId,
) -> Result<(String, String), Error> {
    let (invoice, _) = load_invoice(svc, viewer, order).await?;
    let xml = invoice_xml(&invoice, Utc::now())?;
    Ok((invoice.number, xml))
}

/// The FA(3) XML of one of an order's correcting invoices.
pub async fn correction_document(
    svc: &Services,
    viewer: Viewer,
    order: OrderId,
    id: uuid::Uuid,
) -> Result<(String, String), Error> {
    let correction = super::correction::corrections(svc, viewer, order)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound)?;
    let xml = correction_xml(&correction, None, Utc::now())?;
    Ok((correction.number, xml))
}

/// An invoice as FA(3) XML, generated at `at`.
pub fn invoice_xml(invoice: &Invoice, at: DateTime<Utc>) -> Result<String, Error> {
    let mut x = Xml::default();
    header(&mut x, at, &invoice.seller, &invoice.buyer)?;
    x.open("Fa");
    x.leaf("KodWaluty", &invoice.currency);
    x.leaf("P_1", &date(invoice.issue_date));
    x.leaf("P_2", &invoice.number);
    x.leaf("P_6", &date(invoice.sale_date));
    let rates: Vec<(VatRate, Amounts)> = invoice
        .summary
        .iter()
        .map(|r| {
            (
                r.rate,
                Amounts {
                    net_minor: r.net_minor,
                    vat_minor: r.vat_minor,
                    gross_minor: r.gross_minor,
                },
            )
        })
        .collect();
    totals(&mut x, &rates, invoice.gross_total_minor)?;
    annotations(&mut x);
    x.leaf("RodzajFaktury", "VAT");
    for (i, line) in invoice.lines.iter().enumerate() {
        x.open("FaWiersz");
        x.leaf("NrWierszaFa", &(i + 1).to_string());
        x.leaf("P_7", &line.name);
        x.leaf("P_8A", "szt.");
        x.leaf("P_8B", &line.quantity.to_string());
        let unit_gross = line.gross_minor / i64::from(line.quantity.max(1));
        x.leaf("P_9B", &amount(unit_gross));
        x.leaf("P_11A", &amount(line.gross_minor));
        x.leaf("P_12", rate_code(line.vat_rate)?);
        x.close("FaWiersz");
    }
    x.open("Platnosc");
    match invoice.due_date {
        Some(due) => {
            x.open("TerminPlatnosci");
            x.leaf("Termin", &date(due));
            x.close("TerminPlatnosci");
            x.leaf("FormaPlatnosci", "6");
            if let Some(account) = &invoice.seller.bank_account {
                let digits: String = account
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                x.open("RachunekBankowy");
                x.leaf("NrRB", &digits);
                x.close("RachunekBankowy");
            }
        }
        None => {
            x.leaf("Zaplacono", "1");
            x.leaf("DataZaplaty", &date(invoice.issue_date));
            x.leaf("FormaPlatnosci", payment_form(&invoice.payment_method));
        }
    }
    x.close("Platnosc");
    x.close("Fa");
    x.close("Faktura");
    Ok(x.0)
}

/// A correcting invoice as FA(3) XML (`RodzajFaktury` KOR): the corrected invoice named
/// (not in KSeF when it has no KSeF number), each line before (`StanPrzed`) and after, and
/// the totals' differences.
pub fn correction_xml(
    correction: &Correction,
    ksef_number: Option<&str>,
    at: DateTime<Utc>,
) -> Result<String, Error> {
    let mut x = Xml::default();
    header(&mut x, at, &correction.seller, &correction.buyer)?;
    x.open("Fa");
    x.leaf("KodWaluty", &correction.currency);
    x.leaf("P_1", &date(correction.issue_date));
    x.leaf("P_2", &correction.number);
    let rates: Vec<(VatRate, Amounts)> = correction
        .summary
        .iter()
        .map(|r| (r.rate, r.after.minus(r.before)))
        .collect();
    totals(&mut x, &rates, correction.difference().gross_minor)?;
    annotations(&mut x);
    x.leaf("RodzajFaktury", "KOR");
    x.leaf("PrzyczynaKorekty", correction.reason.label());
    // The tax base is lowered when the correction is issued (art. 29a ust. 13).
    x.leaf("TypKorekty", "2");
    x.open("DaneFaKorygowanej");
    x.leaf(
        "DataWystFaKorygowanej",
        &date(correction.corrected_issue_date),
    );
    x.leaf("NrFaKorygowanej", &correction.corrects);
    match ksef_number {
        Some(number) => {
            x.leaf("NrKSeF", "1");
            x.leaf("NrKSeFFaKorygowanej", number);
        }
        None => x.leaf("NrKSeFN", "1"),
    }
    x.close("DaneFaKorygowanej");
    let mut row = 0;
    for line in &correction.lines {
        for (state, amounts) in [(true, line.before), (false, line.after)] {
            row += 1;
            x.open("FaWiersz");
            x.leaf("NrWierszaFa", &row.to_string());
            x.leaf("P_7", &line.name);
            x.leaf("P_8A", "szt.");
            x.leaf("P_8B", &line.quantity.to_string());
            x.leaf("P_11A", &amount(amounts.gross_minor));
            x.leaf("P_12", rate_code(line.vat_rate)?);
            if state {
                x.leaf("StanPrzed", "1");
            }
            x.close("FaWiersz");
        }
    }
    x.close("Fa");
    x.close("Faktura");
    Ok(x.0)
}

fn header(x: &mut Xml, at: DateTime<Utc>, seller: &Seller, buyer: &Buyer) -> Result<(), Error> {
    let nip = buyer.nip.as_deref().ok_or_else(|| Error::Invalid {
        field: "buyer",
        message: "a structured invoice needs the buyer's NIP".into(),
    })?;
    x.0.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = write!(x.0, r#"<Faktura xmlns="{NAMESPACE}">"#);
    x.open("Naglowek");
    x.0.push_str(r#"<KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>"#);
    x.leaf("WariantFormularza", "3");
    x.leaf(
        "DataWytworzeniaFa",
        &at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    x.leaf("SystemInfo", "Metropolitan");
    x.close("Naglowek");
    x.open("Podmiot1");
    x.open("DaneIdentyfikacyjne");
    x.leaf("NIP", &seller.nip);
    x.leaf("Nazwa", &seller.name);
    x.close("DaneIdentyfikacyjne");
    address(
        x,
        "PL",
        &seller.street,
        &format!("{} {}", seller.postal_code, seller.city),
    );
    x.close("Podmiot1");
    x.open("Podmiot2");
    x.open("DaneIdentyfikacyjne");
    x.leaf("NIP", nip);
    x.leaf("Nazwa", &buyer.name);
    x.close("DaneIdentyfikacyjne");
    address(
        x,
        &buyer.address.country_code,
        &buyer.address.street,
        &format!("{} {}", buyer.address.postal_code, buyer.address.city),
    );
    // Not a local-government unit, not a VAT group member.
    x.leaf("JST", "2");
    x.leaf("GV", "2");
    x.close("Podmiot2");
    Ok(())
}

fn address(x: &mut Xml, country: &str, first: &str, second: &str) {
    x.open("Adres");
    x.leaf("KodKraju", country);
    x.leaf("AdresL1", first);
    x.leaf("AdresL2", second);
    x.close("Adres");
}

/// Net and VAT per rate in the schema's fields, then the gross total.
fn totals(x: &mut Xml, rates: &[(VatRate, Amounts)], gross: i64) -> Result<(), Error> {
    let fields = |rate: VatRate| -> Result<(&'static str, Option<&'static str>), Error> {
        Ok(match rate.basis_points() {
            2300 => ("P_13_1", Some("P_14_1")),
            800 => ("P_13_2", Some("P_14_2")),
            500 => ("P_13_3", Some("P_14_3")),
            0 => ("P_13_6_1", None),
            _ => return Err(unsupported(rate)),
        })
    };
    // The schema's order: 23 %, 8 %, 5 %, then 0 %.
    let mut sorted: Vec<&(VatRate, Amounts)> = rates.iter().collect();
    sorted.sort_by_key(|(rate, _)| match rate.basis_points() {
        0 => i32::MAX,
        bp => -bp,
    });
    for (rate, a) in sorted {
        let (net, vat) = fields(*rate)?;
        x.leaf(net, &amount(a.net_minor));
        if let Some(vat) = vat {
            x.leaf(vat, &amount(a.vat_minor));
        }
    }
    x.leaf("P_15", &amount(gross));
    Ok(())
}

/// The annotations every ordinary domestic sale carries: no cash accounting, no self-billing,
/// no reverse charge, no split payment, no exemption, no new means of transport, no
/// simplified triangular procedure, no margin scheme.
fn annotations(x: &mut Xml) {
    x.open("Adnotacje");
    for field in ["P_16", "P_17", "P_18", "P_18A"] {
        x.leaf(field, "2");
    }
    x.open("Zwolnienie");
    x.leaf("P_19N", "1");
    x.close("Zwolnienie");
    x.open("NoweSrodkiTransportu");
    x.leaf("P_22N", "1");
    x.close("NoweSrodkiTransportu");
    x.leaf("P_23", "2");
    x.open("PMarzy");
    x.leaf("P_PMarzyN", "1");
    x.close("PMarzy");
    x.close("Adnotacje");
}

fn rate_code(rate: VatRate) -> Result<&'static str, Error> {
    Ok(match rate.basis_points() {
        2300 => "23",
        800 => "8",
        500 => "5",
        0 => "0 KR",
        _ => return Err(unsupported(rate)),
    })
}

fn unsupported(rate: VatRate) -> Error {
    Error::Invalid {
        field: "vat_rate",
        message: format!("{rate} has no field in FA(3)"),
    }
}

/// The schema's payment form: card 2, mobile (BLIK) 7, transfer 6.
fn payment_form(method: &str) -> &'static str {
    match method {
        "card" => "2",
        "blik" => "7",
        _ => "6",
    }
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Minor units as the schema's amounts: `-5.00`, `1234.56`.
fn amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A minimal XML writer: elements and escaped text, nothing else.
#[derive(Default)]
struct Xml(String);

impl Xml {
    fn open(&mut self, name: &str) {
        let _ = write!(self.0, "<{name}>");
    }

    fn close(&mut self, name: &str) {
        let _ = write!(self.0, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&apos;"),
                c if c.is_control() => self.0.push(' '),
                c => self.0.push(c),
            }
        }
        self.close(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_text_are_written_as_the_schema_reads_them() {
        assert_eq!(amount(-500), "-5.00");
        assert_eq!(amount(123_456), "1234.56");
        assert_eq!(amount(7), "0.07");
        let mut x = Xml::default();
        x.leaf("P_7", "Sok \"A&B\" <1 l>");
        assert_eq!(x.0, "<P_7>Sok &quot;A&amp;B&quot; &lt;1 l&gt;</P_7>");
        assert_eq!(payment_form("blik"), "7");
        assert!(rate_code(VatRate::from_basis_points(400).unwrap_or(VatRate::STANDARD)).is_err());
    }
}
