//! Identity: who may sign in and with which role.
//!
//! Admin accounts with argon2 password hashes; JWT access tokens (HS256, 15 minutes, with
//! `jti`) and opaque refresh tokens that rotate on every use, with reuse detection that
//! revokes the whole family; logout revokes the access token until it expires; customers
//! sign in by phone with one-time SMS codes; blocked accounts and "sign out everywhere"
//! end every token and session at once.
//! Invariants: a password is stored only as an argon2id PHC string; an e-mail belongs to
//! at most one live account (a partial unique index enforces it).

mod auth;
pub mod otp;
mod password;
mod phone;
mod phone_auth;
mod service;
pub mod sms;
mod token;

pub use auth::{
    AuthError, CurrentUser, IssuedTokens, Role, SessionUser, authenticate, issue_tokens_for,
    login_with_password, logout, refresh, revoke_refresh_tokens, session_user, sign_out_everywhere,
    verify_login,
};
pub use otp::{CodeSent, Purpose, Requester, send_code};
pub use password::{hash_password, verify_password};
pub use phone::Phone;
pub use phone_auth::{PhoneSignIn, SignedIn, sign_in_with_code};
pub use service::{
    AdminAccount, CreateAdmin, Error, ExistingAccount, MIN_ADMIN_PASSWORD_LEN, create_admin,
    generate_password,
};
pub use sms::{SmsGateway, SmsPolicy};
pub use token::{
    Claims, TokenConfig, hash_refresh_token as hash_opaque_token, issue_access_token,
    new_refresh_token as new_opaque_token, verify_access_token,
};
