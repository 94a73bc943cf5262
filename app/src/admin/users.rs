//! `/admin/users`: search accounts, see their orders count, change roles, block.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::account::membership_key;
use crate::account::server_fns::{AdminChangeUser, UserRowView, admin_list_users};
use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::use_locale;

/// The admin's user list.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let q = move || query.read().get("q").filter(|q| !q.trim().is_empty());
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1u32)
    };
    let change = ServerAction::<AdminChangeUser>::new();
    let users = Resource::new(
        move || (q(), page(), change.version().get()),
        |(q, page, _)| admin_list_users(q, page),
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::AdminUsers), t(locale, Key::ShopName)) />
        <div class="admin-head">
            <h1>{t(locale, Key::AdminUsers)}</h1>
            <nav>
                <a href="/admin/products">{t(locale, Key::AdminProducts)}</a>
                " · "
                <a href="/admin/content">{t(locale, Key::AdminContent)}</a>
            </nav>
        </div>
        <form method="get" action="/admin/users" class="filters">
            <label>
                {t(locale, Key::SearchLabel)}
                <input type="search" name="q" value=q().unwrap_or_default() />
            </label>
            <button type="submit">{t(locale, Key::SearchButton)}</button>
        </form>
        <ActionNotice locale value=change.value() saved=Key::Saved />
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(AppError::Unauthorized | AppError::Forbidden) => view! {
                        <p class="error" role="alert">
                            {t(locale, Key::AdminOnly)} " " <a href="/login">{t(locale, Key::SignIn)}</a>
                        </p>
                    }.into_any(),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(page) => view! {
                        <table class="admin-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t(locale, Key::Phone)}</th>
                                    <th scope="col">{t(locale, Key::Name)}</th>
                                    <th scope="col">{t(locale, Key::Orders)}</th>
                                    <th scope="col">{t(locale, Key::Role)}</th>
                                    <th scope="col">{t(locale, Key::Blocked)}</th>
                                    <th scope="col">{t(locale, Key::CompanyAccounts)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.rows.into_iter().map(|row| view! { <UserRow row change /> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserRow(row: UserRowView, change: ServerAction<AdminChangeUser>) -> impl IntoView {
    let locale = use_locale();
    let next_role = if row.admin { "customer" } else { "admin" };
    let (block_value, block_key) = if row.blocked {
        ("unblock", Key::Unblock)
    } else {
        ("block", Key::Block)
    };
    let id = row.id.clone();
    let member = row.id.clone();
    view! {
        <tr data-testid="user-row">
            <td>{row.contact.clone()}</td>
            <td>{row.name.clone()}</td>
            <td>{row.orders_count}</td>
            <td>
                {if row.admin { "admin" } else { "customer" }}
                <ActionForm action=change attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="role" value=next_role />
                    <button type="submit">{format!("→ {next_role}")}</button>
                </ActionForm>
            </td>
            <td>
                {row.blocked.then(|| t(locale, Key::Blocked))}
                <ActionForm action=change attr:class="inline">
                    <input type="hidden" name="id" value=row.id.clone() />
                    <input type="hidden" name="blocked" value=block_value />
                    <button type="submit">{t(locale, block_key)}</button>
                </ActionForm>
            </td>
            <td data-testid="membership">
                {row.membership.clone().map(|m| {
                    let status = membership_key(&m);
                    let decide = move |decision: &'static str, key: Key, id: String| view! {
                        <ActionForm action=change attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="membership" value=decision />
                            <button type="submit">{t(locale, key)}</button>
                        </ActionForm>
                    };
                    view! {
                        {t(locale, status)}
                        {(m != "approved").then(|| decide("approve", Key::Approve, member.clone()))}
                        {(m != "rejected").then(|| decide("reject", Key::Reject, member.clone()))}
                    }
                })}
            </td>
        </tr>
    }
}
