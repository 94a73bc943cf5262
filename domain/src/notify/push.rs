//! Push for the apps: the devices they register, and one `PushGateway` that delivers to
//! them. The provider is Expo's push service (the apps are Expo apps): one HTTPS request per
//! notice carrying a message per device; tokens Expo reports as `DeviceNotRegistered` are
//! removed. Without a provider configured, pushes are written to the log.

use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Error;
use super::mail::SendError;
use crate::Services;
use crate::shared::{Locale, UserId};

/// A device an app registered for push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Id (for `DELETE /me/devices/{id}`).
    pub id: Uuid,
    /// `ios` or `android`.
    pub platform: String,
    /// The app's version, as it said.
    pub app_version: Option<String>,
    /// The language the app runs in.
    pub locale: Locale,
}

/// What an app sends to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInput {
    /// `ios` or `android`.
    pub platform: String,
    /// The provider's token (`ExponentPushToken[…]`).
    pub token: String,
    /// The app's version.
    pub app_version: Option<String>,
    /// `pl`, `en` or `tr`; the account's language when absent.
    pub locale: Option<String>,
}

fn invalid(field: &'static str, message: &str) -> Error {
    Error::Invalid {
        field,
        message: message.to_owned(),
    }
}

/// Registers a device for the user; a token registered before (on this or another account)
/// moves to this account and is refreshed. Answers the device and whether it is new.
pub async fn register_device(
    svc: &Services,
    user: UserId,
    input: DeviceInput,
) -> Result<(Device, bool), Error> {
    let platform = input.platform.trim();
    if !matches!(platform, "ios" | "android") {
        return Err(invalid("platform", "must be ios or android"));
    }
    let token = input.token.trim();
    if token.is_empty() || token.len() > 4096 || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(invalid(
            "token",
            "must be the push token the provider gave the app (1 to 4096 visible ASCII characters)",
        ));
    }
    let app_version = input
        .app_version
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    if app_version
        .as_ref()
        .is_some_and(|v| v.chars().count() > 50 || v.contains('\0'))
    {
        return Err(invalid("app_version", "must be at most 50 characters"));
    }
    let locale = input
        .locale
        .map(|code| {
            Locale::parse(code.trim()).ok_or_else(|| invalid("locale", "must be pl, en or tr"))
        })
        .transpose()?;
    let row = sqlx::query!(
        r#"
        insert into devices (id, user_id, platform, token, app_version, locale)
        select $1, u.id, $3, $4, $5, coalesce($6, u.locale)
          from users u where u.id = $2 and u.deleted_at is null
        on conflict (token) do update
           set user_id = excluded.user_id, platform = excluded.platform,
               app_version = excluded.app_version, locale = excluded.locale,
               last_seen_at = now()
        returning id, platform, app_version, locale, (xmax = 0) as "created!"
        "#,
        Uuid::now_v7(),
        user as _,
        platform,
        token,
        app_version,
        locale.map(Locale::code)
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to register the device")?
    .ok_or(Error::NotFound)?;
    Ok((
        Device {
            id: row.id,
            platform: row.platform,
            app_version: row.app_version,
            locale: Locale::from_code(&row.locale).unwrap_or_default(),
        },
        row.created,
    ))
}

/// The user's devices, newest first.
pub async fn list_devices(svc: &Services, user: UserId) -> Result<Vec<Device>, Error> {
    let rows = sqlx::query!(
        "select id, platform, app_version, locale from devices where user_id = $1 order by created_at desc",
        user as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list the devices")?;
    Ok(rows
        .into_iter()
        .map(|r| Device {
            id: r.id,
            platform: r.platform,
            app_version: r.app_version,
            locale: Locale::from_code(&r.locale).unwrap_or_default(),
        })
        .collect())
}

/// Removes one of the user's devices; someone else's is `NotFound`.
pub async fn remove_device(svc: &Services, user: UserId, id: Uuid) -> Result<(), Error> {
    sqlx::query_scalar!(
        "delete from devices where id = $1 and user_id = $2 returning id",
        id,
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to remove the device")?
    .ok_or(Error::NotFound)?;
    Ok(())
}

/// Removes the user's devices (all, or the one signing out) in the caller's transaction:
/// signing out, signing out everywhere and deleting the account end their pushes.
pub async fn forget_devices(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    only: Option<Uuid>,
) -> anyhow::Result<u64> {
    let done = sqlx::query!(
        "delete from devices where user_id = $1 and ($2::uuid is null or id = $2)",
        user as _,
        only
    )
    .execute(&mut *tx)
    .await
    .context("Failed to remove the devices")?;
    Ok(done.rows_affected())
}

/// Where pushes go.
#[derive(Clone)]
pub enum PushGateway {
    /// Expo's push service.
    Expo(ExpoPush),
    /// Development and tests without a provider: pushes are logged.
    Log,
}

/// Expo's push API: `POST {base}/--/api/v2/push/send` with a JSON array of messages,
/// authorised by an access token when the project requires one.
#[derive(Clone)]
pub struct ExpoPush {
    client: reqwest::Client,
    url: String,
    access_token: Option<String>,
}

impl ExpoPush {
    /// A client for `base_url` (`https://exp.host`; a local fake in tests).
    pub fn new(base_url: &str, access_token: Option<&str>) -> anyhow::Result<ExpoPush> {
        Ok(ExpoPush {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .context("Failed to build the push client")?,
            url: format!("{}/--/api/v2/push/send", base_url.trim_end_matches('/')),
            access_token: access_token.map(str::to_owned),
        })
    }
}

/// What the provider said of one message.
#[derive(Debug, Deserialize)]
struct Ticket {
    status: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Tickets {
    data: Vec<Ticket>,
}

/// A push: its words and where it leads.
pub(crate) struct Push<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub kind: &'a str,
    pub notification_id: Uuid,
}

/// Sends a push to every device of `user`; tokens the provider no longer knows are removed.
/// No device at all is a permanent failure (nothing to deliver to).
pub(crate) async fn send_push(
    svc: &Services,
    user: UserId,
    push: Push<'_>,
) -> Result<(), SendError> {
    let devices = sqlx::query!(
        "select id, token from devices where user_id = $1 order by created_at limit 100",
        user as _
    )
    .fetch_all(&svc.db)
    .await
    .map_err(|e| SendError::Retry(format!("devices: {e}")))?;
    if devices.is_empty() {
        return Err(SendError::Skipped("the user has no device left".into()));
    }
    let expo = match &svc.push {
        PushGateway::Log => {
            tracing::info!(%user, devices = devices.len(), title = push.title, "push (log gateway)");
            return Ok(());
        }
        PushGateway::Expo(expo) => expo,
    };
    let messages: Vec<Value> = devices
        .iter()
        .map(|d| {
            json!({
                "to": d.token,
                "title": push.title,
                "body": push.body,
                "sound": "default",
                "data": {
                    "kind": push.kind,
                    "link": push.link,
                    "notification_id": push.notification_id,
                },
            })
        })
        .collect();
    let mut request = expo
        .client
        .post(&expo.url)
        .header(reqwest::header::ACCEPT, "application/json")
        .json(&messages);
    if let Some(token) = &expo.access_token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|e| SendError::Retry(format!("push service: {e}")))?;
    let status = response.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(SendError::Retry(format!("push service answered {status}")));
    }
    if !status.is_success() {
        let detail = response.text().await.unwrap_or_default();
        return Err(SendError::Permanent(format!(
            "push service refused ({status}): {detail:.300}"
        )));
    }
    let tickets: Tickets = response
        .json()
        .await
        .map_err(|e| SendError::Retry(format!("push service answer: {e}")))?;
    let mut delivered = 0;
    let mut errors = Vec::new();
    for (device, ticket) in devices.iter().zip(&tickets.data) {
        if ticket.status == "ok" {
            delivered += 1;
            continue;
        }
        let code = ticket
            .details
            .as_ref()
            .and_then(|d| d.get("error"))
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        if code == "DeviceNotRegistered" {
            sqlx::query!("delete from devices where id = $1", device.id)
                .execute(&svc.db)
                .await
                .map_err(|e| SendError::Retry(format!("devices: {e}")))?;
            tracing::info!(device = %device.id, "push token no longer registered; device removed");
        }
        errors.push(format!(
            "{code}: {}",
            ticket.message.as_deref().unwrap_or_default()
        ));
    }
    if delivered > 0 {
        Ok(())
    } else {
        Err(SendError::Permanent(format!(
            "no device took the push: {}",
            errors.join("; ")
        )))
    }
}
