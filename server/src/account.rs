//! Browser routes that are not Leptos pages: the photo upload form on `/account` (a
//! multipart post that works without JavaScript), the e-mail confirmation link and
//! `/media/...` for stored files.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Services;
use tower_sessions::Session;

use crate::api::ApiError;
use crate::startup::AppState;

/// The browser session's user; otherwise the answer to give: to the sign-in page, or 503
/// when the session store cannot be read.
async fn signed_in(
    state: &AppState,
    session: &Session,
) -> Result<domain::identity::SessionUser, Response> {
    match app::ssr::user_in_session(&state.services, session).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(_) => Err(StatusCode::SERVICE_UNAVAILABLE.into_response()),
    }
}

/// `POST /account/photo` from the account page's form: stores the photo, then goes back to
/// `/account` with `?photo=saved` or `?photo_error=<reason>`.
pub async fn upload_photo_form(
    State(state): State<AppState>,
    session: Session,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let outcome = async {
        let multipart = multipart.map_err(|_| "send the form with a file".to_owned())?;
        let (content_type, bytes) = crate::api::me::read_file_field(multipart, "photo")
            .await
            .map_err(|e| e.message)?;
        domain::user::upload_photo(&state.services, user.id, content_type, bytes)
            .await
            .map_err(|e| match e {
                domain::user::Error::Invalid { message, .. } => message,
                other => ApiError::from(other).message,
            })
    }
    .await;
    let target = match outcome {
        Ok(_) => "/account?photo=saved".to_owned(),
        Err(reason) => format!(
            "/account?{}",
            serde_urlencoded::to_string([("photo_error", reason)]).unwrap_or_default()
        ),
    };
    Redirect::to(&target).into_response()
}

/// `GET /media/{key}`: a stored file with its content type, cacheable (keys never change).
pub async fn media(
    State(services): State<std::sync::Arc<Services>>,
    Path(key): Path<String>,
) -> Response {
    let content_type = match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        // Demo product pictures; the sandbox CSP on /media keeps scripts in them inert.
        Some("svg") => "image/svg+xml",
        _ => return ApiError::not_found().into_response(),
    };
    if key.split('/').any(|part| part.is_empty() || part == "..") {
        return ApiError::not_found().into_response();
    }
    match services.blobs.get(&key).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => ApiError::not_found().into_response(),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// `GET /account/export`: the signed-in user's data as a JSON download.
pub async fn export_data(State(state): State<AppState>, session: Session) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    match domain::user::export_data(&state.services, user.id).await {
        Ok(data) => (
            [(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"metropolitan-data.json\""),
            )],
            axum::Json(data),
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /orders/{id}/invoice.pdf`: the invoice of the signed-in user's order (any order for
/// admins), for the download link on the order page.
pub async fn invoice_pdf(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return ApiError::not_found().into_response();
    };
    let viewer = domain::order::Viewer::signed_in(user.id, user.role);
    match domain::order::invoice_pdf(&state.services, viewer, id.into()).await {
        Ok((number, bytes)) => crate::api::orders::pdf_response(&number, bytes),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /orders/{id}/corrections/{correction}.pdf`: a correcting invoice of the signed-in
/// user's order (any order for admins), for the links on the order page.
pub async fn correction_pdf(
    State(state): State<AppState>,
    session: Session,
    Path((id, correction)): Path<(String, String)>,
) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let correction = correction.strip_suffix(".pdf").unwrap_or(&correction);
    let (Ok(id), Ok(correction)) = (
        uuid::Uuid::parse_str(&id),
        uuid::Uuid::parse_str(correction),
    ) else {
        return ApiError::not_found().into_response();
    };
    let viewer = domain::order::Viewer::signed_in(user.id, user.role);
    match domain::order::correction_pdf(&state.services, viewer, id.into(), correction).await {
        Ok((number, bytes)) => crate::api::orders::pdf_response(&number, bytes),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `POST /admin/products/{sku}/images` from the product editor: stores the picture, then goes
/// back to the editor with `?image=saved` or `?image_error=<reason>`.
pub async fn upload_product_image_form(
    State(state): State<AppState>,
    session: Session,
    Path(sku): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    match signed_in(&state, &session).await {
        Ok(user) if user.role == domain::identity::Role::Admin => {}
        Ok(_) => return Redirect::to("/login").into_response(),
        Err(response) => return response,
    }
    let outcome = async {
        let multipart = multipart.map_err(|_| "send the form with a file".to_owned())?;
        let (content_type, bytes) = crate::api::me::read_file_field(multipart, "image")
            .await
            .map_err(|e| e.message)?;
        domain::catalog::add_product_image(&state.services, &sku, content_type, bytes)
            .await
            .map_err(|e| match e {
                domain::catalog::Error::Invalid { message, .. } => message,
                other => ApiError::from(other).message,
            })
    }
    .await;
    let query = match outcome {
        Ok(_) => serde_urlencoded::to_string([("sku", sku.as_str()), ("image", "saved")]),
        Err(reason) => {
            serde_urlencoded::to_string([("sku", sku.as_str()), ("image_error", reason.as_str())])
        }
    }
    .unwrap_or_default();
    Redirect::to(&format!("/admin/products/edit?{query}")).into_response()
}

/// The link's query.
#[derive(Debug, serde::Deserialize)]
pub struct ConfirmQuery {
    token: Option<String>,
}

/// `GET /account/confirm-email?token=…`, the link in the confirmation e-mail: confirms the
/// address and goes to `/account?email=confirmed`, or `/account?email=link_invalid`.
pub async fn confirm_email_link(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<ConfirmQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    let outcome = match domain::notify::confirm_email(&state.services, &token).await {
        Ok(_) => "confirmed",
        Err(domain::notify::Error::Invalid { .. } | domain::notify::Error::NotFound) => {
            "link_invalid"
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    Redirect::to(&format!("/account?email={outcome}")).into_response()
}
