//! `/api/v1/admin/content/...`: the shop's content pages (with their revisions) and FAQ,
//! for the `admin` role.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::admin::locale_of;
use super::extract::{AdminUser, ApiJson};
use crate::startup::AppState;

/// One language of a content page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageBody {
    /// pl, en or tr.
    pub locale: String,
    /// Title.
    pub title: String,
    /// Body in markdown (rendered sanitized).
    pub body_md: String,
    /// Shown on the site (default true).
    pub published: Option<bool>,
}

/// Saves one language of a page; an edit keeps the replaced text as a revision.
#[utoipa::path(
    put, path = "/api/v1/admin/content/pages/{slug}", tag = "admin", request_body = PageBody,
    params(("slug" = String, Path, description = "Page slug")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created"),
        (status = 200, description = "Updated; the previous text is kept"),
        (status = 403, description = "Not an admin", body = super::error::ErrorBody),
        (status = 422, description = "Invalid", body = super::error::ErrorBody),
    )
)]
pub async fn put_page(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PageBody>,
) -> Result<StatusCode, ApiError> {
    let edit = domain::content::PageEdit {
        slug,
        locale: locale_of("locale", &body.locale)?,
        title: body.title,
        body_md: body.body_md,
        published: body.published.unwrap_or(true),
    };
    Ok(
        match domain::content::save_page(&state.services, admin.id, &edit).await? {
            domain::content::PageSaved::Created => StatusCode::CREATED,
            domain::content::PageSaved::Updated => StatusCode::OK,
        },
    )
}

/// An earlier version of a page.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionBody {
    /// Language.
    pub locale: String,
    /// Title then.
    pub title: String,
    /// Markdown then.
    pub body_md: String,
    /// When it was replaced.
    pub replaced_at: chrono::DateTime<chrono::Utc>,
    /// The admin who replaced it.
    pub edited_by: Option<Uuid>,
}

/// Earlier versions of a page, newest first.
#[utoipa::path(
    get, path = "/api/v1/admin/content/pages/{slug}/revisions", tag = "admin",
    params(("slug" = String, Path, description = "Page slug")),
    security(("bearer" = [])),
    responses((status = 200, description = "Revisions", body = [RevisionBody]))
)]
pub async fn page_revisions(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RevisionBody>>, ApiError> {
    let revisions = domain::content::page_revisions(&state.services, &slug).await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|r| RevisionBody {
                locale: r.locale,
                title: r.title,
                body_md: r.body_md,
                replaced_at: r.replaced_at,
                edited_by: r.edited_by.map(Into::into),
            })
            .collect(),
    ))
}

/// A FAQ entry as an admin writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqBody {
    /// Order (reorder by changing it).
    pub position: i32,
    /// Shown on the site (default true).
    pub published: Option<bool>,
    /// Question and markdown answer per language code (pl required).
    pub translations: BTreeMap<String, FaqText>,
}

/// One language of a FAQ entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqText {
    /// Question.
    pub question: String,
    /// Answer in markdown.
    pub answer_md: String,
}

/// Creates or replaces the FAQ entry with this id.
#[utoipa::path(
    put, path = "/api/v1/admin/content/faq/{id}", tag = "admin", request_body = FaqBody,
    params(("id" = Uuid, Path, description = "Entry id (choose a UUID to create one)")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created"),
        (status = 200, description = "Updated"),
        (status = 422, description = "Invalid", body = super::error::ErrorBody),
    )
)]
pub async fn put_faq(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<FaqBody>,
) -> Result<StatusCode, ApiError> {
    let texts = body
        .translations
        .into_iter()
        .map(|(code, t)| Ok((locale_of("translations", &code)?, t.question, t.answer_md)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let saved = domain::content::save_faq(
        &state.services,
        id,
        body.position,
        body.published.unwrap_or(true),
        &texts,
    )
    .await?;
    Ok(match saved {
        domain::content::PageSaved::Created => StatusCode::CREATED,
        domain::content::PageSaved::Updated => StatusCode::OK,
    })
}

/// Deletes a FAQ entry.
#[utoipa::path(
    delete, path = "/api/v1/admin/content/faq/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such entry", body = super::error::ErrorBody))
)]
pub async fn delete_faq(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    domain::content::delete_faq(&state.services, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
