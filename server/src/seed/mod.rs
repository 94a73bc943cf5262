//! `metropolitan seed`: the demo catalog with generated images, the FAQ and content pages,
//! and an admin account.
//!
//! Idempotent: categories are upserted by slug, products inserted only when their SKU is
//! new, images written only when missing, and an existing admin is kept.

mod content;
mod data;

use anyhow::Context;
use domain::Services;
use domain::catalog::{self, NewCategory, NewProduct, NewProductTranslation, Slug, StockEdit};
use domain::identity::{self, AdminAccount, CreateAdmin};
use domain::shared::{Currency, Locale, Money, VatRate};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{AppEnv, Settings};
pub use data::{CATALOG, CategorySeed, ItemSeed};

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Products inserted by this run.
    pub products_created: usize,
    /// Products in the demo catalog.
    pub products_total: usize,
}

/// Products in the demo catalog before any numbered variants.
pub const DEMO_SIZE: usize = 201;

/// Seeds `size` products, the content and the admin, printing a progress bar and a summary.
pub async fn run(svc: &Services, settings: &Settings, size: usize) -> anyhow::Result<()> {
    let report = seed_catalog(svc, size, true).await?;
    println!(
        "Demo catalog: {} products ({} new) in {} categories.",
        report.products_total,
        report.products_created,
        CATALOG.len()
    );
    seed_admin(svc, settings).await
}

/// Inserts the demo catalog in one transaction and stores its images in the blob store.
pub async fn seed_catalog(
    svc: &Services,
    size: usize,
    show_progress: bool,
) -> anyhow::Result<SeedReport> {
    let products = sized_products(size)?;
    let bar = if show_progress {
        ProgressBar::new(products.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} {msg}")
            .context("Invalid progress template")?
            .progress_chars("=> "),
    );
    bar.set_prefix("Seeding");

    let mut written = std::collections::HashSet::new();

    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start the seed transaction")?;
    for (position, category) in (0..).zip(CATALOG) {
        let new = NewCategory {
            slug: Slug::parse(category.slug)?,
            parent: None,
            position,
            names: (0..)
                .zip(Locale::ALL)
                .map(|(i, l)| (l, category.names[i].to_owned()))
                .collect(),
            descriptions: Vec::new(),
        };
        catalog::upsert_category(&mut tx, &new).await?;
    }
    let mut created = 0;
    for (product, svg) in &products {
        // Keys are `demo/<file>`; numbered variants share their original's picture. Images go
        // through the blob store, so they land in S3 when it is configured.
        let key = product
            .image_keys
            .first()
            .context("Demo products have a demo image key")?;
        if written.insert(key.clone()) {
            svc.blobs
                .put(key, bytes::Bytes::from(svg.clone().into_bytes()))
                .await?;
        }
        if catalog::create_product_if_absent(&mut tx, svc.default_locale, product).await? {
            created += 1;
        }
        bar.set_message(product.sku.clone());
        bar.inc(1);
    }
    domain::content::seed_content(&mut tx, &content::faq(), &content::pages()).await?;
    tx.commit()
        .await
        .context("Failed to commit the demo catalog")?;
    bar.finish_and_clear();
    catalog::invalidate_catalog(svc).await;
    Ok(SeedReport {
        products_created: created,
        products_total: products.len(),
    })
}

async fn seed_admin(svc: &Services, settings: &Settings) -> anyhow::Result<()> {
    let email =
        std::env::var("SEED_ADMIN_EMAIL").unwrap_or_else(|_| "admin@metropolitan.local".to_owned());
    let password = std::env::var("SEED_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(identity::generate_password);
    let account = identity::create_admin(
        svc,
        CreateAdmin {
            email: email.clone(),
            password: password.clone(),
            existing: identity::ExistingAccount::Keep,
        },
    )
    .await?;
    match (account, settings.env) {
        (AdminAccount::Created(_), AppEnv::Development | AppEnv::Test) => {
            println!("Admin account: {email} / {password}  (development only; shown once)");
        }
        (AdminAccount::Created(_), AppEnv::Production) => {
            println!(
                "Admin account {email} created; set its password with `metropolitan create-admin`."
            );
        }
        (_, _) => println!("Admin account {email} already exists; password unchanged."),
    }
    Ok(())
}

/// `size` products: the demo catalog, then numbered variants of it (own SKU, slug, stock
/// and price; same image) until the count is reached.
pub fn sized_products(size: usize) -> anyhow::Result<Vec<(NewProduct, String)>> {
    let base = demo_products()?;
    let mut out: Vec<(NewProduct, String)> = base.iter().take(size).cloned().collect();
    let mut batch = 1;
    while out.len() < size {
        for (product, svg) in &base {
            if out.len() >= size {
                break;
            }
            let mut variant = product.clone();
            variant.slug = Slug::parse(&format!("{}-v{batch}", product.slug.as_str()))?;
            variant.sku = format!("{}-V{batch}", product.sku);
            variant.base_price = Money::new(
                product.base_price.minor + i64::from(batch % 50),
                Currency::PLN,
            );
            variant.corporate_price_minor = Some(variant.base_price.minor * 92 / 100);
            variant.stock = StockEdit::Counted(demo_stock(&variant.sku));
            for t in &mut variant.translations {
                t.name = format!("{} · {batch}", t.name);
            }
            out.push((variant, svg.clone()));
        }
        batch += 1;
    }
    Ok(out)
}

/// Every demo product with its generated SVG image.
pub fn demo_products() -> anyhow::Result<Vec<(NewProduct, String)>> {
    let mut out = Vec::new();
    for (ci, category) in CATALOG.iter().enumerate() {
        for (ii, item) in category.items.iter().enumerate() {
            for (si, &(quantity, price)) in item.sizes.iter().enumerate() {
                let duplicate_size = item.sizes.iter().filter(|s| s.0 == quantity).count() > 1;
                let suffix = if duplicate_size {
                    format!("{}-pln", price / 100)
                } else {
                    format!("{quantity}{}", item.unit)
                };
                let slug = Slug::parse(&format!("{}-{suffix}", item.slug))?;
                let sku = format!("MT-{:02}{:02}-{}", ci + 1, ii + 1, si + 1);
                let size_label = size_label(quantity, item.unit, price, duplicate_size);
                let translations = (0..)
                    .zip(Locale::ALL)
                    .map(|(i, locale)| NewProductTranslation {
                        locale,
                        name: format!("{} {size_label}", item.names[i]),
                        full_name: Some(format!("{} {} {size_label}", item.brand, item.names[i])),
                        description: Some(description(locale, item, category, i)),
                    })
                    .collect();
                let image_key = format!("demo/{}.svg", slug.as_str());
                let svg = product_svg(item.names[0], &size_label, category.hue);
                let stock = StockEdit::Counted(demo_stock(&sku));
                let product = NewProduct {
                    slug,
                    sku,
                    brand: Some(item.brand.to_owned()),
                    category: Slug::parse(category.slug)?,
                    base_price: Money::new(price, Currency::PLN),
                    individual_price_minor: None,
                    // Companies buy about 8 % cheaper.
                    corporate_price_minor: Some(price * 92 / 100),
                    vat_rate: VatRate::from_basis_points(item.vat_bp.unwrap_or(category.vat_bp))?,
                    stock,
                    min_qty_individual: 1,
                    min_qty_corporate: if item.unit == "pcs" && quantity == 1 {
                        1
                    } else {
                        2
                    },
                    qty_per_box: Some(if category.storage == "frozen" { 6 } else { 12 }),
                    net_content: Some((quantity, item.unit)),
                    origin_country: Some(item.origin.to_owned()),
                    storage: Some(category.storage),
                    allergens: item.allergens.iter().map(|a| (*a).to_owned()).collect(),
                    nutrition: typical_nutrition(category.slug, ii),
                    badges: item.badges.iter().map(|b| (*b).to_owned()).collect(),
                    translations,
                    image_keys: vec![image_key],
                    is_active: true,
                };
                out.push((product, svg));
            }
        }
    }
    Ok(out)
}

/// Typical nutrition facts per 100 g / 100 ml for a food category (none for household goods
/// and gift cards), varied a little per item so that the demo does not look copied.
fn typical_nutrition(category: &str, item: usize) -> Option<serde_json::Value> {
    // energy kcal, fat, saturates, carbohydrate, sugars, protein, salt (g)
    let base: [f64; 7] = match category {
        "nabial" => [120.0, 6.0, 4.0, 5.0, 4.5, 8.0, 0.4],
        "pieczywo" => [250.0, 2.5, 0.5, 48.0, 3.0, 8.5, 1.2],
        "owoce-i-warzywa" => [45.0, 0.3, 0.1, 9.0, 7.0, 1.0, 0.01],
        "mieso-i-wedliny" => [210.0, 14.0, 5.0, 1.0, 0.5, 19.0, 1.8],
        "ryby" => [160.0, 8.0, 1.5, 0.5, 0.2, 21.0, 1.1],
        "makarony-ryz-kasze" => [350.0, 1.5, 0.3, 72.0, 2.0, 11.0, 0.02],
        "napoje" => [35.0, 0.0, 0.0, 8.5, 8.0, 0.2, 0.01],
        "kawa-i-herbata" => [2.0, 0.0, 0.0, 0.3, 0.0, 0.2, 0.0],
        "slodycze-i-przekaski" => [510.0, 28.0, 14.0, 58.0, 40.0, 6.5, 0.5],
        "mrozonki" => [180.0, 7.0, 2.0, 22.0, 3.0, 7.0, 0.9],
        "spizarnia" => [300.0, 10.0, 2.0, 40.0, 12.0, 6.0, 1.0],
        _ => return None,
    };
    let factor = 0.9 + 0.05 * (item % 5) as f64;
    let round = |v: f64, step: f64| (v * factor / step).round() * step;
    Some(serde_json::json!({
        "energy_kcal": round(base[0], 1.0),
        "fat_g": round(base[1], 0.1),
        "saturates_g": round(base[2], 0.1),
        "carbohydrate_g": round(base[3], 0.1),
        "sugars_g": round(base[4], 0.1),
        "protein_g": round(base[5], 0.1),
        "salt_g": round(base[6], 0.01),
    }))
}

fn size_label(quantity: i32, unit: &str, price: i64, by_price: bool) -> String {
    if by_price {
        return format!("{} zł", price / 100);
    }
    match unit {
        "g" if quantity >= 1000 && quantity % 100 == 0 => trim_thousands(quantity, "kg"),
        "ml" if quantity >= 1000 && quantity % 100 == 0 => trim_thousands(quantity, "l"),
        "pcs" => format!("× {quantity}"),
        _ => format!("{quantity} {unit}"),
    }
}

fn trim_thousands(quantity: i32, unit: &str) -> String {
    let (whole, tenths) = (quantity / 1000, quantity % 1000 / 100);
    if tenths == 0 {
        format!("{whole} {unit}")
    } else {
        format!("{whole},{tenths} {unit}")
    }
}

fn description(locale: Locale, item: &ItemSeed, category: &CategorySeed, i: usize) -> String {
    let storage = match (locale, category.storage) {
        (Locale::Pl, "chilled") => "Przechowywać w lodówce.",
        (Locale::Pl, "frozen") => "Przechowywać w zamrażarce w -18 °C.",
        (Locale::Pl, _) => "Przechowywać w suchym i chłodnym miejscu.",
        (Locale::En, "chilled") => "Keep refrigerated.",
        (Locale::En, "frozen") => "Keep frozen at -18 °C.",
        (Locale::En, _) => "Store in a cool, dry place.",
        (Locale::Tr, "chilled") => "Buzdolabında saklayınız.",
        (Locale::Tr, "frozen") => "-18 °C'de dondurucuda saklayınız.",
        (Locale::Tr, _) => "Serin ve kuru bir yerde saklayınız.",
    };
    format!("{} — {}. {storage}", item.names[i], item.brand)
}

/// Demo stock from the SKU: mostly plenty, a few sold out, stable across runs.
fn demo_stock(sku: &str) -> i32 {
    let hash = sku.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    if hash % 17 == 0 {
        0
    } else {
        i32::try_from(hash % 240).unwrap_or(0) + 5
    }
}

/// A simple label-style picture: coloured card, the product's initial and its size.
fn product_svg(name: &str, size: &str, hue: u16) -> String {
    let initial: String = name
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="hsl({hue},70%,88%)"/><stop offset="1" stop-color="hsl({hue},60%,72%)"/>
</linearGradient></defs>
<rect width="480" height="360" fill="url(#g)"/>
<circle cx="240" cy="160" r="92" fill="hsl({hue},55%,40%)" opacity="0.9"/>
<text x="240" y="196" font-family="DejaVu Sans, Arial, sans-serif" font-size="104" font-weight="700" fill="#fff" text-anchor="middle">{initial}</text>
<text x="240" y="318" font-family="DejaVu Sans, Arial, sans-serif" font-size="34" fill="hsl({hue},50%,22%)" text-anchor="middle">{size}</text>
</svg>
"##,
        initial = escape(&initial),
        size = escape(size),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn demo_catalog_is_about_two_hundred_valid_unique_products() -> anyhow::Result<()> {
        let products = demo_products()?;
        assert!(
            (170..=230).contains(&products.len()),
            "{} products",
            products.len()
        );
        let skus: HashSet<_> = products.iter().map(|(p, _)| p.sku.clone()).collect();
        let slugs: HashSet<_> = products
            .iter()
            .map(|(p, _)| p.slug.as_str().to_owned())
            .collect();
        assert_eq!(skus.len(), products.len());
        assert_eq!(slugs.len(), products.len());
        for (product, _) in &products {
            product.validate(Locale::Pl)?;
        }
        let rates: HashSet<i32> = products
            .iter()
            .map(|(p, _)| p.vat_rate.basis_points())
            .collect();
        assert_eq!(rates, HashSet::from([2300, 800, 500, 0]));
        Ok(())
    }

    #[test]
    fn a_larger_seed_adds_unique_numbered_variants() -> anyhow::Result<()> {
        let products = sized_products(1_000)?;
        assert_eq!(products.len(), 1_000);
        let skus: HashSet<_> = products.iter().map(|(p, _)| p.sku.clone()).collect();
        let slugs: HashSet<_> = products
            .iter()
            .map(|(p, _)| p.slug.as_str().to_owned())
            .collect();
        assert_eq!((skus.len(), slugs.len()), (1_000, 1_000));
        assert_eq!(sized_products(10)?.len(), 10);
        Ok(())
    }
}
