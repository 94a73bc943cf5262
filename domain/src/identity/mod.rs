//! Identity: who may sign in and with which role.
//!
//! This first part covers admin accounts with argon2 password hashes; phone OTP sign-in,
//! JWTs and sessions build on the same tables.
//! Invariants: a password is stored only as an argon2id PHC string; an e-mail belongs to
//! at most one live account (a partial unique index enforces it).

mod password;
mod service;

pub use password::{hash_password, verify_password};
pub use service::{
    AdminAccount, CreateAdmin, Error, MIN_ADMIN_PASSWORD_LEN, create_admin, generate_password,
};
