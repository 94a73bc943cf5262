//! `/api/v1/me/addresses`: the signed-in user's address book (shipping and billing, one
//! default of each kind).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::user::{self, Address, AddressInput, AddressKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiJson, AuthUser};
use crate::startup::AppState;

/// An address.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressDto {
    /// Id.
    pub id: Uuid,
    /// `shipping` or `billing`.
    pub kind: &'static str,
    /// Label.
    pub label: Option<String>,
    /// Recipient.
    pub recipient_name: String,
    /// Company name.
    pub company_name: Option<String>,
    /// NIP.
    pub nip: Option<String>,
    /// Phone (E.164).
    pub phone: Option<String>,
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO country code.
    pub country_code: String,
    /// Default of its kind.
    pub is_default: bool,
}

impl From<Address> for AddressDto {
    fn from(a: Address) -> Self {
        AddressDto {
            id: a.id,
            kind: a.kind.as_str(),
            label: a.label,
            recipient_name: a.recipient_name,
            company_name: a.company_name,
            nip: a.nip,
            phone: a.phone,
            street: a.street,
            city: a.city,
            postal_code: a.postal_code,
            country_code: a.country_code,
            is_default: a.is_default,
        }
    }
}

/// An address to add or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    /// `shipping` (default) or `billing`.
    pub kind: Option<String>,
    /// Label, e.g. "Home".
    pub label: Option<String>,
    /// Recipient.
    pub recipient_name: String,
    /// Company name.
    pub company_name: Option<String>,
    /// NIP (checksum-checked).
    pub nip: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code (00-000 in Poland).
    pub postal_code: String,
    /// ISO 3166 code, default PL.
    pub country_code: Option<String>,
    /// Make it the default of its kind.
    #[serde(default)]
    pub is_default: bool,
}

impl AddressBody {
    pub(crate) fn into_input(self) -> Result<AddressInput, ApiError> {
        Ok(AddressInput {
            kind: match self.kind.as_deref() {
                None => AddressKind::Shipping,
                Some(kind) => AddressKind::parse(kind)?,
            },
            label: self.label,
            recipient_name: self.recipient_name,
            company_name: self.company_name,
            nip: self.nip,
            phone: self.phone,
            street: self.street,
            city: self.city,
            postal_code: self.postal_code,
            country_code: self.country_code,
            is_default: self.is_default,
        })
    }
}

/// The user's addresses, defaults first.
#[utoipa::path(
    get, path = "/api/v1/me/addresses", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Addresses", body = [AddressDto]))
)]
pub async fn list_addresses(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<Vec<AddressDto>>, ApiError> {
    let list = user::list_addresses(&state.services, me.id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Adds an address (the first of its kind becomes the default).
#[utoipa::path(
    post, path = "/api/v1/me/addresses", tag = "me", security(("bearer" = [])), request_body = AddressBody,
    responses(
        (status = 201, description = "Added", body = AddressDto),
        (status = 422, description = "Invalid field", body = super::error::ErrorBody),
    )
)]
pub async fn create_address(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<AddressBody>,
) -> Result<(StatusCode, Json<AddressDto>), ApiError> {
    let address = user::create_address(&state.services, me.id, body.into_input()?).await?;
    Ok((StatusCode::CREATED, Json(address.into())))
}

/// One address.
#[utoipa::path(
    get, path = "/api/v1/me/addresses/{id}", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The address", body = AddressDto),
        (status = 404, description = "No such address of yours", body = super::error::ErrorBody),
    )
)]
pub async fn get_address(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<AddressDto>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        user::get_address(&state.services, me.id, id).await?.into(),
    ))
}

/// Replaces an address.
#[utoipa::path(
    put, path = "/api/v1/me/addresses/{id}", tag = "me", security(("bearer" = [])), request_body = AddressBody,
    responses(
        (status = 200, description = "Updated", body = AddressDto),
        (status = 404, description = "No such address of yours", body = super::error::ErrorBody),
        (status = 422, description = "Invalid field", body = super::error::ErrorBody),
    )
)]
pub async fn put_address(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AddressBody>,
) -> Result<Json<AddressDto>, ApiError> {
    let id = parse_id(&id)?;
    let address = user::update_address(&state.services, me.id, id, body.into_input()?).await?;
    Ok(Json(address.into()))
}

/// Deletes an address.
#[utoipa::path(
    delete, path = "/api/v1/me/addresses/{id}", tag = "me", security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such address of yours", body = super::error::ErrorBody),
    )
)]
pub async fn delete_address(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    user::delete_address(&state.services, me.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes an address the default of its kind.
#[utoipa::path(
    post, path = "/api/v1/me/addresses/{id}/default", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "Now the default", body = AddressDto),
        (status = 404, description = "No such address of yours", body = super::error::ErrorBody),
    )
)]
pub async fn set_default_address(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<AddressDto>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        user::set_default_address(&state.services, me.id, id)
            .await?
            .into(),
    ))
}

fn parse_id(text: &str) -> Result<Uuid, ApiError> {
    // Not an id of ours is the same answer as somebody else's id.
    Uuid::parse_str(text).map_err(|_| ApiError::not_found())
}
