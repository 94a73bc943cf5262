//! A product as an admin enters it (API body, browser form or CSV row), checked into a
//! [`NewProduct`].

use super::error::Error;
use super::model::{NewProduct, NewProductTranslation, Slug};
use super::stock::StockEdit;
use crate::shared::{Currency, Locale, Money, VatRate};

/// One language's texts.
#[derive(Debug, Clone, Default)]
pub struct TranslationInput {
    /// Language code as given.
    pub locale: String,
    /// Name.
    pub name: String,
    /// Longer name.
    pub full_name: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
}

/// Every product field, unchecked.
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    /// URL slug.
    pub slug: String,
    /// Category slug.
    pub category: String,
    /// Brand.
    pub brand: Option<String>,
    /// Gross list price in minor units.
    pub price_minor: i64,
    /// Gross individual price when different.
    pub individual_price_minor: Option<i64>,
    /// Gross corporate price when different.
    pub corporate_price_minor: Option<i64>,
    /// ISO currency (default PLN).
    pub currency: Option<String>,
    /// VAT rate in basis points.
    pub vat_rate_bp: i32,
    /// The stock edit (a new product counts from zero).
    pub stock: StockEdit,
    /// Least quantity for individuals (default 1).
    pub min_qty_individual: Option<i32>,
    /// Least quantity for companies (default 1).
    pub min_qty_corporate: Option<i32>,
    /// Units per box.
    pub qty_per_box: Option<i32>,
    /// Net content amount.
    pub net_quantity: Option<i32>,
    /// `g`, `ml` or `pcs`.
    pub net_unit: Option<String>,
    /// ISO country of origin.
    pub origin_country: Option<String>,
    /// `ambient`, `chilled` or `frozen`.
    pub storage: Option<String>,
    /// EU allergen codes.
    pub allergens: Vec<String>,
    /// Labels such as `vegan`.
    pub badges: Vec<String>,
    /// Nutrition facts per 100 g / 100 ml.
    pub nutrition: Option<serde_json::Value>,
    /// Texts per language (the shop's default language is required).
    pub translations: Vec<TranslationInput>,
    /// Shown in the shop (default true).
    pub active: Option<bool>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        message: message.into(),
    }
}

fn one_of(
    field: &'static str,
    value: Option<String>,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, Error> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            allowed
                .iter()
                .copied()
                .find(|a| *a == v.trim())
                .ok_or_else(|| invalid(field, format!("must be one of {}", allowed.join(", "))))
        })
        .transpose()
}

impl ProductInput {
    /// Checks the fields that need parsing; the rest is checked when saving.
    pub fn into_product(self, sku: String) -> Result<NewProduct, Error> {
        let currency = Currency::parse(self.currency.as_deref().unwrap_or("PLN"))
            .map_err(|e| invalid("currency", e.to_string()))?;
        let translations = self
            .translations
            .into_iter()
            .map(|t| {
                let locale = Locale::parse(&t.locale)
                    .filter(|l| l.code() == t.locale)
                    .ok_or_else(|| {
                        invalid(
                            "translations",
                            format!("`{}` is not one of pl, en, tr", t.locale),
                        )
                    })?;
                Ok(NewProductTranslation {
                    locale,
                    name: t.name,
                    full_name: t.full_name.filter(|f| !f.trim().is_empty()),
                    description: t.description.filter(|d| !d.trim().is_empty()),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let net_unit = one_of("net_unit", self.net_unit, &["g", "ml", "pcs"])?;
        Ok(NewProduct {
            slug: Slug::parse(&self.slug).map_err(|e| invalid("slug", e.to_string()))?,
            sku,
            brand: self.brand.filter(|b| !b.trim().is_empty()),
            category: Slug::parse(&self.category)
                .map_err(|_| invalid("category", "is not a category slug"))?,
            base_price: Money::new(self.price_minor, currency),
            individual_price_minor: self.individual_price_minor,
            corporate_price_minor: self.corporate_price_minor,
            vat_rate: VatRate::from_basis_points(self.vat_rate_bp)
                .map_err(|e| invalid("vat_rate_bp", e.to_string()))?,
            stock: self.stock,
            min_qty_individual: self.min_qty_individual.unwrap_or(1),
            min_qty_corporate: self.min_qty_corporate.unwrap_or(1),
            qty_per_box: self.qty_per_box,
            net_content: match (self.net_quantity, net_unit) {
                (Some(q), Some(u)) if q > 0 => Some((q, u)),
                (None, None) => None,
                _ => {
                    return Err(invalid(
                        "net_quantity",
                        "needs a positive net_quantity with net_unit",
                    ));
                }
            },
            origin_country: self
                .origin_country
                .filter(|c| !c.trim().is_empty())
                .map(|c| c.trim().to_ascii_uppercase()),
            storage: one_of("storage", self.storage, &["ambient", "chilled", "frozen"])?,
            allergens: self.allergens,
            nutrition: self.nutrition,
            badges: self.badges,
            translations,
            image_keys: Vec::new(),
            is_active: self.active.unwrap_or(true),
        })
    }
}

/// The product with `sku` as an editing form shows it: every field and every language.
pub async fn product_input(svc: &crate::Services, sku: &str) -> Result<ProductInput, Error> {
    use anyhow::Context;
    let row = sqlx::query!(
        r#"
        select p.id, p.slug, c.slug as category, p.brand, p.base_price_minor,
               p.individual_price_minor, p.corporate_price_minor, p.currency, p.vat_rate_bp,
               p.stock, p.min_qty_individual, p.min_qty_corporate, p.qty_per_box,
               p.net_quantity, p.net_unit, p.origin_country, p.storage, p.allergens, p.badges,
               p.nutrition, p.is_active
          from products p join categories c on c.id = p.category_id
         where p.sku = $1
        "#,
        sku
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the product")?
    .ok_or(Error::NotFound)?;
    let translations = sqlx::query!(
        "select locale, name, full_name, description from product_translations where product_id = $1 order by locale",
        row.id
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load the product's texts")?;
    Ok(ProductInput {
        slug: row.slug,
        category: row.category,
        brand: row.brand,
        price_minor: row.base_price_minor,
        individual_price_minor: row.individual_price_minor,
        corporate_price_minor: row.corporate_price_minor,
        currency: Some(row.currency),
        vat_rate_bp: row.vat_rate_bp,
        stock: StockEdit::Replace {
            seen: row.stock,
            to: row.stock,
        },
        min_qty_individual: Some(row.min_qty_individual),
        min_qty_corporate: Some(row.min_qty_corporate),
        qty_per_box: row.qty_per_box,
        net_quantity: row.net_quantity,
        net_unit: row.net_unit,
        origin_country: row.origin_country,
        storage: row.storage,
        allergens: row.allergens,
        badges: row.badges,
        nutrition: row.nutrition,
        translations: translations
            .into_iter()
            .map(|t| TranslationInput {
                locale: t.locale,
                name: t.name,
                full_name: t.full_name,
                description: t.description,
            })
            .collect(),
        active: Some(row.is_active),
    })
}

/// A category as the admin edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySource {
    /// Slug.
    pub slug: String,
    /// Parent slug.
    pub parent: Option<String>,
    /// Order among siblings.
    pub position: i32,
    /// (locale code, name, description).
    pub texts: Vec<(String, String, Option<String>)>,
}

/// Every category with all its texts, parents first by position.
pub async fn category_sources(svc: &crate::Services) -> Result<Vec<CategorySource>, Error> {
    use anyhow::Context;
    let rows = sqlx::query!(
        r#"
        select c.slug, p.slug as "parent?", c.position,
               coalesce(jsonb_agg(jsonb_build_array(t.locale, t.name, t.description)
                        order by t.locale) filter (where t.locale is not null), '[]') as "texts!"
          from categories c
          left join categories p on p.id = c.parent_id
          left join category_translations t on t.category_id = c.id
         group by c.id, p.slug
         order by coalesce(p.slug, c.slug), c.parent_id nulls first, c.position, c.slug
        "#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list categories")?;
    Ok(rows
        .into_iter()
        .map(|r| CategorySource {
            slug: r.slug,
            parent: r.parent,
            position: r.position,
            texts: serde_json::from_value::<Vec<(String, String, Option<String>)>>(r.texts)
                .unwrap_or_default(),
        })
        .collect())
}
