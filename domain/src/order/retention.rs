//! How long an erased customer's orders keep their personal data. Tax law (art. 112 of the
//! VAT act, art. 86 of the tax ordinance) keeps invoices and what they record for five years
//! from the end of the year in which they were issued; an order that was never invoiced
//! records no sale the law asks the shop to keep. So, once an account is erased:
//! - an order without an invoice loses its contact data (name, e-mail, phone, note, the
//!   addresses' recipients, phones and streets) at once;
//! - an invoiced order, and its invoice if the buyer was a person, lose them after the
//!   fifth full calendar year since the invoice (Warsaw time). A company's invoice keeps
//!   the company's name, NIP and address: those are not personal data.
//!
//! The amounts, lines and numbers stay: they are the shop's own records.

use anyhow::Context;

use crate::Services;

/// What replaces a name that is gone.
const ERASED: &str = "(usunięto / erased)";

/// Clears the personal data the retention rule no longer allows from erased customers'
/// orders and invoices; answers how many orders it touched. Idempotent (a daily job).
pub async fn forget_expired_contacts(svc: &Services) -> anyhow::Result<u64> {
    let mut tx = svc.db.begin().await.context("No database connection")?;
    // Consumer invoices past their five years lose the buyer's name and address.
    sqlx::query!(
        r#"
        update invoices i
           set buyer = jsonb_build_object('name', $1::text, 'nip', null,
                                          'address', jsonb_build_object(
                                              'name', $1::text, 'street', '', 'postal_code', '',
                                              'city', '', 'country_code',
                                              i.buyer -> 'address' ->> 'country_code'))
          from orders o
          left join users u on u.id = o.user_id
         where o.id = i.order_id
           and (o.user_id is null or u.erased_at is not null)
           and i.buyer ->> 'nip' is null
           and i.year <= extract(year from now() at time zone 'Europe/Warsaw')::int - 6
           and i.buyer ->> 'name' <> $1::text
        "#,
        ERASED
    )
    .execute(&mut *tx)
    .await
    .context("Failed to clear old invoices")?;
    let orders = sqlx::query!(
        r#"
        update orders o
           set contact_name = $1::text, contact_email = null, contact_phone = null, notes = null,
               shipping_address = o.shipping_address || jsonb_build_object(
                   'name', $1::text, 'street', '', 'phone', null),
               billing_address = case when o.billing_address is null then null
                   else o.billing_address || jsonb_build_object(
                       'name', $1::text, 'street', '', 'phone', null) end
          from users u
         where u.id = o.user_id and u.erased_at is not null
           and o.contact_name <> $1::text
           and not exists (
                 select 1 from invoices i
                  where i.order_id = o.id
                    and i.year > extract(year from now() at time zone 'Europe/Warsaw')::int - 6)
        "#,
        ERASED
    )
    .execute(&mut *tx)
    .await
    .context("Failed to clear old orders")?
    .rows_affected();
    tx.commit()
        .await
        .context("Failed to commit the retention")?;
    Ok(orders)
}
