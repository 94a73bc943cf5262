//! Writing notices in the transaction of the change they tell about. The order context calls
//! [`order`] wherever an order's state moves (placement, lifecycle moves, payment status,
//! refunds) and [`admins`] for what the staff must see; nothing else writes notices.

use anyhow::Context;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Kind;
use super::settings::{Contact, chosen, stored};
use crate::shared::{OrderId, UserId};

/// One notice to write: what, under which key, to whom, where, in which language.
struct Row {
    kind: Kind,
    key: String,
    user: UserId,
    channel: super::Channel,
    recipient: String,
    locale: String,
}

/// Tells an order's buyer that `kind` happened, on the channels they hear on. `occasion`
/// tells apart repeated notices of one kind (refunds are told apart by the total refunded so
/// far); the same kind, order and occasion is written once however often it is asked.
pub async fn order(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    kind: Kind,
    occasion: &str,
    extra: Value,
) -> anyhow::Result<()> {
    tell(tx, order, Some((kind, occasion)), None, extra).await
}

/// Tells every admin (by confirmed e-mail and in the inbox) that `kind` happened to `order`.
pub async fn admins(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    kind: Kind,
    extra: Value,
) -> anyhow::Result<()> {
    tell(tx, order, None, Some(kind), extra).await
}

/// A new order: its confirmation to the buyer and `AdminNewOrder` to the staff, with one read
/// and one insert (this is on the checkout's path).
pub async fn placed(tx: &mut sqlx::PgConnection, order: OrderId) -> anyhow::Result<()> {
    tell(
        tx,
        order,
        Some((Kind::OrderPlaced, "")),
        Some(Kind::AdminNewOrder),
        json!({}),
    )
    .await
}

/// The buyer's notice (`buyer`: kind and occasion) and the staff's (`staff`) about one order.
async fn tell(
    tx: &mut sqlx::PgConnection,
    order: OrderId,
    buyer: Option<(Kind, &str)>,
    staff: Option<Kind>,
    extra: Value,
) -> anyhow::Result<()> {
    let o = sqlx::query!(
        r#"
        select o.number, o.user_id as "user_id?", o.total_minor, o.refunded_minor, o.currency, o.locale,
               o.contact_phone, o.carrier, o.tracking_number,
               case when u.email_verified_at is not null then u.email end as "email?",
               u.phone as "user_phone?",
               exists (select 1 from devices d where d.user_id = o.user_id) as "devices!",
               exists (select 1 from notification_settings s where s.user_id = o.user_id)
                 as "customised!",
               a.ids as "admin_ids!: Vec<Uuid>", a.locales as "admin_locales!: Vec<String>",
               a.emails as "admin_emails!: Vec<Option<String>>"
          from orders o
          left join users u on u.id = o.user_id and u.deleted_at is null
          cross join lateral (
                select coalesce(array_agg(s.id), '{}') as ids,
                       coalesce(array_agg(s.locale), '{}') as locales,
                       coalesce(array_agg(case when s.email_verified_at is not null
                                               then s.email end), '{}') as emails
                  from users s
                 where $2 and s.role = 'admin' and s.deleted_at is null
               ) a
         where o.id = $1
        "#,
        order as _,
        staff.is_some()
    )
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the order for its notice")?;
    let data = facts(
        order,
        o.number,
        o.total_minor,
        &o.currency,
        json!({
            "carrier": o.carrier,
            "tracking_number": o.tracking_number,
            "refunded_minor": o.refunded_minor,
        }),
        extra,
    );
    let mut rows = Vec::new();
    if let Some(kind) = staff {
        let key = format!("{}:{order}:", kind.as_str());
        let admins = o
            .admin_ids
            .iter()
            .zip(&o.admin_locales)
            .zip(&o.admin_emails)
            .map(|((id, locale), email)| (*id, locale, email));
        rows.extend(admin_rows(kind, &key, admins));
    }
    // A buyer whose account is gone has nobody to tell.
    if let (Some((kind, occasion)), Some(user)) = (buyer, o.user_id.map(UserId::from)) {
        let occasion = match kind {
            Kind::OrderRefunded => format!("{occasion}{}", o.refunded_minor),
            _ => occasion.to_owned(),
        };
        let contact = Contact {
            email: o.email,
            phone: o.user_phone.or(o.contact_phone),
            devices: o.devices,
        };
        let key = format!("{}:{order}:{occasion}", kind.as_str());
        let person = Person {
            user,
            contact: &contact,
            customised: o.customised,
            locale: &o.locale,
        };
        rows.extend(person_rows(tx, kind, &key, &person, |_| true).await?);
    }
    write(tx, Some(order), &data, &rows).await
}

/// Tells every admin something that is not about one order (a daily digest); `occasion`
/// (the day) makes it once.
pub async fn staff(
    tx: &mut sqlx::PgConnection,
    kind: Kind,
    occasion: &str,
    data: Value,
) -> anyhow::Result<()> {
    let admins = sqlx::query!(
        r#"
        select id, locale, case when email_verified_at is not null then email end as "email?"
          from users where role = 'admin' and deleted_at is null
        "#
    )
    .fetch_all(&mut *tx)
    .await
    .context("Failed to read the admins")?;
    let key = format!("{}:staff:{occasion}", kind.as_str());
    let rows = admin_rows(
        kind,
        &key,
        admins.iter().map(|a| (a.id, &a.locale, &a.email)),
    );
    write(tx, None, &data, &rows).await
}

/// Each admin by confirmed e-mail and in the inbox.
fn admin_rows<'a>(
    kind: Kind,
    key: &str,
    admins: impl Iterator<Item = (Uuid, &'a String, &'a Option<String>)>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (id, locale, email) in admins {
        let user = UserId::from(id);
        if let Some(email) = email {
            rows.push(Row {
                kind,
                key: key.to_owned(),
                user,
                channel: super::Channel::Email,
                recipient: email.clone(),
                locale: locale.clone(),
            });
        }
        rows.push(Row {
            kind,
            key: key.to_owned(),
            user,
            channel: super::Channel::InApp,
            recipient: user.to_string(),
            locale: locale.clone(),
        });
    }
    rows
}

/// Tells a user about their account (`Topic::Account`), on the channels they hear on; a
/// deleted account hears only by e-mail and SMS.
pub async fn account(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    kind: Kind,
    occasion: &str,
    data: Value,
) -> anyhow::Result<()> {
    let Some(u) = sqlx::query!(
        r#"
        select locale, phone, deleted_at is not null as "deleted!",
               case when email_verified_at is not null then email end as "email?",
               exists (select 1 from devices d where d.user_id = users.id) as "devices!",
               exists (select 1 from notification_settings s where s.user_id = users.id)
                 as "customised!"
          from users where id = $1
        "#,
        user as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the user for a notice")?
    else {
        return Ok(());
    };
    let contact = Contact {
        email: u.email,
        phone: u.phone,
        devices: u.devices,
    };
    let key = format!("{}:{user}:{occasion}", kind.as_str());
    let person = Person {
        user,
        contact: &contact,
        customised: u.customised,
        locale: &u.locale,
    };
    let rows = person_rows(tx, kind, &key, &person, |c| {
        !u.deleted || matches!(c, super::Channel::Email | super::Channel::Sms)
    })
    .await?;
    write(tx, None, &data, &rows).await
}

/// Writes one e-mail notice to `email`, whoever else the user hears on (the confirmation of
/// that very address).
pub(crate) async fn to_address(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    kind: Kind,
    email: &str,
    locale: &str,
    occasion: &str,
    data: Value,
) -> anyhow::Result<()> {
    let row = Row {
        kind,
        key: format!("{}:{user}:{occasion}", kind.as_str()),
        user,
        channel: super::Channel::Email,
        recipient: email.to_owned(),
        locale: locale.to_owned(),
    };
    write(tx, None, &data, &[row]).await
}

fn facts(
    order: OrderId,
    number: i64,
    total_minor: i64,
    currency: &str,
    base: Value,
    extra: Value,
) -> Value {
    let mut data = json!({
        "order_id": order.to_string(),
        "number": number,
        "total_minor": total_minor,
        "currency": currency,
    });
    for source in [base, extra] {
        if let (Some(into), Value::Object(from)) = (data.as_object_mut(), source) {
            into.extend(from.into_iter().filter(|(_, v)| !v.is_null()));
        }
    }
    data
}

/// Someone a notice may go to.
struct Person<'a> {
    user: UserId,
    contact: &'a Contact,
    /// They have stored settings.
    customised: bool,
    locale: &'a str,
}

/// One person's rows for `kind` under `key`: the channels they hear on (`keep` narrows them),
/// in their language. Their stored settings are read only when they have any (most have none).
async fn person_rows(
    tx: &mut sqlx::PgConnection,
    kind: Kind,
    key: &str,
    person: &Person<'_>,
    keep: impl Fn(super::Channel) -> bool,
) -> anyhow::Result<Vec<Row>> {
    let settings = if person.customised {
        stored(tx, person.user).await?
    } else {
        Vec::new()
    };
    Ok(chosen(kind.topic(), person.contact, &settings)
        .into_iter()
        .filter(|c| keep(*c))
        .map(|channel| Row {
            kind,
            key: key.to_owned(),
            user: person.user,
            channel,
            recipient: recipient(channel, person.contact, person.user),
            locale: person.locale.to_owned(),
        })
        .collect())
}

fn recipient(channel: super::Channel, contact: &Contact, user: UserId) -> String {
    match channel {
        super::Channel::Email => contact.email.clone().unwrap_or_default(),
        super::Channel::Sms => contact.phone.clone().unwrap_or_default(),
        super::Channel::Push | super::Channel::InApp => user.to_string(),
    }
}

/// One insert for every row; a notice already written for that key, channel and recipient is
/// left alone. In-app rows are delivered by being written.
async fn write(
    tx: &mut sqlx::PgConnection,
    order: Option<OrderId>,
    data: &Value,
    rows: &[Row],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let users: Vec<Uuid> = rows.iter().map(|r| r.user.uuid()).collect();
    let channels: Vec<&str> = rows.iter().map(|r| r.channel.as_str()).collect();
    let recipients: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
    let locales: Vec<&str> = rows.iter().map(|r| r.locale.as_str()).collect();
    sqlx::query!(
        r#"
        insert into notifications
               (id, user_id, kind, channel, recipient, locale, order_id, data, dedupe_key,
                status, sent_at)
        select t.id, t.user_id, t.kind, t.channel, t.recipient, t.locale, $1, $2, t.key,
               case when t.channel = 'in_app' then 'sent' else 'queued' end,
               case when t.channel = 'in_app' then now() end
          from unnest($3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[],
                      $9::text[])
               as t(id, kind, key, user_id, channel, recipient, locale)
        on conflict on constraint notifications_once do nothing
        "#,
        order as _,
        data,
        &ids,
        &kinds as &[&str],
        &keys as &[&str],
        &users,
        &channels as &[&str],
        &recipients as &[&str],
        &locales as &[&str]
    )
    .execute(&mut *tx)
    .await
    .context("Failed to write the notices")?;
    Ok(())
}
