//! Server functions behind the sign-in, account, address and admin user pages. Each acts on
//! the session's own account only; admin functions check the role first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The account page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// E.164 phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// The e-mail was confirmed through its link.
    pub email_confirmed: bool,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Language code.
    pub locale: String,
    /// Corporate account.
    pub corporate: bool,
    /// Profile completed.
    pub profile_complete: bool,
    /// Photo URL.
    pub photo_url: Option<String>,
    /// Company name, NIP and verification (`verified`, `pending`, `refused`).
    pub company: Option<(String, String, String)>,
    /// This account's membership of the company: `approved`, `pending` or `rejected`.
    pub membership: Option<String>,
    /// The company's accounts, for an approved member (who approves the others).
    pub members: Vec<MemberView>,
    /// Admin.
    pub admin: bool,
}

/// An account of the member's company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Account id.
    pub id: String,
    /// Name, phone or e-mail.
    pub label: String,
    /// `approved`, `pending` or `rejected`.
    pub membership: String,
}

/// An address as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressView {
    /// Id.
    pub id: String,
    /// `shipping` or `billing`.
    pub kind: String,
    /// Label.
    pub label: Option<String>,
    /// Recipient.
    pub recipient_name: String,
    /// Company.
    pub company_name: Option<String>,
    /// NIP.
    pub nip: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Street.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country_code: String,
    /// Default of its kind.
    pub is_default: bool,
}

/// A row of the admin's user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRowView {
    /// Id.
    pub id: String,
    /// Phone or e-mail.
    pub contact: String,
    /// Name or company.
    pub name: String,
    /// Admin role.
    pub admin: bool,
    /// Orders placed.
    pub orders_count: i64,
    /// Blocked.
    pub blocked: bool,
    /// Membership of the company whose NIP it gave: `approved`, `pending`, `rejected`.
    pub membership: Option<String>,
}

/// A page of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPageView {
    /// Rows.
    pub rows: Vec<UserRowView>,
    /// Page.
    pub page: u32,
    /// Pages.
    pub total_pages: u64,
}

#[cfg(feature = "ssr")]
use crate::ssr::content_locale as locale;

#[cfg(feature = "ssr")]
fn requester(user: Option<domain::shared::UserId>) -> domain::identity::Requester {
    domain::identity::Requester {
        ip: crate::ssr::client_ip(),
        user_id: user,
    }
}

/// `+` and other reserved characters for a query value.
#[cfg(feature = "ssr")]
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends a sign-in code, then shows the code form (`/login?phone=...`).
#[server(prefix = "/sf", endpoint = "identity/request_code")]
pub async fn request_code(phone: String) -> Result<(), AppError> {
    use domain::identity::{Phone, Purpose, send_code};
    let svc = crate::ssr::services()?;
    let phone = Phone::parse(&phone)?;
    send_code(&svc, &phone, Purpose::SignIn, requester(None), locale()).await?;
    leptos_axum::redirect(&format!("/login?phone={}", encode(phone.as_str())));
    Ok(())
}

/// Checks the code and signs in; new accounts go on to complete their profile.
#[server(prefix = "/sf", endpoint = "identity/verify_code")]
pub async fn verify_code(
    phone: String,
    code: String,
    account_type: Option<String>,
) -> Result<(), AppError> {
    use domain::shared::CustomerType;
    let svc = crate::ssr::services()?;
    let account_type = match account_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            CustomerType::from_code(text).ok_or_else(|| AppError::Invalid {
                field: "account_type".into(),
                message: format!("`{text}` is not individual or corporate"),
            })?,
        ),
    };
    let signed_in = domain::identity::sign_in_with_code(
        &svc,
        domain::identity::PhoneSignIn {
            phone,
            code,
            account_type,
            locale: locale(),
        },
        requester(None),
    )
    .await?;
    crate::ssr::start_session(signed_in.user).await?;
    leptos_axum::redirect(if signed_in.profile_complete {
        "/account"
    } else {
        "/account/complete"
    });
    Ok(())
}

/// Chooses individual or corporate and gives the details.
#[server(prefix = "/sf", endpoint = "account/complete_profile")]
// One argument per form field, as the server function macro takes them.
#[allow(clippy::too_many_arguments)]
pub async fn complete_profile(
    customer_type: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    nip: Option<String>,
    company_name: Option<String>,
    accept_terms: Option<String>,
    marketing: Option<String>,
) -> Result<(), AppError> {
    use domain::shared::CustomerType;
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let customer_type =
        CustomerType::from_code(&customer_type).ok_or_else(|| AppError::Invalid {
            field: "customer_type".into(),
            message: format!("`{customer_type}` is not individual or corporate"),
        })?;
    domain::user::complete_profile(
        &svc,
        user.id,
        domain::user::CompleteProfile {
            customer_type,
            first_name,
            last_name,
            email,
            nip,
            company_name,
            accept_terms: accept_terms.is_some(),
            marketing: marketing.is_some(),
        },
    )
    .await?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// The signed-in user's account data.
#[server(prefix = "/sf", endpoint = "account/get")]
pub async fn get_account() -> Result<AccountView, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let p = domain::user::get_profile(&svc, user.id).await?;
    let members = if p.membership == Some(domain::user::Membership::Approved) {
        domain::user::company_members(&svc, user.id)
            .await?
            .into_iter()
            .filter(|m| m.id != user.id)
            .map(|m| MemberView {
                id: m.id.to_string(),
                label: m.name.or(m.phone).or(m.email).unwrap_or_default(),
                membership: m.membership.as_str().to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(AccountView {
        phone: p.phone,
        email: p.email,
        email_confirmed: p.email_confirmed,
        first_name: p.first_name,
        last_name: p.last_name,
        locale: p.locale.code().to_owned(),
        corporate: p.customer_type == domain::shared::CustomerType::Corporate,
        profile_complete: p.profile_complete,
        photo_url: p.photo_key.map(|k| domain::shared::blob::media_url(&k)),
        company: p
            .company
            .map(|c| (c.name, c.nip, c.verification.as_str().to_owned())),
        membership: p.membership.map(|m| m.as_str().to_owned()),
        members,
        admin: p.role == domain::identity::Role::Admin,
    })
}

/// An approved member approves (`approve`) or turns down (`reject`) another account that
/// gave the company's NIP.
#[server(prefix = "/sf", endpoint = "account/decide_member")]
pub async fn decide_member(id: String, decision: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::decide_membership(
        &svc,
        domain::user::Decider::Member(user.id),
        id_param(&id)?,
        member_decision(&decision)?,
    )
    .await?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn member_decision(text: &str) -> Result<domain::user::Decision, AppError> {
    domain::user::Decision::from_code(text).ok_or_else(|| AppError::Invalid {
        field: "decision".into(),
        message: format!("`{text}` is not approve or reject"),
    })
}

/// Sends the account's e-mail address a new confirmation link.
#[server(prefix = "/sf", endpoint = "account/confirm_email")]
pub async fn resend_email_confirmation() -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::notify::ask_to_confirm(&svc, user.id, true).await?;
    Ok(())
}

/// Changes names, e-mail and language.
#[server(prefix = "/sf", endpoint = "account/update_profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    email: String,
    locale: String,
) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::update_profile(
        &svc,
        user.id,
        domain::user::ProfileUpdate {
            first_name: Some(first_name),
            last_name: Some(last_name),
            email: Some(email),
            locale: Some(locale),
        },
    )
    .await?;
    Ok(())
}

/// Removes the profile photo.
#[server(prefix = "/sf", endpoint = "account/remove_photo")]
pub async fn remove_photo() -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::delete_photo(&svc, user.id).await?;
    Ok(())
}

/// Ends every session and token of the account, this one included.
#[server(prefix = "/sf", endpoint = "account/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::identity::sign_out_everywhere(&svc, user.id).await?;
    let _ = crate::ssr::session().await?.flush().await;
    leptos_axum::redirect("/");
    Ok(())
}

/// Sends codes to the current and the new number.
#[server(prefix = "/sf", endpoint = "account/request_phone_change")]
pub async fn request_phone_change(new_phone: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let new = domain::identity::Phone::parse(&new_phone)?;
    domain::user::request_phone_change(&svc, user.id, &new_phone, requester(None), locale())
        .await?;
    leptos_axum::redirect(&format!("/account?new_phone={}", encode(new.as_str())));
    Ok(())
}

/// Checks both codes and changes the number.
#[server(prefix = "/sf", endpoint = "account/confirm_phone_change")]
pub async fn confirm_phone_change(
    new_phone: String,
    current_code: String,
    new_code: String,
) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::confirm_phone_change(
        &svc,
        user.id,
        &new_phone,
        &current_code,
        &new_code,
        requester(None),
    )
    .await?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// Sends the code that confirms deleting the account.
#[server(prefix = "/sf", endpoint = "account/request_deletion")]
pub async fn request_deletion() -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::request_deletion(&svc, user.id, requester(None), locale()).await?;
    leptos_axum::redirect("/account?delete=sent");
    Ok(())
}

/// Deletes the account with the code, and ends the session.
#[server(prefix = "/sf", endpoint = "account/delete")]
pub async fn delete_account(code: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::delete_account(&svc, user.id, &code, requester(None)).await?;
    let _ = crate::ssr::session().await?.flush().await;
    leptos_axum::redirect("/");
    Ok(())
}

/// The user's addresses.
#[server(prefix = "/sf", endpoint = "account/addresses")]
pub async fn list_addresses() -> Result<Vec<AddressView>, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    Ok(domain::user::list_addresses(&svc, user.id)
        .await?
        .into_iter()
        .map(|a| AddressView {
            id: a.id.to_string(),
            kind: a.kind.as_str().to_owned(),
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
        })
        .collect())
}

/// An id from a form field; a malformed one is "not found", like a missing one.
#[cfg(feature = "ssr")]
fn id_param<Id: std::str::FromStr>(id: &str) -> Result<Id, AppError> {
    id.trim().parse().map_err(|_| AppError::NotFound)
}

/// Adds an address, or replaces the one with `id`.
#[server(prefix = "/sf", endpoint = "account/save_address")]
#[allow(clippy::too_many_arguments)]
pub async fn save_address(
    id: Option<String>,
    kind: String,
    label: Option<String>,
    recipient_name: String,
    company_name: Option<String>,
    nip: Option<String>,
    phone: Option<String>,
    street: String,
    city: String,
    postal_code: String,
    country_code: Option<String>,
    is_default: Option<String>,
) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let input = domain::user::AddressInput {
        kind: domain::user::AddressKind::parse(&kind)?,
        label,
        recipient_name,
        company_name,
        nip,
        phone,
        street,
        city,
        postal_code,
        country_code,
        is_default: is_default.is_some(),
    };
    match id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => {
            domain::user::update_address(&svc, user.id, id_param(id)?, input).await?;
        }
        None => {
            domain::user::create_address(&svc, user.id, input).await?;
        }
    }
    leptos_axum::redirect("/account/addresses");
    Ok(())
}

/// Deletes an address.
#[server(prefix = "/sf", endpoint = "account/delete_address")]
pub async fn delete_address(id: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::delete_address(&svc, user.id, id_param(&id)?).await?;
    Ok(())
}

/// Makes an address the default of its kind.
#[server(prefix = "/sf", endpoint = "account/default_address")]
pub async fn make_default_address(id: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::set_default_address(&svc, user.id, id_param(&id)?).await?;
    Ok(())
}

/// Users for the admin list, searchable and paged.
#[server(prefix = "/sf", endpoint = "admin/list_users")]
pub async fn admin_list_users(q: Option<String>, page: u32) -> Result<UserPageView, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let found = domain::user::search_users(
        &svc,
        q.as_deref(),
        domain::shared::PageRequest::new(page, 50),
    )
    .await?;
    let total_pages = found.total_pages();
    Ok(UserPageView {
        page: found.page,
        total_pages,
        rows: found
            .items
            .into_iter()
            .map(|u| UserRowView {
                id: u.id.to_string(),
                contact: u.phone.or(u.email).unwrap_or_default(),
                name: u.company.or(u.name).unwrap_or_default(),
                admin: u.role == domain::identity::Role::Admin,
                orders_count: u.orders_count,
                blocked: u.blocked,
                membership: u.company_membership.map(|m| m.as_str().to_owned()),
            })
            .collect(),
    })
}

/// Changes a user's role (`customer`/`admin`) or blocked state (`block`/`unblock`).
#[server(prefix = "/sf", endpoint = "admin/change_user")]
pub async fn admin_change_user(
    id: String,
    role: Option<String>,
    blocked: Option<String>,
    membership: Option<String>,
) -> Result<(), AppError> {
    use domain::identity::Role;
    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let membership = membership
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(member_decision)
        .transpose()?;
    let role = match role.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Role::from_code(text).ok_or_else(|| AppError::Invalid {
            field: "role".into(),
            message: format!("`{text}` is not customer or admin"),
        })?),
    };
    let blocked = match blocked.as_deref() {
        None | Some("") => None,
        Some("block") => Some(true),
        Some("unblock") => Some(false),
        Some(other) => {
            return Err(AppError::Invalid {
                field: "blocked".into(),
                message: format!("`{other}` is not block or unblock"),
            });
        }
    };
    domain::user::change_user(
        &svc,
        admin.id,
        id_param(&id)?,
        domain::user::UserChange {
            role,
            blocked,
            membership,
        },
    )
    .await?;
    Ok(())
}
