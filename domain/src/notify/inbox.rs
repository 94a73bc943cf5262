//! The in-app inbox: a user's in-app notices, unread first, in the language they were
//! written for.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text::render;
use super::{Error, Kind};
use crate::Services;
use crate::shared::{Locale, OrderId, Page, PageRequest, UserId};

/// A notice in the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// Id.
    pub id: Uuid,
    /// What it is about (`order_paid`, …).
    pub kind: String,
    /// Title.
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// Where to look, a path on the shop.
    pub link: String,
    /// The order it is about.
    pub order_id: Option<OrderId>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was read.
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the user's inbox: unread first, newest first within each.
pub async fn list_inbox(
    svc: &Services,
    user: UserId,
    page: PageRequest,
) -> Result<Page<InboxItem>, Error> {
    let rows = sqlx::query!(
        r#"
        select id, kind, locale, order_id, data, count(*) over () as "total!",
               created_at as "created_at: DateTime<Utc>", read_at as "read_at: DateTime<Utc>"
          from notifications
         where user_id = $1 and channel = 'in_app'
         order by read_at is not null, created_at desc, id desc
         limit $2 offset $3
        "#,
        user as _,
        page.limit(),
        page.offset()
    )
    .fetch_all(&svc.db)
    .await
    .context("Failed to read the inbox")?;
    let total = rows
        .first()
        .map_or(0, |r| u64::try_from(r.total).unwrap_or(0));
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let kind = Kind::parse(&r.kind)?;
            let text = render(
                kind,
                Locale::from_code(&r.locale).unwrap_or_default(),
                &r.data,
            );
            Some(InboxItem {
                id: r.id,
                kind: r.kind,
                title: text.title,
                body: text.body,
                link: text.link,
                order_id: r.order_id.map(OrderId::from),
                created_at: r.created_at,
                read_at: r.read_at,
            })
        })
        .collect();
    Ok(Page {
        items,
        page: page.page(),
        per_page: page.per_page(),
        total,
    })
}

/// Unread notices in the inbox, for the header.
pub async fn unread_count(svc: &Services, user: UserId) -> Result<i64, Error> {
    Ok(sqlx::query_scalar!(
        r#"
        select count(*) as "n!" from notifications
         where user_id = $1 and channel = 'in_app' and read_at is null
        "#,
        user as _
    )
    .fetch_one(&svc.db)
    .await
    .context("Failed to count unread notices")?)
}

/// Marks one notice read (again is fine); someone else's is `NotFound`.
pub async fn mark_read(svc: &Services, user: UserId, id: Uuid) -> Result<(), Error> {
    sqlx::query_scalar!(
        r#"
        update notifications set read_at = coalesce(read_at, now())
         where id = $1 and user_id = $2 and channel = 'in_app'
        returning id
        "#,
        id,
        user as _
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to mark the notice read")?
    .ok_or(Error::NotFound)?;
    Ok(())
}

/// Marks every notice read; answers how many were unread.
pub async fn mark_all_read(svc: &Services, user: UserId) -> Result<u64, Error> {
    let done = sqlx::query!(
        r#"
        update notifications set read_at = now()
         where user_id = $1 and channel = 'in_app' and read_at is null
        "#,
        user as _
    )
    .execute(&svc.db)
    .await
    .context("Failed to mark the notices read")?;
    Ok(done.rows_affected())
}
