//! Telling an outage (a dependency that does not answer) or input the database cannot
//! store from a bug, so that callers answer "try again shortly" (503) or "fix the input"
//! (422) instead of "something broke" (500).

use std::io::ErrorKind;

/// A dependency that did not answer; put in an error chain where the original error could
/// not be kept (a copy shared between waiters, say).
#[derive(Debug, thiserror::Error)]
#[error("{0} is unreachable")]
pub struct Outage(pub &'static str);

/// Whether anything in the chain says the database (or another dependency) is unreachable:
/// no connection from the pool in time, a refused or broken connection, a server shutting
/// down or starting up. Constraint violations and bugs are not outages.
pub fn is_outage(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        if cause.downcast_ref::<Outage>().is_some() {
            return true;
        }
        if let Some(e) = cause.downcast_ref::<sqlx::Error>() {
            return is_sqlx_outage(e);
        }
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| {
            matches!(
                e.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
                    | ErrorKind::TimedOut
                    | ErrorKind::NotConnected
            )
        })
    })
}

/// Whether Postgres refused a text it cannot store (a NUL character, SQLSTATE 22021 or
/// 22P05): the client's input, refused whole by the database, not a bug of ours.
pub fn is_unstorable_text(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .and_then(|e| e.code())
            .is_some_and(|code| code == "22021" || code == "22P05")
    })
}

/// The constraint (unique index, check, foreign key) a statement violated, by name: the one
/// way a rule the database enforces becomes a domain error.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    let db = error.as_database_error()?;
    let integrity =
        db.is_unique_violation() || db.is_check_violation() || db.is_foreign_key_violation();
    if integrity { db.constraint() } else { None }
}

fn is_sqlx_outage(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; 57P01-57P03: shutting down, crash shutdown,
        // cannot connect now (starting up).
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn pool_timeouts_and_broken_connections_are_outages_wherever_they_sit_in_the_chain() {
        let timed_out = anyhow::Error::new(sqlx::Error::PoolTimedOut).context("Failed to load");
        assert!(is_outage(&timed_out));
        let reset = std::io::Error::from(ErrorKind::ConnectionReset);
        let broken = Err::<(), _>(sqlx::Error::Io(reset))
            .context("Failed to insert")
            .context("Failed to place the order");
        assert!(broken.is_err_and(|e| is_outage(&e)));
        let marked = anyhow::Error::new(Outage("database")).context("a shared copy");
        assert!(is_outage(&marked));
    }

    #[test]
    fn bugs_and_missing_rows_are_not_outages() {
        assert!(!is_outage(&anyhow::Error::new(sqlx::Error::RowNotFound)));
        assert!(!is_outage(&anyhow::anyhow!("a bug")));
        let denied = std::io::Error::from(ErrorKind::PermissionDenied);
        assert!(!is_outage(&anyhow::Error::new(denied)));
    }
}
