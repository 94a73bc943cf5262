//! The home page: the newest products, a page at a time.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::server_fns::{ProductCard, list_products};
use crate::components::QuantityStepper;
use crate::i18n::{Key, Locale, badge_label, format_money, t};
use crate::use_locale;

/// Lists the newest products with their prices.
#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let products = Resource::new(page, move |page| list_products(locale, page));

    view! {
        <section class="hero">
            <h1>{t(locale, Key::ShopName)}</h1>
            <p>{t(locale, Key::Tagline)}</p>
        </section>
        <section aria-labelledby="featured-heading">
            <h2 id="featured-heading">{t(locale, Key::FeaturedProducts)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match products.await {
                        Ok(page) if page.items.is_empty() => {
                            view! { <p>{t(locale, Key::NoProducts)}</p> }.into_any()
                        }
                        Ok(page) => {
                            let (current, total) = (page.page, page.total_pages);
                            view! {
                                <ul class="product-grid">
                                    {page
                                        .items
                                        .into_iter()
                                        .map(|product| view! { <ProductTile product locale /> })
                                        .collect_view()}
                                </ul>
                                <Pager locale current total />
                            }
                                .into_any()
                        }
                        Err(_) => {
                            view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ProductTile(product: ProductCard, locale: Locale) -> impl IntoView {
    let in_stock = product.available > 0;
    let heading_id = format!("product-{}", product.id);
    let labelled_by = heading_id.clone();
    view! {
        <li class="product-card" aria-labelledby=labelled_by>
            {product
                .image_url
                .map(|src| {
                    view! { <img src=src alt="" loading="lazy" width="240" height="180" /> }
                })}
            <h3 id=heading_id>{product.name}</h3>
            <p class="meta">
                {product.brand}
                {product.net_content.map(|n| view! { <span class="net">{n}</span> })}
            </p>
            <ul class="badges">
                {product
                    .badges
                    .into_iter()
                    .map(|b| view! { <li class="badge">{badge_label(locale, &b)}</li> })
                    .collect_view()}
            </ul>
            <p class="price">
                <strong>{format_money(locale, product.price_minor, &product.currency)}</strong>
                <small>{format!(" {} {}", t(locale, Key::InclVat), product.vat_rate)}</small>
            </p>
            <p class=if in_stock { "stock in" } else { "stock out" }>
                {t(locale, if in_stock { Key::InStock } else { Key::OutOfStock })}
            </p>
            {in_stock
                .then(|| {
                    view! {
                        <div class="buy">
                            <QuantityStepper id=product.id.clone() min=1 max=product.available />
                        </div>
                    }
                })}
        </li>
    }
}

#[component]
fn Pager(locale: Locale, current: u32, total: u64) -> impl IntoView {
    let label = t(locale, Key::PageOf)
        .replace("{page}", &current.to_string())
        .replace("{pages}", &total.to_string());
    view! {
        <nav class="pager" aria-label=label.clone()>
            {(current > 1)
                .then(|| {
                    view! {
                        <a href=format!("/?page={}", current - 1) rel="prev">
                            {t(locale, Key::PreviousPage)}
                        </a>
                    }
                })}
            <span>{label.clone()}</span>
            {(u64::from(current) < total)
                .then(|| {
                    view! {
                        <a href=format!("/?page={}", current + 1) rel="next">
                            {t(locale, Key::NextPage)}
                        </a>
                    }
                })}
        </nav>
    }
}
