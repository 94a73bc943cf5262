//! `metropolitan import-products`.

use sqlx::PgPool;

use crate::helpers::{json, spawn_app};

const CSV: &str = "\
sku,slug,category,brand,name_pl,name_en,price,corporate_price,vat_rate,stock,net_quantity,net_unit,allergens,badges,storage
MT-NEW-1,ser-halloumi-250g,nabial,Pittas,Ser halloumi 250 g,Halloumi cheese 250 g,\"18,99\",17.49,5,40,250,g,milk,vegetarian|halal,chilled
MT-0102-1,maslo-extra-200g,nabial,Łaciate,Masło extra 82% 200 g,Butter 82% 200 g,8.49,,5,12,200,g,milk,vegetarian,chilled
MT-BAD-1,bad-price,nabial,X,Zła cena,,12.999,,5,1,,,,,
MT-BAD-2,bad-category,no-such-category,X,Zła kategoria,,1.00,,5,1,,,,,
MT-BAD-3,bad-stock,nabial,X,Zły stan,,1.00,,5,-4,,,,,
MT-BAD-4,bad-vat,nabial,X,Zły VAT,,1.00,,123,1,,,,,
MT-BAD-5,bad-allergen,nabial,X,Zły alergen,,1.00,,5,1,,,arsenic,,
";

#[sqlx::test(migrations = "../migrations")]
async fn import_creates_and_updates_by_sku_and_reports_bad_rows_by_line(pool: PgPool) {
    // Arrange
    let app = spawn_app(pool).await;
    app.seed_catalog().await;
    let file = std::env::temp_dir().join(format!("import-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(&file, CSV).unwrap_or_else(|e| panic!("{e}"));
    let services = app.services();
    let before = json(app.get("/api/v1/products/maslo-extra-200g").await).await;
    assert_eq!(before["price_minor"], 799, "now cached by the running app");
    // Act
    let report = server::import::import_products(&services, &file, false)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let _ = std::fs::remove_file(&file);
    // Assert
    assert_eq!((report.created, report.updated), (1, 1));
    let lines: Vec<u64> = report.rejected.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 8]);
    let reasons: Vec<&str> = report.rejected.iter().map(|(_, r)| r.as_str()).collect();
    assert!(reasons[0].starts_with("price:"), "{reasons:?}");
    assert!(reasons[1].contains("no-such-category"), "{reasons:?}");
    assert!(reasons[2].starts_with("stock:"), "{reasons:?}");
    assert!(reasons[3].starts_with("vat_rate:"), "{reasons:?}");
    assert!(reasons[4].starts_with("allergens:"), "{reasons:?}");

    let created = json(app.get("/api/v1/products/ser-halloumi-250g?lang=en").await).await;
    assert_eq!(created["name"], "Halloumi cheese 250 g");
    assert_eq!(created["price_minor"], 1899);
    assert_eq!(created["badges"][1], "halal");
    // The import ran in another Services (as the CLI does); the app hears of it via Redis.
    let mut updated = serde_json::Value::Null;
    for _ in 0..50 {
        updated = json(app.get("/api/v1/products/maslo-extra-200g").await).await;
        if updated["price_minor"] == 849 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        updated["price_minor"], 849,
        "the import invalidated the app's cache"
    );
    assert_eq!(updated["stock"], 12);
    let bad: i64 = sqlx::query_scalar("select count(*) from products where sku like 'MT-BAD-%'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_default();
    assert_eq!(bad, 0, "bad rows change nothing");
    // Search finds the new product by brand.
    let found = json(app.get("/api/v1/search?q=pittas").await).await;
    assert_eq!(found["total"], 1);
}
