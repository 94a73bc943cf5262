//! `/account` (profile, photo, phone, sign-out, data export, deletion) and
//! `/account/complete` (the step after the first sign-in).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server_fns::{
    AccountView, CompleteProfile, ConfirmPhoneChange, DecideMember, DeleteAccount, MemberView,
    RemovePhoto, RequestDeletion, RequestPhoneChange, ResendEmailConfirmation, SignOutEverywhere,
    UpdateProfile, get_account,
};
use crate::admin::SignOut;
use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, Locale, t};
use crate::use_locale;

/// Shown instead of a page that needs a signed-in user.
#[component]
pub fn SignInFirst() -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="error" role="alert">
            {t(locale, Key::SignInRequired)} " " <a href="/login">{t(locale, Key::SignIn)}</a>
        </p>
    }
}

/// `/account/complete`: individual or company, names, NIP.
#[component]
pub fn CompleteProfilePage() -> impl IntoView {
    let locale = use_locale();
    let complete = ServerAction::<CompleteProfile>::new();
    view! {
        <Title text=format!("{} · {}", t(locale, Key::CompleteProfile), t(locale, Key::ShopName)) />
        <section class="narrow">
            <h1>{t(locale, Key::CompleteProfile)}</h1>
            <p>{t(locale, Key::CompleteProfileIntro)}</p>
            <ActionForm action=complete attr:class="stack">
                <fieldset class="choice">
                    <legend>{t(locale, Key::AccountType)}</legend>
                    <label>
                        <input type="radio" name="customer_type" value="individual" checked />
                        {t(locale, Key::Individual)}
                    </label>
                    <label>
                        <input type="radio" name="customer_type" value="corporate" />
                        {t(locale, Key::Corporate)}
                    </label>
                </fieldset>
                <label>
                    {t(locale, Key::FirstName)}
                    <input name="first_name" autocomplete="given-name" maxlength="100" />
                </label>
                <label>
                    {t(locale, Key::LastName)}
                    <input name="last_name" autocomplete="family-name" maxlength="100" />
                </label>
                <label>
                    {t(locale, Key::Email)}
                    <input type="email" name="email" autocomplete="email" />
                </label>
                <label>
                    {t(locale, Key::Nip)}
                    <input name="nip" inputmode="numeric" maxlength="16" />
                </label>
                <label>
                    {t(locale, Key::CompanyName)}
                    <input name="company_name" maxlength="300" />
                    <small class="muted">{t(locale, Key::CompanyNameHint)}</small>
                </label>
                <crate::components::AcceptTerms />
                <label class="pick consent">
                    <input type="checkbox" name="marketing" value="on" />
                    {t(locale, Key::MarketingOptIn)}
                </label>
                <button type="submit" class="button">{t(locale, Key::Continue)}</button>
            </ActionForm>
            <ActionNotice locale value=complete.value() />
        </section>
    }
}

/// `/account`: the signed-in user's profile and account actions.
#[component]
pub fn AccountPage() -> impl IntoView {
    let locale = use_locale();
    let update = ServerAction::<UpdateProfile>::new();
    let remove_photo = ServerAction::<RemovePhoto>::new();
    let account = Resource::new(
        move || (update.version().get(), remove_photo.version().get()),
        |_| get_account(),
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::MyAccount), t(locale, Key::ShopName)) />
        <section class="account">
            <h1>{t(locale, Key::MyAccount)}</h1>
            <nav class="account-nav">
                <a href="/account/orders">{t(locale, Key::MyOrders)}</a>
                <a href="/account/addresses">{t(locale, Key::Addresses)}</a>
                <a href="/account/favorites">{t(locale, Key::Favorites)}</a>
                <a href="/account/export" rel="external" download>{t(locale, Key::ExportData)}</a>
            </nav>
            <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Err(AppError::Unauthorized) => view! { <SignInFirst /> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                        Ok(a) if !a.profile_complete && !a.admin => view! {
                            <p>
                                <a class="button" href="/account/complete">{t(locale, Key::CompleteProfile)}</a>
                            </p>
                        }.into_any(),
                        Ok(a) => view! { <AccountDetails account=a update remove_photo /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AccountDetails(
    account: AccountView,
    update: ServerAction<UpdateProfile>,
    remove_photo: ServerAction<RemovePhoto>,
) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let photo_saved = move || query.read().get("photo").is_some_and(|v| v == "saved");
    let photo_error = move || query.read().get("photo_error");
    let email_outcome = move || query.read().get("email");
    let resend = ServerAction::<ResendEmailConfirmation>::new();
    let unconfirmed = account.email.is_some() && !account.email_confirmed;
    let sign_out = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let company = account.company.clone().map(|(name, nip, verification)| {
        let status = match verification.as_str() {
            "verified" => Key::Verified,
            "pending" => Key::PendingVerification,
            _ => Key::Refused,
        };
        view! {
            <p class="company" data-testid="company">
                <strong>{name}</strong> " · NIP " {nip} " · " {t(locale, status)}
            </p>
        }
    });
    let membership = account.membership.clone().map(|m| {
        view! {
            <p class="membership" data-testid="membership">
                {t(locale, membership_key(&m))}
            </p>
        }
    });
    let members = (!account.members.is_empty())
        .then(|| view! { <CompanyMembers members=account.members.clone() /> });
    view! {
        <div class="account-grid">
            <section aria-labelledby="profile-heading">
                <h2 id="profile-heading">{t(locale, Key::Profile)}</h2>
                {company}
                {membership}
                <p>{t(locale, Key::Phone)} ": " <span data-testid="account-phone">{account.phone.clone()}</span></p>
                <ActionForm action=update attr:class="stack">
                    <label>
                        {t(locale, Key::FirstName)}
                        <input name="first_name" autocomplete="given-name" maxlength="100" value=account.first_name.clone() />
                    </label>
                    <label>
                        {t(locale, Key::LastName)}
                        <input name="last_name" autocomplete="family-name" maxlength="100" value=account.last_name.clone() />
                    </label>
                    <label>
                        {t(locale, Key::Email)}
                        <input type="email" name="email" autocomplete="email" value=account.email.clone() />
                    </label>
                    <label>
                        {t(locale, Key::PreferredLanguage)}
                        <select name="locale">
                            {Locale::ALL
                                .into_iter()
                                .map(|l| view! {
                                    <option value=l.code() selected=l.code() == account.locale>{l.native_name()}</option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="button">{t(locale, Key::Save)}</button>
                </ActionForm>
                <ActionNotice locale value=update.value() saved=Key::Saved />
                {move || match email_outcome().as_deref() {
                    Some("confirmed") => Some(view! { <p class="notice" role="status" data-testid="email-confirmed">{t(locale, Key::EmailConfirmed)}</p> }.into_any()),
                    Some(_) => Some(view! { <p class="error" role="alert">{t(locale, Key::EmailLinkInvalid)}</p> }.into_any()),
                    None => None,
                }}
                {unconfirmed.then(|| view! {
                    <p class="warning" data-testid="email-unconfirmed">{t(locale, Key::EmailUnconfirmed)}</p>
                    <ActionForm action=resend>
                        <button type="submit">{t(locale, Key::ResendConfirmation)}</button>
                    </ActionForm>
                    <ActionNotice locale value=resend.value() saved=Key::ConfirmationSent />
                })}
            </section>
            <section aria-labelledby="photo-heading">
                <h2 id="photo-heading">{t(locale, Key::Photo)}</h2>
                {account.photo_url.clone().map(|src| view! {
                    <img class="avatar" src=src alt=t(locale, Key::Photo) width="128" height="128" />
                })}
                <form method="post" action="/account/photo" enctype="multipart/form-data" class="stack">
                    <label>
                        {t(locale, Key::ChooseFile)}
                        <input type="file" name="photo" accept="image/jpeg,image/png,image/webp" required />
                        <small class="muted">{t(locale, Key::PhotoHint)}</small>
                    </label>
                    <button type="submit" class="button">{t(locale, Key::UploadPhoto)}</button>
                </form>
                <Show when=photo_saved>
                    <p class="notice" role="status">{t(locale, Key::PhotoSaved)}</p>
                </Show>
                {move || photo_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                {account.photo_url.is_some().then(|| view! {
                    <ActionForm action=remove_photo>
                        <button type="submit">{t(locale, Key::RemovePhoto)}</button>
                    </ActionForm>
                })}
            </section>
            {members}
            <PhoneChange />
            <section aria-labelledby="session-heading">
                <h2 id="session-heading">{t(locale, Key::SignOut)}</h2>
                <ActionForm action=sign_out attr:class="inline">
                    <button type="submit">{t(locale, Key::SignOut)}</button>
                </ActionForm>
                <ActionForm action=everywhere attr:class="inline">
                    <button type="submit">{t(locale, Key::SignOutEverywhere)}</button>
                </ActionForm>
            </section>
            <AccountDeletion />
        </div>
    }
}

#[component]
fn PhoneChange() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let new_phone = move || query.read().get("new_phone").filter(|p| !p.is_empty());
    let request = ServerAction::<RequestPhoneChange>::new();
    let confirm = ServerAction::<ConfirmPhoneChange>::new();
    view! {
        <section aria-labelledby="phone-heading">
            <h2 id="phone-heading">{t(locale, Key::ChangePhone)}</h2>
            {move || match new_phone() {
                None => view! {
                    <ActionForm action=request attr:class="stack">
                        <label>
                            {t(locale, Key::NewPhone)}
                            <input type="tel" name="new_phone" autocomplete="tel" required />
                        </label>
                        <button type="submit">{t(locale, Key::SendCode)}</button>
                    </ActionForm>
                }.into_any(),
                Some(phone) => view! {
                    <ActionForm action=confirm attr:class="stack">
                        <input type="hidden" name="new_phone" value=phone />
                        <label>
                            {t(locale, Key::CodeCurrent)}
                            <input name="current_code" inputmode="numeric" maxlength="6" required />
                        </label>
                        <label>
                            {t(locale, Key::CodeNew)}
                            <input name="new_code" inputmode="numeric" maxlength="6" required />
                        </label>
                        <button type="submit">{t(locale, Key::Confirm)}</button>
                    </ActionForm>
                }.into_any(),
            }}
            <ActionNotice locale value=request.value() />
            <ActionNotice locale value=confirm.value() />
        </section>
    }
}

#[component]
fn AccountDeletion() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let sent = move || query.read().get("delete").is_some_and(|v| v == "sent");
    let request = ServerAction::<RequestDeletion>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    view! {
        <section aria-labelledby="delete-heading" class="danger-zone">
            <h2 id="delete-heading">{t(locale, Key::DeleteAccount)}</h2>
            <p>{t(locale, Key::DeleteAccountIntro)}</p>
            {move || if sent() {
                view! {
                    <ActionForm action=delete attr:class="stack">
                        <label>
                            {t(locale, Key::Code)}
                            <input name="code" inputmode="numeric" maxlength="6" required />
                        </label>
                        <button type="submit" class="danger">{t(locale, Key::ConfirmDeletion)}</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <ActionForm action=request>
                        <button type="submit">{t(locale, Key::SendDeletionCode)}</button>
                    </ActionForm>
                }.into_any()
            }}
            <ActionNotice locale value=request.value() />
            <ActionNotice locale value=delete.value() />
        </section>
    }
}

/// The words for a membership code.
pub fn membership_key(code: &str) -> Key {
    match code {
        "approved" => Key::MembershipApproved,
        "rejected" => Key::MembershipRejected,
        _ => Key::MembershipPending,
    }
}

/// An approved member's list of the company's other accounts, with approve and turn-down
/// buttons for those that wait.
#[component]
fn CompanyMembers(members: Vec<MemberView>) -> impl IntoView {
    let locale = use_locale();
    let decide = ServerAction::<DecideMember>::new();
    let rows = members
        .into_iter()
        .map(|m| {
            let form = |decision: &'static str, key: Key, id: String| {
                view! {
                    <ActionForm action=decide attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="decision" value=decision />
                        <button type="submit">{t(locale, key)}</button>
                    </ActionForm>
                }
            };
            let waiting = m.membership == "pending";
            view! {
                <li data-testid="company-member">
                    {m.label.clone()} " · " {t(locale, membership_key(&m.membership))}
                    {waiting.then(|| form("approve", Key::Approve, m.id.clone()))}
                    {waiting.then(|| form("reject", Key::Reject, m.id.clone()))}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="members-heading">
            <h2 id="members-heading">{t(locale, Key::CompanyAccounts)}</h2>
            <ul class="members">{rows}</ul>
            <ActionNotice locale value=decide.value() saved=Key::Saved />
        </section>
    }
}
