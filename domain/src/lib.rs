//! Metropolitan's business logic, one module per bounded context.
//!
//! Nothing here knows about HTTP or the UI: the JSON API in `server` and the server
//! functions in `app` are thin adapters over the use-cases in each context's `service`.

pub mod catalog;
pub mod content;
pub mod identity;
pub mod notify;
pub mod order;
pub mod payment;
pub mod services;
pub mod shared;
pub mod shopping;
pub mod user;

pub use services::{Adapters, Redis, Services};
