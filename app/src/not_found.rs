//! The page for every unknown URL.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{Key, t};
use crate::use_locale;

/// Says the page does not exist, with a 404 status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <Title text=t(locale, Key::NotFoundTitle) />
        <section class="not-found">
            <h1>{t(locale, Key::NotFoundTitle)}</h1>
            <p>{t(locale, Key::NotFoundText)}</p>
            <a class="button" href="/">{t(locale, Key::BackHome)}</a>
        </section>
    }
}
