//! Who buys and where it goes: the buyer's contact and price list, the addresses chosen at
//! checkout and the company on the invoice.

use anyhow::Context;
use uuid::Uuid;

use super::Error;
use super::checkout::{AddressChoice, PlaceOrder};
use super::model::AddressSnapshot;
use crate::Services;
use crate::shared::{CustomerType, UserId};
use crate::user::company::Lookup;
use crate::user::{Address, AddressInput, get_address, parse_nip, validate_address};

pub(super) struct Buyer {
    pub(super) customer_type: CustomerType,
    pub(super) contact_name: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) company_id: Option<Uuid>,
    pub(super) company_nip: Option<String>,
    pub(super) company_name: Option<String>,
}

/// The buyer as the order records them: contact, price list and, for an approved member,
/// the company.
pub(super) async fn buyer(svc: &Services, user: UserId) -> Result<Buyer, Error> {
    let row = sqlx::query!(
        r#"
        select u.customer_type, u.first_name, u.last_name, u.email, u.phone,
               u.profile_completed_at is not null as "complete!",
               u.company_id, c.nip as "company_nip?", c.name as "company_name?",
               u.company_approved_at is not null as "approved!",
               coalesce(c.vat_status = 'active', false) as "verified!"
          from users u left join companies c on c.id = u.company_id
         where u.id = $1 and u.deleted_at is null and u.blocked_at is null
        "#,
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the buyer")?
    .ok_or(Error::NotFound)?;
    let account = CustomerType::parse(&row.customer_type);
    if !row.complete || (account == CustomerType::Corporate && row.company_id.is_none()) {
        return Err(Error::ProfileIncomplete);
    }
    // Only an approved member buys in the company's name (its invoices, its terms).
    let member = row.company_id.is_some() && row.approved;
    let customer_type = crate::user::price_list_for(account, member, row.verified);
    let person = [row.first_name.as_deref(), row.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let contact_name = if person.is_empty() {
        row.company_name.clone().unwrap_or_default()
    } else {
        person
    };
    Ok(Buyer {
        customer_type,
        contact_name,
        email: row.email,
        phone: row.phone,
        company_id: row.company_id.filter(|_| member),
        company_nip: row.company_nip.filter(|_| member),
        company_name: row.company_name.filter(|_| member),
    })
}

/// A saved or typed address, checked, as the order keeps it.
pub(super) async fn resolve_address(
    svc: &Services,
    user: UserId,
    choice: &AddressChoice,
    field: &'static str,
) -> Result<AddressSnapshot, Error> {
    let address = match choice {
        AddressChoice::Saved(id) => match get_address(svc, user, *id).await {
            Ok(address) => to_input(address),
            Err(crate::user::Error::NotFound) => {
                return Err(Error::invalid(
                    field,
                    "no such address in your address book",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        AddressChoice::New { address, .. } => match validate_address((**address).clone()) {
            Ok(address) => address,
            Err(crate::user::Error::Invalid {
                field: inner,
                message,
            }) => {
                return Err(Error::Invalid {
                    field,
                    message: format!("{inner}: {message}"),
                });
            }
            Err(e) => return Err(e.into()),
        },
    };
    Ok(AddressSnapshot {
        name: address.recipient_name,
        company_name: address.company_name,
        street: address.street,
        postal_code: address.postal_code,
        city: address.city,
        country_code: address.country_code.unwrap_or_else(|| "PL".into()),
        phone: address.phone,
    })
}

fn to_input(a: Address) -> AddressInput {
    AddressInput {
        kind: a.kind,
        label: a.label,
        recipient_name: a.recipient_name,
        company_name: a.company_name,
        nip: a.nip,
        phone: a.phone,
        street: a.street,
        city: a.city,
        postal_code: a.postal_code,
        country_code: Some(a.country_code),
        is_default: a.is_default,
    }
}

/// The NIP and company name on the invoice: a corporate buyer's own company, or the one an
/// individual typed (checksum, then the VAT register when it answers).
pub(super) async fn invoice_company(
    svc: &Services,
    buyer: &Buyer,
    cmd: &PlaceOrder,
) -> Result<(Option<String>, Option<String>), Error> {
    if buyer.company_nip.is_some() {
        return Ok((buyer.company_nip.clone(), buyer.company_name.clone()));
    }
    let typed_name = cmd
        .company_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let Some(typed_nip) = cmd.nip.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        if typed_name.is_some() {
            return Err(Error::invalid(
                "nip",
                "a company invoice needs the company's NIP",
            ));
        }
        return Ok((None, None));
    };
    let nip = parse_nip(typed_nip)
        .ok_or_else(|| Error::invalid("nip", format!("`{typed_nip}` is not a valid NIP")))?;
    if typed_name.as_ref().is_some_and(|n| n.chars().count() > 300) {
        return Err(Error::invalid(
            "company_name",
            "must be at most 300 characters",
        ));
    }
    match svc.registry.lookup(svc, &nip).await {
        Lookup::Found(record) => Ok((Some(nip), Some(typed_name.unwrap_or(record.name)))),
        Lookup::NotFound => Err(Error::invalid(
            "nip",
            format!("{nip} is not in the VAT register"),
        )),
        Lookup::Unavailable => match typed_name {
            Some(name) => Ok((Some(nip), Some(name))),
            None => Err(Error::invalid(
                "company_name",
                "give the company name (the VAT register cannot be asked now)",
            )),
        },
    }
}
