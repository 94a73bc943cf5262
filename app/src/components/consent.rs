//! The terms checkbox of account creation and checkout: never ticked in advance, required
//! by the browser and checked again by the domain.

use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::use_locale;

/// "I accept the terms of sale and the privacy policy", each a link to its page.
#[component]
pub fn AcceptTerms() -> impl IntoView {
    let locale = use_locale();
    view! {
        <label class="pick consent">
            <input type="checkbox" name="accept_terms" value="on" required />
            {t(locale, Key::TermsBefore)}
            <a href="/terms" target="_blank">{t(locale, Key::TermsLink)}</a>
            {t(locale, Key::TermsMiddle)}
            <a href="/privacy" target="_blank">{t(locale, Key::PrivacyLink)}</a>
            {t(locale, Key::TermsAfter)}
        </label>
    }
}
