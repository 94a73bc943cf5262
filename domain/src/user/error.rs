//! What can go wrong with a user's profile, addresses, company membership or account.

/// The user context's errors. A refusal of the identity context (a wrong or expired code, a
/// limit, a blocked account) is kept whole as [`Error::Identity`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The request conflicts with existing data (an e-mail or phone taken).
    #[error("{0}")]
    Conflict(String),
    /// Signed in, but not allowed (deciding about a company one is not an approved member of).
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or belongs to somebody else.
    #[error("not found")]
    NotFound,
    /// An account is created only with the terms and the privacy policy accepted.
    #[error(transparent)]
    TermsNotAccepted(#[from] super::consent::TermsNotAccepted),
    /// An outside service (the VAT register, the blob store) could not be reached.
    #[error("{0} is unavailable")]
    Unavailable(&'static str),
    /// The identity context refused (codes, limits, blocking).
    #[error(transparent)]
    Identity(crate::identity::Error),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl Error {
    /// A validation error for `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<crate::identity::Error> for Error {
    fn from(e: crate::identity::Error) -> Self {
        use crate::identity::Error as E;
        match e {
            E::Invalid { field, message } => Error::Invalid { field, message },
            E::Conflict(message) => Error::Conflict(message),
            E::NotFound => Error::NotFound,
            E::Unavailable(what) => Error::Unavailable(what),
            E::Unexpected(e) => Error::Unexpected(e),
            refused => Error::Identity(refused),
        }
    }
}
