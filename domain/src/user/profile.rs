//! The customer's profile: completing it after the first sign-in, reading and editing it.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Error;
use super::company::{Lookup, VatStatus, parse_nip};
use super::members::{Membership, price_list};
use crate::Services;
use crate::identity::Role;
use crate::shared::{CustomerType, Locale, UserId, violated_constraint};

/// How far the company behind a corporate account is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The register says it is an active VAT payer.
    Verified,
    /// The register could not be asked yet; checked again in the background.
    Pending,
    /// A later check found it is no longer an active VAT payer.
    Refused,
}

impl Verification {
    /// `verified`, `pending` or `refused`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Verified => "verified",
            Verification::Pending => "pending",
            Verification::Refused => "refused",
        }
    }
}

/// The company of a corporate account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// 10 digits.
    pub nip: String,
    /// Registered name.
    pub name: String,
    /// Street and number.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Where the verification stands.
    pub verification: Verification,
}

/// A user's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// User id.
    pub id: UserId,
    /// E.164 phone number (admins may have none).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// The e-mail was confirmed through the link sent to it.
    pub email_confirmed: bool,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Preferred language.
    pub locale: Locale,
    /// Price list and minimum quantities.
    pub customer_type: CustomerType,
    /// Role.
    pub role: Role,
    /// Whether the customer type and details have been given.
    pub profile_complete: bool,
    /// Blob key of the profile photo.
    pub photo_key: Option<String>,
    /// The company, for corporate accounts.
    pub company: Option<Company>,
    /// Where a corporate account stands with its company.
    pub membership: Option<Membership>,
    /// The prices and minimums the account buys at (a company's only for an approved
    /// member of a verified company).
    pub price_list: CustomerType,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Loads the profile of a live account.
pub async fn get_profile(svc: &Services, user: UserId) -> Result<Profile, Error> {
    let row = sqlx::query!(
        r#"
        select u.id, u.phone, u.email, u.first_name, u.last_name, u.locale, u.customer_type,
               u.role, u.profile_completed_at is not null as "complete!", u.photo_key,
               u.email_verified_at is not null as "email_confirmed!",
               u.created_at as "created_at: DateTime<Utc>",
               c.nip as "nip?", c.name as "company_name?", c.street, c.postal_code, c.city,
               c.vat_status as "vat_status?",
               u.company_approved_at is not null as "approved!",
               u.company_rejected_at is not null as "rejected!"
          from users u left join companies c on c.id = u.company_id
         where u.id = $1 and u.deleted_at is null
        "#,
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the profile")?
    .ok_or(Error::NotFound)?;
    let customer_type = if row.customer_type == "corporate" {
        CustomerType::Corporate
    } else {
        CustomerType::Individual
    };
    let verified = row.vat_status.as_deref() == Some("active");
    let membership = row
        .nip
        .is_some()
        .then(|| Membership::of(row.approved, row.rejected));
    let company = match (row.nip, row.company_name, row.vat_status) {
        (Some(nip), Some(name), Some(status)) => Some(Company {
            nip,
            name,
            street: row.street,
            postal_code: row.postal_code,
            city: row.city,
            verification: match status.as_str() {
                "active" => Verification::Verified,
                "unknown" => Verification::Pending,
                _ => Verification::Refused,
            },
        }),
        _ => None,
    };
    Ok(Profile {
        id: row.id.into(),
        phone: row.phone,
        email: row.email,
        email_confirmed: row.email_confirmed,
        first_name: row.first_name,
        last_name: row.last_name,
        locale: Locale::parse(&row.locale).unwrap_or_default(),
        customer_type,
        role: Role::parse(&row.role),
        profile_complete: row.complete,
        photo_key: row.photo_key,
        company,
        membership,
        price_list: price_list(customer_type, membership, verified),
        created_at: row.created_at,
    })
}

/// The details asked for after the first sign-in.
#[derive(Debug, Clone, Default)]
pub struct CompleteProfile {
    /// Individual or corporate.
    pub customer_type: CustomerType,
    /// First name (required for individuals).
    pub first_name: Option<String>,
    /// Last name (required for individuals).
    pub last_name: Option<String>,
    /// Optional e-mail for receipts.
    pub email: Option<String>,
    /// The company's NIP (required for corporate accounts).
    pub nip: Option<String>,
    /// Used as the company's name only while the register cannot be asked.
    pub company_name: Option<String>,
    /// The terms and the privacy policy accepted (required).
    pub accept_terms: bool,
    /// Offers and news wanted (by e-mail and in the inbox).
    pub marketing: bool,
}

/// Validated optional name: trimmed, at most 100 characters, empty is `None`.
fn name(field: &'static str, value: Option<String>) -> Result<Option<String>, Error> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > 100) {
        return Err(Error::invalid(field, "must be at most 100 characters"));
    }
    Ok(value)
}

/// Validated optional e-mail: trimmed and lower-cased, empty is `None`.
pub fn email(value: Option<String>) -> Result<Option<String>, Error> {
    let Some(email) = value
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && !host.contains('@')
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
        });
    if valid {
        Ok(Some(email))
    } else {
        Err(Error::invalid(
            "email",
            format!("`{email}` is not an e-mail address"),
        ))
    }
}

/// The conflict a unique index of `users` names; `None` for any other constraint.
fn conflict(constraint: &str) -> Option<Error> {
    let message = match constraint {
        "users_email_key" => "this e-mail belongs to another account",
        "users_phone_type_key" => "this phone number already has an account of this type",
        _ => return None,
    };
    Some(Error::Conflict(message.into()))
}

/// Chooses the customer type and gives the details; corporate accounts are checked in the
/// VAT register (refused when not an active VAT payer, pending when it cannot be asked).
#[tracing::instrument(skip_all, fields(user_id = %user), err(level = "info"))]
pub async fn complete_profile(
    svc: &Services,
    user: UserId,
    cmd: CompleteProfile,
) -> Result<Profile, Error> {
    let current = get_profile(svc, user).await?;
    if current.profile_complete {
        return Err(Error::Conflict("the profile is already complete".into()));
    }
    super::consent::require_terms(cmd.accept_terms)?;
    let first_name = name("first_name", cmd.first_name)?;
    let last_name = name("last_name", cmd.last_name)?;
    let email = email(cmd.email)?;
    let company_id = match cmd.customer_type {
        CustomerType::Individual => {
            if first_name.is_none() {
                return Err(Error::invalid("first_name", "is required"));
            }
            if last_name.is_none() {
                return Err(Error::invalid("last_name", "is required"));
            }
            None
        }
        CustomerType::Corporate => {
            let typed = cmd
                .nip
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| Error::invalid("nip", "is required for a company account"))?;
            let nip = parse_nip(&typed).ok_or_else(|| {
                Error::invalid(
                    "nip",
                    format!("`{typed}` is not a valid NIP (wrong checksum or length)"),
                )
            })?;
            Some(company_for(svc, &nip, cmd.company_name).await?)
        }
    };
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let updated = sqlx::query!(
        r#"
        update users
           set customer_type = $2, first_name = $3, last_name = $4,
               email = coalesce($5, email), company_id = $6, profile_completed_at = now(),
               company_approved_at = null, company_approved_by = null, company_rejected_at = null
         where id = $1 and deleted_at is null
        "#,
        user as _,
        cmd.customer_type.as_str(),
        first_name,
        last_name,
        email,
        company_id,
    )
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(_) => {}
        Err(e) => {
            return Err(violated_constraint(&e)
                .and_then(conflict)
                .unwrap_or_else(|| {
                    Error::Unexpected(
                        anyhow::Error::new(e).context("Failed to complete the profile"),
                    )
                }));
        }
    }
    if let Some(company) = company_id {
        super::members::admit_if_first(&mut tx, company, user).await?;
    }
    super::consent::accept_terms(&mut tx, user, super::consent::Source::Account, None).await?;
    if cmd.marketing {
        super::consent::give_marketing(&mut tx, user, super::consent::Source::Account).await?;
    }
    tx.commit().await.context("Failed to commit the profile")?;
    confirm_new_email(svc, user).await;
    get_profile(svc, user).await
}

/// A typed address gets its confirmation link; the profile is saved whether or not the link
/// could be queued now (the account page and the API can ask for it again).
async fn confirm_new_email(svc: &Services, user: UserId) {
    if let Err(e) = crate::notify::ask_to_confirm(svc, user, false).await {
        tracing::warn!(error = %e, %user, "e-mail confirmation not queued");
    }
}

/// The company row for `nip`, created or refreshed from the register.
async fn company_for(svc: &Services, nip: &str, typed_name: Option<String>) -> Result<Uuid, Error> {
    match svc.registry.lookup(svc, nip).await {
        Lookup::Found(record) if record.vat_status != VatStatus::Active => Err(Error::invalid(
            "nip",
            format!(
                "{} is not an active VAT payer: the register says \"{}\"",
                record.name,
                record.vat_status.register_label()
            ),
        )),
        Lookup::Found(record) => {
            let id = sqlx::query_scalar!(
                r#"
                insert into companies (id, nip, name, vat_status, vat_checked_at, street, postal_code, city)
                values ($1, $2, $3, 'active', now(), $4, $5, $6)
                on conflict (nip) do update
                   set name = excluded.name, vat_status = 'active', vat_checked_at = now(),
                       street = excluded.street, postal_code = excluded.postal_code, city = excluded.city
                returning id
                "#,
                Uuid::now_v7(),
                nip,
                record.name.chars().take(300).collect::<String>(),
                record.street,
                record.postal_code,
                record.city,
            )
            .fetch_one(&svc.db)
            .await
            .context("Failed to store the company")?;
            Ok(id)
        }
        Lookup::NotFound => Err(Error::invalid(
            "nip",
            "no taxpayer with this NIP is in the VAT register",
        )),
        Lookup::Unavailable => {
            let name = typed_name
                .map(|n| n.trim().chars().take(300).collect::<String>())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("NIP {nip}"));
            sqlx::query!(
                "insert into companies (id, nip, name) values ($1, $2, $3) on conflict (nip) do nothing",
                Uuid::now_v7(),
                nip,
                name
            )
            .execute(&svc.db)
            .await
            .context("Failed to store the company")?;
            let id = sqlx::query_scalar!("select id from companies where nip = $1", nip)
                .fetch_one(&svc.db)
                .await
                .context("Failed to load the company")?;
            tracing::info!(%nip, "company stored as pending verification");
            Ok(id)
        }
    }
}

/// Looks companies still pending verification up again; returns how many were settled.
pub async fn recheck_pending_companies(svc: &Services) -> anyhow::Result<usize> {
    let pending = sqlx::query!(
        "select id, nip from companies where vat_status = 'unknown' order by vat_checked_at nulls first limit 50"
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list pending companies")?;
    let mut settled = 0;
    for company in pending {
        match svc.registry.lookup(svc, &company.nip).await {
            Lookup::Found(record) => {
                sqlx::query!(
                    r#"
                    update companies set name = $2, vat_status = $3, vat_checked_at = now(),
                           street = $4, postal_code = $5, city = $6
                     where id = $1
                    "#,
                    company.id,
                    record.name.chars().take(300).collect::<String>(),
                    record.vat_status.as_str(),
                    record.street,
                    record.postal_code,
                    record.city,
                )
                .execute(&svc.db)
                .await
                .context("Failed to update a company")?;
                settled += 1;
            }
            Lookup::NotFound => {
                sqlx::query!(
                    "update companies set vat_status = 'not_registered', vat_checked_at = now() where id = $1",
                    company.id
                )
                .execute(&svc.db)
                .await
                .context("Failed to update a company")?;
                settled += 1;
            }
            Lookup::Unavailable => {
                sqlx::query!(
                    "update companies set vat_checked_at = now() where id = $1",
                    company.id
                )
                .execute(&svc.db)
                .await
                .context("Failed to update a company")?;
            }
        }
    }
    Ok(settled)
}

/// Editable profile fields; `None` keeps the current value, an empty e-mail removes it.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Language code.
    pub locale: Option<String>,
}

/// Changes names, e-mail and language.
#[tracing::instrument(skip_all, fields(user_id = %user), err(level = "info"))]
pub async fn update_profile(
    svc: &Services,
    user: UserId,
    cmd: ProfileUpdate,
) -> Result<Profile, Error> {
    let locale = cmd
        .locale
        .map(|code| {
            Locale::parse(code.trim()).ok_or_else(|| {
                Error::invalid("locale", format!("`{code}` is not one of pl, en, tr"))
            })
        })
        .transpose()?;
    let clear_email = cmd.email.as_deref().is_some_and(|e| e.trim().is_empty());
    let email = email(cmd.email)?;
    let first_name = cmd
        .first_name
        .map(|n| name("first_name", Some(n)))
        .transpose()?;
    let last_name = cmd
        .last_name
        .map(|n| name("last_name", Some(n)))
        .transpose()?;
    let updated = sqlx::query!(
        r#"
        update users
           set first_name = case when $2 then $3 else first_name end,
               last_name = case when $4 then $5 else last_name end,
               email = case when $6 then null else coalesce($7, email) end,
               locale = coalesce($8, locale)
         where id = $1 and deleted_at is null
        "#,
        user as _,
        first_name.is_some(),
        first_name.flatten(),
        last_name.is_some(),
        last_name.flatten(),
        clear_email,
        email,
        locale.map(Locale::code),
    )
    .execute(&svc.db)
    .await;
    match updated {
        Ok(done) if done.rows_affected() == 0 => return Err(Error::NotFound),
        Ok(_) => confirm_new_email(svc, user).await,
        Err(e) => {
            return Err(match violated_constraint(&e) {
                Some("users_contact_present") => Error::invalid(
                    "email",
                    "is this account's only contact; it cannot be removed",
                ),
                constraint => constraint.and_then(conflict).unwrap_or_else(|| {
                    Error::Unexpected(anyhow::Error::new(e).context("Failed to update the profile"))
                }),
            });
        }
    }
    get_profile(svc, user).await
}
