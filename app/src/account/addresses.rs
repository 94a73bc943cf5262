//! `/account/addresses`: the address book. `?edit=<id>` fills the form with an address.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::profile::SignInFirst;
use super::server_fns::{
    AddressView, DeleteAddress, MakeDefaultAddress, SaveAddress, list_addresses,
};
use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::use_locale;

/// The address book page.
#[component]
pub fn AddressesPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let save = ServerAction::<SaveAddress>::new();
    let delete = ServerAction::<DeleteAddress>::new();
    let make_default = ServerAction::<MakeDefaultAddress>::new();
    let addresses = Resource::new(
        move || {
            (
                save.version().get(),
                delete.version().get(),
                make_default.version().get(),
            )
        },
        |_| list_addresses(),
    );
    let editing = move || query.read().get("edit");
    view! {
        <Title text=format!("{} · {}", t(locale, Key::Addresses), t(locale, Key::ShopName)) />
        <section class="account">
            <h1>{t(locale, Key::Addresses)}</h1>
            <p><a href="/account">{t(locale, Key::MyAccount)}</a></p>
            <ActionNotice locale value=delete.value() />
            <ActionNotice locale value=make_default.value() />
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match addresses.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(list) => {
                            let edited = editing().and_then(|id| list.iter().find(|a| a.id == id).cloned());
                            view! {
                                <AddressList list delete make_default />
                                <AddressForm address=edited save />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AddressList(
    list: Vec<AddressView>,
    delete: ServerAction<DeleteAddress>,
    make_default: ServerAction<MakeDefaultAddress>,
) -> impl IntoView {
    let locale = use_locale();
    if list.is_empty() {
        return view! { <p class="muted">{t(locale, Key::NoAddresses)}</p> }.into_any();
    }
    view! {
        <ul class="address-list">
            {list
                .into_iter()
                .map(|a| {
                    let kind = if a.kind == "billing" { Key::Billing } else { Key::Shipping };
                    let id = a.id.clone();
                    view! {
                        <li class="address" data-testid="address">
                            <p>
                                <strong>{t(locale, kind)}</strong>
                                {a.is_default.then(|| view! { " · " <span class="badge">{t(locale, Key::Default)}</span> })}
                                {a.label.clone().map(|l| view! { " · " {l} })}
                            </p>
                            <address>
                                {a.recipient_name.clone()} <br />
                                {a.company_name.clone().map(|c| view! { {c} <br /> })}
                                {a.street.clone()} <br />
                                {format!("{} {}", a.postal_code, a.city)} <br />
                                {a.country_code.clone()}
                            </address>
                            <div class="actions">
                                <a href=format!("/account/addresses?edit={}", a.id)>{t(locale, Key::Edit)}</a>
                                {(!a.is_default).then(|| view! {
                                    <ActionForm action=make_default attr:class="inline">
                                        <input type="hidden" name="id" value=id.clone() />
                                        <button type="submit">{t(locale, Key::MakeDefault)}</button>
                                    </ActionForm>
                                })}
                                <ActionForm action=delete attr:class="inline">
                                    <input type="hidden" name="id" value=a.id.clone() />
                                    <button type="submit">{t(locale, Key::Delete)}</button>
                                </ActionForm>
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
        .into_any()
}

#[component]
fn AddressForm(address: Option<AddressView>, save: ServerAction<SaveAddress>) -> impl IntoView {
    let locale = use_locale();
    let a = address.clone();
    let field = move |get: fn(&AddressView) -> Option<String>| a.as_ref().and_then(get);
    let heading = if address.is_some() {
        Key::EditAddress
    } else {
        Key::AddAddress
    };
    let billing = address.as_ref().is_some_and(|a| a.kind == "billing");
    view! {
        <h2>{t(locale, heading)}</h2>
        <ActionForm action=save attr:class="stack address-form">
            <input type="hidden" name="id" value=field(|a| Some(a.id.clone())) />
            <label>
                {t(locale, Key::AddressType)}
                <select name="kind">
                    <option value="shipping" selected=!billing>{t(locale, Key::Shipping)}</option>
                    <option value="billing" selected=billing>{t(locale, Key::Billing)}</option>
                </select>
            </label>
            <label>
                {t(locale, Key::Label)}
                <input name="label" maxlength="100" value=field(|a| a.label.clone()) />
            </label>
            <label>
                {t(locale, Key::Recipient)}
                <input name="recipient_name" autocomplete="name" required maxlength="200" value=field(|a| Some(a.recipient_name.clone())) />
            </label>
            <label>
                {t(locale, Key::CompanyName)}
                <input name="company_name" autocomplete="organization" maxlength="300" value=field(|a| a.company_name.clone()) />
            </label>
            <label>
                {t(locale, Key::Nip)}
                <input name="nip" inputmode="numeric" maxlength="16" value=field(|a| a.nip.clone()) />
            </label>
            <label>
                {t(locale, Key::Phone)}
                <input type="tel" name="phone" autocomplete="tel" value=field(|a| a.phone.clone()) />
            </label>
            <label>
                {t(locale, Key::Street)}
                <input name="street" autocomplete="street-address" required maxlength="200" value=field(|a| Some(a.street.clone())) />
            </label>
            <label>
                {t(locale, Key::PostalCode)}
                <input name="postal_code" autocomplete="postal-code" required maxlength="12" value=field(|a| Some(a.postal_code.clone())) />
            </label>
            <label>
                {t(locale, Key::City)}
                <input name="city" autocomplete="address-level2" required maxlength="100" value=field(|a| Some(a.city.clone())) />
            </label>
            <label>
                {t(locale, Key::Country)}
                <input name="country_code" autocomplete="country" maxlength="2" value=field(|a| Some(a.country_code.clone())).unwrap_or_else(|| "PL".into()) />
            </label>
            <label class="check">
                <input type="checkbox" name="is_default" value="on" checked=address.as_ref().is_some_and(|a| a.is_default) />
                {t(locale, Key::MakeDefault)}
            </label>
            <button type="submit" class="button">{t(locale, Key::Save)}</button>
            {address.is_some().then(|| view! { <a href="/account/addresses">{t(locale, Key::Cancel)}</a> })}
        </ActionForm>
        <ActionNotice locale value=save.value() />
    }
}
