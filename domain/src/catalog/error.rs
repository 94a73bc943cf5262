use crate::shared::money::MoneyError;

/// What can go wrong in the catalog.
#[derive(thiserror::Error)]
pub enum Error {
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// No active category or product with that slug or id.
    #[error("not found")]
    NotFound,
    /// The category a product points at does not exist.
    #[error("category `{0}` does not exist")]
    UnknownCategory(String),
    /// A stock replacement was based on a value that has changed since (a checkout took
    /// units meanwhile); nothing was saved.
    #[error("the stock changed to {current} meanwhile")]
    StockChanged {
        /// The stock now.
        current: i32,
    },
    /// Anything else: database down, a bug.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl Error {
    /// A copy of a shared error (from the single-flight cache); an unexpected error keeps
    /// its message chain.
    pub(super) fn duplicate(&self) -> Error {
        match self {
            Error::Invalid { field, message } => Error::Invalid {
                field,
                message: message.clone(),
            },
            Error::NotFound => Error::NotFound,
            Error::UnknownCategory(slug) => Error::UnknownCategory(slug.clone()),
            Error::StockChanged { current } => Error::StockChanged { current: *current },
            // The copy keeps the message chain and whether it was an outage.
            Error::Unexpected(e) if crate::shared::is_outage(e) => Error::Unexpected(
                anyhow::Error::new(crate::shared::Outage("database")).context(format!("{e:#}")),
            ),
            Error::Unexpected(e) => Error::Unexpected(anyhow::anyhow!("{e:#}")),
        }
    }
}

impl From<MoneyError> for Error {
    fn from(e: MoneyError) -> Self {
        Error::Invalid {
            field: "price",
            message: e.to_string(),
        }
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            writeln!(f, "Caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// The catalog's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
