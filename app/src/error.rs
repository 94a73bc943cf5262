//! The error every server function returns, matched on by the pages.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A failure a page can show: never internal details, always something a shopper can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input was rejected; `field` names what to fix.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// Sign in first.
    #[error("sign in to continue")]
    Unauthorized,
    /// Signed in, but not allowed.
    #[error("you may not do this")]
    Forbidden,
    /// Wrong e-mail or password.
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// The server could not do it right now (the database or another service is down);
    /// already logged.
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// Something broke on our side (a bug); already logged.
    #[error("something went wrong on our side")]
    Internal,
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts; try again in {retry_after} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A wrong one-time code.
    #[error("wrong code")]
    WrongCode {
        /// Tries left for this code.
        attempts_left: i32,
    },
    /// The one-time code expired or was used up.
    #[error("the code expired")]
    CodeExpired,
    /// The account is blocked.
    #[error("this account is blocked")]
    Blocked,
    /// Conflicts with existing data; the message says how.
    #[error("{0}")]
    Conflict(String),
    /// The request never reached the server function or its answer was unreadable.
    #[error("transport error: {0}")]
    Transport(String),
}

#[cfg(feature = "ssr")]
impl AppError {
    /// A failure the caller did not cause: an outage is "try again shortly" (503), anything
    /// else a bug (500). Logged either way; its text never reaches the page.
    pub fn unexpected(e: anyhow::Error) -> AppError {
        if domain::shared::is_outage(&e) {
            tracing::warn!(error.cause_chain = ?e, "server function hit an outage");
            AppError::Unavailable
        } else {
            tracing::error!(error.cause_chain = ?e, "server function failed");
            AppError::Internal
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<domain::notify::Error> for AppError {
    fn from(e: domain::notify::Error) -> Self {
        use domain::notify::Error;
        match e {
            Error::NotFound => AppError::NotFound,
            Error::TooSoon { retry_after } => AppError::RateLimited { retry_after },
            Error::Invalid { field, message } => AppError::Invalid {
                field: field.into(),
                message,
            },
            Error::Other(e) => AppError::unexpected(e),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::catalog::Error> for AppError {
    fn from(e: domain::catalog::Error) -> Self {
        match e {
            domain::catalog::Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            domain::catalog::Error::NotFound | domain::catalog::Error::UnknownCategory(_) => {
                AppError::NotFound
            }
            domain::catalog::Error::StockChanged { current } => AppError::Invalid {
                field: "stock".into(),
                message: format!(
                    "changed to {current} since the page was loaded (orders came in); \
                     nothing was saved, check it and save again"
                ),
            },
            domain::catalog::Error::Unexpected(e) => AppError::unexpected(e),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::content::Error> for AppError {
    fn from(e: domain::content::Error) -> Self {
        match e {
            domain::content::Error::NotFound => AppError::NotFound,
            domain::content::Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            domain::content::Error::Unexpected(e) => AppError::unexpected(e),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::identity::AuthError> for AppError {
    fn from(e: domain::identity::AuthError) -> Self {
        use domain::identity::AuthError;
        match e {
            AuthError::InvalidCredentials => AppError::InvalidCredentials,
            AuthError::Unauthenticated => AppError::Unauthorized,
            AuthError::Forbidden => AppError::Forbidden,
            AuthError::RateLimited { retry_after } => AppError::RateLimited { retry_after },
            AuthError::Unexpected(e) => AppError::unexpected(e),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::identity::Error> for AppError {
    fn from(e: domain::identity::Error) -> Self {
        use domain::identity::Error;
        match e {
            Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            Error::RateLimited { retry_after } => AppError::RateLimited { retry_after },
            Error::WrongCode { attempts_left } => AppError::WrongCode { attempts_left },
            Error::CodeExpired => AppError::CodeExpired,
            Error::Blocked => AppError::Blocked,
            Error::Conflict(message) => AppError::Conflict(message),
            Error::NotFound => AppError::NotFound,
            Error::Unavailable(what) => {
                tracing::warn!(%what, "outside service unavailable");
                AppError::Unavailable
            }
            Error::Unexpected(e) => AppError::unexpected(e),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::user::Error> for AppError {
    fn from(e: domain::user::Error) -> Self {
        use domain::user::Error;
        match e {
            Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            // The page shows the sentence (the generic "not allowed" would not say why).
            Error::Conflict(message) | Error::Forbidden(message) => AppError::Conflict(message),
            Error::NotFound => AppError::NotFound,
            Error::Unavailable(what) => {
                tracing::warn!(%what, "outside service unavailable");
                AppError::Unavailable
            }
            Error::Identity(e) => e.into(),
            Error::TermsNotAccepted(_) => terms_required(),
            Error::Unexpected(e) => AppError::unexpected(e),
        }
    }
}

/// The terms checkbox was left empty (the browser asks for it; this is for clients that
/// do not).
#[cfg(feature = "ssr")]
pub fn terms_required() -> AppError {
    let locale = crate::ssr::content_locale();
    AppError::Conflict(crate::i18n::t(locale, crate::i18n::Key::TermsRequired).to_owned())
}

#[cfg(feature = "ssr")]
impl From<domain::shopping::Error> for AppError {
    fn from(e: domain::shopping::Error) -> Self {
        use domain::shopping::Error;
        match e {
            Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            Error::BelowMinimum { minimum, .. } => AppError::Invalid {
                field: "quantity".into(),
                message: format!("the least you can order is {minimum}"),
            },
            Error::AboveStock { available, .. } => AppError::Invalid {
                field: "quantity".into(),
                message: format!("only {available} in stock"),
            },
            Error::UnknownProducts(_) => AppError::Invalid {
                field: "product_id".into(),
                message: "this product is no longer sold".into(),
            },
            Error::UnknownCart | Error::NotInCart(_) => AppError::NotFound,
            Error::Unexpected(e) => AppError::unexpected(e),
        }
    }
}
