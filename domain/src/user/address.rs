//! The address book: shipping and billing addresses, at most one default of each kind
//! (a partial unique index enforces it).

use anyhow::Context;
use uuid::Uuid;

use super::Error;
use super::company::parse_nip;
use crate::Services;
use crate::identity::Phone;
use crate::shared::UserId;

/// Shipping or billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressKind {
    /// Where parcels go.
    #[default]
    Shipping,
    /// What invoices say.
    Billing,
}

impl AddressKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressKind::Shipping => "shipping",
            AddressKind::Billing => "billing",
        }
    }

    /// Parses `shipping` or `billing`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        match text.trim() {
            "shipping" => Ok(AddressKind::Shipping),
            "billing" => Ok(AddressKind::Billing),
            other => Err(Error::invalid(
                "kind",
                format!("`{other}` is not shipping or billing"),
            )),
        }
    }
}

/// A stored address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Id.
    pub id: Uuid,
    /// Shipping or billing.
    pub kind: AddressKind,
    /// A name for it, e.g. "Home".
    pub label: Option<String>,
    /// Who receives or is invoiced.
    pub recipient_name: String,
    /// Company name, for billing.
    pub company_name: Option<String>,
    /// Company NIP, for billing.
    pub nip: Option<String>,
    /// Contact phone for the courier (E.164).
    pub phone: Option<String>,
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Default of its kind.
    pub is_default: bool,
}

/// An address as entered.
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    /// Shipping or billing.
    pub kind: AddressKind,
    /// Optional label.
    pub label: Option<String>,
    /// Recipient.
    pub recipient_name: String,
    /// Optional company name.
    pub company_name: Option<String>,
    /// Optional NIP.
    pub nip: Option<String>,
    /// Optional phone.
    pub phone: Option<String>,
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// Country code (default PL).
    pub country_code: Option<String>,
    /// Make it the default of its kind.
    pub is_default: bool,
}

// ISO 3166-1 alpha-2, officially assigned codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

fn required(field: &'static str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn optional(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, Error> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(|v| required(field, &v, max))
        .transpose()
}

/// Checks and normalises an address (also used for addresses typed at checkout).
pub fn validate_address(input: AddressInput) -> Result<AddressInput, Error> {
    let country = input
        .country_code
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "PL".to_owned());
    if country.len() != 2 || !COUNTRIES.split(' ').any(|c| c == country) {
        return Err(Error::invalid(
            "country_code",
            format!("`{country}` is not an ISO 3166 country code"),
        ));
    }
    let postal_code = required("postal_code", &input.postal_code, 12)?;
    let postal_ok = if country == "PL" {
        let b = postal_code.as_bytes();
        b.len() == 6
            && b[2] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_digit())
    } else {
        postal_code.len() >= 2
            && postal_code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    };
    if !postal_ok {
        let hint = if country == "PL" {
            " (expected 00-000)"
        } else {
            ""
        };
        return Err(Error::invalid(
            "postal_code",
            format!("`{postal_code}` is not a postal code for {country}{hint}"),
        ));
    }
    let nip = match optional("nip", input.nip, 20)? {
        Some(typed) => Some(
            parse_nip(&typed)
                .ok_or_else(|| Error::invalid("nip", format!("`{typed}` is not a valid NIP")))?,
        ),
        None => None,
    };
    let phone = match optional("phone", input.phone, 32)? {
        Some(typed) => Some(Phone::parse(&typed)?.as_str().to_owned()),
        None => None,
    };
    Ok(AddressInput {
        kind: input.kind,
        label: optional("label", input.label, 100)?,
        recipient_name: required("recipient_name", &input.recipient_name, 200)?,
        company_name: optional("company_name", input.company_name, 300)?,
        nip,
        phone,
        street: required("street", &input.street, 200)?,
        city: required("city", &input.city, 100)?,
        postal_code,
        country_code: Some(country),
        is_default: input.is_default,
    })
}

/// The user's addresses, defaults first.
pub async fn list_addresses(svc: &Services, user: UserId) -> Result<Vec<Address>, Error> {
    let rows = sqlx::query!(
        r#"
        select id, kind, label, recipient_name, company_name, nip, phone, street, city,
               postal_code, country_code, is_default
          from addresses where user_id = $1
         order by kind desc, is_default desc, created_at
        "#,
        user as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to list addresses")?;
    Ok(rows
        .into_iter()
        .map(|r| Address {
            id: r.id,
            kind: AddressKind::parse(&r.kind).unwrap_or_default(),
            label: r.label,
            recipient_name: r.recipient_name,
            company_name: r.company_name,
            nip: r.nip,
            phone: r.phone,
            street: r.street,
            city: r.city,
            postal_code: r.postal_code,
            country_code: r.country_code,
            is_default: r.is_default,
        })
        .collect())
}

/// One of the user's addresses; another user's id is `NotFound`.
pub async fn get_address(svc: &Services, user: UserId, id: Uuid) -> Result<Address, Error> {
    list_addresses(svc, user)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(Error::NotFound)
}

/// Adds an address; the first of its kind becomes the default.
#[tracing::instrument(skip_all, fields(user_id = %user), err(level = "info"))]
pub async fn create_address(
    svc: &Services,
    user: UserId,
    input: AddressInput,
) -> Result<Address, Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let id = insert_address(&mut tx, user, input).await?;
    tx.commit().await.context("Failed to commit the address")?;
    get_address(svc, user, id).await
}

/// Adds an address inside the caller's transaction (the address book, and checkout's "save
/// this address"); the first of its kind becomes the default.
pub(crate) async fn insert_address(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    input: AddressInput,
) -> Result<Uuid, Error> {
    let a = validate_address(input)?;
    let id = Uuid::now_v7();
    let has_default = sqlx::query_scalar!(
        r#"select exists(select 1 from addresses where user_id = $1 and kind = $2 and is_default) as "e!""#,
        user as _,
        a.kind.as_str()
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to check defaults")?;
    let is_default = a.is_default || !has_default;
    if is_default {
        clear_default(tx, user, a.kind).await?;
    }
    sqlx::query!(
        r#"
        insert into addresses (id, user_id, kind, label, recipient_name, company_name, nip, phone,
                               street, city, postal_code, country_code, is_default)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        "#,
        id,
        user as _,
        a.kind.as_str(),
        a.label,
        a.recipient_name,
        a.company_name,
        a.nip,
        a.phone,
        a.street,
        a.city,
        a.postal_code,
        a.country_code.unwrap_or_else(|| "PL".into()),
        is_default,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to add the address")?;
    Ok(id)
}

async fn clear_default(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    kind: AddressKind,
) -> Result<(), Error> {
    sqlx::query!(
        "update addresses set is_default = false where user_id = $1 and kind = $2 and is_default",
        user as _,
        kind.as_str()
    )
    .execute(tx)
    .await
    .context("Failed to clear the default address")?;
    Ok(())
}

/// Replaces an address's fields.
#[tracing::instrument(skip_all, fields(user_id = %user, address_id = %id), err(level = "info"))]
pub async fn update_address(
    svc: &Services,
    user: UserId,
    id: Uuid,
    input: AddressInput,
) -> Result<Address, Error> {
    let a = validate_address(input)?;
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let current = sqlx::query!(
        "select kind, is_default from addresses where id = $1 and user_id = $2 for update",
        id,
        user as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to load the address")?
    .ok_or(Error::NotFound)?;
    // Keeps its default flag unless asked to become the default.
    let is_default = a.is_default || (current.is_default && current.kind == a.kind.as_str());
    if a.is_default {
        clear_default(&mut tx, user, a.kind).await?;
    }
    sqlx::query!(
        r#"
        update addresses
           set kind = $3, label = $4, recipient_name = $5, company_name = $6, nip = $7, phone = $8,
               street = $9, city = $10, postal_code = $11, country_code = $12, is_default = $13
         where id = $1 and user_id = $2
        "#,
        id,
        user as _,
        a.kind.as_str(),
        a.label,
        a.recipient_name,
        a.company_name,
        a.nip,
        a.phone,
        a.street,
        a.city,
        a.postal_code,
        a.country_code.unwrap_or_else(|| "PL".into()),
        is_default,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to update the address")?;
    tx.commit().await.context("Failed to commit the address")?;
    get_address(svc, user, id).await
}

/// Makes an address the default of its kind.
pub async fn set_default_address(svc: &Services, user: UserId, id: Uuid) -> Result<Address, Error> {
    let mut tx = svc
        .db
        .begin()
        .await
        .context("Failed to start a transaction")?;
    let kind = sqlx::query_scalar!(
        "select kind from addresses where id = $1 and user_id = $2 for update",
        id,
        user as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to load the address")?
    .ok_or(Error::NotFound)?;
    clear_default(&mut tx, user, AddressKind::parse(&kind)?).await?;
    sqlx::query!("update addresses set is_default = true where id = $1", id)
        .execute(&mut *tx)
        .await
        .context("Failed to set the default address")?;
    tx.commit().await.context("Failed to commit the default")?;
    get_address(svc, user, id).await
}

/// Deletes an address.
pub async fn delete_address(svc: &Services, user: UserId, id: Uuid) -> Result<(), Error> {
    let done = sqlx::query!(
        "delete from addresses where id = $1 and user_id = $2",
        id,
        user as _
    )
    .execute(&svc.db)
    .await
    .context("Failed to delete the address")?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AddressInput {
        AddressInput {
            recipient_name: "Anna Nowak".into(),
            street: "ul. Piotrkowska 1".into(),
            city: "Łódź".into(),
            postal_code: "90-001".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_polish_address_passes_and_defaults_to_pl() {
        let a = validate_address(input()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.country_code.as_deref(), Some("PL"));
    }

    #[test]
    fn bad_addresses_name_the_field() {
        let cases: Vec<(AddressInput, &str)> = vec![
            (
                AddressInput {
                    postal_code: String::new(),
                    ..input()
                },
                "postal_code",
            ),
            (
                AddressInput {
                    postal_code: "90001".into(),
                    ..input()
                },
                "postal_code",
            ),
            (
                AddressInput {
                    country_code: Some("XX".into()),
                    ..input()
                },
                "country_code",
            ),
            (
                AddressInput {
                    recipient_name: " ".into(),
                    ..input()
                },
                "recipient_name",
            ),
            (
                AddressInput {
                    street: String::new(),
                    ..input()
                },
                "street",
            ),
            (
                AddressInput {
                    nip: Some("1234567890".into()),
                    ..input()
                },
                "nip",
            ),
            (
                AddressInput {
                    phone: Some("12".into()),
                    ..input()
                },
                "phone",
            ),
        ];
        for (case, field) in cases {
            match validate_address(case) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let german = AddressInput {
            country_code: Some("de".into()),
            postal_code: "10115".into(),
            ..input()
        };
        assert!(validate_address(german).is_ok());
    }
}
