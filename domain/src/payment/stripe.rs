//! The Stripe API calls the shop makes, through async-stripe: a Checkout Session per web
//! order, a PaymentIntent per app order, refunds, closing open attempts, and reading a
//! PaymentIntent or session back for reconciliation. Every create carries an idempotency key
//! derived from the order, so a retry never creates a second payment. The base URL is
//! configuration, so tests point it at a local fake.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAllowedPaymentMethodTypes,
    CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ExpireCheckoutSession, ProductData,
    RetrieveCheckoutSession,
};
use stripe_core::payment_intent::{
    CancelPaymentIntent, CancelPaymentIntentCancellationReason, CreatePaymentIntent,
    RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::{CheckoutSession as StripeSession, CheckoutSessionMode, PaymentIntent};
use stripe_types::Currency;

use crate::order::Order;

/// A Stripe API client.
#[derive(Clone)]
pub struct StripeClient {
    client: stripe::Client,
}

/// A created Checkout Session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    /// `cs_…`.
    pub id: String,
    /// Where to send the customer.
    pub url: String,
}

/// A PaymentIntent for an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// `pi_…`.
    pub id: String,
    /// For the app's Stripe SDK.
    pub client_secret: String,
    /// `requires_payment_method`, `succeeded`, ….
    pub status: String,
}

impl Intent {
    fn of(intent: &PaymentIntent) -> anyhow::Result<Intent> {
        Ok(Intent {
            id: intent.id.to_string(),
            client_secret: intent
                .client_secret
                .clone()
                .context("Stripe's PaymentIntent has no client_secret")?,
            status: intent.status.as_str().to_owned(),
        })
    }
}

/// A payment attempt as Stripe has it now.
#[derive(Debug, Clone)]
pub(super) enum Attempt {
    /// A Checkout Session (web).
    Session(Box<StripeSession>),
    /// A PaymentIntent (apps).
    Intent(Box<PaymentIntent>),
}

impl Attempt {
    /// Whether it can no longer take money.
    pub(super) fn ended(&self) -> bool {
        match self {
            Attempt::Session(s) => s.status.as_ref().is_some_and(|s| s.as_str() == "expired"),
            Attempt::Intent(i) => i.status.as_str() == "canceled",
        }
    }
}

/// `metadata[attempt]` of a Checkout Session's PaymentIntent.
pub(super) const CHECKOUT_ATTEMPT: &str = "checkout";

impl StripeClient {
    /// A client for `base_url` (`https://api.stripe.com`) with the secret key.
    pub fn new(base_url: &str, secret: &str, timeout: Duration) -> anyhow::Result<Self> {
        // Several crates in the build enable rustls back ends; Stripe's client takes the
        // process default, so name one (a second call changes nothing).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = stripe::ClientBuilder::new(secret)
            .url(format!("{}/", base_url.trim_end_matches('/')))
            .timeout(timeout)
            .build()
            .context("Failed to build the Stripe client")?;
        Ok(StripeClient { client })
    }

    async fn send<R: StripeRequest>(
        &self,
        request: R,
        key: Option<&str>,
    ) -> anyhow::Result<R::Output>
    where
        R::Output: miniserde::Deserialize,
    {
        let mut call = request.customize();
        if let Some(key) = key {
            call = call.request_strategy(RequestStrategy::Idempotent(
                IdempotencyKey::new(key).context("Bad idempotency key")?,
            ));
        }
        call.send(&self.client)
            .await
            .map_err(|e| anyhow::anyhow!("Stripe: {e}"))
    }

    /// A hosted Checkout Session for the order (card and BLIK), its lines and shipping as
    /// line items, the order in the metadata of the session and of its PaymentIntent. It
    /// stops taking payments at `expires_at` (unix seconds; Stripe wants 30 minutes to 24
    /// hours from now), which the caller makes the end of the order's reservation.
    pub async fn create_checkout_session(
        &self,
        order: &Order,
        success_url: &str,
        cancel_url: &str,
        expires_at: i64,
    ) -> anyhow::Result<CheckoutSession> {
        let currency = currency(order.total.currency.code())?;
        let mut items: Vec<(String, i64, i32)> = order
            .lines
            .iter()
            .map(|l| (l.name.clone(), l.unit_price.minor, l.quantity))
            .collect();
        if order.shipping.minor > 0 {
            items.push(("Dostawa / Delivery".to_owned(), order.shipping.minor, 1));
        }
        let line_items: Vec<CreateCheckoutSessionLineItems> = items
            .into_iter()
            .map(|(name, unit, quantity)| {
                let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency.clone());
                price.product_data = Some(ProductData::new(name));
                price.unit_amount = Some(unit);
                let mut item = CreateCheckoutSessionLineItems::new();
                item.price_data = Some(price);
                item.quantity = Some(u64::try_from(quantity).unwrap_or(1));
                item
            })
            .collect();
        let mut intent_metadata = metadata(order);
        // Tells a `payment_intent.*` event that arrives before the session's completion which
        // attempt its intent belongs to.
        intent_metadata.insert("attempt".into(), CHECKOUT_ATTEMPT.into());
        let mut intent_data = CreateCheckoutSessionPaymentIntentData::new();
        intent_data.metadata = Some(intent_metadata);
        let mut request = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .allowed_payment_method_types(vec![
                CreateCheckoutSessionAllowedPaymentMethodTypes::Card,
                CreateCheckoutSessionAllowedPaymentMethodTypes::Blik,
            ])
            .client_reference_id(order.id.to_string())
            .success_url(success_url)
            .cancel_url(cancel_url)
            .expires_at(expires_at)
            .metadata(metadata(order))
            .payment_intent_data(intent_data)
            .line_items(line_items);
        if let Some(email) = &order.contact_email {
            request = request.customer_email(email);
        }
        let session = self
            .send(request, Some(&format!("checkout:{}", order.id)))
            .await?;
        Ok(CheckoutSession {
            id: session.id.to_string(),
            url: session.url.context("Stripe's session has no url")?,
        })
    }

    /// The order's PaymentIntent (the same one however often it is asked for).
    pub async fn create_payment_intent(&self, order: &Order) -> anyhow::Result<Intent> {
        let request =
            CreatePaymentIntent::new(order.total.minor, currency(order.total.currency.code())?)
                .allowed_payment_method_types(vec![
                    stripe_shared::PaymentIntentAllowedPaymentMethodTypes::Card,
                    stripe_shared::PaymentIntentAllowedPaymentMethodTypes::Blik,
                ])
                .metadata(metadata(order));
        let intent = self
            .send(request, Some(&format!("intent:{}", order.id)))
            .await?;
        Intent::of(&intent)
    }

    /// The app's PaymentIntent as Stripe has it now.
    pub async fn intent(&self, id: &str) -> anyhow::Result<Intent> {
        let intent = self.payment_intent(id).await?;
        Intent::of(&intent)
    }

    async fn payment_intent(&self, id: &str) -> anyhow::Result<PaymentIntent> {
        self.send(RetrievePaymentIntent::new(stripe_id(id)?), None)
            .await
    }

    /// A Checkout Session as Stripe has it now: its status and, while open, its page.
    pub async fn session_page(&self, id: &str) -> anyhow::Result<(Option<String>, Option<String>)> {
        let session = self.checkout_session(id).await?;
        Ok((session.status.map(|s| s.as_str().to_owned()), session.url))
    }

    async fn checkout_session(&self, id: &str) -> anyhow::Result<StripeSession> {
        self.send(RetrieveCheckoutSession::new(stripe_id(id)?), None)
            .await
    }

    /// The attempt `reference` (`cs_…` or `pi_…`) as Stripe has it now.
    pub(super) async fn attempt(&self, reference: &str) -> anyhow::Result<Attempt> {
        Ok(if reference.starts_with("cs_") {
            Attempt::Session(Box::new(self.checkout_session(reference).await?))
        } else {
            Attempt::Intent(Box::new(self.payment_intent(reference).await?))
        })
    }

    /// Ends an open attempt (expires a session, cancels an intent) so that it can no longer
    /// be paid; returns it as it is then.
    pub(super) async fn close(&self, reference: &str) -> anyhow::Result<Attempt> {
        Ok(if reference.starts_with("cs_") {
            let request = ExpireCheckoutSession::new(stripe_id(reference)?);
            let session = self
                .send(request, Some(&format!("expire:{reference}")))
                .await?;
            Attempt::Session(Box::new(session))
        } else {
            let request = CancelPaymentIntent::new(stripe_id(reference)?)
                .cancellation_reason(CancelPaymentIntentCancellationReason::Abandoned);
            let intent = self
                .send(request, Some(&format!("cancel:{reference}")))
                .await?;
            Attempt::Intent(Box::new(intent))
        })
    }

    /// Refunds `amount_minor` of a PaymentIntent; `key` makes a retry harmless.
    pub async fn refund(&self, intent: &str, amount_minor: i64, key: &str) -> anyhow::Result<()> {
        let request = CreateRefund::new()
            .payment_intent(stripe_id(intent)?)
            .amount(amount_minor);
        self.send(request, Some(key)).await.map(|_| ())
    }
}

fn metadata(order: &Order) -> HashMap<String, String> {
    HashMap::from([
        ("order_id".to_owned(), order.id.to_string()),
        ("order_number".to_owned(), order.number.to_string()),
    ])
}

fn currency(code: &str) -> anyhow::Result<Currency> {
    Currency::from_str(&code.to_ascii_lowercase())
        .map_err(|_| anyhow::anyhow!("Stripe does not know the currency {code}"))
}

/// Stripe ids are `[a-zA-Z0-9_]`; anything else never reaches a URL.
fn stripe_id(id: &str) -> anyhow::Result<&str> {
    anyhow::ensure!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "not a Stripe id: {id}"
    );
    Ok(id)
}
