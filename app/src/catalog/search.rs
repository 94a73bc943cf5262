//! `/search?q=`: search results with the same filters as a category.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::category::Listing;
use super::grid::ListingFilters;
use super::server_fns::{ListingQuery, list_listing};
use crate::i18n::{Key, t};
use crate::use_locale;

/// The search results page.
#[component]
pub fn SearchPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let listing_query = move || {
        let map = query.read();
        ListingQuery::from_query(|k| map.get(k))
    };
    let products = Resource::new(listing_query, move |q| list_listing(locale, q));
    view! {
        {move || {
            let q = listing_query();
            let heading = match &q.q {
                Some(text) => format!("{} „{text}”", t(locale, Key::ResultsFor)),
                None => t(locale, Key::SearchResults).to_owned(),
            };
            view! {
                <Title text=format!("{} · {}", t(locale, Key::SearchResults), t(locale, Key::ShopName)) />
                <h1>{heading}</h1>
                <ListingFilters locale path="/search".to_owned() query=q.clone() with_relevance=true />
                <Listing locale path="/search".to_owned() products listing_query=q />
            }
        }}
    }
}
