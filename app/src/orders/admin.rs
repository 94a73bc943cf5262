//! The admin's order pages and dashboard.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::OrderDetails;
use super::admin_fns::{
    AdminMoveOrder, AdminRefund, AdminResendNotification, SetAdminTerms, admin_dashboard,
    admin_order_notifications, admin_orders, admin_terms,
};
use super::server_fns::get_order;
use shop_types::{OrderStatus, PaymentStatus};

use crate::account::SignInFirst;
use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, status_label, t};
use crate::use_locale;

/// `/admin`: orders and revenue today and this month, what to ship, what runs out.
#[component]
pub fn AdminDashboardPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new(|| (), |_| admin_dashboard());
    let set_terms = ServerAction::<SetAdminTerms>::new();
    let terms = Resource::new(move || set_terms.version().get(), |_| admin_terms());
    view! {
        <Title text="Dashboard · Metropolitan" />
        <section class="admin">
            <h1>"Dashboard"</h1>
            <AdminLinks />
            <ActionNotice locale value=set_terms.value() saved=Key::Saved />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    terms.await.ok().map(|current| view! {
                        <ActionForm action=set_terms attr:class="filters">
                            <label for="terms">"Bank transfer terms for companies (default)"</label>
                            <select id="terms" name="days">
                                {[0, 7, 14, 21].into_iter().map(|days| view! {
                                    <option value=days selected=days == current>
                                        {if days == 0 { "none: pay online".to_owned() } else { format!("{days} days") }}
                                    </option>
                                }).collect_view()}
                            </select>
                            <button type="submit">{t(locale, Key::Save)}</button>
                        </ActionForm>
                    })
                })}
            </Suspense>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(AppError::Forbidden) => view! { <p class="error" role="alert">{t(locale, Key::AdminOnly)}</p> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(d) => view! {
                            <dl class="figures" data-testid="dashboard">
                                <dt>"Orders today"</dt><dd>{d.orders_today}</dd>
                                <dt>"Revenue today"</dt><dd>{d.revenue_today.format(locale)}</dd>
                                <dt>"Orders this month"</dt><dd>{d.orders_month}</dd>
                                <dt>"Revenue this month"</dt><dd>{d.revenue_month.format(locale)}</dd>
                                <dt>"Awaiting payment"</dt><dd><a href="/admin/orders?status=pending_payment">{d.pending_payment}</a></dd>
                                <dt>"To ship"</dt><dd><a href="/admin/orders?status=paid">{d.to_ship}</a></dd>
                            </dl>
                            <h2>"Low stock"</h2>
                            <ul>
                                {d.low_stock.into_iter().map(|(sku, name, stock)| view! {
                                    <li><a href=format!("/admin/products?q={sku}")>{sku.clone()}</a> " · " {name} " · " {stock}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AdminLinks() -> impl IntoView {
    view! {
        <p class="admin-links">
            <a href="/admin">"Dashboard"</a> " · "
            <a href="/admin/orders">"Orders"</a> " · "
            <a href="/admin/products">"Products"</a> " · "
            <a href="/admin/categories">"Categories"</a> " · "
            <a href="/admin/users">"Users"</a> " · "
            <a href="/admin/content">"Content"</a>
        </p>
    }
}

/// `/admin/orders`: filter by status and date, search by number, e-mail or phone.
#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let get = move |key: &str| query.read().get(key).filter(|v| !v.is_empty());
    let orders = Resource::new(
        move || (get("status"), get("from"), get("to"), get("q"), get("page")),
        |(status, from, to, q, page)| {
            admin_orders(status, from, to, q, page.and_then(|p| p.parse().ok()))
        },
    );
    let statuses = move || {
        let chosen = get("status").unwrap_or_default();
        OrderStatus::ALL
            .into_iter()
            .map(|status| {
                let code = status.as_str();
                let selected = chosen == code;
                view! { <option value=code selected=selected>{status_label(locale, status)}</option> }
            })
            .collect_view()
    };
    view! {
        <Title text="Orders · Metropolitan" />
        <section class="admin">
            <h1>"Orders"</h1>
            <AdminLinks />
            <form method="get" action="/admin/orders" class="filters">
                <label for="f-status">"Status"</label>
                <select id="f-status" name="status">
                    <option value="">"any"</option>
                    {statuses}
                </select>
                <label for="f-from">"From"</label>
                <input id="f-from" name="from" type="date" value=move || get("from").unwrap_or_default() />
                <label for="f-to">"To"</label>
                <input id="f-to" name="to" type="date" value=move || get("to").unwrap_or_default() />
                <label for="f-q">"Number, e-mail or phone"</label>
                <input id="f-q" name="q" value=move || get("q").unwrap_or_default() />
                <button type="submit">{t(locale, Key::Apply)}</button>
            </form>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(AppError::Forbidden) => view! { <p class="error" role="alert">{t(locale, Key::AdminOnly)}</p> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{crate::components::error_text(locale, &e)}</p> }.into_any(),
                        Ok(list) => view! {
                            <p class="muted">{format!("{} orders", list.total)}</p>
                            <table class="admin-table">
                                <thead><tr><th>"Order"</th><th>"Placed"</th><th>"Customer"</th><th>"Items"</th><th>"Total"</th><th>"Status"</th></tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|o| view! {
                                        <tr data-testid="admin-order-row">
                                            <td><a href=format!("/admin/orders/{}", o.id)>{o.number}</a></td>
                                            <td>{o.placed_at.clone()}</td>
                                            <td>{o.contact.clone()}</td>
                                            <td>{o.item_count}</td>
                                            <td>{o.total.format(locale)}</td>
                                            <td>{status_label(locale, o.status)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted">{format!("page {} of {}", list.page, list.pages.max(1))}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/orders/{id}`: the order, and the form that moves it (carrier and tracking when
/// shipping).
#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let change = ServerAction::<AdminMoveOrder>::new();
    let refund = ServerAction::<AdminRefund>::new();
    let order = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                change.version().get() + refund.version().get(),
            )
        },
        |(id, _)| get_order(id),
    );
    view! {
        <section class="admin order">
            <AdminLinks />
            <ActionNotice locale value=change.value() saved=Key::Saved />
            <ActionNotice locale value=refund.value() saved=Key::Saved />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(AppError::NotFound) => view! { <h1>{t(locale, Key::NotFoundTitle)}</h1> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(o) => {
                            let id = o.id.to_string();
                            let next = o.next_statuses.clone();
                            let form = (!next.is_empty()).then(|| view! {
                                <ActionForm action=change attr:class="move-order">
                                    <input type="hidden" name="id" value=id />
                                    <label for="m-status">"Move to"</label>
                                    <select id="m-status" name="status">
                                        {next.into_iter().map(|status| view! {
                                            <option value=status.as_str()>{status_label(locale, status)}</option>
                                        }).collect_view()}
                                    </select>
                                    <label for="m-carrier">"Carrier (when shipping)"</label>
                                    <select id="m-carrier" name="carrier">
                                        <option value="">"—"</option>
                                        {shop_types::CARRIERS.into_iter().map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                                    </select>
                                    <label for="m-tracking">"Tracking number"</label>
                                    <input id="m-tracking" name="tracking_number" />
                                    <label for="m-note">"Note"</label>
                                    <input id="m-note" name="note" maxlength="500" />
                                    <button type="submit">{t(locale, Key::Save)}</button>
                                </ActionForm>
                            });
                            let refundable =
                                o.status.holds_payment() && o.payment_status != PaymentStatus::Refunded;
                            let refund_id = o.id.to_string();
                            let refund_form = refundable.then(|| view! {
                                <ActionForm action=refund attr:class="move-order">
                                    <input type="hidden" name="id" value=refund_id />
                                    <label for="r-amount">"Refund (PLN, empty: everything left)"</label>
                                    <input id="r-amount" name="amount" inputmode="decimal" placeholder="12,50" />
                                    <button type="submit" class="danger">"Refund"</button>
                                </ActionForm>
                            });
                            let review = o.review_reason.clone().map(|r| view! {
                                <p class="warning" role="note">{format!("Payment to review: {r}")}</p>
                            });
                            let sent_id = o.id.to_string();
                            view! {
                                {review} <OrderDetails order=o /> {form} {refund_form}
                                <SentNotices id=sent_id />
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What was sent about an order, with "send again".
#[component]
fn SentNotices(id: String) -> impl IntoView {
    let locale = use_locale();
    let resend = ServerAction::<AdminResendNotification>::new();
    let sent = Resource::new(
        move || (id.clone(), resend.version().get()),
        |(id, _)| admin_order_notifications(id),
    );
    view! {
        <section aria-labelledby="sent-heading">
            <h2 id="sent-heading">{t(locale, Key::Notifications)}</h2>
            <ActionNotice locale value=resend.value() saved=Key::Saved />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let rows = sent.await.unwrap_or_default();
                    view! {
                        <table class="lines" data-testid="sent-notices">
                            <tbody>
                                {rows.into_iter().map(|n| {
                                    let again = n.id.clone();
                                    view! {
                                        <tr>
                                            <td>{n.at}</td>
                                            <td>{n.kind}</td>
                                            <td>{n.channel}</td>
                                            <td>{n.recipient}</td>
                                            <td data-testid="sent-status">{format!("{} ({})", n.status, n.attempts)}</td>
                                            <td class="muted">{n.last_error.unwrap_or_default()}</td>
                                            <td>
                                                <ActionForm action=resend>
                                                    <input type="hidden" name="id" value=again />
                                                    <button type="submit">"Send again"</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            </Suspense>
        </section>
    }
}
