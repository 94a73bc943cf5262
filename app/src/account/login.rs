//! `/login`: a phone number, then the code from the SMS (with a resend timer once
//! hydrated); admins sign in with e-mail and password below. Works without JavaScript: the
//! step lives in the URL (`?phone=`).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server_fns::{RequestCode, VerifyCode};
use crate::admin::PasswordSignIn;
use crate::components::ActionNotice;
use crate::i18n::{Key, t};
use crate::use_locale;

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let phone = move || query.read().get("phone").filter(|p| !p.is_empty());
    view! {
        <Title text=format!("{} · {}", t(locale, Key::SignIn), t(locale, Key::ShopName)) />
        <section class="narrow">
            <h1>{t(locale, Key::SignIn)}</h1>
            {move || match phone() {
                None => view! { <PhoneStep /> }.into_any(),
                Some(phone) => view! { <CodeStep phone /> }.into_any(),
            }}
            <details class="admin-sign-in">
                <summary>{t(locale, Key::AdminSignIn)}</summary>
                <PasswordSignIn />
            </details>
        </section>
    }
}

#[component]
fn PhoneStep() -> impl IntoView {
    let locale = use_locale();
    let request = ServerAction::<RequestCode>::new();
    view! {
        <ActionForm action=request attr:class="stack">
            <label>
                {t(locale, Key::Phone)}
                <input
                    type="tel"
                    name="phone"
                    autocomplete="tel"
                    inputmode="tel"
                    placeholder="+48 500 100 200"
                    required
                />
            </label>
            <button type="submit" class="button">{t(locale, Key::SendCode)}</button>
        </ActionForm>
        <ActionNotice locale value=request.value() />
    }
}

#[component]
fn CodeStep(phone: String) -> impl IntoView {
    let locale = use_locale();
    let verify = ServerAction::<VerifyCode>::new();
    let resend = ServerAction::<RequestCode>::new();
    // Rendered as "can resend" on the server (so that it works without JavaScript); once
    // hydrated the button waits out the 30 seconds since the code was sent.
    let wait = RwSignal::new(0u32);
    Effect::new(move |_| {
        resend.version().get();
        wait.set(30);
    });
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || wait.update(|w| *w = w.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let shown = phone.clone();
    let resend_phone = phone.clone();
    view! {
        <p>{t(locale, Key::CodeSentTo)} " " <strong data-testid="otp-phone">{shown}</strong></p>
        <ActionForm action=verify attr:class="stack">
            <input type="hidden" name="phone" value=phone />
            <label>
                {t(locale, Key::Code)}
                <input
                    name="code"
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    pattern="[0-9]{6}"
                    maxlength="6"
                    required
                    autofocus
                />
            </label>
            <fieldset class="choice">
                <legend>{t(locale, Key::AccountType)}</legend>
                <label>
                    <input type="radio" name="account_type" value="" checked />
                    {"–"}
                </label>
                <label>
                    <input type="radio" name="account_type" value="individual" />
                    {t(locale, Key::Individual)}
                </label>
                <label>
                    <input type="radio" name="account_type" value="corporate" />
                    {t(locale, Key::Corporate)}
                </label>
            </fieldset>
            <button type="submit" class="button">{t(locale, Key::Confirm)}</button>
        </ActionForm>
        <ActionNotice locale value=verify.value() />
        <ActionForm action=resend attr:class="inline">
            <input type="hidden" name="phone" value=resend_phone />
            <button type="submit" disabled=move || wait.get() > 0>
                {t(locale, Key::Resend)}
                <Show when=move || wait.get() != 0>
                    " (" {move || wait.get()} " s)"
                </Show>
            </button>
        </ActionForm>
        <ActionNotice locale value=resend.value() />
        <p>
            <a href="/login">{t(locale, Key::OtherNumber)}</a>
        </p>
    }
}
