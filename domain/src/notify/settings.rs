//! Which channels a user hears on, per topic: stored choices over defaults. E-mail and the
//! inbox are on unless switched off; SMS is on for someone without a confirmed e-mail;
//! marketing is off until chosen. Order and account notices keep at least one channel that
//! always reaches the person: the inbox, e-mail or SMS (push alone does not count, since the
//! apps' devices come and go).

use anyhow::Context;

use super::{CHANNELS, Channel, Error, TOPICS, Topic};
use crate::Services;
use crate::shared::UserId;

/// One topic and channel, and whether notices go there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The topic.
    pub topic: Topic,
    /// The channel.
    pub channel: Channel,
    /// On.
    pub enabled: bool,
}

impl Setting {
    /// A switch as clients name it (`orders`/`account`/`marketing`,
    /// `email`/`sms`/`push`/`in_app`); an unknown name is refused on its field.
    pub fn parse(topic: &str, channel: &str, enabled: bool) -> Result<Setting, Error> {
        Ok(Setting {
            topic: Topic::parse(topic.trim()).ok_or_else(|| Error::Invalid {
                field: "topic",
                message: "must be orders, account or marketing".into(),
            })?,
            channel: Channel::parse(channel.trim()).ok_or_else(|| Error::Invalid {
                field: "channel",
                message: "must be email, sms, push or in_app".into(),
            })?,
            enabled,
        })
    }
}

/// How a person can be reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Contact {
    /// A confirmed e-mail address.
    pub email: Option<String>,
    /// A phone (E.164).
    pub phone: Option<String>,
    /// The user has app devices registered for push.
    pub devices: bool,
}

fn default_for(topic: Topic, channel: Channel, has_email: bool) -> bool {
    match (topic, channel) {
        (Topic::Marketing, _) => false,
        (_, Channel::Sms) => !has_email,
        _ => true,
    }
}

/// Every topic and channel with what applies to this user now.
fn effective(stored: &[Setting], has_email: bool) -> Vec<Setting> {
    TOPICS
        .into_iter()
        .flat_map(|topic| CHANNELS.into_iter().map(move |channel| (topic, channel)))
        .map(|(topic, channel)| Setting {
            topic,
            channel,
            enabled: stored
                .iter()
                .find(|s| s.topic == topic && s.channel == channel)
                .map_or_else(|| default_for(topic, channel, has_email), |s| s.enabled),
        })
        .collect()
}

/// The channels a notice of `topic` goes to, given how the person can be reached.
pub(crate) fn chosen(topic: Topic, contact: &Contact, stored: &[Setting]) -> Vec<Channel> {
    effective(stored, contact.email.is_some())
        .into_iter()
        .filter(|s| s.topic == topic && s.enabled)
        .map(|s| s.channel)
        .filter(|c| match c {
            Channel::Email => contact.email.is_some(),
            Channel::Sms => contact.phone.is_some(),
            Channel::Push => contact.devices,
            Channel::InApp => true,
        })
        .collect()
}

pub(crate) async fn stored(
    conn: &mut sqlx::PgConnection,
    user: UserId,
) -> anyhow::Result<Vec<Setting>> {
    let rows = sqlx::query!(
        "select topic, channel, enabled from notification_settings where user_id = $1",
        user as _
    )
    .fetch_all(&mut *conn)
    .await
    .context("Failed to read notification settings")?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Setting {
                topic: Topic::parse(&r.topic)?,
                channel: Channel::parse(&r.channel)?,
                enabled: r.enabled,
            })
        })
        .collect())
}

async fn has_confirmed_email(conn: &mut sqlx::PgConnection, user: UserId) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"select email is not null and email_verified_at is not null as "confirmed!" from users where id = $1"#,
        user as _
    )
    .fetch_optional(&mut *conn)
    .await
    .context("Failed to read the user")?
    .unwrap_or(false))
}

/// The user's settings for every topic and channel.
pub async fn notification_settings(svc: &Services, user: UserId) -> Result<Vec<Setting>, Error> {
    let mut conn = svc.db.acquire().await.context("No database connection")?;
    let saved = stored(&mut conn, user).await?;
    let has_email = has_confirmed_email(&mut conn, user).await?;
    Ok(effective(&saved, has_email))
}

/// Switches one channel of one topic; switching off the last channel of order or account
/// notices is refused. Answers every setting after the change.
pub async fn set_notification_setting(
    svc: &Services,
    user: UserId,
    change: Setting,
) -> Result<Vec<Setting>, Error> {
    let mut tx = svc.db.begin().await.context("No database connection")?;
    // One change at a time per user, so two switches cannot both leave a topic silent.
    sqlx::query!("select id from users where id = $1 for update", user as _)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to lock the user")?
        .ok_or(Error::NotFound)?;
    let mut saved = stored(&mut tx, user).await?;
    saved.retain(|s| !(s.topic == change.topic && s.channel == change.channel));
    saved.push(change);
    let has_email = has_confirmed_email(&mut tx, user).await?;
    let after = effective(&saved, has_email);
    let kept = after
        .iter()
        .any(|s| s.topic == change.topic && s.enabled && s.channel != Channel::Push);
    if !change.topic.optional() && !kept {
        return Err(Error::Invalid {
            field: "enabled",
            message: format!(
                "{} notices keep at least one of in_app, email or sms",
                change.topic.as_str()
            ),
        });
    }
    sqlx::query!(
        r#"
        insert into notification_settings (user_id, topic, channel, enabled) values ($1, $2, $3, $4)
        on conflict (user_id, topic, channel) do update set enabled = excluded.enabled, updated_at = now()
        "#,
        user as _,
        change.topic.as_str(),
        change.channel.as_str(),
        change.enabled
    )
    .execute(&mut *tx)
    .await
    .context("Failed to save the setting")?;
    // Marketing is opt-in: the consent is dated when the first channel is switched on and
    // withdrawn when the last is switched off, each change kept in the consent history.
    crate::user::consent::sync_marketing(&mut tx, user, crate::user::consent::Source::Settings)
        .await?;
    tx.commit().await.context("Failed to commit the setting")?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(email: bool, phone: bool) -> Contact {
        Contact {
            email: email.then(|| "a@example.com".into()),
            phone: phone.then(|| "+48500000001".into()),
            devices: false,
        }
    }

    #[test]
    fn apps_with_a_device_get_pushes_unless_switched_off() {
        let with_app = Contact {
            devices: true,
            ..contact(true, false)
        };
        assert_eq!(
            chosen(Topic::Orders, &with_app, &[]),
            vec![Channel::Email, Channel::Push, Channel::InApp]
        );
        let off = [Setting {
            topic: Topic::Orders,
            channel: Channel::Push,
            enabled: false,
        }];
        assert_eq!(
            chosen(Topic::Orders, &with_app, &off),
            vec![Channel::Email, Channel::InApp]
        );
    }

    #[test]
    fn orders_go_by_email_and_inbox_and_by_sms_only_without_a_confirmed_email() {
        assert_eq!(
            chosen(Topic::Orders, &contact(true, true), &[]),
            vec![Channel::Email, Channel::InApp]
        );
        assert_eq!(
            chosen(Topic::Orders, &contact(false, true), &[]),
            vec![Channel::Sms, Channel::InApp]
        );
        assert!(chosen(Topic::Marketing, &contact(true, true), &[]).is_empty());
    }

    #[test]
    fn stored_choices_override_the_defaults_where_the_person_can_be_reached() {
        let sms_too = [Setting {
            topic: Topic::Orders,
            channel: Channel::Sms,
            enabled: true,
        }];
        assert_eq!(
            chosen(Topic::Orders, &contact(true, true), &sms_too),
            vec![Channel::Email, Channel::Sms, Channel::InApp]
        );
        // Chosen but unreachable: no phone, no SMS.
        assert_eq!(
            chosen(Topic::Orders, &contact(true, false), &sms_too),
            vec![Channel::Email, Channel::InApp]
        );
    }
}
