//! `/p/{slug}`: one product with its price, stock, food details and related products.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::grid::{Breadcrumbs, ProductGrid, StockState};
use super::server_fns::get_product;
use crate::error::AppError;
use crate::i18n::{Key, allergen_label, badge_label, t};
use crate::not_found::NotFound;
use crate::shopping::{AddToCartForm, FavoriteButton};
use crate::use_locale;

/// The product page.
#[component]
pub fn ProductPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let product = Resource::new(slug, move |slug| get_product(locale, slug));

    view! {
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let p = match product.await {
                    Ok(p) => p,
                    Err(AppError::NotFound) => return view! { <NotFound /> }.into_any(),
                    Err(_) => {
                        return view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any();
                    }
                };
                let card = p.card.clone();
                let storage = p.storage.as_deref().map(|s| match s {
                    "chilled" => t(locale, Key::StorageChilled),
                    "frozen" => t(locale, Key::StorageFrozen),
                    _ => t(locale, Key::StorageAmbient),
                });
                let allergens = if p.allergens.is_empty() {
                    t(locale, Key::NoAllergens).to_owned()
                } else {
                    p.allergens.iter().map(|a| allergen_label(locale, a)).collect::<Vec<_>>().join(", ")
                };
                view! {
                    <Title text=format!("{} · {}", card.name, t(locale, Key::ShopName)) />
                    <Breadcrumbs locale trail=p.breadcrumb.clone() />
                    <article class="product-page">
                        <div class="gallery">
                            {p
                                .images
                                .iter()
                                .map(|src| view! { <img src=src.clone() alt=card.name.clone() width="480" height="360" /> })
                                .collect_view()}
                        </div>
                        <div class="summary">
                            <h1>{card.name.clone()}</h1>
                            {p.full_name.clone().map(|f| view! { <p class="muted">{f}</p> })}
                            <ul class="badges">
                                {card
                                    .badges
                                    .iter()
                                    .map(|b| view! { <li class="badge">{badge_label(locale, b)}</li> })
                                    .collect_view()}
                            </ul>
                            <p class="price big">
                                <strong>{card.price.format(locale)}</strong>
                                <small>{format!(" {} {}", t(locale, Key::InclVat), card.vat_rate)}</small>
                            </p>
                            <StockState locale available=card.available />
                            <FavoriteButton product_id=card.id label=card.name.clone() />
                            {(card.available > 0)
                                .then(|| {
                                    view! {
                                        <AddToCartForm
                                            product_id=card.id
                                            min=p.min_qty.max(1)
                                            max=card.available.max(p.min_qty.max(1))
                                            qty_per_box=p.qty_per_box
                                            label=card.name.clone()
                                        />
                                    }
                                })}
                            <dl class="facts">
                                {card.net_content.clone().map(|n| view! { <dt>{t(locale, Key::NetContent)}</dt><dd>{n}</dd> })}
                                {(p.min_qty > 1).then(|| view! { <dt>{t(locale, Key::MinQty)}</dt><dd>{p.min_qty}</dd> })}
                                {p.qty_per_box.map(|q| view! { <dt>{t(locale, Key::QtyPerBox)}</dt><dd>{q}</dd> })}
                                <dt>{t(locale, Key::Allergens)}</dt>
                                <dd>{allergens}</dd>
                                {storage.map(|s| view! { <dt>{t(locale, Key::Storage)}</dt><dd>{s}</dd> })}
                                {p.origin_country.clone().map(|o| view! { <dt>{t(locale, Key::Origin)}</dt><dd>{o}</dd> })}
                            </dl>
                        </div>
                    </article>
                    {p.description_html.clone().map(|html| {
                        view! {
                            <section class="description" aria-labelledby="description-heading">
                                <h2 id="description-heading">{t(locale, Key::Description)}</h2>
                                // Sanitized on the server by domain::shared::markdown.
                                <div inner_html=html></div>
                            </section>
                        }
                    })}
                    {(!p.nutrition.is_empty()).then(|| {
                        view! {
                            <section aria-labelledby="nutrition-heading">
                                <h2 id="nutrition-heading">{t(locale, Key::Nutrition)}</h2>
                                <table class="nutrition">
                                    <tbody>
                                        {p.nutrition.iter().map(|(k, v)| view! { <tr><th scope="row">{k.clone()}</th><td>{v.clone()}</td></tr> }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                    })}
                    {(!p.related.is_empty()).then(|| {
                        view! {
                            <section aria-labelledby="related-heading">
                                <h2 id="related-heading">{t(locale, Key::Related)}</h2>
                                <ProductGrid items=p.related.clone() locale />
                            </section>
                        }
                    })}
                }
                    .into_any()
            })}
        </Suspense>
    }
}
