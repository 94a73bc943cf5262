//! Content: FAQ entries and pages such as the terms and conditions, per locale.
//!
//! Invariants: text is stored as markdown and only ever leaves this module as sanitized
//! HTML; a missing translation falls back to the shop's default language, then any other;
//! unpublished entries and pages are never shown.

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::Services;
use crate::shared::markdown::render_markdown;
use crate::shared::{Locale, UserId};

/// What can go wrong reading or writing content.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// No published page with that slug.
    #[error("not found")]
    NotFound,
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A published FAQ entry in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqEntry {
    /// Public id.
    pub id: Uuid,
    /// The question.
    pub question: String,
    /// The answer as sanitized HTML.
    pub answer_html: String,
}

/// A published content page in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentPage {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Body as sanitized HTML.
    pub body_html: String,
    /// Language the text is actually in (may differ from the one asked for).
    pub locale: String,
    /// When this text last changed.
    pub updated_at: DateTime<Utc>,
}

/// Published FAQ entries in order.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn list_faq(svc: &Services, locale: Locale) -> Result<Vec<FaqEntry>, Error> {
    let rows = sqlx::query!(
        r#"
        select f.id, t.question as "question!", t.answer_md as "answer_md!"
          from faq_entries f
         cross join lateral (
               select ft.question, ft.answer_md from faq_translations ft
                where ft.faq_id = f.id
                order by ft.locale = $1 desc, ft.locale = $2 desc, ft.locale
                limit 1) t
         where f.is_published
         order by f.position, f.created_at
        "#,
        locale.code(),
        svc.default_locale.code(),
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load the FAQ")?;
    Ok(rows
        .into_iter()
        .map(|r| FaqEntry {
            id: r.id,
            question: r.question,
            answer_html: render_markdown(&r.answer_md),
        })
        .collect())
}

/// A published page by slug.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn get_page(svc: &Services, slug: &str, locale: Locale) -> Result<ContentPage, Error> {
    let row = sqlx::query!(
        r#"
        select p.slug, t.title as "title!", t.body_md as "body_md!", t.locale as "locale!",
               t.updated_at as "updated_at!: chrono::DateTime<chrono::Utc>"
          from content_pages p
         cross join lateral (
               select pt.title, pt.body_md, pt.locale, pt.updated_at from content_page_translations pt
                where pt.page_id = p.id
                order by pt.locale = $2 desc, pt.locale = $3 desc, pt.locale
                limit 1) t
         where p.slug = $1 and p.is_published
        "#,
        slug,
        locale.code(),
        svc.default_locale.code(),
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the page")?
    .ok_or(Error::NotFound)?;
    Ok(ContentPage {
        slug: row.slug,
        title: row.title,
        body_html: render_markdown(&row.body_md),
        locale: row.locale,
        updated_at: row.updated_at,
    })
}

/// A FAQ entry to seed: a fixed id keeps seeding idempotent.
#[derive(Debug, Clone)]
pub struct SeedFaq {
    /// Fixed id.
    pub id: Uuid,
    /// Order.
    pub position: i32,
    /// (locale, question, answer markdown).
    pub texts: Vec<(Locale, String, String)>,
}

/// A page to seed.
#[derive(Debug, Clone)]
pub struct SeedPage {
    /// URL slug.
    pub slug: String,
    /// (locale, title, body markdown).
    pub texts: Vec<(Locale, String, String)>,
}

/// Inserts FAQ entries and pages that do not exist yet; existing ones (maybe edited by an
/// admin) are left alone.
pub async fn seed_content(
    conn: &mut PgConnection,
    faq: &[SeedFaq],
    pages: &[SeedPage],
) -> Result<(), Error> {
    for entry in faq {
        let inserted = sqlx::query!(
            "insert into faq_entries (id, position) values ($1, $2) on conflict (id) do nothing",
            entry.id,
            entry.position,
        )
        .execute(&mut *conn)
        .await
        .context("Failed to seed a FAQ entry")?
        .rows_affected()
            == 1;
        if !inserted {
            continue;
        }
        for (locale, question, answer) in &entry.texts {
            sqlx::query!(
                "insert into faq_translations (faq_id, locale, question, answer_md) values ($1, $2, $3, $4)",
                entry.id,
                locale.code(),
                question,
                answer,
            )
            .execute(&mut *conn)
            .await
            .context("Failed to seed a FAQ translation")?;
        }
    }
    for page in pages {
        let id = sqlx::query_scalar!(
            r#"
            insert into content_pages (id, slug) values ($1, $2)
            on conflict (slug) do nothing
            returning id
            "#,
            Uuid::now_v7(),
            page.slug,
        )
        .fetch_optional(&mut *conn)
        .await
        .context("Failed to seed a page")?;
        let Some(id) = id else { continue };
        for (locale, title, body) in &page.texts {
            sqlx::query!(
                "insert into content_page_translations (page_id, locale, title, body_md) values ($1, $2, $3, $4)",
                id,
                locale.code(),
                title,
                body,
            )
            .execute(&mut *conn)
            .await
            .context("Failed to seed a page translation")?;
        }
    }
    Ok(())
}

/// A page's text in one language, as an admin writes it.
#[derive(Debug, Clone)]
pub struct PageEdit {
    /// Page slug (created when new).
    pub slug: String,
    /// Language of this text.
    pub locale: Locale,
    /// Title.
    pub title: String,
    /// Body in markdown.
    pub body_md: String,
    /// Shown on the site.
    pub published: bool,
}

/// Whether a page was created or an existing text replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSaved {
    /// A new page or a new language of it.
    Created,
    /// An edit; the replaced text is kept as a revision.
    Updated,
}

fn check_slug(slug: &str) -> Result<(), Error> {
    crate::catalog::Slug::parse(slug)
        .map(|_| ())
        .map_err(|_| Error::Invalid {
            field: "slug",
            message: format!("`{slug}` must be lower-case words joined by hyphens"),
        })
}

/// Saves one language of a page; an edit keeps the text it replaces in
/// `content_page_revisions`, with who edited it.
#[tracing::instrument(skip(svc, edit), fields(slug = %edit.slug, locale = %edit.locale), err(level = "info"))]
pub async fn save_page(
    svc: &Services,
    editor: UserId,
    edit: &PageEdit,
) -> Result<PageSaved, Error> {
    check_slug(&edit.slug)?;
    if edit.title.trim().is_empty() || edit.title.chars().count() > 300 {
        return Err(Error::Invalid {
            field: "title",
            message: "must be 1 to 300 characters".into(),
        });
    }
    if edit.body_md.len() > 200_000 {
        return Err(Error::Invalid {
            field: "body_md",
            message: "must be at most 200,000 bytes".into(),
        });
    }
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    // Every edit of an existing page makes a new version of it (consents name the version
    // of the terms and the privacy policy that was accepted).
    let page_id = sqlx::query_scalar!(
        r#"
        insert into content_pages (id, slug, is_published) values ($1, $2, $3)
        on conflict (slug) do update
           set is_published = excluded.is_published, version = content_pages.version + 1
        returning id
        "#,
        Uuid::now_v7(),
        edit.slug,
        edit.published,
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to save the page")?;
    let replaced = sqlx::query!(
        r#"
        insert into content_page_revisions (id, page_id, locale, title, body_md, edited_by)
        select $1, page_id, locale, title, body_md, $4
          from content_page_translations
         where page_id = $2 and locale = $3
        "#,
        Uuid::now_v7(),
        page_id,
        edit.locale.code(),
        editor as _,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to keep the previous version")?
    .rows_affected();
    sqlx::query!(
        r#"
        insert into content_page_translations (page_id, locale, title, body_md, updated_at)
        values ($1, $2, $3, $4, now())
        on conflict (page_id, locale) do update
           set title = excluded.title, body_md = excluded.body_md, updated_at = now()
        "#,
        page_id,
        edit.locale.code(),
        edit.title,
        edit.body_md,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to save the page text")?;
    tx.commit().await.context("Failed to commit the page")?;
    Ok(if replaced == 0 {
        PageSaved::Created
    } else {
        PageSaved::Updated
    })
}

/// A replaced version of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// Language.
    pub locale: String,
    /// Title then.
    pub title: String,
    /// Body then (markdown).
    pub body_md: String,
    /// When it was replaced.
    pub replaced_at: DateTime<Utc>,
    /// Who replaced it.
    pub edited_by: Option<UserId>,
}

/// Earlier versions of a page, newest first.
pub async fn page_revisions(svc: &Services, slug: &str) -> Result<Vec<Revision>, Error> {
    let rows = sqlx::query!(
        r#"
        select r.locale, r.title, r.body_md, r.edited_by,
               r.replaced_at as "replaced_at: chrono::DateTime<chrono::Utc>"
          from content_page_revisions r join content_pages p on p.id = r.page_id
         where p.slug = $1
         order by r.replaced_at desc
        "#,
        slug,
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to load revisions")?;
    Ok(rows
        .into_iter()
        .map(|r| Revision {
            locale: r.locale,
            title: r.title,
            body_md: r.body_md,
            replaced_at: r.replaced_at,
            edited_by: r.edited_by.map(UserId),
        })
        .collect())
}

/// Creates or replaces a FAQ entry with its texts.
#[tracing::instrument(skip(svc, texts), err(level = "info"))]
pub async fn save_faq(
    svc: &Services,
    id: Uuid,
    position: i32,
    published: bool,
    texts: &[(Locale, String, String)],
) -> Result<PageSaved, Error> {
    if !texts.iter().any(|(l, _, _)| *l == svc.default_locale) {
        return Err(Error::Invalid {
            field: "translations",
            message: "the default language is required".into(),
        });
    }
    if texts
        .iter()
        .any(|(_, q, a)| q.trim().is_empty() || q.chars().count() > 500 || a.len() > 20_000)
    {
        return Err(Error::Invalid {
            field: "translations",
            message: "questions must be 1 to 500 characters, answers at most 20,000 bytes".into(),
        });
    }
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let created = sqlx::query_scalar!(
        r#"
        insert into faq_entries (id, position, is_published) values ($1, $2, $3)
        on conflict (id) do update set position = excluded.position, is_published = excluded.is_published
        returning (xmax = 0) as "created!"
        "#,
        id,
        position,
        published,
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to save the FAQ entry")?;
    sqlx::query!("delete from faq_translations where faq_id = $1", id)
        .execute(&mut *tx)
        .await
        .context("Failed to replace the FAQ texts")?;
    for (locale, question, answer) in texts {
        sqlx::query!(
            "insert into faq_translations (faq_id, locale, question, answer_md) values ($1, $2, $3, $4)",
            id,
            locale.code(),
            question,
            answer,
        )
        .execute(&mut *tx)
        .await
        .context("Failed to save a FAQ text")?;
    }
    tx.commit()
        .await
        .context("Failed to commit the FAQ entry")?;
    Ok(if created {
        PageSaved::Created
    } else {
        PageSaved::Updated
    })
}

/// Removes a FAQ entry; `NotFound` when there is none.
pub async fn delete_faq(svc: &Services, id: Uuid) -> Result<(), Error> {
    let done = sqlx::query!("delete from faq_entries where id = $1", id)
        .execute(&svc.db)
        .await
        .context("Failed to delete the FAQ entry")?
        .rows_affected();
    if done == 0 {
        Err(Error::NotFound)
    } else {
        Ok(())
    }
}

/// A page as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSummary {
    /// Slug.
    pub slug: String,
    /// Title in the default language (or any).
    pub title: String,
    /// Shown on the site.
    pub published: bool,
    /// Last change of any language.
    pub updated_at: DateTime<Utc>,
}

/// Every page, published or not, for the admin.
pub async fn list_pages(svc: &Services) -> Result<Vec<PageSummary>, Error> {
    let rows = sqlx::query!(
        r#"
        select p.slug, p.is_published,
               (select t.title from content_page_translations t where t.page_id = p.id
                 order by t.locale = $1 desc, t.locale limit 1) as "title!",
               (select max(t.updated_at) from content_page_translations t where t.page_id = p.id)
                 as "updated_at!: chrono::DateTime<chrono::Utc>"
          from content_pages p
         where exists (select 1 from content_page_translations t where t.page_id = p.id)
         order by p.slug
        "#,
        svc.default_locale.code(),
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list pages")?;
    Ok(rows
        .into_iter()
        .map(|r| PageSummary {
            slug: r.slug,
            title: r.title,
            published: r.is_published,
            updated_at: r.updated_at,
        })
        .collect())
}

/// The markdown source of one language of a page, published or not; `None` when that
/// language has no text yet.
pub async fn page_source(
    svc: &Services,
    slug: &str,
    locale: Locale,
) -> Result<Option<PageEdit>, Error> {
    let row = sqlx::query!(
        r#"
        select t.title, t.body_md, p.is_published
          from content_pages p join content_page_translations t on t.page_id = p.id
         where p.slug = $1 and t.locale = $2
        "#,
        slug,
        locale.code(),
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the page source")?;
    Ok(row.map(|r| PageEdit {
        slug: slug.to_owned(),
        locale,
        title: r.title,
        body_md: r.body_md,
        published: r.is_published,
    }))
}

/// A FAQ entry as the admin edits it: every language's markdown, published or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqSource {
    /// Id.
    pub id: Uuid,
    /// Order (ascending).
    pub position: i32,
    /// Shown on `/faq`.
    pub published: bool,
    /// (locale code, question, answer markdown).
    pub texts: Vec<(String, String, String)>,
}

/// Every FAQ entry, by position, for the admin.
pub async fn faq_sources(svc: &Services) -> Result<Vec<FaqSource>, Error> {
    let rows = sqlx::query!(
        r#"
        select e.id, e.position, e.is_published, t.locale as "locale?", t.question as "question?",
               t.answer_md as "answer_md?"
          from faq_entries e left join faq_translations t on t.faq_id = e.id
         order by e.position, e.id, t.locale
        "#
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list FAQ entries")?;
    let mut out: Vec<FaqSource> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|last| last.id != r.id) {
            out.push(FaqSource {
                id: r.id,
                position: r.position,
                published: r.is_published,
                texts: Vec::new(),
            });
        }
        if let (Some(entry), Some(locale), Some(question), Some(answer)) =
            (out.last_mut(), r.locale, r.question, r.answer_md)
        {
            entry.texts.push((locale, question, answer));
        }
    }
    Ok(out)
}
