//! The `metropolitan` server: configuration, wiring, HTTP router, JSON API and CLI.

pub mod account;
pub mod api;
pub mod cli;
pub mod config;
pub mod http;
pub mod import;
pub mod jobs;
pub mod ops;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod webhooks;
