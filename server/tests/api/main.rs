//! Integration tests: the real router on a random port, a fresh database per test.

mod abuse;
mod admin_catalog;
mod admin_pages;
mod auth;
mod cart;
mod catalog;
mod cli;
mod company;
mod consents;
mod faults;
mod frame;
mod health;
mod helpers;
mod identity;
mod import;
mod me;
mod money;
mod notifications;
mod orders;
mod oversell;
mod pages;
mod payments;
mod security;
mod stock;
mod stripe;
