//! Server functions for the catalog pages, and the data they send to the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::Locale;

/// A product as a card on a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    /// Public id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Name in the page's language.
    pub name: String,
    /// Brand.
    pub brand: Option<String>,
    /// Gross unit price in minor units.
    pub price_minor: i64,
    /// Currency code.
    pub currency: String,
    /// VAT rate as text, e.g. `8%`.
    pub vat_rate: String,
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

/// Cards on one page of the home listing.
#[cfg(feature = "ssr")]
pub const HOME_PAGE_SIZE: u32 = 24;

/// One page of active products, newest first, named in `locale`.
#[server(prefix = "/sf", endpoint = "catalog/list_products")]
pub async fn list_products(locale: Locale, page: u32) -> Result<ProductPage, AppError> {
    use domain::catalog;
    use domain::shared::{CustomerType, PageRequest};

    let svc = crate::ssr::services()?;
    let query = catalog::ListProducts {
        locale: crate::ssr::domain_locale(locale),
        customer_type: CustomerType::Individual,
        page: PageRequest::new(page, HOME_PAGE_SIZE),
        filter: catalog::ProductFilter::default(),
        sort: catalog::ProductSort::Newest,
    };
    let page = catalog::list_products(&svc, query).await?;
    let total_pages = page.total_pages();
    Ok(ProductPage {
        page: page.page,
        total_pages,
        items: page
            .items
            .into_iter()
            .map(|p| ProductCard {
                id: p.id.to_string(),
                net_content: p
                    .net_quantity
                    .zip(p.net_unit)
                    .map(|(q, unit)| format_net(q, &unit)),
                available: u32::try_from(p.stock.clamp(0, 999)).unwrap_or(0),
                image_url: p.image_key.map(|key| format!("/media/{key}")),
                vat_rate: p.vat_rate.to_string(),
                currency: p.price.currency.to_string(),
                price_minor: p.price.minor,
                slug: p.slug,
                name: p.name,
                brand: p.brand,
                badges: p.badges,
            })
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
    use super::format_net;

    #[test]
    fn net_content_uses_the_larger_unit_when_round() {
        assert_eq!(format_net(500, "g"), "500 g");
        assert_eq!(format_net(1000, "g"), "1 kg");
        assert_eq!(format_net(1500, "ml"), "1.5 l");
        assert_eq!(format_net(1250, "g"), "1250 g");
        assert_eq!(format_net(6, "pcs"), "6 pcs");
    }
}
