//! `metropolitan import-products FILE.csv`: create or update products by SKU.
//!
//! The first line names the columns (any order). Required: `sku`, `slug`, `category`
//! (slug), `name_pl` (the default language's name), `price` (gross, e.g. `12.99`),
//! `vat_rate` (percent: 23, 8, 5, 0), `stock` (a plain number is what was counted on the
//! shelf: the units of orders not yet shipped are subtracted from it; `+24` or `-2` changes
//! the stock by that much; a new product starts from zero). Optional: `brand`, `name_en`, `name_tr`,
//! `description_pl|en|tr` (markdown), `individual_price`, `corporate_price`,
//! `min_qty_individual`, `min_qty_corporate`, `qty_per_box`, `net_quantity`, `net_unit`
//! (g, ml, pcs), `origin` (ISO country), `storage` (ambient, chilled, frozen), `allergens` and
//! `badges` (separated by `|`), `active` (true/false, default true).
//! Each row is saved in its own transaction: a bad row is reported with its line number and
//! skipped, good rows are kept.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use domain::Services;
use domain::catalog::{self, NewProduct, NewProductTranslation, Saved, Slug, StockEdit};
use domain::shared::{Currency, Locale, Money, VatRate};
use indicatif::{ProgressBar, ProgressStyle};

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Products created.
    pub created: usize,
    /// Products updated.
    pub updated: usize,
    /// Rejected rows: (line number, reason).
    pub rejected: Vec<(u64, String)>,
}

/// Imports every row of a CSV file; see the module documentation for the columns.
pub async fn import_products(
    svc: &Services,
    file: &Path,
    show_progress: bool,
) -> anyhow::Result<ImportReport> {
    let text = tokio::fs::read_to_string(file)
        .await
        .with_context(|| format!("Cannot read {}", file.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns: HashMap<String, usize> = reader
        .headers()
        .context("The first line must name the columns")?
        .iter()
        .enumerate()
        .map(|(i, name)| (name.to_ascii_lowercase(), i))
        .collect();
    for required in [
        "sku", "slug", "category", "name_pl", "price", "vat_rate", "stock",
    ] {
        anyhow::ensure!(
            columns.contains_key(required),
            "missing column `{required}`"
        );
    }
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .context("The file is not valid CSV")?;
    let bar = if show_progress {
        ProgressBar::new(rows.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("Importing [{bar:40}] {pos}/{len} {msg}")
            .context("Invalid progress template")?
            .progress_chars("=> "),
    );

    let mut report = ImportReport::default();
    for record in &rows {
        let line = record.position().map_or(0, |p| p.line());
        let row = Row {
            columns: &columns,
            record,
        };
        match row.product(svc.default_locale) {
            Err(reason) => report.rejected.push((line, reason)),
            Ok(product) => match catalog::upsert_product(svc, &product).await {
                Ok(Saved::Created(_)) => report.created += 1,
                Ok(Saved::Updated(_)) => report.updated += 1,
                Err(catalog::Error::Unexpected(e)) => return Err(e.context(format!("line {line}"))),
                Err(e) => report.rejected.push((line, e.to_string())),
            },
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(report)
}

struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .filter(|v| !v.is_empty())
    }

    fn required(&self, column: &str) -> Result<&str, String> {
        self.get(column)
            .ok_or_else(|| format!("{column}: is required"))
    }

    fn number<T: std::str::FromStr>(&self, column: &str) -> Result<Option<T>, String> {
        self.get(column)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("{column}: `{v}` is not a whole number"))
            })
            .transpose()
    }

    fn money(&self, column: &str) -> Result<Option<Money>, String> {
        self.get(column)
            .map(|v| Money::parse_major(v, Currency::PLN).map_err(|e| format!("{column}: {e}")))
            .transpose()
    }

    fn list(&self, column: &str) -> Vec<String> {
        self.get(column)
            .map(|v| {
                v.split('|')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn product(&self, default_locale: Locale) -> Result<NewProduct, String> {
        let slug = Slug::parse(self.required("slug")?).map_err(|e| e.to_string())?;
        let category = Slug::parse(self.required("category")?)
            .map_err(|_| "category: is not a slug".to_owned())?;
        let price = self.money("price")?.ok_or("price: is required")?;
        let vat_percent: i32 = self.number("vat_rate")?.ok_or("vat_rate: is required")?;
        let vat_rate = vat_percent
            .checked_mul(100)
            .ok_or_else(|| "vat_rate: out of range".to_owned())
            .and_then(|bp| VatRate::from_basis_points(bp).map_err(|e| format!("vat_rate: {e}")))?;
        let stock = StockEdit::from_csv(self.required("stock")?).map_err(|e| e.to_string())?;
        let net_quantity: Option<i32> = self.number("net_quantity")?;
        let net_unit = match self.get("net_unit") {
            None => None,
            Some("g") => Some("g"),
            Some("ml") => Some("ml"),
            Some("pcs") => Some("pcs"),
            Some(other) => return Err(format!("net_unit: `{other}` is not g, ml or pcs")),
        };
        let storage = match self.get("storage") {
            None => None,
            Some("ambient") => Some("ambient"),
            Some("chilled") => Some("chilled"),
            Some("frozen") => Some("frozen"),
            Some(other) => {
                return Err(format!(
                    "storage: `{other}` is not ambient, chilled or frozen"
                ));
            }
        };
        let is_active = match self.get("active").map(str::to_ascii_lowercase).as_deref() {
            None | Some("true" | "yes" | "1") => true,
            Some("false" | "no" | "0") => false,
            Some(other) => return Err(format!("active: `{other}` is not true or false")),
        };
        let translations = Locale::ALL
            .into_iter()
            .filter_map(|locale| {
                self.get(&format!("name_{}", locale.code()))
                    .map(|name| NewProductTranslation {
                        locale,
                        name: name.to_owned(),
                        full_name: None,
                        description: self
                            .get(&format!("description_{}", locale.code()))
                            .map(str::to_owned),
                    })
            })
            .collect();
        let product = NewProduct {
            slug,
            sku: self.required("sku")?.to_owned(),
            brand: self.get("brand").map(str::to_owned),
            category,
            base_price: price,
            individual_price_minor: self.money("individual_price")?.map(|m| m.minor),
            corporate_price_minor: self.money("corporate_price")?.map(|m| m.minor),
            vat_rate,
            stock,
            min_qty_individual: self.number("min_qty_individual")?.unwrap_or(1),
            min_qty_corporate: self.number("min_qty_corporate")?.unwrap_or(1),
            qty_per_box: self.number("qty_per_box")?,
            net_content: match (net_quantity, net_unit) {
                (Some(q), Some(u)) => Some((q, u)),
                (None, None) => None,
                _ => return Err("net_quantity and net_unit go together".to_owned()),
            },
            origin_country: self.get("origin").map(str::to_ascii_uppercase),
            storage,
            allergens: self.list("allergens"),
            nutrition: None,
            badges: self.list("badges"),
            translations,
            image_keys: Vec::new(),
            is_active,
        };
        product
            .validate(default_locale)
            .map_err(|e| e.to_string())?;
        Ok(product)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const COLUMNS: [&str; 14] = [
        "sku",
        "slug",
        "category",
        "name_pl",
        "price",
        "vat_rate",
        "stock",
        "net_quantity",
        "net_unit",
        "storage",
        "active",
        "individual_price",
        "qty_per_box",
        "allergens",
    ];

    fn product(cells: Vec<String>) -> Result<NewProduct, String> {
        let columns = COLUMNS
            .iter()
            .enumerate()
            .map(|(i, name)| ((*name).to_owned(), i))
            .collect();
        let record = csv::StringRecord::from(cells);
        Row {
            columns: &columns,
            record: &record,
        }
        .product(Locale::Pl)
    }

    proptest! {
        // Any row (as the CSV reader hands it over, cells trimmed): a product that passes
        // validation, or a reason naming the column; never a panic.
        #[test]
        fn any_row_is_a_valid_product_or_a_named_reason(
            cells in prop::collection::vec(prop_oneof!["\\PC{0,12}", "-?[0-9]{1,12}([.,][0-9]{0,3})?"], COLUMNS.len()),
        ) {
            let cells: Vec<String> = cells.iter().map(|c| c.trim().to_owned()).collect();
            match product(cells) {
                Ok(product) => prop_assert!(product.validate(Locale::Pl).is_ok()),
                Err(reason) => prop_assert!(reason.contains(':') || reason.contains("together"), "{reason}"),
            }
        }

        // A well-formed row keeps its money exact (comma or dot) and its VAT rate.
        #[test]
        fn well_formed_rows_keep_exact_prices_and_rates(
            whole in 0i64..1_000_000,
            cents in 0i64..100,
            comma in any::<bool>(),
            vat in prop::sample::select(vec![0, 5, 8, 23]),
            stock in 0i32..100_000,
        ) {
            let price = format!("{whole}{}{cents:02}", if comma { ',' } else { '.' });
            let cells = ["MT-1", "maslo-1", "nabial", "Masło", &price, &vat.to_string(),
                         &stock.to_string(), "200", "g", "chilled", "", "", "", "milk | eggs"];
            let product = product(cells.iter().map(|c| (*c).to_owned()).collect());
            prop_assert!(product.is_ok(), "{product:?}");
            let product = product.unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(product.base_price.minor, whole * 100 + cents);
            prop_assert_eq!(product.vat_rate.basis_points(), vat * 100);
            prop_assert_eq!(product.stock, StockEdit::Counted(stock));
            prop_assert_eq!(product.allergens, vec!["milk".to_owned(), "eggs".to_owned()]);
        }
    }
}
