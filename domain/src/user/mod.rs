//! User: the customer's profile and company, address book, profile photo, phone change,
//! data export and account deletion; the admin's user list.
//!
//! Invariants: at most one default address of each kind per user (a partial unique index);
//! a corporate account with a complete profile has a company (a CHECK); a stored photo is
//! always a re-encoded 256×256 JPEG; another user's address or photo is never reachable
//! (every query is scoped by the owner's id, and misses answer `NotFound`).

mod account;
mod address;
pub mod company;
pub mod consent;
mod error;
mod members;
mod photo;
mod profile;

pub use account::{
    DELETION_GRACE, UserChange, UserSummary, change_user, confirm_phone_change, delete_account,
    erase_deleted_accounts, export_data, request_deletion, request_phone_change, search_users,
};
pub(crate) use address::insert_address;
pub use address::{
    Address, AddressInput, AddressKind, create_address, delete_address, get_address,
    list_addresses, set_default_address, update_address, validate_address,
};
pub use company::{CompanyRegistry, parse_nip};
pub use consent::{Consent, consents, set_marketing_consent};
pub use error::Error;
pub use members::{
    Decider, Decision, Member, Membership, company_members, decide_membership, price_list,
    price_list_for,
};
pub use photo::{MAX_PHOTO_BYTES, delete_photo, make_thumbnail, upload_photo};
pub use profile::{
    Company, CompleteProfile, Profile, ProfileUpdate, Verification, complete_profile, get_profile,
    recheck_pending_companies, update_profile,
};
