//! `/api/v1/orders/{id}/corrections`: the correcting invoices of an order (refunds and the
//! cancellation of an invoiced order), each with its PDF; for the order's owner and admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::order::{self, Amounts, Correction};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::AuthUser;
use super::orders::{pdf_response, viewer};
use crate::startup::AppState;

/// Net, VAT and gross in minor units.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountsDto {
    /// Net.
    pub net_minor: i64,
    /// VAT.
    pub vat_minor: i64,
    /// Gross.
    pub gross_minor: i64,
}

impl From<Amounts> for AmountsDto {
    fn from(a: Amounts) -> Self {
        AmountsDto {
            net_minor: a.net_minor,
            vat_minor: a.vat_minor,
            gross_minor: a.gross_minor,
        }
    }
}

/// One rate or line before and after the correction.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectedDto {
    /// The line's name; absent on a rate's row.
    pub name: Option<String>,
    /// VAT rate in basis points.
    pub vat_rate_bp: i32,
    /// Before.
    pub before: AmountsDto,
    /// After.
    pub after: AmountsDto,
    /// After minus before.
    pub change: AmountsDto,
}

/// A correcting invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionDto {
    /// Id.
    pub id: Uuid,
    /// `KOR/2026/000001`.
    pub number: String,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// The corrected invoice's number.
    pub corrects: String,
    /// `refund` or `cancellation`.
    pub reason: String,
    /// Every line.
    pub lines: Vec<CorrectedDto>,
    /// Every VAT rate.
    pub summary: Vec<CorrectedDto>,
    /// The change of the invoice's totals (negative).
    pub change: AmountsDto,
    /// Currency.
    pub currency: String,
    /// The PDF.
    pub pdf_url: String,
}

fn dto(order: Uuid, c: Correction) -> CorrectionDto {
    let change = c.difference();
    CorrectionDto {
        pdf_url: format!("/api/v1/orders/{order}/corrections/{}/pdf", c.id),
        id: c.id,
        number: c.number,
        issued_at: c.issued_at,
        corrects: c.corrects,
        reason: c.reason.as_str().to_owned(),
        lines: c
            .lines
            .into_iter()
            .map(|l| CorrectedDto {
                name: Some(l.name),
                vat_rate_bp: l.vat_rate.basis_points(),
                before: l.before.into(),
                after: l.after.into(),
                change: l.after.minus(l.before).into(),
            })
            .collect(),
        summary: c
            .summary
            .into_iter()
            .map(|r| CorrectedDto {
                name: None,
                vat_rate_bp: r.rate.basis_points(),
                before: r.before.into(),
                after: r.after.into(),
                change: r.after.minus(r.before).into(),
            })
            .collect(),
        change: change.into(),
        currency: c.currency,
    }
}

/// The order's correcting invoices, oldest first.
#[utoipa::path(
    get, path = "/api/v1/orders/{id}/corrections", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "Corrections, oldest first", body = [CorrectionDto]),
        (status = 404, description = "Not your order", body = super::error::ErrorBody),
    )
)]
pub async fn list_corrections(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<CorrectionDto>>, ApiError> {
    let list = order::corrections(&state.services, viewer(&user), id.into()).await?;
    Ok(Json(list.into_iter().map(|c| dto(id, c)).collect()))
}

/// A correcting invoice as a PDF.
#[utoipa::path(
    get, path = "/api/v1/orders/{id}/corrections/{correction}/pdf", tag = "orders",
    params(
        ("id" = Uuid, Path, description = "Order id"),
        ("correction" = Uuid, Path, description = "Correction id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 404, description = "No such correction, or not your order", body = super::error::ErrorBody),
    )
)]
pub async fn correction_pdf(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, correction)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let (number, bytes) =
        order::correction_pdf(&state.services, viewer(&user), id.into(), correction).await?;
    Ok(pdf_response(&number, bytes))
}

/// An FA(3) document as a download.
fn xml_response(number: &str, xml: String) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let file = number.replace('/', "-");
    (
        [
            (header::CONTENT_TYPE, "application/xml".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.xml\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        xml,
    )
        .into_response()
}

/// The order's invoice as a KSeF structured invoice (FA(3) XML); invoices to companies only.
#[utoipa::path(
    get, path = "/api/v1/orders/{id}/invoice.xml", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "FA(3) XML", content_type = "application/xml"),
        (status = 404, description = "No invoice (yet) or not your order", body = super::error::ErrorBody),
        (status = 422, description = "An invoice to a consumer (no NIP) has no structured form", body = super::error::ErrorBody),
    )
)]
pub async fn invoice_xml(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (number, xml) =
        order::fa3::invoice_document(&state.services, viewer(&user), id.into()).await?;
    Ok(xml_response(&number, xml))
}

/// A correcting invoice as FA(3) XML (to companies only).
#[utoipa::path(
    get, path = "/api/v1/orders/{id}/corrections/{correction}/xml", tag = "orders",
    params(
        ("id" = Uuid, Path, description = "Order id"),
        ("correction" = Uuid, Path, description = "Correction id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "FA(3) XML", content_type = "application/xml"),
        (status = 404, description = "No such correction, or not your order", body = super::error::ErrorBody),
        (status = 422, description = "A consumer's correction has no structured form", body = super::error::ErrorBody),
    )
)]
pub async fn correction_xml(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, correction)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let (number, xml) =
        order::fa3::correction_document(&state.services, viewer(&user), id.into(), correction)
            .await?;
    Ok(xml_response(&number, xml))
}
