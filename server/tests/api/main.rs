//! Integration tests: the real router on a random port, a fresh database per test.

mod auth;
mod catalog;
mod cli;
mod frame;
mod health;
mod helpers;
mod import;
mod pages;
