//! `/cart` and `/account/favorites`.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use super::actions;
use super::server_fns::{
    CartLineView, CartView, ClearCart, RemoveCartItem, RemoveFavorite, UpdateCartItem, get_cart,
    list_favorites,
};
use crate::components::ActionNotice;
use crate::i18n::{Key, t};
use crate::use_locale;

/// The cart: lines with their current price and stock, quantities, totals with VAT.
#[component]
pub fn CartPage() -> impl IntoView {
    let locale = use_locale();
    let shop = actions();
    let update = ServerAction::<UpdateCartItem>::new();
    let remove = ServerAction::<RemoveCartItem>::new();
    let clear = ServerAction::<ClearCart>::new();
    Effect::new(move |_| {
        let changes = update.version().get() + remove.version().get() + clear.version().get();
        if changes > 0 {
            shop.changed.update(|v| *v += 1);
        }
    });
    let cart = Resource::new(
        move || {
            (
                update.version().get(),
                remove.version().get(),
                clear.version().get(),
            )
        },
        |_| get_cart(),
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Cart), t(locale, Key::ShopName)) />
        <section class="cart">
            <h1>{t(locale, Key::Cart)}</h1>
            <ActionNotice locale value=update.value() />
            <ActionNotice locale value=remove.value() />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match cart.await {
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(c) if c.lines.is_empty() => view! { <p>{t(locale, Key::CartEmpty)}</p> }.into_any(),
                        Ok(c) => view! { <CartContents cart=c update remove clear /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CartContents(
    cart: CartView,
    update: ServerAction<UpdateCartItem>,
    remove: ServerAction<RemoveCartItem>,
    clear: ServerAction<ClearCart>,
) -> impl IntoView {
    let locale = use_locale();
    let shipping = if cart.shipping.minor == 0 {
        t(locale, Key::FreeShipping).to_owned()
    } else {
        cart.shipping.format(locale)
    };
    view! {
        <ul class="cart-lines">
            {cart
                .lines
                .into_iter()
                .map(|line| view! { <CartRow line update remove /> })
                .collect_view()}
        </ul>
        <dl class="totals" data-testid="totals">
            <dt>{t(locale, Key::Subtotal)}</dt>
            <dd data-testid="subtotal">{cart.subtotal.format(locale)}</dd>
            <dt>{t(locale, Key::ShippingCost)}</dt>
            <dd data-testid="shipping">{shipping}</dd>
            {cart
                .vat
                .iter()
                .map(|row| view! {
                    <dt class="muted">{format!("{} {}", t(locale, Key::VatIncluded), row.rate)}</dt>
                    <dd class="muted">{row.vat.format(locale)}</dd>
                })
                .collect_view()}
            <dt><strong>{t(locale, Key::Total)}</strong></dt>
            <dd data-testid="total"><strong>{cart.total.format(locale)}</strong></dd>
        </dl>
        <p class="muted">{format!("{} {}", t(locale, Key::FreeShippingFrom), cart.free_shipping_from.format(locale))}</p>
        <p><a class="button primary" href="/checkout" data-testid="go-to-checkout">{t(locale, Key::GoToCheckout)}</a></p>
        <ActionForm action=clear>
            <button type="submit">{t(locale, Key::ClearCart)}</button>
        </ActionForm>
    }
}

#[component]
fn CartRow(
    line: CartLineView,
    update: ServerAction<UpdateCartItem>,
    remove: ServerAction<RemoveCartItem>,
) -> impl IntoView {
    let locale = use_locale();
    let stock_note = if line.unavailable {
        Some(t(locale, Key::NoLongerAvailable).to_owned())
    } else if line.stock < line.quantity || line.stock <= 5 {
        Some(t(locale, Key::OnlyLeft).replace("{n}", &line.stock.to_string()))
    } else {
        None
    };
    let qty_id = format!("cart-qty-{}", line.product_id);
    let name = line.name.clone();
    let remove_id = line.product_id.to_string();
    view! {
        <li class="cart-line" data-testid="cart-line">
            {line.image_url.clone().map(|src| view! { <img src=src alt="" width="80" height="60" /> })}
            <div class="what">
                <a href=format!("/p/{}", line.slug)>{line.name.clone()}</a>
                <p class="muted">
                    {line.unit_price.format(locale)} " · VAT " {line.vat_rate.to_string()}
                </p>
                {line.previous_price.map(|before| view! {
                    <p class="warning" role="note">{format!("{} {}", t(locale, Key::PriceChangedFrom), before.format(locale))}</p>
                })}
                {stock_note.map(|note| view! { <p class="warning" role="note">{note}</p> })}
            </div>
            <ActionForm action=update attr:class="qty">
                <input type="hidden" name="product_id" value=line.product_id.to_string() />
                <label for=qty_id.clone() class="visually-hidden">{format!("{} – {name}", t(locale, Key::Quantity))}</label>
                <input
                    id=qty_id
                    name="quantity"
                    type="number"
                    inputmode="numeric"
                    min=line.min_qty.max(1)
                    max=line.stock.max(1)
                    value=line.quantity
                    aria-label=format!("{} – {name}", t(locale, Key::Quantity))
                />
                <button type="submit">{t(locale, Key::Update)}</button>
            </ActionForm>
            <p class="line-total" data-testid="line-total">{line.line_total.format(locale)}</p>
            <ActionForm action=remove>
                <input type="hidden" name="product_id" value=remove_id />
                <button type="submit" aria-label=format!("{} – {}", t(locale, Key::Remove), line.name)>{t(locale, Key::Remove)}</button>
            </ActionForm>
        </li>
    }
}

/// `/account/favorites`.
#[component]
pub fn FavoritesPage() -> impl IntoView {
    let locale = use_locale();
    let remove = ServerAction::<RemoveFavorite>::new();
    let favorites = Resource::new(move || remove.version().get(), |_| list_favorites());
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Favorites), t(locale, Key::ShopName)) />
        <section>
            <h1>{t(locale, Key::Favorites)}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match favorites.await {
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p>{t(locale, Key::NoFavorites)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="address-list">
                                {list.into_iter().map(|f| view! {
                                    <li class="address" data-testid="favorite">
                                        {f.image_url.clone().map(|src| view! { <img src=src alt="" width="120" height="90" /> })}
                                        <p><a href=format!("/p/{}", f.slug)>{f.name.clone()}</a></p>
                                        <p>{f.price.format(locale)}</p>
                                        {(!f.available).then(|| view! { <p class="warning">{t(locale, Key::OutOfStock)}</p> })}
                                        <ActionForm action=remove>
                                            <input type="hidden" name="product_id" value=f.product_id.to_string() />
                                            <button type="submit">{t(locale, Key::RemoveFavorite)}</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
