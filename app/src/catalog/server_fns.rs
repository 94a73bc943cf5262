//! Server functions for the catalog pages, and the data they send to the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shop_types::{Money, ProductId, VatRate};

use crate::error::AppError;
use crate::i18n::Locale;

/// A product as a card on a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    /// Public id.
    pub id: ProductId,
    /// URL slug.
    pub slug: String,
    /// Name in the page's language.
    pub name: String,
    /// Brand.
    pub brand: Option<String>,
    /// Gross unit price.
    pub price: Money,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Net content, e.g. `500 g`.
    pub net_content: Option<String>,
    /// Units that can be ordered now (capped at 999 for display).
    pub available: u32,
    /// Labels such as `vegan`.
    pub badges: Vec<String>,
    /// Image URL.
    pub image_url: Option<String>,
}

/// One page of product cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    /// The cards.
    pub items: Vec<ProductCard>,
    /// 1-based page number.
    pub page: u32,
    /// Number of pages.
    pub total_pages: u64,
}

/// Cards for a page of summaries.
#[cfg(feature = "ssr")]
fn product_page(page: domain::shared::Page<domain::catalog::ProductSummary>) -> ProductPage {
    ProductPage {
        page: page.page,
        total_pages: page.total_pages(),
        items: page.items.into_iter().map(card_from).collect(),
    }
}

#[cfg(feature = "ssr")]
fn card_from(p: domain::catalog::ProductSummary) -> ProductCard {
    ProductCard {
        id: p.id,
        net_content: p
            .net_quantity
            .zip(p.net_unit)
            .map(|(q, unit)| format_net(q, &unit)),
        available: u32::try_from(p.stock.clamp(0, 999)).unwrap_or(0),
        image_url: p.image_key.map(|key| domain::shared::blob::media_url(&key)),
        vat_rate: p.vat_rate,
        price: p.price,
        slug: p.slug,
        name: p.name,
        brand: p.brand,
        badges: p.badges,
    }
}

/// A listing's filters as they appear in the page URL, so that a listing can be shared,
/// bookmarked, and filtered without JavaScript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingQuery {
    /// Category slug (set by the category page, not the form).
    pub category: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// Least price in złoty as typed (`5`, `5,50`).
    pub min_price: Option<String>,
    /// Greatest price in złoty as typed.
    pub max_price: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Only products in stock.
    pub in_stock: bool,
    /// Sort key.
    pub sort: Option<String>,
    /// 1-based page.
    pub page: u32,
}

impl ListingQuery {
    /// Reads the filters from the URL query.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> ListingQuery {
        let text = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        ListingQuery {
            category: None,
            q: text("q"),
            min_price: text("min_price"),
            max_price: text("max_price"),
            brand: text("brand"),
            in_stock: get("in_stock").is_some_and(|v| v == "on" || v == "true" || v == "1"),
            sort: text("sort"),
            page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
        }
    }

    /// The URL query for `page` of this listing, e.g. `?q=ser&sort=price_asc&page=2`.
    pub fn href(&self, path: &str, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut push = |k, v: &Option<String>| {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        };
        push("q", &self.q);
        push("min_price", &self.min_price);
        push("max_price", &self.max_price);
        push("brand", &self.brand);
        push("sort", &self.sort);
        if self.in_stock {
            pairs.push(("in_stock", "on".into()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
            .collect();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Parses a price typed in złoty (`12`, `12.5`, `12,50`) into grosze.
#[cfg(feature = "ssr")]
fn parse_price(field: &str, text: &Option<String>) -> Result<Option<i64>, AppError> {
    use domain::shared::{Currency, Money};
    text.as_deref()
        .map(|t| Money::parse_major(t, Currency::PLN).map(|m| m.minor))
        .transpose()
        .map_err(|e| AppError::Invalid {
            field: field.to_owned(),
            message: e.to_string(),
        })
}

/// Items per page on category and search pages.
#[cfg(feature = "ssr")]
pub const LISTING_PAGE_SIZE: u32 = 24;

/// One page of a filtered listing (home, category page or search results).
#[server(prefix = "/sf", endpoint = "catalog/list_listing")]
pub async fn list_listing(locale: Locale, query: ListingQuery) -> Result<ProductPage, AppError> {
    use domain::catalog;
    use domain::shared::{CustomerType, PageRequest};

    let svc = crate::ssr::services()?;
    let sort = match query.sort.as_deref() {
        None => catalog::ProductSort::default(),
        Some(key) => catalog::ProductSort::parse(key)?,
    };
    let request = catalog::ListProducts {
        locale,
        customer_type: CustomerType::Individual,
        page: PageRequest::new(query.page, LISTING_PAGE_SIZE),
        filter: catalog::ProductFilter {
            min_price_minor: parse_price("min_price", &query.min_price)?,
            max_price_minor: parse_price("max_price", &query.max_price)?,
            category: query.category,
            brand: query.brand,
            in_stock_only: query.in_stock,
            query: query.q,
        },
        sort,
    };
    Ok(product_page(catalog::list_products(&svc, request).await?))
}

/// A link to a category, for breadcrumbs and subcategory lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    /// Slug.
    pub slug: String,
    /// Name in the page's language.
    pub name: String,
}

/// Products whose words start with what was typed (for the header search box).
#[server(prefix = "/sf", endpoint = "catalog/suggest")]
pub async fn suggest(locale: Locale, q: String) -> Result<Vec<CategoryLink>, AppError> {
    let svc = crate::ssr::services()?;
    if q.chars().count() > domain::catalog::MAX_QUERY_LEN {
        return Ok(Vec::new());
    }
    let found = domain::catalog::suggest_products(&svc, &q, locale, 8).await?;
    Ok(found
        .into_iter()
        .map(|s| CategoryLink {
            slug: s.slug,
            name: s.name,
        })
        .collect())
}

/// The top-level categories, for navigation.
#[server(prefix = "/sf", endpoint = "catalog/list_categories")]
pub async fn list_categories(locale: Locale) -> Result<Vec<CategoryLink>, AppError> {
    let svc = crate::ssr::services()?;
    let tree = domain::catalog::list_categories(&svc, locale).await?;
    Ok(tree
        .into_iter()
        .map(|node| CategoryLink {
            slug: node.category.slug,
            name: node.category.name,
        })
        .collect())
}

/// The top of a category page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryHeader {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Root first, ending with the category.
    pub breadcrumb: Vec<CategoryLink>,
    /// Subcategories.
    pub children: Vec<CategoryLink>,
}

/// A category's name, breadcrumb and subcategories.
#[server(prefix = "/sf", endpoint = "catalog/get_category")]
pub async fn get_category(locale: Locale, slug: String) -> Result<CategoryHeader, AppError> {
    let svc = crate::ssr::services()?;
    let view = domain::catalog::get_category(&svc, &slug, locale).await?;
    let link = |c: domain::catalog::Category| CategoryLink {
        slug: c.slug,
        name: c.name,
    };
    Ok(CategoryHeader {
        slug: view.category.slug,
        name: view.category.name,
        description: view.category.description,
        breadcrumb: view.breadcrumb.into_iter().map(link).collect(),
        children: view.children.into_iter().map(link).collect(),
    })
}

/// Everything the product page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    /// Listing data: name, price, stock, first image.
    pub card: ProductCard,
    /// Longer name.
    pub full_name: Option<String>,
    /// Description as sanitized HTML.
    pub description_html: Option<String>,
    /// Least quantity per order.
    pub min_qty: u32,
    /// Units per box.
    pub qty_per_box: Option<i32>,
    /// Country of origin (ISO code).
    pub origin_country: Option<String>,
    /// ambient, chilled or frozen.
    pub storage: Option<String>,
    /// EU allergen codes.
    pub allergens: Vec<String>,
    /// Nutrition facts as (name, value) rows.
    pub nutrition: Vec<(String, String)>,
    /// Image URLs.
    pub images: Vec<String>,
    /// Category path.
    pub breadcrumb: Vec<CategoryLink>,
    /// A few other products from the same category.
    pub related: Vec<ProductCard>,
}

/// The product page's data, by slug.
#[server(prefix = "/sf", endpoint = "catalog/get_product")]
pub async fn get_product(locale: Locale, slug: String) -> Result<ProductView, AppError> {
    use domain::catalog;
    use domain::shared::{CustomerType, PageRequest};

    let svc = crate::ssr::services()?;
    let detail = catalog::get_product(&svc, &slug, locale, CustomerType::Individual).await?;
    let category = detail.breadcrumb.last().map(|c| c.slug.clone());
    let related = catalog::list_products(
        &svc,
        catalog::ListProducts {
            locale,
            customer_type: CustomerType::Individual,
            page: PageRequest::new(1, 5),
            filter: catalog::ProductFilter {
                category,
                in_stock_only: true,
                ..Default::default()
            },
            sort: catalog::ProductSort::Newest,
        },
    )
    .await?;
    let own_id = detail.summary.id;
    let nutrition = detail
        .nutrition
        .as_ref()
        .and_then(|n| n.as_object())
        .map(|facts| {
            // Known facts in the EU order with their names and units, then anything else.
            let known = crate::i18n::NUTRIENTS.iter().filter_map(|(key, unit)| {
                let value = facts.get(*key)?.as_f64()?;
                let text = format!("{value} {unit}")
                    .replace('.', if locale == Locale::En { "." } else { "," });
                Some((crate::i18n::nutrient_label(locale, key).to_owned(), text))
            });
            let other = facts
                .iter()
                .filter(|(k, _)| !crate::i18n::NUTRIENTS.iter().any(|(key, _)| key == k))
                .map(|(k, v)| (k.replace('_', " "), v.to_string()));
            known.chain(other).collect()
        })
        .unwrap_or_default();
    Ok(ProductView {
        card: card_from(detail.summary),
        full_name: detail.full_name,
        description_html: detail
            .description_md
            .as_deref()
            .map(domain::shared::markdown::render_markdown),
        min_qty: u32::try_from(detail.min_qty).unwrap_or(1),
        qty_per_box: detail.qty_per_box,
        origin_country: detail.origin_country,
        storage: detail.storage,
        allergens: detail.allergens,
        nutrition,
        images: detail
            .image_keys
            .iter()
            .map(|k| domain::shared::blob::media_url(k))
            .collect(),
        breadcrumb: detail
            .breadcrumb
            .into_iter()
            .map(|c| CategoryLink {
                slug: c.slug,
                name: c.name,
            })
            .collect(),
        related: related
            .items
            .into_iter()
            .filter(|p| p.id != own_id)
            .take(4)
            .map(card_from)
            .collect(),
    })
}

/// `1000 g` reads better as `1 kg`, `1500 ml` as `1.5 l`.
#[cfg(feature = "ssr")]
fn format_net(quantity: i32, unit: &str) -> String {
    let larger = match unit {
        "g" => Some("kg"),
        "ml" => Some("l"),
        _ => None,
    };
    match larger {
        Some(big) if quantity >= 1000 && quantity % 100 == 0 => {
            let (whole, tenths) = (quantity / 1000, quantity % 1000 / 100);
            if tenths == 0 {
                format!("{whole} {big}")
            } else {
                format!("{whole}.{tenths} {big}")
            }
        }
        _ => format!("{quantity} {unit}"),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn prices_typed_in_zloty_become_grosze() {
        let p = |s: &str| parse_price("min_price", &Some(s.to_owned()));
        assert_eq!(p("12"), Ok(Some(1200)));
        assert_eq!(p("12,5"), Ok(Some(1250)));
        assert_eq!(p("0.05"), Ok(Some(5)));
        for bad in ["-1", "1,234", "abc", "", ",5", "1e3"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_price("x", &None), Ok(None));
    }

    #[test]
    fn listing_links_keep_the_filters_and_encode_them() {
        let query = ListingQuery {
            q: Some("ser & masło".into()),
            in_stock: true,
            sort: Some("price_asc".into()),
            ..Default::default()
        };
        assert_eq!(
            query.href("/search", 2),
            "/search?q=ser%20%26%20mas%C5%82o&sort=price_asc&in_stock=on&page=2"
        );
        assert_eq!(ListingQuery::default().href("/c/nabial", 1), "/c/nabial");
    }

    #[test]
    fn net_content_uses_the_larger_unit_when_round() {
        assert_eq!(format_net(500, "g"), "500 g");
        assert_eq!(format_net(1000, "g"), "1 kg");
        assert_eq!(format_net(1500, "ml"), "1.5 l");
        assert_eq!(format_net(1250, "g"), "1250 g");
        assert_eq!(format_net(6, "pcs"), "6 pcs");
    }
}
