//! Checkout and the customer's orders; the admin's orders and dashboard are in `admin`.

mod admin;
pub mod admin_fns;
pub mod server_fns;

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub use self::admin::{AdminDashboardPage, AdminOrderPage, AdminOrdersPage};
use self::server_fns::{
    CancelOrder, CheckoutView, DevPayment, OrderView, PlaceOrder, StartPayment, checkout_data,
    get_order, my_orders,
};
use shop_types::{Money, OrderStatus, PaymentStatus};

use crate::account::SignInFirst;
use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, status_label, t};
use crate::use_locale;

/// `/checkout`: where it goes, who is invoiced, how it is paid, the review, place order.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let locale = use_locale();
    let place = ServerAction::<PlaceOrder>::new();
    let data = Resource::new(move || place.version().get(), |_| checkout_data());
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Checkout), t(locale, Key::ShopName)) />
        <section class="checkout">
            <h1>{t(locale, Key::Checkout)}</h1>
            <ActionNotice locale value=place.value() />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(d) if !d.profile_complete => view! {
                            <p class="error" role="alert">
                                {t(locale, Key::CompleteProfileFirst)} " "
                                <a href="/account/complete">{t(locale, Key::CompleteProfile)}</a>
                            </p>
                        }.into_any(),
                        Ok(d) if d.cart.lines.iter().all(|l| l.unavailable) => view! {
                            <p>{t(locale, Key::CartEmpty)}</p>
                        }.into_any(),
                        Ok(d) => view! { <CheckoutForm data=d place /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CheckoutForm(data: CheckoutView, place: ServerAction<PlaceOrder>) -> impl IntoView {
    let locale = use_locale();
    let has_saved = !data.addresses.is_empty();
    let shipping_choices = data
        .addresses
        .iter()
        .filter(|a| a.kind == "shipping")
        .enumerate()
        .map(|(i, a)| {
            let text = format!("{}, {}, {} {}", a.recipient_name, a.street, a.postal_code, a.city);
            view! {
                <label class="pick">
                    <input type="radio" name="shipping_address_id" value=a.id.clone() checked=i == 0 />
                    {text}
                </label>
            }
        })
        .collect_view();
    let billing_choices = data
        .addresses
        .iter()
        .map(|a| {
            let text = format!(
                "{}{}, {}, {}",
                a.recipient_name,
                a.company_name
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default(),
                a.street,
                a.city
            );
            view! { <option value=a.id.clone()>{text}</option> }
        })
        .collect_view();
    let lines = data
        .cart
        .lines
        .iter()
        .filter(|l| !l.unavailable)
        .map(|l| {
            view! {
                <tr data-testid="checkout-line">
                    <td>{l.name.clone()}</td>
                    <td>{l.quantity}</td>
                    <td>{l.line_total.format(locale)}</td>
                </tr>
            }
        })
        .collect_view();
    let vat = data
        .cart
        .vat
        .iter()
        .map(|row| {
            view! {
                <dt class="muted">{format!("{} {}", t(locale, Key::VatIncluded), row.rate)}</dt>
                <dd class="muted">{row.vat.format(locale)}</dd>
            }
        })
        .collect_view();
    let company = if data.corporate {
        data.company.clone().map(|(name, nip)| {
            view! { <p data-testid="invoice-company">{format!("{name} · NIP {nip}")}</p> }
                .into_any()
        })
    } else {
        Some(
            view! {
                <label for="co-name">{t(locale, Key::CompanyName)}</label>
                <input id="co-name" name="company_name" autocomplete="organization" />
                <label for="co-nip">{t(locale, Key::Nip)}</label>
                <input id="co-nip" name="nip" inputmode="numeric" />
            }
            .into_any(),
        )
    };
    view! {
        <ActionForm action=place attr:class="checkout-form">
            <input type="hidden" name="idempotency_key" value=data.idempotency_key.clone() />
            <input type="hidden" name="expected_total_minor" value=data.cart.total.minor />
            <fieldset>
                <legend>{t(locale, Key::ShipTo)}</legend>
                {shipping_choices}
                <label class="pick">
                    <input type="radio" name="shipping_address_id" value="new" checked=!has_saved />
                    {t(locale, Key::NewAddress)}
                </label>
                <div class="new-address">
                    <label for="ship-name">{t(locale, Key::Recipient)}</label>
                    <input id="ship-name" name="recipient_name" autocomplete="name" />
                    <label for="ship-street">{t(locale, Key::Street)}</label>
                    <input id="ship-street" name="street" autocomplete="street-address" />
                    <label for="ship-postal">{t(locale, Key::PostalCode)}</label>
                    <input id="ship-postal" name="postal_code" autocomplete="postal-code" placeholder="00-000" />
                    <label for="ship-city">{t(locale, Key::City)}</label>
                    <input id="ship-city" name="city" autocomplete="address-level2" />
                    <label for="ship-phone">{t(locale, Key::Phone)}</label>
                    <input id="ship-phone" name="phone" type="tel" autocomplete="tel" />
                    <label class="pick">
                        <input type="checkbox" name="save_address" value="on" />
                        {t(locale, Key::SaveToAddressBook)}
                    </label>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t(locale, Key::BillTo)}</legend>
                <label for="bill" class="visually-hidden">{t(locale, Key::BillTo)}</label>
                <select id="bill" name="billing_address_id">
                    <option value="">{t(locale, Key::SameAsShipping)}</option>
                    {billing_choices}
                </select>
                <p class="muted">{t(locale, Key::CompanyInvoice)}</p>
                {company}
            </fieldset>
            <fieldset>
                <legend>{t(locale, Key::PaymentMethod)}</legend>
                <label class="pick">
                    <input type="radio" name="payment_method" value="card" checked=true />
                    {t(locale, Key::PayCard)}
                </label>
                <label class="pick">
                    <input type="radio" name="payment_method" value="blik" />
                    {t(locale, Key::PayBlik)}
                </label>
                {data.transfer_days.map(|days| view! {
                    <label class="pick">
                        <input type="radio" name="payment_method" value="bank_transfer" />
                        {t(locale, Key::PayTransfer).replace("{n}", &days.to_string())}
                    </label>
                })}
                <label for="notes">{t(locale, Key::OrderNotes)}</label>
                <textarea id="notes" name="notes" maxlength="2000" rows="2"></textarea>
            </fieldset>
            <section class="review" aria-labelledby="review-title">
                <h2 id="review-title">{t(locale, Key::ReviewOrder)}</h2>
                <table class="lines">
                    <tbody>{lines}</tbody>
                </table>
                <dl class="totals">
                    <dt>{t(locale, Key::Subtotal)}</dt>
                    <dd>{data.cart.subtotal.format(locale)}</dd>
                    <dt>{t(locale, Key::ShippingCost)}</dt>
                    <dd>{data.cart.shipping.format(locale)}</dd>
                    {vat}
                    <dt><strong>{t(locale, Key::Total)}</strong></dt>
                    <dd data-testid="checkout-total"><strong>{data.cart.total.format(locale)}</strong></dd>
                </dl>
            </section>
            <crate::components::AcceptTerms />
            <button type="submit" class="primary">{t(locale, Key::PlaceOrder)}</button>
        </ActionForm>
    }
}

/// `/account/orders`: the customer's orders, newest first.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let locale = use_locale();
    let orders = Resource::new(|| (), |_| my_orders());
    view! {
        <Title text=format!("{} · {}", t(locale, Key::MyOrders), t(locale, Key::ShopName)) />
        <section class="account">
            <h1>{t(locale, Key::MyOrders)}</h1>
            <p><a href="/account">{t(locale, Key::MyAccount)}</a></p>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p>{t(locale, Key::NoOrders)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <ul class="order-list">
                                {rows.into_iter().map(|o| view! {
                                    <li data-testid="order-row">
                                        <a href=format!("/orders/{}", o.id)>{format!("{} {}", t(locale, Key::OrderWord), o.number)}</a>
                                        " · " {o.placed_at.clone()}
                                        " · " <span data-testid="order-status">{status_label(locale, o.status)}</span>
                                        " · " {o.total.format(locale)}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/orders/{id}`: status, timeline, lines, totals, addresses, tracking, invoice.
#[component]
pub fn OrderPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let cancel = ServerAction::<CancelOrder>::new();
    let pay = ServerAction::<StartPayment>::new();
    let order = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                cancel.version().get(),
            )
        },
        |(id, _)| get_order(id),
    );
    // While the payment provider is still working, look again every two seconds.
    Effect::new(move |_| {
        let waiting = order.get().and_then(Result::ok).is_some_and(|o| {
            o.status == OrderStatus::PendingPayment && o.payment_status == PaymentStatus::Processing
        });
        if waiting {
            set_timeout(move || order.refetch(), std::time::Duration::from_secs(2));
        }
    });
    view! {
        <section class="order">
            <ActionNotice locale value=cancel.value() />
            <ActionNotice locale value=pay.value() />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(AppError::NotFound) => view! { <h1>{t(locale, Key::NotFoundTitle)}</h1> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(o) => {
                            let id = o.id.to_string();
                            let pay_id = o.id.to_string();
                            let pay_form = o.payable.then(|| view! {
                                <ActionForm action=pay>
                                    <input type="hidden" name="id" value=pay_id />
                                    <button type="submit" class="primary">{t(locale, Key::PayNow)}</button>
                                </ActionForm>
                            });
                            let cancel_form = o.cancellable.then(|| view! {
                                <ActionForm action=cancel>
                                    <input type="hidden" name="id" value=id />
                                    <button type="submit">{t(locale, Key::CancelOrder)}</button>
                                </ActionForm>
                            });
                            view! {
                                <OrderDetails order=o />
                                {pay_form}
                                {cancel_form}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub(super) fn OrderDetails(order: OrderView) -> impl IntoView {
    let locale = use_locale();
    let money = move |amount: Money| amount.format(locale);
    let title = format!("{} {}", t(locale, Key::OrderWord), order.number);
    let lines = order
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.name.clone()}</td>
                    <td>{l.quantity}</td>
                    <td>{money(l.unit_price)}</td>
                    <td>{l.vat_rate.to_string()}</td>
                    <td>{money(l.line_total)}</td>
                </tr>
            }
        })
        .collect_view();
    let vat = order
        .vat
        .iter()
        .map(|(rate, vat)| {
            view! {
                <dt class="muted">{format!("{} {rate}", t(locale, Key::VatIncluded))}</dt>
                <dd class="muted">{money(*vat)}</dd>
            }
        })
        .collect_view();
    let events = order
        .events
        .iter()
        .map(|e| {
            view! {
                <li>
                    <time>{e.at.clone()}</time> " · " {status_label(locale, e.to)}
                    {e.note.clone().map(|n| view! { <span class="muted">" · " {n}</span> })}
                </li>
            }
        })
        .collect_view();
    let lines_of = |lines: &[String]| {
        lines
            .iter()
            .map(|l| view! { <span>{l.clone()}</span><br /> })
            .collect_view()
    };
    let shipping = lines_of(&order.shipping_address);
    let billing = (!order.billing_address.is_empty()).then(|| {
        let lines = lines_of(&order.billing_address);
        view! { <h3>{t(locale, Key::BillTo)}</h3><address>{lines}</address> }
    });
    let company = order
        .company
        .clone()
        .map(|(name, nip)| view! { <p>{format!("{name} · NIP {nip}")}</p> });
    let tracking = order.tracking.clone().map(|(carrier, number)| {
        let link = order
            .tracking_url
            .clone()
            .map(|url| view! { " " <a href=url rel="noopener noreferrer" target="_blank">{t(locale, Key::TrackParcel)}</a> });
        view! { <p data-testid="tracking">{format!("{}: {carrier} {number}", t(locale, Key::Carrier))}{link}</p> }
    });
    let invoice = order.invoice_number.clone().map(|number| {
        view! {
            <p>
                <a href=format!("/orders/{}/invoice.pdf", order.id) data-testid="invoice-link">
                    {format!("{} {number}", t(locale, Key::DownloadInvoice))}
                </a>
            </p>
        }
    });
    let corrections = order
        .corrections
        .iter()
        .map(|(id, number, change)| {
            view! {
                <p>
                    <a href=format!("/orders/{}/corrections/{id}.pdf", order.id) data-testid="correction-link">
                        {format!("{} {number}", t(locale, Key::DownloadCorrection))}
                    </a>
                    {format!(" ({})", change.format(locale))}
                </p>
            }
        })
        .collect_view();
    let waiting = order
        .reserved_until
        .clone()
        .map(|until| view! { <p class="notice">{format!("{} {until}", t(locale, Key::AwaitingPaymentUntil))}</p> });
    let failed = (order.payment_status == PaymentStatus::Failed && order.payable)
        .then(|| view! { <p class="error" role="alert">{t(locale, Key::PaymentFailed)}</p> });
    let transfer = order.transfer.clone().map(|(due, account)| {
        let account = account.map(|a| format!(" {a}")).unwrap_or_default();
        view! {
            <p class="notice" data-testid="transfer">
                {format!("{} {due}{account} · {} {}", t(locale, Key::TransferDue), t(locale, Key::OrderWord), order.number)}
            </p>
        }
    });
    let overdue = order
        .overdue
        .then(|| view! { <p class="error" role="alert">{t(locale, Key::TransferOverdue)}</p> });
    let review = order
        .review_reason
        .is_some()
        .then(|| view! { <p class="warning" role="note">{t(locale, Key::PaymentReview)}</p> });
    view! {
        <Title text=format!("{title} · {}", t(locale, Key::ShopName)) />
        <h1>{title}</h1>
        <p>
            {t(locale, Key::Status)} ": "
            <strong data-testid="order-status">{status_label(locale, order.status)}</strong>
            " · " {t(locale, Key::PlacedOn)} " " {order.placed_at.clone()}
        </p>
        {waiting}
        {transfer}
        {overdue}
        {failed}
        {review}
        {tracking}
        {invoice}
        {corrections}
        <table class="lines">
            <caption>{t(locale, Key::Lines)}</caption>
            <tbody>{lines}</tbody>
        </table>
        <dl class="totals">
            <dt>{t(locale, Key::Subtotal)}</dt>
            <dd>{money(order.items_total)}</dd>
            <dt>{t(locale, Key::ShippingCost)}</dt>
            <dd>{money(order.shipping)}</dd>
            {vat}
            <dt><strong>{t(locale, Key::Total)}</strong></dt>
            <dd data-testid="order-total"><strong>{money(order.total)}</strong></dd>
        </dl>
        <h3>{t(locale, Key::ShipTo)}</h3>
        <address>{shipping}</address>
        {billing}
        {company}
        <h3>{t(locale, Key::Contact)}</h3>
        <p>{order.contact.join(" · ")}</p>
        <h2>{t(locale, Key::Timeline)}</h2>
        <ol class="timeline">{events}</ol>
    }
}

/// `/pay/dev/{id}`: the development gateway's page, "pay" or "fail" (only when the shop runs
/// without Stripe outside production; otherwise the buttons answer "not found").
#[component]
pub fn DevPaymentPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let decide = ServerAction::<DevPayment>::new();
    let order = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_order,
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::TestPayment), t(locale, Key::ShopName)) />
        <section class="order">
            <h1>{t(locale, Key::TestPayment)}</h1>
            <p class="muted">{t(locale, Key::TestPaymentIntro)}</p>
            <ActionNotice locale value=decide.value() />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <h1>{t(locale, Key::NotFoundTitle)}</h1> }.into_any(),
                        Ok(o) => {
                            let amount = o.total.format(locale);
                            let buttons = ["pay", "fail"].map(|outcome| {
                                let id = o.id.to_string();
                                let (label, class) = if outcome == "pay" {
                                    (Key::PaySucceeds, "primary")
                                } else {
                                    (Key::PayFails, "")
                                };
                                view! {
                                    <ActionForm action=decide attr:class="inline">
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="outcome" value=outcome />
                                        <button type="submit" class=class>{t(locale, label)}</button>
                                    </ActionForm>
                                }
                            });
                            view! {
                                <p data-testid="dev-amount">{format!("{} {} · {amount}", t(locale, Key::OrderWord), o.number)}</p>
                                {buttons.into_iter().collect_view()}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
