//! How a failed action reads on a page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Key, Locale, t};

/// A shopper-readable sentence for an error.
pub fn error_text(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Invalid { field, message } => format!("{field}: {message}"),
        AppError::WrongCode { attempts_left } => {
            format!("{} {attempts_left}", t(locale, Key::WrongCode))
        }
        AppError::CodeExpired => t(locale, Key::CodeExpired).to_owned(),
        AppError::RateLimited { retry_after } => {
            format!("{} {retry_after}", t(locale, Key::TooManyAttempts))
        }
        AppError::Blocked => t(locale, Key::AccountBlocked).to_owned(),
        AppError::Conflict(message) => message.clone(),
        AppError::Unauthorized => t(locale, Key::SignInRequired).to_owned(),
        AppError::Forbidden => t(locale, Key::AdminOnly).to_owned(),
        AppError::InvalidCredentials => t(locale, Key::SignInFailed).to_owned(),
        AppError::NotFound => t(locale, Key::NotFoundTitle).to_owned(),
        AppError::Unavailable | AppError::Internal | AppError::Transport(_) => {
            t(locale, Key::LoadFailed).to_owned()
        }
    }
}

/// Shows the outcome of an action: nothing before it runs, `saved` on success, the error
/// otherwise.
#[component]
pub fn ActionNotice(
    locale: Locale,
    #[prop(into)] value: Signal<Option<Result<(), AppError>>>,
    #[prop(optional)] saved: Option<Key>,
) -> impl IntoView {
    move || match value.get() {
        None => None,
        Some(Ok(_)) => saved
            .map(|key| view! { <p class="notice" role="status">{t(locale, key)}</p> }.into_any()),
        Some(Err(e)) => {
            Some(view! { <p class="error" role="alert">{error_text(locale, &e)}</p> }.into_any())
        }
    }
}
