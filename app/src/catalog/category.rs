//! `/c/{slug}`: a category's products with filters, sort and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::grid::{Breadcrumbs, ListingFilters, Pager, ProductGrid};
use super::server_fns::{ListingQuery, get_category, list_listing};
use crate::error::AppError;
use crate::i18n::{Key, Locale, t};
use crate::not_found::NotFound;
use crate::use_locale;

/// The category page.
#[component]
pub fn CategoryPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let listing_query = move || {
        let map = query.read();
        let mut q = ListingQuery::from_query(|k| map.get(k));
        q.category = Some(slug());
        q
    };
    let header = Resource::new(slug, move |slug| get_category(locale, slug));
    let products = Resource::new(listing_query, move |q| list_listing(locale, q));

    view! {
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match header.await {
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(category) => {
                        let path = format!("/c/{}", category.slug);
                        view! {
                            <Title text=format!("{} · {}", category.name, t(locale, Key::ShopName)) />
                            <Breadcrumbs locale trail=category.breadcrumb.clone() />
                            <h1>{category.name.clone()}</h1>
                            {category.description.clone().map(|d| view! { <p class="lead">{d}</p> })}
                            {(!category.children.is_empty())
                                .then(|| {
                                    view! {
                                        <nav class="subcategories" aria-label=t(locale, Key::Subcategories)>
                                            {category
                                                .children
                                                .iter()
                                                .map(|c| view! { <a href=format!("/c/{}", c.slug)>{c.name.clone()}</a> })
                                                .collect_view()}
                                        </nav>
                                    }
                                })}
                            <ListingFilters locale path=path.clone() query=listing_query() with_relevance=false />
                            <Listing locale path products listing_query=listing_query() />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The grid, pager or a message, for a listing resource.
#[component]
pub fn Listing(
    locale: Locale,
    path: String,
    products: Resource<Result<super::ProductPage, AppError>>,
    listing_query: ListingQuery,
) -> impl IntoView {
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {
                let path = path.clone();
                let listing_query = listing_query.clone();
                move || {
                    let path = path.clone();
                    let listing_query = listing_query.clone();
                    Suspend::new(async move {
                        match products.await {
                            Ok(page) if page.items.is_empty() => {
                                view! { <p class="empty">{t(locale, Key::NoResults)}</p> }.into_any()
                            }
                            Ok(page) => {
                                let (current, total) = (page.page, page.total_pages);
                                view! {
                                    <ProductGrid items=page.items locale />
                                    <Pager locale current total path query=listing_query />
                                }
                                    .into_any()
                            }
                            Err(AppError::Invalid { field, .. }) => {
                                view! {
                                    <p class="error" role="alert">
                                        {t(locale, Key::InvalidFilter).replace("{field}", &field)}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(_) => {
                                view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any()
                            }
                        }
                    })
                }
            }
        </Suspense>
    }
}
