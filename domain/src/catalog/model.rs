use uuid::Uuid;

use super::{Error, Result};
use crate::shared::{Locale, Money, VatRate};

/// A URL slug: lower-case ASCII letters and digits in hyphen-separated words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Validates a slug of at most 120 characters.
    pub fn parse(s: &str) -> Result<Slug> {
        let valid = !s.is_empty()
            && s.len() <= 120
            && s.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if valid {
            Ok(Slug(s.to_owned()))
        } else {
            Err(Error::Invalid {
                field: "slug",
                message: format!("`{s}` must be lower-case words of a-z and 0-9 joined by hyphens"),
            })
        }
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A product as the listing shows it, in one language and for one customer type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSummary {
    /// Public id.
    pub id: Uuid,
    /// URL slug.
    pub slug: String,
    /// Stock-keeping unit.
    pub sku: String,
    /// Brand, when known.
    pub brand: Option<String>,
    /// Name in the requested language (or the default one).
    pub name: String,
    /// Gross unit price for the customer type asked for.
    pub price: Money,
    /// VAT rate included in the price.
    pub vat_rate: VatRate,
    /// Units available now.
    pub stock: i32,
    /// Net content, in `net_unit`.
    pub net_quantity: Option<i32>,
    /// `g`, `ml` or `pcs`.
    pub net_unit: Option<String>,
    /// Labels such as `vegan` or `halal`.
    pub badges: Vec<String>,
    /// Blob-store key of the first image.
    pub image_key: Option<String>,
}

/// A category to create or update, identified by its slug.
#[derive(Debug, Clone)]
pub struct NewCategory {
    /// URL slug, unique.
    pub slug: Slug,
    /// Slug of the parent category, if any.
    pub parent: Option<Slug>,
    /// Order among siblings.
    pub position: i32,
    /// Name per language.
    pub names: Vec<(Locale, String)>,
}

/// A product's text in one language.
#[derive(Debug, Clone)]
pub struct NewProductTranslation {
    /// Language of the text.
    pub locale: Locale,
    /// Short name shown in listings.
    pub name: String,
    /// Longer name with size and variety.
    pub full_name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// A product to create or update, identified by its SKU.
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// URL slug, unique.
    pub slug: Slug,
    /// Stock-keeping unit, unique.
    pub sku: String,
    /// Brand.
    pub brand: Option<String>,
    /// Slug of its category.
    pub category: Slug,
    /// Gross list price.
    pub base_price: Money,
    /// Gross price for individuals, when it differs from the list price.
    pub individual_price_minor: Option<i64>,
    /// Gross price for companies, when it differs from the list price.
    pub corporate_price_minor: Option<i64>,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Units in stock.
    pub stock: i32,
    /// Least quantity an individual may order.
    pub min_qty_individual: i32,
    /// Least quantity a company may order.
    pub min_qty_corporate: i32,
    /// Units in a box.
    pub qty_per_box: Option<i32>,
    /// Net content and its unit (`g`, `ml`, `pcs`).
    pub net_content: Option<(i32, &'static str)>,
    /// ISO country of origin.
    pub origin_country: Option<String>,
    /// `ambient`, `chilled` or `frozen`.
    pub storage: Option<&'static str>,
    /// EU allergen codes.
    pub allergens: Vec<String>,
    /// Nutrition facts per 100 g or 100 ml.
    pub nutrition: Option<serde_json::Value>,
    /// Labels such as `vegan`.
    pub badges: Vec<String>,
    /// Texts per language; the shop's default language is required.
    pub translations: Vec<NewProductTranslation>,
    /// Blob-store keys of its images, in display order.
    pub image_keys: Vec<String>,
}

/// The allergens EU regulation 1169/2011 requires to be declared.
pub const ALLERGENS: [&str; 14] = [
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "peanuts",
    "soybeans",
    "milk",
    "nuts",
    "celery",
    "mustard",
    "sesame",
    "sulphites",
    "lupin",
    "molluscs",
];

impl NewProduct {
    /// Checks the rules the database cannot express.
    pub fn validate(&self, default_locale: Locale) -> Result<()> {
        let invalid = |field, message: &str| {
            Err(Error::Invalid {
                field,
                message: message.to_owned(),
            })
        };
        if self.sku.trim().is_empty() || self.sku.len() > 64 {
            return invalid("sku", "must be 1 to 64 characters");
        }
        if self.base_price.minor < 0
            || self.individual_price_minor.is_some_and(|p| p < 0)
            || self.corporate_price_minor.is_some_and(|p| p < 0)
        {
            return invalid("price", "must not be negative");
        }
        if self.stock < 0 {
            return invalid("stock", "must not be negative");
        }
        if self.min_qty_individual < 1 || self.min_qty_corporate < 1 {
            return invalid("min_qty", "must be at least 1");
        }
        if let Some(bad) = self
            .allergens
            .iter()
            .find(|a| !ALLERGENS.contains(&a.as_str()))
        {
            return invalid("allergens", &format!("`{bad}` is not an EU allergen code"));
        }
        if !self.translations.iter().any(|t| t.locale == default_locale) {
            return invalid("translations", "the default language is required");
        }
        if self
            .translations
            .iter()
            .any(|t| t.name.trim().is_empty() || t.name.len() > 200)
        {
            return invalid("name", "must be 1 to 200 characters");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_accepts_hyphenated_words_only() {
        assert!(Slug::parse("maslo-extra-82").is_ok());
        for bad in ["", "Masło", "a--b", "-a", "a-", "a b", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
