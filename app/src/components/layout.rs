//! The frame of every page: header with search, cart, account and languages; footer.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::SearchBox;
use crate::account::NotificationBadge;
use crate::i18n::{Key, Locale, t};
use crate::shopping::{CartLink, ShopNotice};
use crate::use_locale;

/// Header, main landmark and footer around the page's content.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let locale = use_locale();
    view! {
        <a class="skip-link" href="#main">{t(locale, Key::SkipToContent)}</a>
        <Header locale />
        <main id="main" tabindex="-1">
            <div class="shop-notice">
                <ShopNotice />
            </div>
            {children()}
        </main>
        <Footer locale />
    }
}

#[component]
fn Header(locale: Locale) -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="logo" href="/" aria-label=t(locale, Key::ShopName)>
                <img src="/logo.svg" alt="" width="32" height="32" />
                <span>{t(locale, Key::ShopName)}</span>
            </a>
            <SearchBox locale />
            <nav class="header-nav" aria-label=t(locale, Key::MainNavigation)>
                <CartLink />
                <a href="/account">{t(locale, Key::Account)}</a>
                <NotificationBadge />
                <LanguageSwitch locale />
            </nav>
        </header>
    }
}

/// Links to the same page in each language; a full page load, so the server renders it
/// in the new language and remembers the choice in a cookie.
#[component]
fn LanguageSwitch(locale: Locale) -> impl IntoView {
    let location = use_location();
    view! {
        <ul class="languages" aria-label=t(locale, Key::Language)>
            {Locale::ALL
                .into_iter()
                .map(|option| {
                    let href = move || format!("{}?lang={}", location.pathname.get(), option.code());
                    view! {
                        <li>
                            <a
                                href=href
                                rel="external"
                                hreflang=option.code()
                                lang=option.code()
                                aria-current=(option == locale).then_some("true")
                            >
                                {option.code().to_uppercase()}
                                <span class="visually-hidden">{" "}{option.native_name()}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Footer(locale: Locale) -> impl IntoView {
    view! {
        <footer class="site-footer">
            <nav aria-label=t(locale, Key::MainNavigation)>
                <a href="/faq">{t(locale, Key::Faq)}</a>
                <a href="/terms">{t(locale, Key::Terms)}</a>
            </nav>
            <p>{t(locale, Key::FooterNote)}</p>
        </footer>
    }
}
