//! `/api/v1/me/...`: the signed-in user's profile, photo, phone number, company members,
//! data export and account deletion (the address book is `addresses`). Every route acts on the token's own account only.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::user::{self, Profile};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::auth::{OtpSentResponse, customer_type, requester};
use super::extract::{ApiJson, ApiLocale, AuthUser, ClientIp};
use crate::startup::AppState;

/// The company of a corporate account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyDto {
    /// NIP, 10 digits.
    pub nip: String,
    /// Name (from the VAT register when verified).
    pub name: String,
    /// Street.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// `verified`, `pending` (the register could not be asked yet) or `refused`.
    pub verification: &'static str,
    /// This account's membership: `approved` (company terms and invoices), `pending` (until
    /// a member of the company or the shop approves it) or `rejected`.
    pub membership: &'static str,
}

/// A user's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    /// Id.
    pub id: Uuid,
    /// E.164 phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// The e-mail was confirmed through the link sent to it; until then it gets nothing else.
    pub email_confirmed: bool,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// `pl`, `en` or `tr`.
    pub locale: &'static str,
    /// `individual` or `corporate`.
    pub customer_type: &'static str,
    /// `customer` or `admin`.
    pub role: &'static str,
    /// `false` until the profile is completed.
    pub profile_complete: bool,
    /// The photo's URL, when there is one.
    pub photo_url: Option<String>,
    /// The company, for corporate accounts.
    pub company: Option<CompanyDto>,
    /// The prices the account buys at: `corporate` only for an approved member of a
    /// verified company, `individual` otherwise.
    pub price_list: &'static str,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl From<Profile> for ProfileDto {
    fn from(p: Profile) -> Self {
        ProfileDto {
            id: p.id.into(),
            phone: p.phone,
            email: p.email,
            email_confirmed: p.email_confirmed,
            first_name: p.first_name,
            last_name: p.last_name,
            locale: p.locale.code(),
            customer_type: p.customer_type.as_str(),
            role: p.role.as_str(),
            profile_complete: p.profile_complete,
            photo_url: p.photo_key.map(|k| domain::shared::blob::media_url(&k)),
            company: p.company.map(|c| CompanyDto {
                nip: c.nip,
                name: c.name,
                street: c.street,
                postal_code: c.postal_code,
                city: c.city,
                verification: c.verification.as_str(),
                membership: p.membership.map_or("pending", |m| m.as_str()),
            }),
            price_list: p.price_list.as_str(),
            created_at: p.created_at,
        }
    }
}

/// The details asked for after the first sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteProfileBody {
    /// `individual` or `corporate`.
    pub customer_type: String,
    /// Required for individuals.
    pub first_name: Option<String>,
    /// Required for individuals.
    pub last_name: Option<String>,
    /// Optional e-mail.
    pub email: Option<String>,
    /// Required for corporate accounts; checked in the VAT register.
    #[schema(example = "5261040828")]
    pub nip: Option<String>,
    /// Used only while the register cannot be reached.
    pub company_name: Option<String>,
    /// Must be `true`: the terms and the privacy policy accepted (recorded with their
    /// versions); otherwise 422 `terms_not_accepted`.
    #[serde(default)]
    pub accept_terms: bool,
    /// Offers and news by e-mail and in the inbox (opt-in; withdraw with
    /// `PUT /api/v1/me/consents/marketing`).
    #[serde(default)]
    pub marketing: bool,
}

/// Fields to change; missing fields stay as they are, an empty e-mail removes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdateBody {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// `pl`, `en` or `tr`.
    pub locale: Option<String>,
}

/// The signed-in user's profile.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileDto),
        (status = 401, description = "Not signed in", body = super::error::ErrorBody),
    )
)]
pub async fn get_me(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<Json<ProfileDto>, ApiError> {
    Ok(Json(
        user::get_profile(&state.services, me.id).await?.into(),
    ))
}

/// Changes names, e-mail or language.
#[utoipa::path(
    put, path = "/api/v1/me", tag = "me", security(("bearer" = [])), request_body = ProfileUpdateBody,
    responses(
        (status = 200, description = "The updated profile", body = ProfileDto),
        (status = 409, description = "The e-mail belongs to another account", body = super::error::ErrorBody),
        (status = 422, description = "Invalid field", body = super::error::ErrorBody),
    )
)]
pub async fn put_me(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<ProfileUpdateBody>,
) -> Result<Json<ProfileDto>, ApiError> {
    let profile = user::update_profile(
        &state.services,
        me.id,
        user::ProfileUpdate {
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            locale: body.locale,
        },
    )
    .await?;
    Ok(Json(profile.into()))
}

/// Completes a new account: individual (names) or corporate (NIP, checked in the VAT
/// register; an inactive VAT payer is refused, an unreachable register leaves it pending).
#[utoipa::path(
    post, path = "/api/v1/me/complete-profile", tag = "me", security(("bearer" = [])), request_body = CompleteProfileBody,
    responses(
        (status = 200, description = "The completed profile", body = ProfileDto),
        (status = 409, description = "Already complete, or the phone already has a corporate account", body = super::error::ErrorBody),
        (status = 422, description = "Invalid field, wrong NIP checksum, unknown or inactive company, or the terms not accepted (`terms_not_accepted`)", body = super::error::ErrorBody),
    )
)]
pub async fn complete_profile(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<CompleteProfileBody>,
) -> Result<Json<ProfileDto>, ApiError> {
    let profile = user::complete_profile(
        &state.services,
        me.id,
        user::CompleteProfile {
            customer_type: customer_type("customer_type", &body.customer_type)?,
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            nip: body.nip,
            company_name: body.company_name,
            accept_terms: body.accept_terms,
            marketing: body.marketing,
        },
    )
    .await?;
    Ok(Json(profile.into()))
}

/// The stored photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoDto {
    /// Where it is served (a 256×256 JPEG).
    pub photo_url: String,
}

/// Uploads a profile photo: multipart field `photo`, JPEG, PNG or WebP, at most 5 MB.
#[utoipa::path(
    post, path = "/api/v1/me/photo", tag = "me", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "Field `photo`: the image file"),
    responses(
        (status = 200, description = "Stored", body = PhotoDto),
        (status = 413, description = "Over 5 MB", body = super::error::ErrorBody),
        (status = 422, description = "Not a JPEG/PNG/WebP, content does not match the type, damaged", body = super::error::ErrorBody),
    )
)]
pub async fn upload_photo(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<PhotoDto>, ApiError> {
    let multipart = multipart.map_err(|e| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Send the photo as multipart/form-data: {e}"),
        )
    })?;
    let (content_type, bytes) = read_file_field(multipart, "photo").await?;
    let key = user::upload_photo(&state.services, me.id, content_type, bytes).await?;
    Ok(Json(PhotoDto {
        photo_url: domain::shared::blob::media_url(&key),
    }))
}

/// A file field of a multipart body: its declared type and bytes.
pub(crate) async fn read_file_field(
    mut multipart: Multipart,
    name: &str,
) -> Result<(String, bytes::Bytes), ApiError> {
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The file is too large.",
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        if field.name() != Some(name) {
            continue;
        }
        let content_type = field.content_type().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(too_large)?;
        return Ok((content_type, bytes));
    }
    Err(ApiError::invalid(
        name,
        format!("no file in the `{name}` field"),
    ))
}

/// Removes the profile photo.
#[utoipa::path(
    delete, path = "/api/v1/me/photo", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "Removed"))
)]
pub async fn delete_photo(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<StatusCode, ApiError> {
    user::delete_photo(&state.services, me.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything the shop holds about the user (GDPR): profile, company, addresses, orders
/// with their items, favorites.
#[utoipa::path(
    get, path = "/api/v1/me/export", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "A JSON document, sent as an attachment"))
)]
pub async fn export(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let data = user::export_data(&state.services, me.id).await?;
    Ok((
        [(
            axum::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"metropolitan-data.json\"",
        )],
        Json(data),
    ))
}

/// A new phone number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneChangeRequestBody {
    /// The new number.
    pub new_phone: String,
}

/// The two codes of a phone change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneChangeConfirmBody {
    /// The new number (as in the request).
    pub new_phone: String,
    /// The code sent to the current number.
    pub current_code: String,
    /// The code sent to the new number.
    pub new_code: String,
}

/// Sends a code to the current number and one to the new number.
#[utoipa::path(
    post, path = "/api/v1/me/phone/request", tag = "me", security(("bearer" = [])), request_body = PhoneChangeRequestBody,
    responses(
        (status = 200, description = "Both codes sent", body = OtpSentResponse),
        (status = 422, description = "Not a phone number", body = super::error::ErrorBody),
        (status = 429, description = "Too many codes", body = super::error::ErrorBody),
    )
)]
pub async fn request_phone_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiLocale(locale): ApiLocale,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<PhoneChangeRequestBody>,
) -> Result<Json<OtpSentResponse>, ApiError> {
    let sent = user::request_phone_change(
        &state.services,
        me.id,
        &body.new_phone,
        requester(ip, None),
        locale,
    )
    .await?;
    Ok(Json(OtpSentResponse {
        phone: domain::identity::Phone::parse(&body.new_phone)?.to_string(),
        expires_in: sent.expires_in,
        resend_after: sent.resend_after,
    }))
}

/// Checks both codes and changes the number.
#[utoipa::path(
    post, path = "/api/v1/me/phone/confirm", tag = "me", security(("bearer" = [])), request_body = PhoneChangeConfirmBody,
    responses(
        (status = 200, description = "Changed", body = ProfileDto),
        (status = 409, description = "The new number already has such an account", body = super::error::ErrorBody),
        (status = 422, description = "A wrong or expired code", body = super::error::ErrorBody),
    )
)]
pub async fn confirm_phone_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<PhoneChangeConfirmBody>,
) -> Result<Json<ProfileDto>, ApiError> {
    user::confirm_phone_change(
        &state.services,
        me.id,
        &body.new_phone,
        &body.current_code,
        &body.new_code,
        requester(ip, None),
    )
    .await?;
    Ok(Json(
        user::get_profile(&state.services, me.id).await?.into(),
    ))
}

/// Sends the code that confirms deleting the account.
#[utoipa::path(
    post, path = "/api/v1/me/deletion/request", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Code sent", body = OtpSentResponse))
)]
pub async fn request_deletion(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiLocale(locale): ApiLocale,
    AuthUser(me): AuthUser,
) -> Result<Json<OtpSentResponse>, ApiError> {
    let sent = user::request_deletion(&state.services, me.id, requester(ip, None), locale).await?;
    let profile = user::get_profile(&state.services, me.id).await?;
    Ok(Json(OtpSentResponse {
        phone: profile.phone.unwrap_or_default(),
        expires_in: sent.expires_in,
        resend_after: sent.resend_after,
    }))
}

/// The deletion code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletionBody {
    /// The code sent by `POST /api/v1/me/deletion/request`.
    pub code: String,
}

/// Deletes the account (signed out everywhere at once; personal data erased after 30
/// days; orders and invoices are kept as the law requires).
#[utoipa::path(
    delete, path = "/api/v1/me", tag = "me", security(("bearer" = [])), request_body = DeletionBody,
    responses(
        (status = 204, description = "Deleted"),
        (status = 422, description = "Wrong or expired code", body = super::error::ErrorBody),
    )
)]
pub async fn delete_me(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    AuthUser(me): AuthUser,
    ApiJson(body): ApiJson<DeletionBody>,
) -> Result<StatusCode, ApiError> {
    user::delete_account(&state.services, me.id, &body.code, requester(ip, None)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session and token of the account, on every device.
#[utoipa::path(
    post, path = "/api/v1/me/sign-out-everywhere", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "Signed out everywhere"))
)]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    AuthUser(me): AuthUser,
) -> Result<StatusCode, ApiError> {
    domain::identity::sign_out_everywhere(&state.services, me.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account that gave the company's NIP.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// Account id.
    pub id: Uuid,
    /// Name, when given.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// `approved`, `pending` or `rejected`.
    pub membership: &'static str,
    /// When it gave the NIP.
    pub joined_at: Option<DateTime<Utc>>,
}

impl From<domain::user::Member> for MemberDto {
    fn from(m: domain::user::Member) -> Self {
        MemberDto {
            id: m.id.into(),
            name: m.name,
            phone: m.phone,
            email: m.email,
            membership: m.membership.as_str(),
            joined_at: m.joined_at,
        }
    }
}

/// The accounts of the signed-in member's company, waiting ones first.
#[utoipa::path(
    get, path = "/api/v1/me/company/members", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The company's accounts", body = [MemberDto]),
        (status = 403, description = "Not an approved member of a company", body = super::error::ErrorBody),
    )
)]
pub async fn company_members(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<MemberDto>>, ApiError> {
    let members = domain::user::company_members(&state.services, user.id).await?;
    Ok(Json(members.into_iter().map(MemberDto::from).collect()))
}

/// A member's decision about another account of the company.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberDecisionBody {
    /// `approve` or `reject`.
    pub decision: String,
}

pub(crate) fn decision(text: &str) -> Result<domain::user::Decision, ApiError> {
    domain::user::Decision::from_code(text)
        .ok_or_else(|| ApiError::invalid("decision", format!("`{text}` is not approve or reject")))
}

/// Approves an account that gave the company's NIP (it gets the company's terms, invoices
/// and prices) or turns it down.
#[utoipa::path(
    post, path = "/api/v1/me/company/members/{id}", tag = "me", request_body = MemberDecisionBody,
    params(("id" = Uuid, Path, description = "The account")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided", body = MemberDto),
        (status = 404, description = "No such account in the company", body = super::error::ErrorBody),
        (status = 403, description = "Not an approved member of the company", body = super::error::ErrorBody),
        (status = 409, description = "An approved member can only be removed by the shop", body = super::error::ErrorBody),
    )
)]
pub async fn decide_member(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MemberDecisionBody>,
) -> Result<Json<MemberDto>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    let member = domain::user::decide_membership(
        &state.services,
        domain::user::Decider::Member(user.id),
        id.into(),
        decision(&body.decision)?,
    )
    .await?;
    Ok(Json(member.into()))
}
