//! Consents: the terms and the privacy policy are accepted at account creation and at every
//! order, each time recorded with the version of the page accepted; marketing consent is a
//! separate opt-in, given and withdrawn at will. The history is only ever added to.

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::Error;
use crate::Services;
use crate::shared::{OrderId, UserId};

/// What was consented to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// The terms of sale (the `terms` page).
    Terms,
    /// The privacy policy (the `privacy` page).
    Privacy,
    /// Offers and news.
    Marketing,
}

impl Document {
    /// The stored name (and the page's slug for the terms and the policy).
    pub fn as_str(self) -> &'static str {
        match self {
            Document::Terms => "terms",
            Document::Privacy => "privacy",
            Document::Marketing => "marketing",
        }
    }

    fn parse(text: &str) -> Option<Document> {
        [Document::Terms, Document::Privacy, Document::Marketing]
            .into_iter()
            .find(|d| d.as_str() == text)
    }
}

/// Where the consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Creating the account (completing the profile).
    Account,
    /// Placing an order.
    Order,
    /// The account's settings.
    Settings,
}

impl Source {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Account => "account",
            Source::Order => "order",
            Source::Settings => "settings",
        }
    }

    fn parse(text: &str) -> Option<Source> {
        [Source::Account, Source::Order, Source::Settings]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One consent given or withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// To what.
    pub document: Document,
    /// The version of the page accepted (terms and privacy).
    pub version: Option<i32>,
    /// Given; false: withdrawn.
    pub given: bool,
    /// Where.
    pub source: Source,
    /// The order it was given with.
    pub order_id: Option<OrderId>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The rule of every order and every new account: the terms (and the privacy policy with
/// them) are accepted explicitly, never assumed.
pub fn require_terms(accepted: bool) -> Result<(), TermsNotAccepted> {
    if accepted {
        Ok(())
    } else {
        Err(TermsNotAccepted)
    }
}

/// The terms and the privacy policy were not accepted.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("accept the terms and the privacy policy first")]
pub struct TermsNotAccepted;

/// Records, in the caller's transaction, that `user` accepted the terms and the privacy
/// policy in their current versions (`order`: with that order).
pub(crate) async fn accept_terms(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    source: Source,
    order: Option<OrderId>,
) -> anyhow::Result<()> {
    sqlx::query!(
        r#"
        with accepted as (
            insert into consents (id, user_id, document, version, given, source, order_id)
            select gen_random_uuid(), $1, p.slug, p.version, true, $2, $3
              from content_pages p
             where p.slug in ('terms', 'privacy')
        )
        update users set terms_accepted_at = now() where id = $1
        "#,
        user as _,
        source.as_str(),
        order as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the acceptance of the terms")?;
    Ok(())
}

/// Brings `users.marketing_consent_at` in line with the marketing channels switched on, and
/// records the consent given or withdrawn when that changes it.
pub(crate) async fn sync_marketing(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    source: Source,
) -> anyhow::Result<()> {
    sqlx::query!(
        r#"
        with before as (
            select marketing_consent_at is not null as had from users where id = $1
        ), after as (
            update users
               set marketing_consent_at = case
                     when exists (select 1 from notification_settings
                                   where user_id = $1 and topic = 'marketing' and enabled)
                     then coalesce(marketing_consent_at, now())
                   end
             where id = $1
         returning marketing_consent_at is not null as has
        )
        insert into consents (id, user_id, document, version, given, source)
        select gen_random_uuid(), $1, 'marketing', null, after.has, $2
          from before, after
         where before.had <> after.has
        "#,
        user as _,
        source.as_str()
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the marketing consent")?;
    Ok(())
}

/// Switches on offers by e-mail and in the inbox and records the consent.
pub(crate) async fn give_marketing(
    tx: &mut sqlx::PgConnection,
    user: UserId,
    source: Source,
) -> anyhow::Result<()> {
    sqlx::query!(
        r#"
        insert into notification_settings (user_id, topic, channel, enabled)
        values ($1, 'marketing', 'email', true), ($1, 'marketing', 'in_app', true)
        on conflict (user_id, topic, channel) do update set enabled = true, updated_at = now()
        "#,
        user as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to switch marketing on")?;
    sync_marketing(tx, user, source).await
}

/// Gives or withdraws marketing consent: giving it switches on offers by e-mail and in the
/// inbox; withdrawing switches every marketing channel off. Answers the history.
#[tracing::instrument(skip(svc), err(level = "info"))]
pub async fn set_marketing_consent(
    svc: &Services,
    user: UserId,
    given: bool,
) -> Result<Vec<Consent>, Error> {
    let mut tx = svc.db.begin().await.context("No database connection")?;
    sqlx::query!(
        "select id from users where id = $1 and deleted_at is null for update",
        user as _
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to lock the user")?
    .ok_or(Error::NotFound)?;
    if given {
        give_marketing(&mut tx, user, Source::Settings).await?;
    } else {
        sqlx::query!(
            r#"
            update notification_settings set enabled = false, updated_at = now()
             where user_id = $1 and topic = 'marketing' and enabled
            "#,
            user as _
        )
        .execute(&mut *tx)
        .await
        .context("Failed to switch marketing off")?;
        sync_marketing(&mut tx, user, Source::Settings).await?;
    }
    tx.commit().await.context("Failed to commit the consent")?;
    consents(svc, user).await
}

/// Every consent `user` gave or withdrew, newest first; `NotFound` for no such user.
pub async fn consents(svc: &Services, user: UserId) -> Result<Vec<Consent>, Error> {
    let known = sqlx::query_scalar!(
        r#"select exists (select 1 from users where id = $1) as "known!""#,
        user as _
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to find the user")?;
    if !known {
        return Err(Error::NotFound);
    }
    let rows = sqlx::query!(
        r#"
        select document, version, given, source, order_id, created_at as "created_at: DateTime<Utc>"
          from consents
         where user_id = $1
         order by created_at desc, document
        "#,
        user as _
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to read the consents")?;
    rows.into_iter()
        .map(|r| {
            Ok(Consent {
                document: Document::parse(&r.document)
                    .with_context(|| format!("unknown consent document {}", r.document))?,
                version: r.version,
                given: r.given,
                source: Source::parse(&r.source)
                    .with_context(|| format!("unknown consent source {}", r.source))?,
                order_id: r.order_id.map(OrderId::from),
                at: r.created_at,
            })
        })
        .collect::<anyhow::Result<_>>()
        .map_err(Error::Unexpected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terms_are_never_assumed() {
        assert!(require_terms(true).is_ok());
        assert!(require_terms(false).is_err());
    }

    #[test]
    fn documents_and_sources_read_back_what_is_stored() {
        for d in [Document::Terms, Document::Privacy, Document::Marketing] {
            assert_eq!(Document::parse(d.as_str()), Some(d));
        }
        for s in [Source::Account, Source::Order, Source::Settings] {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
        assert_eq!(Document::parse("cookies"), None);
    }
}
