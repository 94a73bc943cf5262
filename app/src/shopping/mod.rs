//! The cart page, the favorites page, and the add-to-cart and favorite buttons.
//!
//! Every button is a form that posts without JavaScript (and comes back to the page); once
//! hydrated it posts in the background and the header's cart count follows.

mod pages;
pub mod server_fns;

use leptos::form::ActionForm;
use leptos::prelude::*;
use shop_types::ProductId;

pub use pages::{CartPage, FavoritesPage};
use server_fns::{AddFavorite, AddToCart, cart_count};

use crate::components::{ActionNotice, QuantityStepper};
use crate::i18n::{Key, t};
use crate::use_locale;

/// The shop-wide actions whose results the header follows.
#[derive(Clone, Copy)]
pub struct ShopActions {
    /// Add to cart.
    pub add: ServerAction<AddToCart>,
    /// Add a favorite.
    pub favorite: ServerAction<AddFavorite>,
    /// Bumped by the cart page after each change.
    pub changed: RwSignal<u32>,
}

impl ShopActions {
    /// Created once by the app.
    pub fn provide() {
        provide_context(ShopActions {
            add: ServerAction::new(),
            favorite: ServerAction::new(),
            changed: RwSignal::new(0),
        });
    }
}

fn actions() -> ShopActions {
    use_context::<ShopActions>().unwrap_or_else(|| ShopActions {
        add: ServerAction::new(),
        favorite: ServerAction::new(),
        changed: RwSignal::new(0),
    })
}

/// "Cart (3)" in the header.
#[component]
pub fn CartLink() -> impl IntoView {
    let locale = use_locale();
    let shop = actions();
    // Also after every navigation: a sign-in (merge) or a placed order changes the cart.
    let location = leptos_router::hooks::use_location();
    let count = Resource::new(
        move || {
            (
                shop.add.version().get(),
                shop.changed.get(),
                location.pathname.get(),
            )
        },
        |_| cart_count(),
    );
    view! {
        <a href="/cart" class="cart-link">
            {t(locale, Key::Cart)}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let n = count.await.unwrap_or(0);
                    (n > 0).then(|| view! { " " <span class="cart-count" data-testid="cart-count">{n}</span> })
                })}
            </Suspense>
        </a>
    }
}

/// Quantity and "add to cart" for a product card or page.
#[component]
pub fn AddToCartForm(
    product_id: ProductId,
    min: u32,
    max: u32,
    #[prop(default = None)] qty_per_box: Option<i32>,
    /// Used in the button's accessible name.
    label: String,
) -> impl IntoView {
    let locale = use_locale();
    let shop = actions();
    let stepper_id = product_id.to_string();
    view! {
        <ActionForm action=shop.add attr:class="buy">
            <input type="hidden" name="product_id" value=product_id.to_string() />
            <QuantityStepper id=stepper_id min max />
            {qty_per_box.map(|per_box| view! {
                <label class="unit">
                    <span class="visually-hidden">{t(locale, Key::Unit)}</span>
                    <select name="unit">
                        <option value="item">{t(locale, Key::Pieces)}</option>
                        <option value="box">{format!("{} {per_box}", t(locale, Key::Boxes))}</option>
                    </select>
                </label>
            })}
            <button type="submit" class="button" aria-label=format!("{} – {label}", t(locale, Key::AddToCart))>
                {t(locale, Key::AddToCart)}
            </button>
        </ActionForm>
    }
}

/// The heart: adds the product to the favorites.
#[component]
pub fn FavoriteButton(product_id: ProductId, label: String) -> impl IntoView {
    let locale = use_locale();
    let shop = actions();
    view! {
        <ActionForm action=shop.favorite attr:class="favorite">
            <input type="hidden" name="product_id" value=product_id.to_string() />
            <button type="submit" class="heart" aria-label=format!("{} – {label}", t(locale, Key::AddFavorite)) title=t(locale, Key::AddFavorite)>
                "♡"
            </button>
        </ActionForm>
    }
}

/// What the last add-to-cart or favorite did, for a status line under the header.
#[component]
pub fn ShopNotice() -> impl IntoView {
    let locale = use_locale();
    let shop = actions();
    view! {
        <ActionNotice locale value=shop.add.value() saved=Key::AddedToCart />
        <ActionNotice locale value=shop.favorite.value() saved=Key::Saved />
    }
}
