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
use crate::shared::Locale;
use crate::shared::markdown::render_markdown;

/// What can go wrong reading or writing content.
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
#[tracing::instrument(skip(svc), err)]
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
#[tracing::instrument(skip(svc), err)]
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
