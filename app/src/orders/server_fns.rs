//! Server functions behind checkout and the customer's own orders (the admin's are in
//! `admin_fns`). Customers only ever reach their own orders.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shop_types::{Money, OrderId, OrderStatus, PaymentStatus, VatRate};

use crate::account::server_fns::AddressView;
use crate::error::AppError;
use crate::shopping::server_fns::CartView;

/// What the checkout page needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// The cart, priced now.
    pub cart: CartView,
    /// The address book.
    pub addresses: Vec<AddressView>,
    /// A corporate account (invoiced to its company).
    pub corporate: bool,
    /// The company invoiced, for corporate accounts: name and NIP.
    pub company: Option<(String, String)>,
    /// Names and company are filled in.
    pub profile_complete: bool,
    /// A fresh key for this rendering of the form: a double submit places one order.
    pub idempotency_key: String,
    /// Days a company may pay by bank transfer (none: pay online).
    pub transfer_days: Option<i32>,
}

/// An order in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRowView {
    /// Id.
    pub id: OrderId,
    /// Number.
    pub number: i64,
    /// Status code.
    pub status: OrderStatus,
    /// Total.
    pub total: Money,
    /// Units.
    pub item_count: i64,
    /// Buyer.
    pub contact: String,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub placed_at: String,
}

/// An order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineView {
    /// Name.
    pub name: String,
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price.
    pub unit_price: Money,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Gross line total.
    pub line_total: Money,
}

/// A status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEventView {
    /// New status code.
    pub to: OrderStatus,
    /// `customer`, `admin`, `system`, `payment`.
    pub actor: String,
    /// Note.
    pub note: Option<String>,
    /// When (UTC).
    pub at: String,
}

/// An order as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// Id.
    pub id: OrderId,
    /// Number.
    pub number: i64,
    /// Status code.
    pub status: OrderStatus,
    /// Payment status.
    pub payment_status: PaymentStatus,
    /// Lines.
    pub lines: Vec<OrderLineView>,
    /// Sum of lines.
    pub items_total: Money,
    /// Shipping.
    pub shipping: Money,
    /// Total.
    pub total: Money,
    /// VAT per rate.
    pub vat: Vec<(VatRate, Money)>,
    /// Shipping address lines.
    pub shipping_address: Vec<String>,
    /// Billing address lines (empty: as shipping).
    pub billing_address: Vec<String>,
    /// Company on the invoice: name and NIP.
    pub company: Option<(String, String)>,
    /// Buyer's name, phone, e-mail.
    pub contact: Vec<String>,
    /// Carrier and tracking number.
    pub tracking: Option<(String, String)>,
    /// The carrier's tracking page.
    pub tracking_url: Option<String>,
    /// Invoice number, once issued.
    pub invoice_number: Option<String>,
    /// Correcting invoices: id, number and the change of the total (negative).
    pub corrections: Vec<(String, String, Money)>,
    /// When an unpaid order is cancelled (UTC).
    pub reserved_until: Option<String>,
    /// Placed (UTC).
    pub placed_at: String,
    /// Timeline.
    pub events: Vec<OrderEventView>,
    /// The customer may cancel it now.
    pub cancellable: bool,
    /// Waiting for payment: the page offers "Pay".
    pub payable: bool,
    /// Why an admin must look at its payment.
    pub review_reason: Option<String>,
    /// Waiting for a bank transfer: due date (UTC) and the shop's account.
    pub transfer: Option<(String, Option<String>)>,
    /// The transfer is late.
    pub overdue: bool,
    /// Statuses an admin may move it to.
    pub next_statuses: Vec<OrderStatus>,
}

#[cfg(feature = "ssr")]
pub(super) mod convert {
    use domain::order::{AddressSnapshot, Order, OrderSummary};

    use super::*;
    use crate::i18n::{Key, Locale, t};

    pub fn ui_locale() -> Locale {
        crate::ssr::content_locale()
    }

    pub fn order_id(id: &str) -> Result<OrderId, AppError> {
        id.parse().map_err(|_| AppError::NotFound)
    }

    fn time(at: chrono::DateTime<chrono::Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    fn address(a: &AddressSnapshot) -> Vec<String> {
        let mut lines = vec![a.name.clone()];
        lines.extend(a.company_name.clone());
        lines.push(a.street.clone());
        lines.push(format!("{} {}", a.postal_code, a.city));
        lines.push(a.country_code.clone());
        lines.extend(a.phone.clone());
        lines
    }

    pub fn row(o: OrderSummary) -> OrderRowView {
        OrderRowView {
            id: o.id,
            number: o.number,
            status: o.status,
            total: o.total,
            item_count: o.item_count,
            contact: [Some(o.contact_name), o.contact_phone, o.contact_email]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            placed_at: time(o.placed_at),
        }
    }

    pub fn order(o: Order) -> OrderView {
        use domain::order::Actor;
        let tracking_url = o.tracking_url();
        OrderView {
            id: o.id,
            number: o.number,
            status: o.status,
            payment_status: o.payment_status,
            lines: o
                .lines
                .iter()
                .map(|l| OrderLineView {
                    name: l.name.clone(),
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    vat_rate: l.vat_rate,
                    line_total: l.line_total,
                })
                .collect(),
            items_total: o.items_total,
            shipping: o.shipping,
            total: o.total,
            vat: o
                .vat_breakdown
                .iter()
                .map(|v| (v.rate, Money::new(v.vat_minor, o.total.currency)))
                .collect(),
            shipping_address: address(&o.shipping_address),
            billing_address: o.billing_address.as_ref().map(address).unwrap_or_default(),
            company: o.buyer_company_name.clone().zip(o.buyer_nip.clone()),
            contact: [o.contact_name.clone()]
                .into_iter()
                .chain(o.contact_phone.clone())
                .chain(o.contact_email.clone())
                .collect(),
            tracking: o.carrier.clone().zip(o.tracking_number.clone()),
            tracking_url,
            invoice_number: o.invoice_number.clone(),
            corrections: Vec::new(),
            reserved_until: (o.status == OrderStatus::PendingPayment)
                .then_some(o.reserved_until)
                .flatten()
                .map(time),
            placed_at: time(o.placed_at),
            events: o
                .events
                .iter()
                .map(|e| OrderEventView {
                    to: e.to,
                    actor: e.actor.as_str().to_owned(),
                    note: e.note.clone(),
                    at: time(e.at),
                })
                .collect(),
            cancellable: o
                .status
                .can_move_to(OrderStatus::Cancelled, Actor::Customer),
            payable: o.status == OrderStatus::PendingPayment,
            review_reason: o.review_reason.clone(),
            transfer: (o.status == OrderStatus::AwaitingTransfer)
                .then(|| {
                    o.payment_due_at.map(|at| {
                        (
                            time(at),
                            crate::ssr::services()
                                .ok()
                                .and_then(|s| s.orders.seller.bank_account.clone()),
                        )
                    })
                })
                .flatten(),
            overdue: o.overdue,
            next_statuses: OrderStatus::ALL
                .into_iter()
                .filter(|to| o.status.can_move_to(*to, Actor::Admin))
                .collect(),
        }
    }

    /// A payment failure as a page shows it.
    pub fn payment_error(e: domain::payment::Error) -> AppError {
        use domain::payment::Error;
        match e {
            Error::NotFound
            | Error::DevGatewayDisabled
            | Error::UnknownOrder
            | Error::AppPaymentsUnavailable => AppError::NotFound,
            Error::NotRefundable => AppError::Conflict(Error::NotRefundable.to_string()),
            Error::InvalidAmount { refundable } => AppError::Invalid {
                field: "amount".into(),
                message: format!("at most {refundable} (minor units)"),
            },
            Error::Gateway(reason) => {
                tracing::error!(%reason, "payment gateway failed");
                AppError::Unavailable
            }
            Error::NotPayable => AppError::Conflict(t(ui_locale(), Key::NotPayable).to_owned()),
            Error::InvalidEvent(reason) => AppError::Conflict(reason),
            Error::Order(e) => error(e),
            Error::Unexpected(e) => AppError::unexpected(e),
        }
    }

    /// A page-readable error, in the shopper's language.
    pub fn error(e: domain::order::Error) -> AppError {
        use domain::order::Error;
        let locale = ui_locale();
        let conflict = |key: Key, more: String| {
            AppError::Conflict(format!("{} {more}", t(locale, key)).trim().to_owned())
        };
        match e {
            Error::Invalid { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            Error::ProfileIncomplete => conflict(Key::CompleteProfileFirst, String::new()),
            Error::TermsNotAccepted(_) => crate::error::terms_required(),
            Error::EmptyCart => conflict(Key::CartEmptyNow, String::new()),
            Error::Unavailable(skus) => conflict(Key::ProductsUnavailable, skus.join(", ")),
            Error::BelowMinimum { sku, minimum } => AppError::Invalid {
                field: sku,
                message: format!("{} {minimum}", t(locale, Key::MinQty)),
            },
            Error::OutOfStock { available, .. } => {
                conflict(Key::NotEnoughStock, available.to_string())
            }
            Error::PriceChanged { total_minor } => AppError::Conflict(format!(
                "{} {}. {}",
                t(locale, Key::PriceChangedNew),
                crate::i18n::format_money(locale, total_minor, "PLN"),
                t(locale, Key::ConfirmNewTotal)
            )),
            Error::Transition {
                to: OrderStatus::Cancelled,
                ..
            } => conflict(Key::CannotCancel, String::new()),
            e @ Error::Transition { .. } => AppError::Conflict(e.to_string()),
            Error::RefundRequired => conflict(Key::RefundRequired, String::new()),
            // The page makes a new key for every rendering of the form.
            e @ Error::IdempotencyKeyReused => AppError::Conflict(e.to_string()),
            Error::NotFound => AppError::NotFound,
            Error::Unexpected(e) => AppError::unexpected(e),
        }
    }
}

/// The cart, the address book and the buyer's company, for `/checkout`.
#[server(prefix = "/sf", endpoint = "checkout/get")]
pub async fn checkout_data() -> Result<CheckoutView, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let profile = domain::user::get_profile(&svc, user.id).await?;
    Ok(CheckoutView {
        cart: crate::shopping::server_fns::get_cart().await?,
        addresses: crate::account::server_fns::list_addresses().await?,
        corporate: user.customer_type == domain::shared::CustomerType::Corporate,
        company: profile.company.map(|c| (c.name, c.nip)),
        profile_complete: profile.profile_complete,
        idempotency_key: uuid::Uuid::now_v7().to_string(),
        transfer_days: {
            let mut conn = svc.db.acquire().await.map_err(|e| {
                tracing::error!(error = %e, "no database connection");
                AppError::Unavailable
            })?;
            match domain::order::terms_for(&mut conn, user.id)
                .await
                .map_err(convert::error)?
            {
                0 => None,
                days => Some(days),
            }
        },
    })
}

/// Places the order and goes to its page.
#[server(prefix = "/sf", endpoint = "checkout/place")]
#[allow(clippy::too_many_arguments)]
pub async fn place_order(
    idempotency_key: String,
    expected_total_minor: i64,
    shipping_address_id: Option<String>,
    recipient_name: Option<String>,
    street: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    phone: Option<String>,
    save_address: Option<String>,
    billing_address_id: Option<String>,
    company_name: Option<String>,
    nip: Option<String>,
    payment_method: Option<String>,
    notes: Option<String>,
    accept_terms: Option<String>,
) -> Result<(), AppError> {
    use domain::order::AddressChoice;

    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let saved = |id: Option<String>| -> Result<Option<AddressChoice>, AppError> {
        match id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty() && *id != "new")
        {
            None => Ok(None),
            Some(id) => Ok(Some(AddressChoice::Saved(
                uuid::Uuid::parse_str(id).map_err(|_| AppError::Invalid {
                    field: "shipping_address".into(),
                    message: "no such address".into(),
                })?,
            ))),
        }
    };
    let shipping = match saved(shipping_address_id)? {
        Some(choice) => choice,
        None => AddressChoice::New {
            address: Box::new(domain::user::AddressInput {
                recipient_name: recipient_name.unwrap_or_default(),
                street: street.unwrap_or_default(),
                city: city.unwrap_or_default(),
                postal_code: postal_code.unwrap_or_default(),
                phone,
                ..Default::default()
            }),
            save: save_address.is_some(),
        },
    };
    // Straight on to the payment when the gateway is available, else to the order.
    let (_, target) = domain::payment::place_and_pay(
        &svc,
        domain::order::PlaceOrder {
            user: user.id,
            shipping,
            billing: saved(billing_address_id)?,
            company_name,
            nip,
            expected_total_minor: Some(expected_total_minor),
            payment_method: payment_method.unwrap_or_else(|| "card".into()),
            notes,
            idempotency_key: Some(idempotency_key),
            locale: crate::ssr::content_locale(),
            accept_terms: accept_terms.is_some(),
        },
    )
    .await
    .map_err(convert::error)?;
    leptos_axum::redirect(&target);
    Ok(())
}

/// Sends the customer to pay an order waiting for payment.
#[server(prefix = "/sf", endpoint = "orders/pay")]
pub async fn start_payment(id: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let url = domain::payment::start_payment(&svc, user.id, convert::order_id(&id)?)
        .await
        .map_err(convert::payment_error)?;
    leptos_axum::redirect(&url);
    Ok(())
}

/// The development gateway's "pay" or "fail" button: a payment event like Stripe's, through
/// the same domain path.
#[server(prefix = "/sf", endpoint = "pay/dev")]
pub async fn dev_payment(id: String, outcome: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let order = convert::order_id(&id)?;
    domain::payment::dev_outcome(&svc, user.id, order, outcome == "pay")
        .await
        .map_err(convert::payment_error)?;
    leptos_axum::redirect(&format!("/orders/{order}"));
    Ok(())
}

/// The signed-in customer's orders, newest first.
#[server(prefix = "/sf", endpoint = "orders/mine")]
pub async fn my_orders() -> Result<Vec<OrderRowView>, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let page = domain::order::list_orders(&svc, user.id, domain::shared::PageRequest::new(1, 100))
        .await
        .map_err(convert::error)?;
    Ok(page.items.into_iter().map(convert::row).collect())
}

/// One order: the customer's own, or any for an admin.
#[server(prefix = "/sf", endpoint = "orders/get")]
pub async fn get_order(id: String) -> Result<OrderView, AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    let viewer = domain::order::Viewer::signed_in(user.id, user.role);
    let id = convert::order_id(&id)?;
    let order = domain::order::get_order(&svc, viewer, id)
        .await
        .map_err(convert::error)?;
    let currency = order.total.currency;
    let mut view = convert::order(order);
    view.corrections = domain::order::corrections(&svc, viewer, id)
        .await
        .map_err(convert::error)?
        .into_iter()
        .map(|c| {
            let change = Money::new(c.difference().gross_minor, currency);
            (c.id.to_string(), c.number, change)
        })
        .collect();
    Ok(view)
}

/// Cancels the customer's unpaid order.
#[server(prefix = "/sf", endpoint = "orders/cancel")]
pub async fn cancel_order(id: String) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    let svc = crate::ssr::services()?;
    domain::payment::cancel(
        &svc,
        domain::order::Viewer::Customer(user.id),
        convert::order_id(&id)?,
        None,
    )
    .await
    .map_err(convert::payment_error)?;
    Ok(())
}
