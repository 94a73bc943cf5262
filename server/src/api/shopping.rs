//! `/api/v1/quotes`: price a basket with its VAT breakdown.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::shared::CustomerType;
use domain::shopping::{self, Quote, QuoteLine, QuoteRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiJson, ApiLocale};
use crate::startup::AppState;

/// A basket to price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequestBody {
    /// Lines, each product at most once (1 to 200).
    pub lines: Vec<QuoteLineBody>,
}

/// One line to price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteLineBody {
    /// Product id.
    #[schema(example = "01960000-0000-7000-8000-000000000001")]
    pub product_id: Uuid,
    /// Units, 1 to 100000.
    #[schema(example = 3)]
    pub quantity: i32,
}

/// A priced basket.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResponse {
    /// ISO 4217 currency.
    pub currency: String,
    /// Priced lines.
    pub lines: Vec<QuotedLineBody>,
    /// Gross total of the items in minor units.
    pub items_total_minor: i64,
    /// Total VAT in minor units.
    pub vat_total_minor: i64,
    /// Net, VAT and gross per rate; gross adds up to `items_total_minor`.
    pub vat_breakdown: Vec<VatLineBody>,
}

impl From<&domain::shared::VatLine> for VatLineBody {
    fn from(v: &domain::shared::VatLine) -> Self {
        VatLineBody {
            rate_bp: v.rate.basis_points(),
            net_minor: v.net_minor,
            vat_minor: v.vat_minor,
            gross_minor: v.gross_minor,
        }
    }
}

/// A priced line.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotedLineBody {
    /// Product id.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name in the requested language.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price in minor units.
    pub unit_price_minor: i64,
    /// VAT rate in basis points.
    pub vat_rate_bp: i32,
    /// Gross line total in minor units.
    pub line_total_minor: i64,
    /// Units in stock now.
    pub available: i32,
}

/// Amounts at one VAT rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct VatLineBody {
    /// VAT rate in basis points.
    #[schema(example = 500)]
    pub rate_bp: i32,
    /// Net amount in minor units.
    #[schema(example = 1226)]
    pub net_minor: i64,
    /// VAT in minor units.
    #[schema(example = 61)]
    pub vat_minor: i64,
    /// Gross amount in minor units.
    #[schema(example = 1287)]
    pub gross_minor: i64,
}

impl From<Quote> for QuoteResponse {
    fn from(q: Quote) -> Self {
        QuoteResponse {
            currency: q.items_total.currency.to_string(),
            items_total_minor: q.items_total.minor,
            vat_total_minor: q.vat.iter().map(|v| v.vat_minor).sum(),
            vat_breakdown: q.vat.iter().map(VatLineBody::from).collect(),
            lines: q
                .lines
                .into_iter()
                .map(|l| QuotedLineBody {
                    product_id: l.product_id.into(),
                    sku: l.sku,
                    name: l.name,
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price.minor,
                    vat_rate_bp: l.vat_rate.basis_points(),
                    line_total_minor: l.line_total.minor,
                    available: l.available,
                })
                .collect(),
        }
    }
}

/// Prices a basket at current prices, with the VAT per rate. Stores nothing.
#[utoipa::path(
    post,
    path = "/api/v1/quotes",
    tag = "shopping",
    params(("lang" = Option<String>, Query, description = "Language of product names")),
    request_body = QuoteRequestBody,
    responses(
        (status = 200, description = "The priced basket", body = QuoteResponse),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 413, description = "Body too large", body = super::error::ErrorBody),
        (status = 422, description = "Invalid lines or unknown products", body = super::error::ErrorBody),
    )
)]
pub async fn create_quote(
    State(state): State<AppState>,
    ApiLocale(locale): ApiLocale,
    ApiJson(body): ApiJson<QuoteRequestBody>,
) -> Result<(StatusCode, Json<QuoteResponse>), ApiError> {
    let request = QuoteRequest {
        lines: body
            .lines
            .iter()
            .map(|l| QuoteLine {
                product_id: l.product_id.into(),
                quantity: l.quantity,
            })
            .collect(),
        customer_type: CustomerType::Individual,
        locale,
    };
    let quote = shopping::quote_basket(&state.services, request).await?;
    Ok((StatusCode::OK, Json(quote.into())))
}
