//! Telling people what happened: order and account notices by e-mail, SMS and in the app.
//!
//! A change that someone should hear about writes its notices to the `notifications` table
//! in the change's own transaction ([`outbox`]): nothing is told of a change that rolled back,
//! and nothing is lost when the process dies after the commit. The [`worker`] delivers the
//! e-mail and SMS rows with retries; in-app rows are the user's inbox ([`inbox`]).

pub mod confirm;
pub mod inbox;
pub mod mail;
pub mod outbox;
pub mod push;
pub mod settings;
pub mod text;
pub mod worker;

use std::time::Duration;

pub use confirm::{Asked, ask_to_confirm, confirm_email};
pub use inbox::{InboxItem, list_inbox, mark_all_read, mark_read, unread_count};
pub use mail::Mailer;
pub use outbox::{admins, order, placed};
pub use push::{
    Device, DeviceInput, ExpoPush, PushGateway, forget_devices, list_devices, register_device,
    remove_device,
};
pub use settings::{Setting, notification_settings, set_notification_setting};
pub use worker::{Delivered, deliver_due, resend, sent_for_order};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The order was placed: the confirmation of the contract.
    OrderPlaced,
    /// A payment attempt failed; the order can still be paid.
    PaymentFailed,
    /// The order is still unpaid and will be cancelled in about ten minutes.
    PaymentReminder,
    /// The order is paid (the invoice goes with the e-mail).
    OrderPaid,
    /// The parcel left, with carrier and tracking number.
    OrderShipped,
    /// The parcel arrived.
    OrderDelivered,
    /// The order was cancelled.
    OrderCancelled,
    /// Money went back (all or part).
    OrderRefunded,
    /// To admins: a new order.
    AdminNewOrder,
    /// To admins: a payment needs a look.
    AdminFlagged,
    /// To admins, once a day: products running out, transfers past due.
    AdminDigest,
    /// A link to confirm an e-mail address (sent to that address only).
    EmailConfirmation,
    /// The account's phone number was changed.
    PhoneChanged,
    /// The account was deleted; its data will be erased.
    AccountDeleted,
}

/// Every kind, for tests that render each one.
pub const KINDS: [Kind; 14] = [
    Kind::OrderPlaced,
    Kind::PaymentFailed,
    Kind::PaymentReminder,
    Kind::OrderPaid,
    Kind::OrderShipped,
    Kind::OrderDelivered,
    Kind::OrderCancelled,
    Kind::OrderRefunded,
    Kind::AdminNewOrder,
    Kind::AdminFlagged,
    Kind::AdminDigest,
    Kind::EmailConfirmation,
    Kind::PhoneChanged,
    Kind::AccountDeleted,
];

impl Kind {
    /// As stored and sent to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OrderPlaced => "order_placed",
            Kind::PaymentFailed => "payment_failed",
            Kind::PaymentReminder => "payment_reminder",
            Kind::OrderPaid => "order_paid",
            Kind::OrderShipped => "order_shipped",
            Kind::OrderDelivered => "order_delivered",
            Kind::OrderCancelled => "order_cancelled",
            Kind::OrderRefunded => "order_refunded",
            Kind::AdminNewOrder => "admin_new_order",
            Kind::AdminFlagged => "admin_flagged",
            Kind::AdminDigest => "admin_digest",
            Kind::EmailConfirmation => "email_confirmation",
            Kind::PhoneChanged => "phone_changed",
            Kind::AccountDeleted => "account_deleted",
        }
    }

    /// The stored name back; `None` for a kind this version does not know.
    pub fn parse(code: &str) -> Option<Kind> {
        KINDS.into_iter().find(|k| k.as_str() == code)
    }

    /// Which preference governs it.
    pub fn topic(self) -> Topic {
        match self {
            Kind::EmailConfirmation | Kind::PhoneChanged | Kind::AccountDeleted => Topic::Account,
            _ => Topic::Orders,
        }
    }

    /// Whether it is about an order (its e-mail shows the order).
    pub fn about_order(self) -> bool {
        self.topic() == Topic::Orders && self != Kind::AdminDigest
    }
}

/// Groups of notices a user can switch channels for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Orders and payments: one channel always stays on.
    Orders,
    /// Sign-in and account changes: one channel always stays on.
    Account,
    /// News and offers: off until the user opts in.
    Marketing,
}

/// Every topic.
pub const TOPICS: [Topic; 3] = [Topic::Orders, Topic::Account, Topic::Marketing];

impl Topic {
    /// As stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Orders => "orders",
            Topic::Account => "account",
            Topic::Marketing => "marketing",
        }
    }

    /// The stored name back.
    pub fn parse(code: &str) -> Option<Topic> {
        TOPICS.into_iter().find(|t| t.as_str() == code)
    }

    /// Whether the user may switch every channel off.
    pub fn optional(self) -> bool {
        self == Topic::Marketing
    }
}

/// How a notice reaches someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// An e-mail to a confirmed address.
    Email,
    /// A short text to the phone.
    Sms,
    /// A push to the user's app devices.
    Push,
    /// The inbox in the shop and the apps.
    InApp,
}

/// Every channel.
pub const CHANNELS: [Channel; 4] = [Channel::Email, Channel::Sms, Channel::Push, Channel::InApp];

impl Channel {
    /// As stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
            Channel::InApp => "in_app",
        }
    }

    /// The stored name back.
    pub fn parse(code: &str) -> Option<Channel> {
        CHANNELS.into_iter().find(|c| c.as_str() == code)
    }
}

/// Erases what notifications keep about a user (their inbox, addresses and phone numbers in
/// sent notices, settings, links), in the erasure's transaction.
pub(crate) async fn forget_user(
    tx: &mut sqlx::PgConnection,
    user: crate::shared::UserId,
) -> anyhow::Result<()> {
    use anyhow::Context;
    for statement in [
        sqlx::query!("delete from notifications where user_id = $1", user as _),
        sqlx::query!(
            "delete from notification_settings where user_id = $1",
            user as _
        ),
        sqlx::query!(
            "delete from email_confirmations where user_id = $1",
            user as _
        ),
    ] {
        statement
            .execute(&mut *tx)
            .await
            .context("Failed to erase notifications")?;
    }
    Ok(())
}

/// How notices are delivered.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Tries before a notice is given up (`NOTIFY_MAX_ATTEMPTS`); admins see it failed.
    pub max_attempts: i32,
    /// The wait after the first failure; it doubles with each try, up to an hour.
    pub first_retry: Duration,
    /// Notices delivered at once by one process.
    pub concurrency: usize,
    /// How long a claimed notice is held by its worker before another may take it (a worker
    /// that died); each send is cut off at half of it.
    pub lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_attempts: 8,
            first_retry: Duration::from_secs(30),
            concurrency: 8,
            lease: Duration::from_secs(60),
        }
    }
}

/// What can go wrong with notifications.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such notification for this user.
    #[error("notification not found")]
    NotFound,
    /// Asked again too soon; try after this many seconds.
    #[error("try again in {retry_after} s")]
    TooSoon {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A value failed validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}
