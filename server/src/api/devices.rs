//! `/api/v1/me/devices`: the app's push registration. Signing out with the device's id,
//! signing out everywhere and deleting the account remove devices.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::notify::{self, Device, DeviceInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::extract::{ApiJson, AuthUser};
use crate::startup::AppState;

/// A device to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceBody {
    /// `ios` or `android`.
    #[schema(pattern = "^(ios|android)$")]
    pub platform: String,
    /// The push token the provider gave the app (Expo: `ExponentPushToken[…]`).
    #[schema(min_length = 1, max_length = 4096, pattern = "^[!-~]+$")]
    pub token: String,
    /// The app's version.
    #[schema(max_length = 50)]
    pub app_version: Option<String>,
    /// `pl`, `en` or `tr`; the account's language when absent.
    #[schema(pattern = "^(pl|en|tr)$")]
    pub locale: Option<String>,
}

/// A registered device.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceDto {
    /// Id: send it with `POST /api/v1/auth/logout` (`device_id`) or delete it here.
    pub id: Uuid,
    /// `ios` or `android`.
    pub platform: String,
    /// The app's version.
    pub app_version: Option<String>,
    /// The language pushes are written in.
    pub locale: &'static str,
}

impl From<Device> for DeviceDto {
    fn from(d: Device) -> Self {
        DeviceDto {
            id: d.id,
            platform: d.platform,
            app_version: d.app_version,
            locale: d.locale.code(),
        }
    }
}

/// Registers the app for push (201); the same token again refreshes it (200), also when it
/// was registered by another account on the same phone.
#[utoipa::path(
    post, path = "/api/v1/me/devices", tag = "me", request_body = DeviceBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = DeviceDto),
        (status = 200, description = "Known token, refreshed", body = DeviceDto),
        (status = 422, description = "A bad platform, token, version or language", body = super::error::ErrorBody),
    )
)]
pub async fn register_device(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<DeviceBody>,
) -> Result<(StatusCode, Json<DeviceDto>), ApiError> {
    let (device, created) = notify::register_device(
        &state.services,
        me.id,
        DeviceInput {
            platform: body.platform,
            token: body.token,
            app_version: body.app_version,
            locale: body.locale,
        },
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(device.into())))
}

/// The account's registered devices.
#[utoipa::path(
    get, path = "/api/v1/me/devices", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Devices, newest first", body = [DeviceDto]))
)]
pub async fn list_devices(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<Vec<DeviceDto>>, ApiError> {
    let devices = notify::list_devices(&state.services, me.id).await?;
    Ok(Json(devices.into_iter().map(Into::into).collect()))
}

/// Removes a device: it gets no more pushes.
#[utoipa::path(
    delete, path = "/api/v1/me/devices/{id}", tag = "me",
    params(("id" = Uuid, Path, description = "Device id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such device of yours", body = super::error::ErrorBody),
    )
)]
pub async fn delete_device(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    notify::remove_device(&state.services, me.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
