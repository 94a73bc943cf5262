//! Content pages: the FAQ, the terms and other pages by slug.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{Key, Locale, t};
use crate::not_found::NotFound;
use crate::use_locale;

/// A FAQ entry as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqItem {
    /// Question.
    pub question: String,
    /// Answer, sanitized HTML.
    pub answer_html: String,
}

/// A content page as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    /// Title.
    pub title: String,
    /// Body, sanitized HTML.
    pub body_html: String,
    /// Language of the text.
    pub locale: String,
    /// Last change, `YYYY-MM-DD`.
    pub updated_on: String,
}

/// Published FAQ entries.
#[server(prefix = "/sf", endpoint = "content/list_faq")]
pub async fn list_faq(locale: Locale) -> Result<Vec<FaqItem>, AppError> {
    let svc = crate::ssr::services()?;
    let entries = domain::content::list_faq(&svc, locale).await?;
    Ok(entries
        .into_iter()
        .map(|e| FaqItem {
            question: e.question,
            answer_html: e.answer_html,
        })
        .collect())
}

/// A published page by slug.
#[server(prefix = "/sf", endpoint = "content/get_page")]
pub async fn get_page(locale: Locale, slug: String) -> Result<PageView, AppError> {
    let svc = crate::ssr::services()?;
    let page = domain::content::get_page(&svc, &slug, locale).await?;
    Ok(PageView {
        title: page.title,
        body_html: page.body_html,
        locale: page.locale,
        updated_on: page.updated_at.format("%Y-%m-%d").to_string(),
    })
}

/// `/faq`: questions as expandable details, working without JavaScript.
#[component]
pub fn FaqPage() -> impl IntoView {
    let locale = use_locale();
    let entries = Resource::new(|| (), move |_| list_faq(locale));
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Faq), t(locale, Key::ShopName)) />
        <h1>{t(locale, Key::Faq)}</h1>
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(entries) => {
                        view! {
                            <div class="faq">
                                {entries
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <details>
                                                <summary>{e.question}</summary>
                                                // Sanitized on the server by domain::shared::markdown.
                                                <div class="answer" inner_html=e.answer_html></div>
                                            </details>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                            .into_any()
                    }
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/terms`: the terms and conditions page.
#[component]
pub fn TermsPage() -> impl IntoView {
    view! { <ContentPage slug=Signal::derive(|| "terms".to_owned()) /> }
}

/// `/pages/{slug}`.
#[component]
pub fn PageBySlug() -> impl IntoView {
    let params = use_params_map();
    view! { <ContentPage slug=Signal::derive(move || params.read().get("slug").unwrap_or_default()) /> }
}

#[component]
fn ContentPage(slug: Signal<String>) -> impl IntoView {
    let locale = use_locale();
    let page = Resource::new(move || slug.get(), move |slug| get_page(locale, slug));
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        view! {
                            <Title text=format!("{} · {}", page.title, t(locale, Key::ShopName)) />
                            <article class="content-page" lang=page.locale.clone()>
                                <h1>{page.title.clone()}</h1>
                                <p class="muted">
                                    {t(locale, Key::LastChanged)}{" "}
                                    <time datetime=page.updated_on.clone()>{page.updated_on.clone()}</time>
                                </p>
                                // Sanitized on the server by domain::shared::markdown.
                                <div inner_html=page.body_html.clone()></div>
                            </article>
                        }
                            .into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
