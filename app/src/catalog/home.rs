//! The home page: the newest products, a page at a time.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::grid::{Pager, ProductGrid};
use super::server_fns::{ListingQuery, list_categories, list_listing};
use crate::i18n::{Key, t};
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
    let products = Resource::new(page, move |page| {
        list_listing(
            locale,
            ListingQuery {
                page,
                ..Default::default()
            },
        )
    });
    let categories = Resource::new(|| (), move |_| list_categories(locale));

    view! {
        <section class="hero">
            <h1>{t(locale, Key::ShopName)}</h1>
            <p>{t(locale, Key::Tagline)}</p>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                categories
                    .await
                    .ok()
                    .map(|categories| {
                        view! {
                            <nav class="category-nav" aria-label=t(locale, Key::Categories)>
                                {categories
                                    .into_iter()
                                    .map(|c| view! { <a href=format!("/c/{}", c.slug)>{c.name}</a> })
                                    .collect_view()}
                            </nav>
                        }
                    })
            })}
        </Suspense>
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
                                <ProductGrid items=page.items locale />
                                <Pager locale current total path="/".to_owned() query=ListingQuery::default() />
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
