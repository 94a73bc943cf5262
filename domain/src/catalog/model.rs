use uuid::Uuid;

use super::{Error, Result, StockEdit};
use crate::shared::{Locale, Money, ProductId, VatRate};

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
    pub id: ProductId,
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
    /// Description per language (optional).
    pub descriptions: Vec<(Locale, String)>,
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
    /// Its stock: for a new product counted from zero, for an existing one an edit of
    /// what it has now (see [`StockEdit`]).
    pub stock: StockEdit,
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
    /// Blob-store keys of its images, in display order (empty: keep the current ones).
    pub image_keys: Vec<String>,
    /// Shown in the shop; inactive products stay in the database for order history.
    pub is_active: bool,
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
            .any(|t| t.name.trim().is_empty() || t.name.chars().count() > 200)
        {
            return invalid("name", "must be 1 to 200 characters");
        }
        if self.translations.iter().any(|t| {
            t.full_name
                .as_ref()
                .is_some_and(|f| f.chars().count() > 400)
        }) {
            return invalid("full_name", "must be at most 400 characters");
        }
        if self.translations.iter().any(|t| {
            t.description
                .as_ref()
                .is_some_and(|d| d.chars().count() > 20_000)
        }) {
            return invalid("description", "must be at most 20,000 characters");
        }
        if self.brand.as_ref().is_some_and(|b| b.chars().count() > 200) {
            return invalid("brand", "must be at most 200 characters");
        }
        if self.qty_per_box.is_some_and(|q| q < 1) {
            return invalid("qty_per_box", "must be at least 1");
        }
        if self.net_content.is_some_and(|(q, _)| q < 1) {
            return invalid("net_quantity", "must be at least 1");
        }
        if self
            .origin_country
            .as_ref()
            .is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return invalid(
                "origin_country",
                "must be a two-letter ISO country code such as PL",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: u128, parent: Option<u128>, slug: &str) -> Category {
        Category {
            id: Uuid::from_u128(id),
            slug: slug.into(),
            parent_id: parent.map(Uuid::from_u128),
            name: slug.into(),
            description: None,
            position: 0,
        }
    }

    #[test]
    fn category_tree_nests_children_and_keeps_orphans() {
        let tree = category_tree(vec![
            category(1, None, "food"),
            category(2, Some(1), "dairy"),
            category(3, Some(2), "cheese"),
            category(4, Some(99), "orphan"),
        ]);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].children[0].children[0].category.slug, "cheese");
        assert_eq!(tree[1].category.slug, "orphan");
    }

    #[test]
    fn filter_validation_names_the_field() {
        let bad = |f: ProductFilter| match f.validate() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(
            bad(ProductFilter {
                min_price_minor: Some(-1),
                ..Default::default()
            }),
            "min_price"
        );
        assert_eq!(
            bad(ProductFilter {
                min_price_minor: Some(500),
                max_price_minor: Some(100),
                ..Default::default()
            }),
            "min_price"
        );
        assert_eq!(
            bad(ProductFilter {
                query: Some("x".repeat(201)),
                ..Default::default()
            }),
            "q"
        );
        assert_eq!(
            bad(ProductFilter {
                category: Some("Nabiał".into()),
                ..Default::default()
            }),
            "category"
        );
        let ok = ProductFilter {
            query: Some("  ".into()),
            brand: Some(" Wedel ".into()),
            ..Default::default()
        }
        .validate();
        assert!(
            matches!(ok, Ok(ProductFilter { query: None, brand: Some(ref b), .. }) if b == "Wedel")
        );
    }

    #[test]
    fn sort_keys_round_trip_and_unknown_keys_fail() {
        for key in ProductSort::KEYS {
            assert!(ProductSort::parse(key).is_ok_and(|s| s.key() == key));
        }
        assert!(matches!(
            ProductSort::parse("cheapest"),
            Err(Error::Invalid { field: "sort", .. })
        ));
    }

    #[test]
    fn product_validation_catches_what_the_database_would_refuse() -> Result<()> {
        let product = || -> Result<NewProduct> {
            Ok(NewProduct {
                slug: Slug::parse("x")?,
                sku: "SKU-1".into(),
                brand: None,
                category: Slug::parse("c")?,
                base_price: Money::new(100, crate::shared::Currency::PLN),
                individual_price_minor: None,
                corporate_price_minor: None,
                vat_rate: VatRate::from_basis_points(500)?,
                stock: StockEdit::Counted(1),
                min_qty_individual: 1,
                min_qty_corporate: 1,
                qty_per_box: None,
                net_content: None,
                origin_country: None,
                storage: None,
                allergens: vec![],
                nutrition: None,
                badges: vec![],
                translations: vec![NewProductTranslation {
                    locale: Locale::Pl,
                    name: "X".into(),
                    full_name: None,
                    description: None,
                }],
                image_keys: vec![],
                is_active: true,
            })
        };
        let field = |p: NewProduct| match p.validate(Locale::Pl) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        product()?.validate(Locale::Pl)?;
        assert_eq!(
            field(NewProduct {
                origin_country: Some("POL".into()),
                ..product()?
            }),
            "origin_country"
        );
        assert_eq!(
            field(NewProduct {
                qty_per_box: Some(0),
                ..product()?
            }),
            "qty_per_box"
        );
        assert_eq!(
            field(NewProduct {
                brand: Some("b".repeat(201)),
                ..product()?
            }),
            "brand"
        );
        assert_eq!(
            field(NewProduct {
                allergens: vec!["arsenic".into()],
                ..product()?
            }),
            "allergens"
        );
        let mut long = product()?;
        long.translations[0].description = Some("d".repeat(20_001));
        assert_eq!(field(long), "description");
        Ok(())
    }

    #[test]
    fn slug_accepts_hyphenated_words_only() {
        assert!(Slug::parse("maslo-extra-82").is_ok());
        for bad in ["", "Masło", "a--b", "-a", "a-", "a b", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ProductSort {
    /// Best match first with a search query, newest first without one; the default.
    #[default]
    Relevance,
    /// Cheapest first.
    PriceAsc,
    /// Dearest first.
    PriceDesc,
    /// Newest first.
    Newest,
    /// Alphabetical by name in the listing's language.
    Name,
}

impl ProductSort {
    /// Every sort key as the URL and the API spell it.
    pub const KEYS: [&'static str; 5] = ["relevance", "price_asc", "price_desc", "newest", "name"];

    /// Parses a sort key; an unknown key names the field.
    pub fn parse(key: &str) -> Result<ProductSort> {
        match key {
            "relevance" => Ok(ProductSort::Relevance),
            "price_asc" => Ok(ProductSort::PriceAsc),
            "price_desc" => Ok(ProductSort::PriceDesc),
            "newest" => Ok(ProductSort::Newest),
            "name" => Ok(ProductSort::Name),
            other => Err(Error::Invalid {
                field: "sort",
                message: format!("`{other}` is not one of {}", Self::KEYS.join(", ")),
            }),
        }
    }

    /// The key as the URL and the API spell it.
    pub fn key(self) -> &'static str {
        match self {
            ProductSort::Relevance => "relevance",
            ProductSort::PriceAsc => "price_asc",
            ProductSort::PriceDesc => "price_desc",
            ProductSort::Newest => "newest",
            ProductSort::Name => "name",
        }
    }
}

/// Which products a listing shows. Build it with [`ProductFilter::parse`] or field by field
/// and call [`ProductFilter::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProductFilter {
    /// Slug of a category; its subcategories are included.
    pub category: Option<String>,
    /// Least gross price in minor units, inclusive.
    pub min_price_minor: Option<i64>,
    /// Greatest gross price in minor units, inclusive.
    pub max_price_minor: Option<i64>,
    /// Exact brand, case-insensitive.
    pub brand: Option<String>,
    /// Only products with stock.
    pub in_stock_only: bool,
    /// Search text: full-text, then typo-tolerant when nothing matches.
    pub query: Option<String>,
}

/// Longest search text accepted.
pub const MAX_QUERY_LEN: usize = 200;

impl ProductFilter {
    /// Checks ranges and lengths; blank strings count as absent.
    pub fn validate(mut self) -> Result<ProductFilter> {
        let blank_to_none =
            |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self.category = blank_to_none(self.category);
        self.brand = blank_to_none(self.brand);
        self.query = blank_to_none(self.query);
        let invalid = |field, message: &str| {
            Err(Error::Invalid {
                field,
                message: message.to_owned(),
            })
        };
        if self.min_price_minor.is_some_and(|p| p < 0) {
            return invalid("min_price", "must not be negative");
        }
        if self.max_price_minor.is_some_and(|p| p < 0) {
            return invalid("max_price", "must not be negative");
        }
        if let (Some(min), Some(max)) = (self.min_price_minor, self.max_price_minor)
            && min > max
        {
            return invalid("min_price", "must not be above max_price");
        }
        if self
            .query
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_LEN)
        {
            return invalid("q", "must be at most 200 characters");
        }
        if self.brand.as_ref().is_some_and(|b| b.len() > 200) {
            return invalid("brand", "must be at most 200 characters");
        }
        if let Some(category) = &self.category {
            Slug::parse(category).map_err(|_| Error::Invalid {
                field: "category",
                message: format!("`{category}` is not a category slug"),
            })?;
        }
        Ok(self)
    }
}

/// A category in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Public id.
    pub id: Uuid,
    /// URL slug.
    pub slug: String,
    /// Parent, for subcategories.
    pub parent_id: Option<Uuid>,
    /// Name in the requested language (or a fallback).
    pub name: String,
    /// Description, when there is one.
    pub description: Option<String>,
    /// Order among siblings.
    pub position: i32,
}

/// A category with its subcategories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryNode {
    /// The category.
    pub category: Category,
    /// Its subcategories, by position.
    pub children: Vec<CategoryNode>,
}

/// Builds the forest of categories from a flat list ordered by position. Categories whose
/// parent is missing from the list become roots rather than vanishing.
pub fn category_tree(categories: Vec<Category>) -> Vec<CategoryNode> {
    fn attach(
        parent: Option<Uuid>,
        all: &[Category],
        known: &std::collections::HashSet<Uuid>,
    ) -> Vec<CategoryNode> {
        all.iter()
            .filter(|c| match (parent, c.parent_id) {
                (None, None) => true,
                (None, Some(p)) => !known.contains(&p),
                (Some(parent), Some(p)) => parent == p,
                (Some(_), None) => false,
            })
            .map(|c| CategoryNode {
                category: c.clone(),
                children: attach(Some(c.id), all, known),
            })
            .collect()
    }
    let known = categories.iter().map(|c| c.id).collect();
    attach(None, &categories, &known)
}

/// A category page: the category, the path to it, and its subcategories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryView {
    /// The category.
    pub category: Category,
    /// Root first, ending with the category itself.
    pub breadcrumb: Vec<Category>,
    /// Direct subcategories.
    pub children: Vec<Category>,
}

/// Everything the product page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDetail {
    /// The listing data (name, price for the customer type, stock, image).
    pub summary: ProductSummary,
    /// Longer name.
    pub full_name: Option<String>,
    /// Description in markdown (render it sanitized).
    pub description_md: Option<String>,
    /// Least quantity this customer type may order.
    pub min_qty: i32,
    /// Units per box.
    pub qty_per_box: Option<i32>,
    /// ISO country of origin.
    pub origin_country: Option<String>,
    /// `ambient`, `chilled` or `frozen`.
    pub storage: Option<String>,
    /// EU allergen codes.
    pub allergens: Vec<String>,
    /// Nutrition facts per 100 g / 100 ml.
    pub nutrition: Option<serde_json::Value>,
    /// Blob-store keys of every image, in order.
    pub image_keys: Vec<String>,
    /// Root category first, ending with the product's own category.
    pub breadcrumb: Vec<Category>,
}
