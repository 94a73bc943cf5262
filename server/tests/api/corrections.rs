//! Correcting invoices (issue 16): a partial refund, a full refund and a cancelled transfer
//! order each corrected once, in a gap-free KOR series, with per-line and per-rate rows that
//! add up; duplicates and late refund notices correct nothing; PDFs for the owner only.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, assert_error_shape, json};
use crate::orders::{add_to_cart, cart_total, pdf_text, place};
use crate::payments::{event, intent, outcome, place_butter, shop};

async fn corrections(app: &TestApp, token: &str, order: &str) -> Value {
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/orders/{order}/corrections"),
            token,
            None,
        )
        .await;
    assert_eq!(answer.status().as_u16(), 200);
    json(answer).await
}

/// Every correction's rows add up: lines to the rates' changes, rates to the total change,
/// net plus VAT to gross; after = before + change.
fn assert_adds_up(c: &Value) {
    let sum = |rows: &Value, part: &str, key: &str| -> i64 {
        rows.as_array()
            .map(|r| r.iter().map(|x| x[part][key].as_i64().unwrap_or(0)).sum())
            .unwrap_or(0)
    };
    let gross = |rows: &Value| sum(rows, "change", "gross_minor");
    assert_eq!(
        gross(&c["lines"]),
        c["change"]["gross_minor"].as_i64().unwrap_or(1),
        "{c}"
    );
    assert_eq!(
        gross(&c["summary"]),
        c["change"]["gross_minor"].as_i64().unwrap_or(1)
    );
    for rows in [&c["lines"], &c["summary"]] {
        for row in rows.as_array().into_iter().flatten() {
            for part in ["before", "after", "change"] {
                let a = &row[part];
                assert_eq!(
                    a["net_minor"].as_i64().unwrap_or(0) + a["vat_minor"].as_i64().unwrap_or(0),
                    a["gross_minor"].as_i64().unwrap_or(1),
                    "{row}"
                );
            }
            assert_eq!(
                row["before"]["gross_minor"].as_i64().unwrap_or(0)
                    + row["change"]["gross_minor"].as_i64().unwrap_or(0),
                row["after"]["gross_minor"].as_i64().unwrap_or(1)
            );
            assert!(row["after"]["gross_minor"].as_i64().unwrap_or(-1) >= 0);
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn partial_and_full_refunds_are_corrected_once_each_and_add_up(pool: PgPool) {
    let shop = shop(pool).await;
    let app = &shop.app;
    let (id, total) = place_butter(&shop, 4).await;
    let pi = intent(&id, total, "pln");
    let pi_id = pi["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        outcome(app, &event("payment_intent.succeeded", pi)).await,
        "applied"
    );
    assert_eq!(corrections(app, &shop.token, &id).await, json!([]));
    let charge = |refunded: i64| {
        json!({
            "id": "ch_1", "object": "charge", "amount": total, "amount_refunded": refunded,
            "currency": "pln", "payment_intent": pi_id, "refunded": refunded == total, "metadata": {}
        })
    };
    assert_eq!(
        outcome(app, &event("charge.refunded", charge(500))).await,
        "applied"
    );
    // The same notice again, and a late one about less: nothing more is corrected.
    outcome(app, &event("charge.refunded", charge(500))).await;
    outcome(app, &event("charge.refunded", charge(300))).await;
    let first = corrections(app, &shop.token, &id).await;
    assert_eq!(first.as_array().map(Vec::len), Some(1), "{first}");
    let c = &first[0];
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(c["number"], format!("KOR/{year}/000001"));
    assert_eq!(c["reason"], "refund");
    assert!(c["corrects"].as_str().is_some_and(|n| n.starts_with("FV/")));
    assert_eq!(c["change"]["gross_minor"], -500);
    assert_adds_up(c);

    assert_eq!(
        outcome(app, &event("charge.refunded", charge(total))).await,
        "applied"
    );
    let both = corrections(app, &shop.token, &id).await;
    assert_eq!(both.as_array().map(Vec::len), Some(2), "{both}");
    let last = &both[1];
    assert_eq!(last["number"], format!("KOR/{year}/000002"));
    assert_eq!(last["change"]["gross_minor"], -(total - 500));
    assert_adds_up(last);
    assert!(
        last["summary"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["after"]["gross_minor"] == 0 && r["after"]["vat_minor"] == 0),
        "nothing stays invoiced: {last}"
    );
    // The second starts where the first ended.
    assert_eq!(
        last["summary"][0]["before"]["gross_minor"],
        c["summary"][0]["after"]["gross_minor"]
    );

    // The PDF names both invoices; only the owner (and admins) get it.
    let pdf_path = format!(
        "/api/v1/orders/{id}/corrections/{}/pdf",
        c["id"].as_str().unwrap_or_default()
    );
    assert_eq!(c["pdf_url"], pdf_path.as_str());
    let pdf = app.call(Method::GET, &pdf_path, &shop.token, None).await;
    assert_eq!(pdf.status().as_u16(), 200);
    let bytes = pdf.bytes().await.unwrap_or_default();
    assert!(bytes.starts_with(b"%PDF"));
    let text = pdf_text(&bytes);
    assert!(text.contains(&format!("KOR/{year}/000001")), "{text}");
    assert!(
        text.contains(c["corrects"].as_str().unwrap_or("FV/")),
        "{text}"
    );
    assert!(text.contains("-5,00"), "{text}");
    let stranger = app.customer_token("+48500300499").await;
    assert_error_shape(
        app.call(Method::GET, &pdf_path, &stranger, None).await,
        404,
        "not_found",
    )
    .await;
    let listed = app
        .call(
            Method::GET,
            &format!("/api/v1/orders/{id}/corrections"),
            &stranger,
            None,
        )
        .await;
    assert_error_shape(listed, 404, "not_found").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cancelled_transfer_order_has_its_invoice_corrected_to_zero(pool: PgPool) {
    let shop = shop(pool).await;
    let app = &shop.app;
    crate::auth::create_admin(app).await;
    let admin = crate::auth::admin_token(app).await;
    let tokens = app.sign_in_by_phone("+48500300402", None).await;
    let company = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = app
        .post_as(
            Some(&company),
            "/api/v1/me/complete-profile",
            &json!({ "customer_type": "corporate", "nip": "1234563218", "company_name": "Bistro", "accept_terms": true }),
        )
        .await;
    assert_eq!(done.status().as_u16(), 200);
    let set = app
        .call(
            Method::PUT,
            "/api/v1/admin/payment-terms",
            &admin,
            Some(&json!({ "days": 14 })),
        )
        .await;
    assert_eq!(set.status().as_u16(), 200);
    sqlx::query(
        "update products set min_qty_corporate = 1, corporate_price_minor = null where id = $1",
    )
    .bind(shop.butter)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    add_to_cart(app, &company, shop.butter, 3).await;
    let total = cart_total(app, &company).await;
    let body = json!({
        "shipping_address": { "recipient_name": "Bistro", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "accept_terms": true, "expected_total_minor": total, "payment_method": "bank_transfer"
    });
    let placed = json(place(app, &company, &body, None).await).await;
    let id = placed["id"].as_str().unwrap_or_default().to_owned();
    assert!(placed["invoice_number"].is_string());
    let cancel = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/orders/{id}/status"),
            &admin,
            Some(&json!({ "status": "cancelled", "note": "customer changed their mind" })),
        )
        .await;
    assert_eq!(cancel.status().as_u16(), 200);
    let list = corrections(app, &company, &id).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["reason"], "cancellation");
    assert_eq!(list[0]["change"]["gross_minor"], -total);
    assert_adds_up(&list[0]);
    // The admin sees it too.
    assert_eq!(corrections(app, &admin, &id).await, list);
}

/// Validates `xml` against the official FA(3) schema (from the `ksef-client` package in
/// `.tools/venv`, installed by `scripts/deps.sh --test`) with xmllint, offline: an XML catalog
/// points the schema's imports at the package's copies. Answers xmllint's verdict.
pub(crate) fn fa3_verdict(xml: &str) -> Result<(), String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lib = root.join(".tools/venv/lib");
    let schemas = std::fs::read_dir(&lib)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/deps.sh --test)", lib.display()))
        .filter_map(Result::ok)
        .map(|python| {
            python
                .path()
                .join("site-packages/ksef_client/documents/fa3/schemas")
        })
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| {
            panic!("ksef-client's FA(3) schemas are missing: run scripts/deps.sh --test")
        });
    let dir = std::env::temp_dir().join(format!("fa3-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let base = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/";
    let local = format!("file://{}/", schemas.display());
    let catalog = format!(
        r#"<?xml version="1.0"?><catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"><rewriteSystem systemIdStartString="{base}" rewritePrefix="{local}"/><rewriteURI uriStartString="{base}" rewritePrefix="{local}"/></catalog>"#
    );
    std::fs::write(dir.join("catalog.xml"), catalog).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("doc.xml"), xml).unwrap_or_else(|e| panic!("{e}"));
    let output = std::process::Command::new("xmllint")
        .env("XML_CATALOG_FILES", dir.join("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(schemas.join("schemat_FA(3)_v1-0E.xsd"))
        .arg(dir.join("doc.xml"))
        .output()
        .unwrap_or_else(|e| panic!("xmllint (apt install libxml2-utils): {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

async fn xml(app: &TestApp, token: &str, path: &str) -> String {
    let answer = app.call(Method::GET, path, token, None).await;
    assert_eq!(answer.status().as_u16(), 200, "{path}");
    assert!(
        answer
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/xml"))
    );
    answer.text().await.unwrap_or_default()
}

#[sqlx::test(migrations = "../migrations")]
async fn company_invoices_and_corrections_are_valid_fa3_documents(pool: PgPool) {
    let shop = shop(pool).await;
    let app = &shop.app;
    // A company invoice (name and NIP at checkout) paid by card, then partly refunded.
    let company = shop.token.clone();
    add_to_cart(app, &company, shop.butter, 3).await;
    let total = cart_total(app, &company).await;
    let body = json!({
        "shipping_address": { "recipient_name": "Bistro", "street": "ul. Krótka 2", "city": "Kraków", "postal_code": "30-001" },
        "company_name": "Bistro & Co \"Anatolia\"", "nip": "123-456-32-18",
        "accept_terms": true, "expected_total_minor": total
    });
    let placed = json(place(app, &company, &body, None).await).await;
    let id = placed["id"].as_str().unwrap_or_default().to_owned();
    let pi = intent(&id, total, "pln");
    let pi_id = pi["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        outcome(app, &event("payment_intent.succeeded", pi)).await,
        "applied"
    );
    let invoice = xml(app, &company, &format!("/api/v1/orders/{id}/invoice.xml")).await;
    assert_eq!(fa3_verdict(&invoice), Ok(()), "{invoice}");
    assert!(
        invoice.contains("<NIP>1234563218</NIP>")
            && invoice.contains("<RodzajFaktury>VAT</RodzajFaktury>")
    );
    assert!(
        invoice.contains(&format!("<P_15>{}.{:02}</P_15>", total / 100, total % 100)),
        "{invoice}"
    );
    assert!(
        invoice.contains("Bistro &amp; Co &quot;Anatolia&quot;"),
        "{invoice}"
    );

    let refund = json!({
        "id": "ch_1", "object": "charge", "amount": total, "amount_refunded": 700,
        "currency": "pln", "payment_intent": pi_id, "refunded": false, "metadata": {}
    });
    assert_eq!(
        outcome(app, &event("charge.refunded", refund)).await,
        "applied"
    );
    let list = corrections(app, &company, &id).await;
    let cid = list[0]["id"].as_str().unwrap_or_default();
    let correction = xml(
        app,
        &company,
        &format!("/api/v1/orders/{id}/corrections/{cid}/xml"),
    )
    .await;
    assert_eq!(fa3_verdict(&correction), Ok(()), "{correction}");
    assert!(correction.contains("<RodzajFaktury>KOR</RodzajFaktury>"));
    assert!(correction.contains("<P_15>-7.00</P_15>"), "{correction}");
    assert!(correction.contains("<StanPrzed>1</StanPrzed>"));
    assert!(correction.contains(&format!(
        "<NrFaKorygowanej>{}</NrFaKorygowanej>",
        placed["invoice_number"].as_str().map_or_else(
            || list[0]["corrects"].as_str().unwrap_or_default().to_owned(),
            str::to_owned
        )
    )));

    // The validator can fail: a document without its seller is refused.
    let broken = invoice
        .replace("<NIP>", "<NIPX>")
        .replace("</NIP>", "</NIPX>");
    assert!(fa3_verdict(&broken).is_err());
    // A consumer's invoice has no structured form.
    let (consumer_order, consumer_total) = place_butter(&shop, 1).await;
    let pi = intent(&consumer_order, consumer_total, "pln");
    assert_eq!(
        outcome(app, &event("payment_intent.succeeded", pi)).await,
        "applied"
    );
    let none = app
        .call(
            Method::GET,
            &format!("/api/v1/orders/{consumer_order}/invoice.xml"),
            &shop.token,
            None,
        )
        .await;
    assert_error_shape(none, 422, "validation_failed").await;
}
