//! The Stripe API calls the shop makes: a Checkout Session per web order, a PaymentIntent per
//! app order, refunds, and reading a PaymentIntent or session back for reconciliation.
//! Every create carries an idempotency key derived from the order, so a retry never creates
//! a second payment. The base URL is configuration, so tests point it at a local fake.

use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use crate::order::Order;

/// A Stripe API client (form-encoded requests, JSON answers).
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base: String,
    secret: String,
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

impl StripeClient {
    /// A client for `base_url` (`https://api.stripe.com`) with the secret key.
    pub fn new(base_url: &str, secret: &str, timeout: Duration) -> anyhow::Result<Self> {
        Ok(StripeClient {
            http: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .context("Failed to build the Stripe HTTP client")?,
            base: base_url.trim_end_matches('/').to_owned(),
            secret: secret.to_owned(),
        })
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request
            .basic_auth(&self.secret, Some(""))
            .header("Stripe-Version", "2024-06-20")
            .send()
            .await
            .context("Stripe is unreachable")?;
        let status = response.status();
        let body: Value = response.json().await.context("Stripe answered no JSON")?;
        if !status.is_success() {
            let message = body["error"]["message"].as_str().unwrap_or("no message");
            anyhow::bail!("Stripe answered {status}: {message}");
        }
        Ok(body)
    }

    async fn post(
        &self,
        path: &str,
        key: &str,
        form: &[(String, String)],
    ) -> anyhow::Result<Value> {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("Idempotency-Key", key)
                .form(form),
        )
        .await
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// A hosted Checkout Session for the order (card and BLIK, PLN), its lines and shipping
    /// as line items, the order in the metadata of the session and of its PaymentIntent. It
    /// stops taking payments at `expires_at` (unix seconds; Stripe wants 30 minutes to 24
    /// hours from now), which the caller makes the end of the order's reservation.
    pub async fn create_checkout_session(
        &self,
        order: &Order,
        success_url: &str,
        cancel_url: &str,
        expires_at: i64,
    ) -> anyhow::Result<CheckoutSession> {
        let currency = order.currency.to_ascii_lowercase();
        let mut form = vec![
            ("mode".to_owned(), "payment".to_owned()),
            ("payment_method_types[0]".to_owned(), "card".to_owned()),
            ("payment_method_types[1]".to_owned(), "blik".to_owned()),
            ("client_reference_id".to_owned(), order.id.to_string()),
            ("success_url".to_owned(), success_url.to_owned()),
            ("cancel_url".to_owned(), cancel_url.to_owned()),
            ("expires_at".to_owned(), expires_at.to_string()),
        ];
        form.extend(metadata("metadata", order));
        form.extend(metadata("payment_intent_data[metadata]", order));
        // Tells a `payment_intent.*` event that arrives before the session's completion which
        // attempt its intent belongs to.
        form.push((
            "payment_intent_data[metadata][attempt]".to_owned(),
            CHECKOUT_ATTEMPT.to_owned(),
        ));
        if let Some(email) = &order.contact_email {
            form.push(("customer_email".to_owned(), email.clone()));
        }
        let mut items: Vec<(String, i64, i32)> = order
            .lines
            .iter()
            .map(|l| (l.name.clone(), l.unit_price_minor, l.quantity))
            .collect();
        if order.shipping_minor > 0 {
            items.push(("Dostawa / Delivery".to_owned(), order.shipping_minor, 1));
        }
        for (i, (name, unit, quantity)) in items.into_iter().enumerate() {
            let key = |field: &str| format!("line_items[{i}]{field}");
            form.push((key("[price_data][currency]"), currency.clone()));
            form.push((key("[price_data][product_data][name]"), name));
            form.push((key("[price_data][unit_amount]"), unit.to_string()));
            form.push((key("[quantity]"), quantity.to_string()));
        }
        let session = self
            .post(
                "/v1/checkout/sessions",
                &format!("checkout:{}", order.id),
                &form,
            )
            .await?;
        Ok(CheckoutSession {
            id: text(&session, "id")?,
            url: text(&session, "url")?,
        })
    }

    /// The order's PaymentIntent (the same one however often it is asked for).
    pub async fn create_payment_intent(&self, order: &Order) -> anyhow::Result<Intent> {
        let mut form = vec![
            ("amount".to_owned(), order.total_minor.to_string()),
            ("currency".to_owned(), order.currency.to_ascii_lowercase()),
            ("payment_method_types[0]".to_owned(), "card".to_owned()),
            ("payment_method_types[1]".to_owned(), "blik".to_owned()),
        ];
        form.extend(metadata("metadata", order));
        let intent = self
            .post(
                "/v1/payment_intents",
                &format!("intent:{}", order.id),
                &form,
            )
            .await?;
        intent_of(&intent)
    }

    /// A PaymentIntent as Stripe has it now.
    pub async fn payment_intent(&self, id: &str) -> anyhow::Result<Value> {
        self.get(&format!("/v1/payment_intents/{}", path_segment(id)?))
            .await
    }

    /// A Checkout Session as Stripe has it now.
    pub async fn checkout_session(&self, id: &str) -> anyhow::Result<Value> {
        self.get(&format!("/v1/checkout/sessions/{}", path_segment(id)?))
            .await
    }

    /// Ends an open Checkout Session so that it can no longer be paid.
    pub async fn expire_checkout_session(&self, id: &str) -> anyhow::Result<Value> {
        let path = format!("/v1/checkout/sessions/{}/expire", path_segment(id)?);
        self.post(&path, &format!("expire:{id}"), &[]).await
    }

    /// Cancels a PaymentIntent that has not succeeded, so that it can no longer be paid.
    pub async fn cancel_payment_intent(&self, id: &str) -> anyhow::Result<Value> {
        let path = format!("/v1/payment_intents/{}/cancel", path_segment(id)?);
        let form = [("cancellation_reason".to_owned(), "abandoned".to_owned())];
        self.post(&path, &format!("cancel:{id}"), &form).await
    }

    /// Refunds `amount_minor` of a PaymentIntent; `key` makes a retry harmless.
    pub async fn refund(
        &self,
        intent: &str,
        amount_minor: i64,
        key: &str,
    ) -> anyhow::Result<Value> {
        let form = [
            ("payment_intent".to_owned(), intent.to_owned()),
            ("amount".to_owned(), amount_minor.to_string()),
        ];
        self.post("/v1/refunds", key, &form).await
    }
}

/// `metadata[attempt]` of a Checkout Session's PaymentIntent.
pub(super) const CHECKOUT_ATTEMPT: &str = "checkout";

fn metadata(prefix: &str, order: &Order) -> [(String, String); 2] {
    [
        (format!("{prefix}[order_id]"), order.id.to_string()),
        (format!("{prefix}[order_number]"), order.number.to_string()),
    ]
}

fn text(value: &Value, key: &str) -> anyhow::Result<String> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("Stripe's answer has no {key}"))
}

pub(super) fn intent_of(value: &Value) -> anyhow::Result<Intent> {
    Ok(Intent {
        id: text(value, "id")?,
        client_secret: text(value, "client_secret")?,
        status: text(value, "status")?,
    })
}

/// Stripe ids are `[a-zA-Z0-9_]`; anything else never reaches a URL.
fn path_segment(id: &str) -> anyhow::Result<&str> {
    anyhow::ensure!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "not a Stripe id: {id}"
    );
    Ok(id)
}
