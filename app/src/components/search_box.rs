//! The header search box: a plain GET form, with suggestions while typing once hydrated.

use leptos::prelude::*;

use crate::catalog::{CategoryLink, suggest};
use crate::i18n::{Key, Locale, t};

/// Shortest input that asks for suggestions.
const MIN_CHARS: usize = 2;

/// Search form with live suggestions (links to product pages).
#[component]
pub fn SearchBox(locale: Locale) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // Client-only: on the server this never loads, so the first render matches.
    let suggestions = LocalResource::new(move || {
        let q = text.get();
        async move {
            if q.trim().chars().count() < MIN_CHARS {
                Vec::new()
            } else {
                suggest(locale, q).await.unwrap_or_default()
            }
        }
    });
    let items = move || suggestions.get().unwrap_or_default();
    view! {
        <form class="search" action="/search" method="get" role="search">
            <label for="search-q" class="visually-hidden">{t(locale, Key::SearchLabel)}</label>
            <input
                id="search-q"
                name="q"
                type="search"
                placeholder=t(locale, Key::SearchPlaceholder)
                autocomplete="off"
                maxlength="200"
                aria-controls="search-suggestions"
                aria-autocomplete="list"
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <button type="submit">{t(locale, Key::SearchButton)}</button>
            <ul
                id="search-suggestions"
                class="suggestions"
                aria-label=t(locale, Key::Suggestions)
                hidden=move || items().is_empty()
            >
                <For each=items key=|s: &CategoryLink| s.slug.clone() let:s>
                    <li>
                        <a href=format!("/p/{}", s.slug)>{s.name}</a>
                    </li>
                </For>
            </ul>
        </form>
    }
}
