//! Identity: who may sign in and with which role.
//!
//! Admin accounts with argon2 password hashes; JWT access tokens (HS256, 15 minutes, with
//! `jti`) and opaque refresh tokens that rotate on every use, with reuse detection that
//! revokes the whole family; logout revokes the access token until it expires. Phone OTP
//! sign-in and browser sessions build on the same tables.
//! Invariants: a password is stored only as an argon2id PHC string; an e-mail belongs to
//! at most one live account (a partial unique index enforces it).

mod auth;
mod password;
mod service;
mod token;

pub use auth::{
    AuthError, CurrentUser, IssuedTokens, Role, SessionUser, authenticate, login_with_password,
    logout, refresh, session_user, verify_login,
};
pub use password::{hash_password, verify_password};
pub use service::{
    AdminAccount, CreateAdmin, Error, MIN_ADMIN_PASSWORD_LEN, create_admin, generate_password,
};
pub use token::{Claims, TokenConfig, issue_access_token, verify_access_token};
