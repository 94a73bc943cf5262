//! `/admin/content`: edit, preview and publish content pages.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{Key, Locale, t};
use crate::use_locale;

/// A page in the admin list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRow {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Shown on the site.
    pub published: bool,
    /// Last change, `YYYY-MM-DD HH:MM`.
    pub updated: String,
}

/// The text being edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSource {
    /// Title.
    pub title: String,
    /// Markdown.
    pub body_md: String,
    /// Shown on the site.
    pub published: bool,
}

/// Every page, for the admin.
#[server(prefix = "/sf", endpoint = "admin/list_pages")]
pub async fn admin_list_pages() -> Result<Vec<PageRow>, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    Ok(domain::content::list_pages(&svc)
        .await?
        .into_iter()
        .map(|p| PageRow {
            slug: p.slug,
            title: p.title,
            published: p.published,
            updated: p.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect())
}

/// One language of a page's source (empty when not written yet).
#[server(prefix = "/sf", endpoint = "admin/page_source")]
pub async fn admin_page_source(slug: String, locale: Locale) -> Result<PageSource, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let source = domain::content::page_source(&svc, &slug, locale).await?;
    Ok(source.map_or(
        PageSource {
            title: String::new(),
            body_md: String::new(),
            published: true,
        },
        |s| PageSource {
            title: s.title,
            body_md: s.body_md,
            published: s.published,
        },
    ))
}

/// Renders markdown the way the site will show it.
#[server(prefix = "/sf", endpoint = "admin/preview")]
pub async fn preview_markdown(body_md: String) -> Result<String, AppError> {
    crate::ssr::require_admin().await?;
    Ok(domain::shared::markdown::render_markdown(&body_md))
}

/// Saves one language of a page (the previous text is kept as a revision).
#[server(prefix = "/sf", endpoint = "admin/save_page")]
pub async fn save_page(
    slug: String,
    locale: String,
    title: String,
    body_md: String,
    published: Option<String>,
) -> Result<(), AppError> {
    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let locale = domain::shared::Locale::parse(&locale).ok_or_else(|| AppError::Invalid {
        field: "locale".into(),
        message: format!("`{locale}` is not one of pl, en, tr"),
    })?;
    let edit = domain::content::PageEdit {
        slug,
        locale,
        title,
        body_md,
        published: published.is_some(),
    };
    domain::content::save_page(&svc, admin.id, &edit).await?;
    Ok(())
}

/// The content admin page.
#[component]
pub fn AdminContentPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let slug = move || query.read().get("page").filter(|s| !s.is_empty());
    let edit_locale = move || {
        query
            .read()
            .get("edit_lang")
            .and_then(|c| Locale::from_code(&c))
            .unwrap_or_default()
    };
    let save = ServerAction::<SavePage>::new();
    let preview = ServerAction::<PreviewMarkdown>::new();
    let pages = Resource::new(move || save.version().get(), |_| admin_list_pages());
    let source = Resource::new(
        move || (slug(), edit_locale()),
        |(slug, lang)| async move {
            match slug {
                Some(slug) => admin_page_source(slug, lang).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::AdminContent), t(locale, Key::ShopName)) />
        <h1>{t(locale, Key::AdminContent)}</h1>
        <p>
            <a href="/admin/faq">{t(locale, Key::Faq)}</a>
        </p>
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match pages.await {
                    Err(AppError::Unauthorized | AppError::Forbidden) => view! {
                        <p class="error" role="alert">
                            {t(locale, Key::AdminOnly)}{" "}<a href="/login">{t(locale, Key::SignIn)}</a>
                        </p>
                    }.into_any(),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <ul class="page-list">
                            {rows.into_iter().map(|p| view! {
                                <li>
                                    <a href=format!("/admin/content?page={}", p.slug)>{p.title}</a>
                                    " "<small class="muted">{format!("/pages/{} · {}", p.slug, p.updated)}</small>
                                    {(!p.published).then(|| view! { " " <span class="badge">{t(locale, Key::Draft)}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(src)) = source.await else { return ().into_any() };
                let slug = slug().unwrap_or_default();
                let lang = edit_locale();
                let (title, body, preview_body, published) =
                    (src.title, src.body_md.clone(), src.body_md, src.published);
                view! {
                    <nav class="languages" aria-label=t(locale, Key::Language)>
                        {Locale::ALL.into_iter().map(|l| view! {
                            <a href=format!("/admin/content?page={slug}&edit_lang={}", l.code())
                               aria-current=(l == lang).then_some("true")>{l.code().to_uppercase()}</a>
                        }).collect_view()}
                    </nav>
                    <ActionForm action=save attr:class="content-editor">
                        <input type="hidden" name="slug" value=slug.clone() />
                        <input type="hidden" name="locale" value=lang.code() />
                        <label>{t(locale, Key::Title)}<input name="title" value=title required /></label>
                        <label>{t(locale, Key::Body)}<textarea name="body_md" rows="16">{body}</textarea></label>
                        <label class="check"><input type="checkbox" name="published" checked=published />{t(locale, Key::Published)}</label>
                        <button type="submit" class="button">{t(locale, Key::Save)}</button>
                    </ActionForm>
                    <ActionForm action=preview>
                        <input type="hidden" name="body_md" value=preview_body />
                        <button type="submit">{t(locale, Key::Preview)}</button>
                    </ActionForm>
                }.into_any()
            })}
        </Suspense>
        {move || save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">{t(locale, Key::Saved)}</p> }.into_any(),
            Err(AppError::Invalid { field, message }) => view! { <p class="error" role="alert">{format!("{field}: {message}")}</p> }.into_any(),
            Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
        })}
        {move || preview.value().get().and_then(Result::ok).map(|html| view! {
            <section class="content-page" aria-label=t(locale, Key::Preview)>
                // Sanitized on the server by domain::shared::markdown.
                <div inner_html=html></div>
            </section>
        })}
    }
}
