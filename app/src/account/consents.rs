//! The consent history on `/account/notifications/settings`: every acceptance of the terms and
//! the privacy policy (with the version accepted) and marketing consent given and withdrawn,
//! with a button that gives or withdraws it.

use leptos::form::ActionForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, Locale, t};

/// A consent as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    /// `terms`, `privacy`, `marketing`.
    pub document: String,
    /// The page's version accepted.
    pub version: Option<i32>,
    /// Given; false: withdrawn.
    pub given: bool,
    /// When (`2026-12-02 14:05 UTC`).
    pub at: String,
}

/// The signed-in user's consents, newest first.
#[server(prefix = "/sf", endpoint = "account/consents")]
pub async fn my_consents() -> Result<Vec<ConsentView>, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let consents = domain::user::consents(&svc, user.id).await?;
    Ok(consents
        .into_iter()
        .map(|c| ConsentView {
            document: c.document.as_str().to_owned(),
            version: c.version,
            given: c.given,
            at: c.at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}

/// Gives (`given=true`) or withdraws marketing consent.
#[server(prefix = "/sf", endpoint = "account/consents/marketing")]
pub async fn set_marketing_consent(given: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::user::set_marketing_consent(&svc, user.id, given == "true").await?;
    Ok(())
}

fn document_key(document: &str) -> Key {
    match document {
        "terms" => Key::ConsentTerms,
        "privacy" => Key::ConsentPrivacy,
        _ => Key::ConsentMarketing,
    }
}

/// The history and the marketing button; `changed` counts the settings page's other
/// switches (a marketing channel switched there changes the consent too).
#[component]
pub fn ConsentHistory(locale: Locale, #[prop(into)] changed: Signal<usize>) -> impl IntoView {
    let marketing = ServerAction::<SetMarketingConsent>::new();
    let consents = Resource::new(
        move || (changed.get(), marketing.version().get()),
        |_| my_consents(),
    );
    view! {
        <h2 id="consents">{t(locale, Key::Consents)}</h2>
        <ActionNotice locale value=marketing.value() saved=Key::Saved />
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let Ok(list) = consents.await else {
                    return view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any();
                };
                let marketing_on = list.iter().find(|c| c.document == "marketing").is_some_and(|c| c.given);
                let (value, label) = if marketing_on {
                    ("false", Key::WithdrawMarketing)
                } else {
                    ("true", Key::GiveMarketing)
                };
                view! {
                    <ActionForm action=marketing>
                        <input type="hidden" name="given" value=value />
                        <button type="submit" data-testid="marketing-consent">{t(locale, label)}</button>
                    </ActionForm>
                    {if list.is_empty() {
                        view! { <p class="muted">{t(locale, Key::NoConsents)}</p> }.into_any()
                    } else {
                        view! {
                            <table class="lines" data-testid="consents">
                                <tbody>
                                    {list.into_iter().map(|c| {
                                        let state = if c.given { Key::ConsentGiven } else { Key::ConsentWithdrawn };
                                        let version = c.version.map(|v| format!("{} {v}", t(locale, Key::ConsentVersion)));
                                        view! {
                                            <tr data-testid="consent">
                                                <th scope="row">{t(locale, document_key(&c.document))}</th>
                                                <td>{version}</td>
                                                <td>{t(locale, state)}</td>
                                                <td class="muted">{c.at}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}
