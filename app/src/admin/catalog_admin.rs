//! `/admin/categories` (create, rename, move, reorder categories) and `/admin/faq` (create,
//! edit, publish, reorder and delete FAQ entries).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::use_locale;

const LOCALES: [&str; 3] = ["pl", "en", "tr"];

/// A category row with its texts per language (pl, en, tr).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    /// Slug.
    pub slug: String,
    /// Parent slug or empty.
    pub parent: String,
    /// Position.
    pub position: i32,
    /// Names.
    pub names: [String; 3],
    /// Descriptions.
    pub descriptions: [String; 3],
}

/// A FAQ entry with its texts per language (pl, en, tr).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqRow {
    /// Id (empty for a new entry).
    pub id: String,
    /// Position.
    pub position: i32,
    /// Published.
    pub published: bool,
    /// Questions.
    pub questions: [String; 3],
    /// Answers (markdown).
    pub answers: [String; 3],
}

#[cfg(feature = "ssr")]
fn by_locale<T>(texts: &[T], code: fn(&T) -> &str, value: fn(&T) -> String) -> [String; 3] {
    LOCALES.map(|l| {
        texts
            .iter()
            .find(|x| code(x) == l)
            .map(value)
            .unwrap_or_default()
    })
}

/// Every category.
#[server(prefix = "/sf", endpoint = "admin/categories")]
pub async fn admin_categories() -> Result<Vec<CategoryRow>, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    Ok(domain::catalog::category_sources(&svc)
        .await?
        .into_iter()
        .map(|c| CategoryRow {
            names: by_locale(&c.texts, |t| &t.0, |t| t.1.clone()),
            descriptions: by_locale(&c.texts, |t| &t.0, |t| t.2.clone().unwrap_or_default()),
            slug: c.slug,
            parent: c.parent.unwrap_or_default(),
            position: c.position,
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn texts(values: [(&str, String); 3]) -> Vec<(domain::shared::Locale, String)> {
    values
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(code, v)| Some((domain::shared::Locale::parse(code)?, v.trim().to_owned())))
        .collect()
}

/// Creates or updates a category (a parent that would make a cycle is refused).
#[server(prefix = "/sf", endpoint = "admin/save_category")]
#[allow(clippy::too_many_arguments)]
pub async fn admin_save_category(
    slug: String,
    parent: String,
    position: String,
    name_pl: String,
    name_en: String,
    name_tr: String,
    description_pl: String,
    description_en: String,
    description_tr: String,
) -> Result<(), AppError> {
    use domain::catalog::{NewCategory, Slug};
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let invalid = |field: &str, message: String| AppError::Invalid {
        field: field.into(),
        message,
    };
    let category = NewCategory {
        slug: Slug::parse(slug.trim()).map_err(|e| invalid("slug", e.to_string()))?,
        parent: match parent.trim() {
            "" => None,
            p => Some(Slug::parse(p).map_err(|e| invalid("parent", e.to_string()))?),
        },
        position: position
            .trim()
            .parse()
            .map_err(|_| invalid("position", format!("`{position}` is not a whole number")))?,
        names: texts([("pl", name_pl), ("en", name_en), ("tr", name_tr)]),
        descriptions: texts([
            ("pl", description_pl),
            ("en", description_en),
            ("tr", description_tr),
        ]),
    };
    domain::catalog::save_category(&svc, &category).await?;
    Ok(())
}

/// Every FAQ entry, published or not.
#[server(prefix = "/sf", endpoint = "admin/faq")]
pub async fn admin_faq() -> Result<Vec<FaqRow>, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    Ok(domain::content::faq_sources(&svc)
        .await?
        .into_iter()
        .map(|f| FaqRow {
            id: f.id.to_string(),
            position: f.position,
            published: f.published,
            questions: by_locale(&f.texts, |t| &t.0, |t| t.1.clone()),
            answers: by_locale(&f.texts, |t| &t.0, |t| t.2.clone()),
        })
        .collect())
}

/// Creates (empty `id`) or replaces a FAQ entry.
#[server(prefix = "/sf", endpoint = "admin/save_faq")]
#[allow(clippy::too_many_arguments)]
pub async fn admin_save_faq(
    id: String,
    position: String,
    published: Option<String>,
    question_pl: String,
    answer_pl: String,
    question_en: String,
    answer_en: String,
    question_tr: String,
    answer_tr: String,
) -> Result<(), AppError> {
    use domain::shared::Locale;
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let id = match id.trim() {
        "" => uuid::Uuid::now_v7(),
        id => uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?,
    };
    let position: i32 = position.trim().parse().map_err(|_| AppError::Invalid {
        field: "position".into(),
        message: format!("`{position}` is not a whole number"),
    })?;
    let texts: Vec<(Locale, String, String)> = [
        (Locale::Pl, question_pl, answer_pl),
        (Locale::En, question_en, answer_en),
        (Locale::Tr, question_tr, answer_tr),
    ]
    .into_iter()
    .filter(|(_, q, _)| !q.trim().is_empty())
    .collect();
    domain::content::save_faq(&svc, id, position, published.is_some(), &texts).await?;
    Ok(())
}

/// Deletes a FAQ entry.
#[server(prefix = "/sf", endpoint = "admin/delete_faq")]
pub async fn admin_delete_faq(id: String) -> Result<(), AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    domain::content::delete_faq(&svc, id).await?;
    Ok(())
}

fn admin_error(locale: crate::i18n::Locale) -> AnyView {
    view! {
        <p class="error" role="alert">
            {t(locale, Key::AdminOnly)} " " <a href="/login">{t(locale, Key::SignIn)}</a>
        </p>
    }
    .into_any()
}

/// The category admin: the list, and a form filled by `?edit=<slug>`.
#[component]
pub fn AdminCategoriesPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let save = ServerAction::<AdminSaveCategory>::new();
    let rows = Resource::new(move || save.version().get(), |_| admin_categories());
    let editing = move || query.read().get("edit").unwrap_or_default();
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Categories), t(locale, Key::ShopName)) />
        <div class="admin-head">
            <h1>{t(locale, Key::Categories)}</h1>
            <a href="/admin/products">{t(locale, Key::AdminProducts)}</a>
        </div>
        <ActionNotice locale value=save.value() saved=Key::Saved />
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(AppError::Unauthorized | AppError::Forbidden) => admin_error(locale),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(rows) => {
                        let edited = rows.iter().find(|r| r.slug == editing()).cloned().unwrap_or_default();
                        let parents: Vec<String> = rows.iter().filter(|r| r.parent.is_empty()).map(|r| r.slug.clone()).collect();
                        view! {
                            <table class="admin-table">
                                <thead><tr><th scope="col">"Slug"</th><th scope="col">{t(locale, Key::Name)}</th><th scope="col">"Parent"</th><th scope="col">"Position"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr data-testid="category-row">
                                            <td><a href=format!("/admin/categories?edit={}", r.slug)>{r.slug.clone()}</a></td>
                                            <td>{r.names[0].clone()}</td>
                                            <td>{r.parent.clone()}</td>
                                            <td>{r.position}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>{if edited.slug.is_empty() { "New category".to_owned() } else { format!("Edit {}", edited.slug) }}</h2>
                            <ActionForm action=save attr:class="stack">
                                <label>"Slug" <input name="slug" value=edited.slug.clone() required /></label>
                                <label>
                                    "Parent"
                                    <select name="parent">
                                        <option value="">"–"</option>
                                        {parents.into_iter().map(|p| {
                                            let selected = p == edited.parent;
                                            view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>"Position" <input name="position" inputmode="numeric" value=edited.position.to_string() /></label>
                                {LOCALES.iter().enumerate().map(|(i, code)| view! {
                                    <label>{format!("Name ({code})")} <input name=format!("name_{code}") value=edited.names[i].clone() /></label>
                                    <label>{format!("Description ({code})")} <input name=format!("description_{code}") value=edited.descriptions[i].clone() /></label>
                                }).collect_view()}
                                <button type="submit" class="button">{t(locale, Key::Save)}</button>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The FAQ admin: every entry as its own form, and one for a new entry.
#[component]
pub fn AdminFaqPage() -> impl IntoView {
    let locale = use_locale();
    let save = ServerAction::<AdminSaveFaq>::new();
    let delete = ServerAction::<AdminDeleteFaq>::new();
    let rows = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| admin_faq(),
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Faq), t(locale, Key::ShopName)) />
        <div class="admin-head">
            <h1>{t(locale, Key::Faq)}</h1>
            <a href="/admin/content">{t(locale, Key::AdminContent)}</a>
        </div>
        <ActionNotice locale value=save.value() saved=Key::Saved />
        <ActionNotice locale value=delete.value() />
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(AppError::Unauthorized | AppError::Forbidden) => admin_error(locale),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(rows) => {
                        let next = rows.iter().map(|r| r.position).max().unwrap_or(0) + 10;
                        view! {
                            {rows.into_iter().map(|row| view! { <FaqForm row save delete /> }).collect_view()}
                            <h2>"New question"</h2>
                            <FaqForm row=FaqRow { position: next, published: true, ..Default::default() } save delete />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn FaqForm(
    row: FaqRow,
    save: ServerAction<AdminSaveFaq>,
    delete: ServerAction<AdminDeleteFaq>,
) -> impl IntoView {
    let locale = use_locale();
    let existing = !row.id.is_empty();
    let id = row.id.clone();
    let preview = ServerAction::<super::content::PreviewMarkdown>::new();
    let preview_forms = LOCALES
        .iter()
        .zip(row.answers.clone())
        .filter(|(_, answer)| !answer.is_empty())
        .map(|(code, answer)| {
            view! {
                <ActionForm action=preview attr:class="inline">
                    <input type="hidden" name="body_md" value=answer />
                    <button type="submit">{format!("{} ({code})", t(locale, Key::Preview))}</button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <article class="faq-admin" data-testid="faq-entry">
            <ActionForm action=save attr:class="stack">
                <input type="hidden" name="id" value=row.id.clone() />
                <label>"Position" <input name="position" inputmode="numeric" value=row.position.to_string() /></label>
                <label class="check">
                    <input type="checkbox" name="published" value="on" checked=row.published />
                    {t(locale, Key::Published)}
                </label>
                {LOCALES.iter().enumerate().map(|(i, code)| view! {
                    <label>{format!("Question ({code})")} <input name=format!("question_{code}") value=row.questions[i].clone() /></label>
                    <label>{format!("Answer ({code}, markdown)")} <textarea name=format!("answer_{code}") rows="3">{row.answers[i].clone()}</textarea></label>
                }).collect_view()}
                <button type="submit" class="button">{t(locale, Key::Save)}</button>
            </ActionForm>
            {existing.then(|| view! {
                <div class="actions">
                    {preview_forms}
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="danger">{t(locale, Key::Delete)}</button>
                    </ActionForm>
                </div>
            })}
            {move || preview.value().get().and_then(Result::ok).map(|html| view! {
                <section class="content-page" aria-label=t(locale, Key::Preview)>
                    // Sanitized on the server by domain::shared::markdown.
                    <div inner_html=html></div>
                </section>
            })}
        </article>
    }
}
