//! Pieces every listing shares: the product grid, the pager, filters and breadcrumbs.

use leptos::prelude::*;

use super::server_fns::{CategoryLink, ListingQuery, ProductCard};
use crate::i18n::{Key, Locale, badge_label, t};
use crate::shopping::{AddToCartForm, FavoriteButton};

/// A grid of product cards.
#[component]
pub fn ProductGrid(items: Vec<ProductCard>, locale: Locale) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {items.into_iter().map(|product| view! { <ProductTile product locale /> }).collect_view()}
        </ul>
    }
}

/// One product card: picture, name, price, stock and a quantity field.
#[component]
pub fn ProductTile(product: ProductCard, locale: Locale) -> impl IntoView {
    let in_stock = product.available > 0;
    let label = product.name.clone();
    let favorite_id = product.id;
    let favorite_label = product.name.clone();
    let heading_id = format!("product-{}", product.id);
    let labelled_by = heading_id.clone();
    let href = format!("/p/{}", product.slug);
    view! {
        <li class="product-card" aria-labelledby=labelled_by>
            {product
                .image_url
                .map(|src| view! { <img src=src alt="" loading="lazy" width="240" height="180" /> })}
            <h3 id=heading_id>
                <a href=href>{product.name}</a>
            </h3>
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
                <strong>{product.price.format(locale)}</strong>
                <small>{format!(" {} {}", t(locale, Key::InclVat), product.vat_rate)}</small>
            </p>
            <StockState locale available=product.available />
            <FavoriteButton product_id=favorite_id label=favorite_label />
            {in_stock
                .then(|| {
                    view! {
                        <AddToCartForm product_id=product.id min=1 max=product.available label />
                    }
                })}
        </li>
    }
}

/// In stock, only N left, or sold out.
#[component]
pub fn StockState(locale: Locale, available: u32) -> impl IntoView {
    let (class, text) = match available {
        0 => ("stock out", t(locale, Key::OutOfStock).to_owned()),
        1..=5 => (
            "stock low",
            t(locale, Key::OnlyLeft).replace("{n}", &available.to_string()),
        ),
        _ => ("stock in", t(locale, Key::InStock).to_owned()),
    };
    view! { <p class=class>{text}</p> }
}

/// Previous / next links that keep the listing's filters.
#[component]
pub fn Pager(
    locale: Locale,
    current: u32,
    total: u64,
    path: String,
    query: ListingQuery,
) -> impl IntoView {
    let label = t(locale, Key::PageOf)
        .replace("{page}", &current.to_string())
        .replace("{pages}", &total.to_string());
    let previous = (current > 1).then(|| query.href(&path, current - 1));
    let next = (u64::from(current) < total).then(|| query.href(&path, current + 1));
    view! {
        <nav class="pager" aria-label=label.clone()>
            {previous.map(|href| view! { <a href=href rel="prev">{t(locale, Key::PreviousPage)}</a> })}
            <span>{label.clone()}</span>
            {next.map(|href| view! { <a href=href rel="next">{t(locale, Key::NextPage)}</a> })}
        </nav>
    }
}

/// The filter and sort form: a plain GET form, so it works without JavaScript and the URL
/// can be shared.
#[component]
pub fn ListingFilters(
    locale: Locale,
    path: String,
    query: ListingQuery,
    with_relevance: bool,
) -> impl IntoView {
    let sorts = [
        ("relevance", Key::SortRelevance),
        ("newest", Key::SortNewest),
        ("price_asc", Key::SortPriceAsc),
        ("price_desc", Key::SortPriceDesc),
        ("name", Key::SortName),
    ];
    let current_sort = query.sort.clone().unwrap_or_else(|| {
        if with_relevance {
            "relevance"
        } else {
            "newest"
        }
        .into()
    });
    view! {
        <form class="filters" method="get" action=path aria-label=t(locale, Key::Filters)>
            {query.q.clone().map(|q| view! { <input type="hidden" name="q" value=q /> })}
            <label>
                {t(locale, Key::MinPrice)}
                <input name="min_price" inputmode="decimal" size="6" value=query.min_price.clone().unwrap_or_default() />
            </label>
            <label>
                {t(locale, Key::MaxPrice)}
                <input name="max_price" inputmode="decimal" size="6" value=query.max_price.clone().unwrap_or_default() />
            </label>
            <label>
                {t(locale, Key::Brand)}
                <input name="brand" size="12" value=query.brand.clone().unwrap_or_default() />
            </label>
            <label class="check">
                <input type="checkbox" name="in_stock" checked=query.in_stock />
                {t(locale, Key::InStockOnly)}
            </label>
            <label>
                {t(locale, Key::SortBy)}
                <select name="sort">
                    {sorts
                        .into_iter()
                        .filter(|(key, _)| with_relevance || *key != "relevance")
                        .map(|(key, label)| {
                            view! {
                                <option value=key selected=current_sort == key>
                                    {t(locale, label)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit">{t(locale, Key::Apply)}</button>
        </form>
    }
}

/// Home › category › subcategory.
#[component]
pub fn Breadcrumbs(locale: Locale, trail: Vec<CategoryLink>) -> impl IntoView {
    let last = trail.len().saturating_sub(1);
    view! {
        <nav class="breadcrumb" aria-label=t(locale, Key::Breadcrumb)>
            <ol>
                <li>
                    <a href="/">{t(locale, Key::Home)}</a>
                </li>
                {trail
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        view! {
                            <li>
                                <a
                                    href=format!("/c/{}", c.slug)
                                    aria-current=(i == last).then_some("page")
                                >
                                    {c.name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
