//! Metropolitan's web pages: the shell, the router and every page, rendered on the server
//! and hydrated in the browser.

pub mod account;
pub mod admin;
pub mod catalog;
pub mod components;
pub mod content;
pub mod error;
pub mod i18n;
pub mod not_found;
pub mod orders;
pub mod shopping;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, StaticSegment, path};

use crate::account::{
    AccountPage, AddressesPage, CompleteProfilePage, LoginPage, NotificationSettingsPage,
    NotificationsPage,
};
use crate::admin::{
    AdminCategoriesPage, AdminContentPage, AdminFaqPage, AdminProductEditPage, AdminProductsPage,
    AdminUsersPage,
};
use crate::catalog::{CategoryPage, HomePage, ProductDetailPage, SearchPage};
use crate::components::Layout;
use crate::content::{FaqPage, PageBySlug, TermsPage};
use crate::i18n::{Key, Locale, t};
use crate::not_found::NotFound;
use crate::orders::{
    AdminDashboardPage, AdminOrderPage, AdminOrdersPage, CheckoutPage, DevPaymentPage,
    MyOrdersPage, OrderPage,
};
use crate::shopping::{CartPage, FavoritesPage, ShopActions};

/// The language the page is rendered in, provided to every component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UiLocale(pub Locale);

/// Reads the page's language from context.
pub fn use_locale() -> Locale {
    use_context::<UiLocale>().map(|l| l.0).unwrap_or_default()
}

/// The HTML document around the app. Runs on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos::nonce::use_nonce;
    use leptos_meta::MetaTags;

    let parts = use_context::<http::request::Parts>();
    let locale = parts
        .as_ref()
        .map(|parts| ssr::request_locale(parts, Locale::default()))
        .unwrap_or_default();
    let chosen = parts.as_ref().and_then(ssr::query_locale);
    provide_context(UiLocale(locale));
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&csp) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
        if let Some(chosen) = chosen {
            let cookie = format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                ssr::LOCALE_COOKIE,
                chosen.code()
            );
            if let Ok(value) = http::HeaderValue::from_str(&cookie) {
                response.append_header(http::header::SET_COOKIE, value);
            }
        }
        response.append_header(
            http::header::VARY,
            http::HeaderValue::from_static("accept-language, cookie"),
        );
    }
    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1f6f43" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The language the server rendered, read back from `<html lang>` when hydrating.
fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<UiLocale>().map(|l| l.0).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Locale::from_code(&code))
            .unwrap_or_default()
    }
}

/// The application: layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = initial_locale();
    provide_context(UiLocale(locale));
    ShopActions::provide();
    // Effects run only in the browser: this marks the page as hydrated, which the
    // end-to-end tests wait for before they interact.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/metropolitan.css" />
        <Title text=t(locale, Key::ShopName) />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    // Async everywhere: pages arrive complete, so they work without JavaScript,
                    // and the status (404 for an unknown slug) is known before headers go out.
                    <Route path=path!("/c/:slug") view=CategoryPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:slug") view=ProductDetailPage ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/faq") view=FaqPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/products") view=AdminProductsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/products/edit") view=AdminProductEditPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/content") view=AdminContentPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/categories") view=AdminCategoriesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/faq") view=AdminFaqPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/account/complete") view=CompleteProfilePage ssr=SsrMode::Async />
                    <Route path=path!("/account/addresses") view=AddressesPage ssr=SsrMode::Async />
                    <Route path=path!("/account/favorites") view=FavoritesPage ssr=SsrMode::Async />
                    <Route path=path!("/account/notifications") view=NotificationsPage ssr=SsrMode::Async />
                    <Route path=path!("/account/notifications/settings") view=NotificationSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async />
                    <Route path=path!("/checkout") view=CheckoutPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/:id") view=OrderPage ssr=SsrMode::Async />
                    <Route path=path!("/account/orders") view=MyOrdersPage ssr=SsrMode::Async />
                    <Route path=path!("/pay/dev/:id") view=DevPaymentPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminDashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/orders") view=AdminOrdersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/orders/:id") view=AdminOrderPage ssr=SsrMode::Async />
                    <Route path=path!("/terms") view=TermsPage ssr=SsrMode::Async />
                    <Route path=path!("/pages/:slug") view=PageBySlug ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
