//! `/account/notifications`: the inbox, and the unread count in the header.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::SignInFirst;
use crate::components::ActionNotice;
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

/// One topic and channel as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingView {
    /// `orders`, `account`, `marketing`.
    pub topic: String,
    /// `email`, `sms`, `push`, `in_app`.
    pub channel: String,
    /// On.
    pub enabled: bool,
}

/// The signed-in user's settings, every topic and channel.
#[server(prefix = "/sf", endpoint = "notifications/settings")]
pub async fn notification_settings() -> Result<Vec<SettingView>, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let settings = domain::notify::notification_settings(&svc, user.id).await?;
    Ok(settings.into_iter().map(setting_view).collect())
}

#[cfg(feature = "ssr")]
fn setting_view(s: domain::notify::Setting) -> SettingView {
    SettingView {
        topic: s.topic.as_str().to_owned(),
        channel: s.channel.as_str().to_owned(),
        enabled: s.enabled,
    }
}

/// Switches one channel of one topic (`enabled` is `true` or `false`).
#[server(prefix = "/sf", endpoint = "notifications/settings/set")]
pub async fn set_notification_setting(
    topic: String,
    channel: String,
    enabled: String,
) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let change = domain::notify::Setting::parse(&topic, &channel, enabled == "true")?;
    domain::notify::set_notification_setting(&svc, user.id, change).await?;
    Ok(())
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
            <p>
                <a href="/account">{t(locale, Key::MyAccount)}</a>
                " · "
                <a href="/account/notifications/settings">{t(locale, Key::NotificationSettings)}</a>
            </p>
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

fn topic_key(topic: &str) -> Key {
    match topic {
        "orders" => Key::TopicOrders,
        "account" => Key::TopicAccount,
        _ => Key::TopicMarketing,
    }
}

fn channel_key(channel: &str) -> Key {
    match channel {
        "email" => Key::ChannelEmail,
        "sms" => Key::ChannelSms,
        "push" => Key::ChannelPush,
        _ => Key::ChannelInApp,
    }
}

/// `/account/notifications/settings`: every topic and channel, each switched by its own
/// button (a plain form without JavaScript).
#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let locale = use_locale();
    let set = ServerAction::<SetNotificationSetting>::new();
    let settings = Resource::new(move || set.version().get(), |_| notification_settings());
    view! {
        <Title text=format!("{} · {}", t(locale, Key::NotificationSettings), t(locale, Key::ShopName)) />
        <section class="account">
            <h1>{t(locale, Key::NotificationSettings)}</h1>
            <p><a href="/account/notifications">{t(locale, Key::Notifications)}</a></p>
            <p class="muted">{t(locale, Key::SettingsHint)}</p>
            <ActionNotice locale value=set.value() saved=Key::Saved />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(list) => {
                            let topics = ["orders", "account", "marketing"];
                            view! {
                                {topics.into_iter().map(|topic| {
                                    let rows = list.iter().filter(|s| s.topic == topic).cloned().collect::<Vec<_>>();
                                    view! {
                                        <h2>{t(locale, topic_key(topic))}</h2>
                                        <table class="lines settings" data-testid=format!("settings-{topic}")>
                                            <tbody>
                                                {rows.into_iter().map(|s| {
                                                    let state = if s.enabled { Key::StateOn } else { Key::StateOff };
                                                    let action = if s.enabled { Key::SwitchOff } else { Key::SwitchOn };
                                                    let label = format!("{} – {} – {}", t(locale, action), t(locale, topic_key(&s.topic)), t(locale, channel_key(&s.channel)));
                                                    view! {
                                                        <tr>
                                                            <th scope="row">{t(locale, channel_key(&s.channel))}</th>
                                                            <td data-testid=format!("state-{}-{}", s.topic, s.channel)>{t(locale, state)}</td>
                                                            <td>
                                                                <ActionForm action=set>
                                                                    <input type="hidden" name="topic" value=s.topic.clone() />
                                                                    <input type="hidden" name="channel" value=s.channel.clone() />
                                                                    <input type="hidden" name="enabled" value=(!s.enabled).to_string() />
                                                                    <button type="submit" aria-label=label>{t(locale, action)}</button>
                                                                </ActionForm>
                                                            </td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }
                                }).collect_view()}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <super::consents::ConsentHistory locale changed=Signal::derive(move || set.version().get()) />
        </section>
    }
}
