//! `/account/notifications`: the inbox, and the unread count in the header.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::SignInFirst;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::use_locale;

/// A notice as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// Where to look.
    pub link: String,
    /// When (`2026-12-02 14:05 UTC`), as the order pages show times.
    pub at: String,
    /// Not read yet.
    pub unread: bool,
}

/// Unread notices of the signed-in user; 0 for visitors.
#[server(prefix = "/sf", endpoint = "notifications/count")]
pub async fn notification_count() -> Result<i64, AppError> {
    let Some(user) = crate::ssr::session_user().await? else {
        return Ok(0);
    };
    let svc = crate::ssr::services()?;
    domain::notify::unread_count(&svc, user.id)
        .await
        .map_err(AppError::from)
}

/// The newest 50 notices, unread first.
#[server(prefix = "/sf", endpoint = "notifications/list")]
pub async fn list_notifications() -> Result<Vec<NoticeView>, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let page =
        domain::notify::list_inbox(&svc, user.id, domain::shared::PageRequest::new(1, 50)).await?;
    Ok(page
        .items
        .into_iter()
        .map(|n| NoticeView {
            id: n.id.to_string(),
            title: n.title,
            body: n.body,
            link: n.link,
            at: n.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            unread: n.read_at.is_none(),
        })
        .collect())
}

/// Marks every notice read.
#[server(prefix = "/sf", endpoint = "notifications/read-all")]
pub async fn mark_all_notifications_read() -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::notify::mark_all_read(&svc, user.id).await?;
    Ok(())
}

/// Marks one notice read.
#[server(prefix = "/sf", endpoint = "notifications/read")]
pub async fn mark_notification_read(id: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let id = id.trim().parse().map_err(|_| AppError::NotFound)?;
    domain::notify::mark_read(&svc, user.id, id)
        .await
        .map_err(AppError::from)
}

/// The unread count beside "Account" in the header, once there is something unread.
#[component]
pub fn NotificationBadge() -> impl IntoView {
    let locale = use_locale();
    let location = leptos_router::hooks::use_location();
    let count = Resource::new(move || location.pathname.get(), |_| notification_count());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let n = count.await.unwrap_or(0);
                (n > 0).then(|| view! {
                    <a
                        href="/account/notifications"
                        class="notice-count"
                        data-testid="notification-count"
                        aria-label=format!("{}: {n} {}", t(locale, Key::Notifications), t(locale, Key::Unread))
                    >
                        {n}
                    </a>
                })
            })}
        </Suspense>
    }
}

/// `/account/notifications`.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let locale = use_locale();
    let read_all = ServerAction::<MarkAllNotificationsRead>::new();
    let read_one = ServerAction::<MarkNotificationRead>::new();
    let notices = Resource::new(
        move || (read_all.version().get(), read_one.version().get()),
        |_| list_notifications(),
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Notifications), t(locale, Key::ShopName)) />
        <section class="account">
            <h1>{t(locale, Key::Notifications)}</h1>
            <p><a href="/account">{t(locale, Key::MyAccount)}</a></p>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match notices.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p>{t(locale, Key::NoNotifications)}</p> }.into_any(),
                        Ok(list) => {
                            let any_unread = list.iter().any(|n| n.unread);
                            view! {
                                {any_unread.then(|| view! {
                                    <ActionForm action=read_all>
                                        <button type="submit" data-testid="mark-all-read">{t(locale, Key::MarkAllRead)}</button>
                                    </ActionForm>
                                })}
                                <ul class="notice-list">
                                    {list.into_iter().map(|n| view! {
                                        <li class:unread=n.unread data-testid="notification">
                                            <p>
                                                <a href=n.link.clone()><strong>{n.title.clone()}</strong></a>
                                                {n.unread.then(|| view! { " " <span class="badge">{t(locale, Key::Unread)}</span> })}
                                            </p>
                                            <p>{n.body.clone()}</p>
                                            <p class="muted">{n.at.clone()}</p>
                                            {n.unread.then(|| view! {
                                                <ActionForm action=read_one>
                                                    <input type="hidden" name="id" value=n.id.clone() />
                                                    <button type="submit">{t(locale, Key::MarkRead)}</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
