//! The customer's pages: phone sign-in, completing the profile, the account page and the
//! address book.

mod addresses;
mod consents;
mod login;
mod notifications;
mod profile;
pub mod server_fns;

pub use addresses::AddressesPage;
pub use login::LoginPage;
pub use notifications::{NotificationBadge, NotificationSettingsPage, NotificationsPage};
pub use profile::{AccountPage, CompleteProfilePage, SignInFirst, membership_key};
