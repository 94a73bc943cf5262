//! `/api/v1/content/...`: FAQ and pages.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use domain::content;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::ApiLocale;
use crate::startup::AppState;

/// A FAQ entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct FaqItem {
    /// Id.
    pub id: Uuid,
    /// Question.
    pub question: String,
    /// Answer as sanitized HTML.
    pub answer_html: String,
}

/// Published FAQ entries in order.
#[utoipa::path(
    get, path = "/api/v1/content/faq", tag = "content",
    params(("locale" = Option<String>, Query, description = "pl, en or tr (also `lang`)")),
    responses((status = 200, description = "FAQ entries", body = [FaqItem]))
)]
pub async fn list_faq(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
) -> Result<Json<Vec<FaqItem>>, ApiError> {
    let entries = content::list_faq(&state.services, locale).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| FaqItem {
                id: e.id,
                question: e.question,
                answer_html: e.answer_html,
            })
            .collect(),
    ))
}

/// A content page.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageDto {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Body as sanitized HTML.
    pub body_html: String,
    /// Language of the text (the default one when the asked-for one is missing).
    pub locale: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A published page by slug, e.g. `terms`, `privacy`, `shipping-and-returns`.
#[utoipa::path(
    get, path = "/api/v1/content/pages/{slug}", tag = "content",
    params(("slug" = String, Path, description = "Page slug"), ("locale" = Option<String>, Query, description = "pl, en or tr")),
    responses(
        (status = 200, description = "The page", body = PageDto),
        (status = 404, description = "No such page", body = super::error::ErrorBody),
    )
)]
pub async fn get_page(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    Path(slug): Path<String>,
) -> Result<Json<PageDto>, ApiError> {
    let page = content::get_page(&state.services, &slug, locale).await?;
    Ok(Json(PageDto {
        slug: page.slug,
        title: page.title,
        body_html: page.body_html,
        locale: page.locale,
        updated_at: page.updated_at,
    }))
}
