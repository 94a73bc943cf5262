//! The domain's use cases against a real Postgres (a fresh database per test) and Redis
//! (keys under a per-test prefix), without HTTP: a rule can be tested where it lives.

mod support;

mod cart_merge;
mod checkout;
mod events;
mod otp;
