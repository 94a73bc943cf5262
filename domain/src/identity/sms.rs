//! Sending sign-in codes by SMS: Twilio's Messages API in production, the log elsewhere.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use super::phone::Phone;
use crate::shared::Locale;

/// Where SMS may go and how many, against SMS pumping (fraudsters who make a shop text
/// premium numbers abroad and share the fees).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsPolicy {
    /// Countries whose numbers get SMS (`SMS_ALLOWED_COUNTRIES`, default `PL`).
    pub countries: Vec<phonenumber::country::Id>,
    /// SMS per hour for the whole shop (`SMS_HOURLY_BUDGET`); beyond it sending stops until
    /// the hour is over and an alert is raised.
    pub hourly_budget: u32,
}

impl Default for SmsPolicy {
    fn default() -> Self {
        SmsPolicy {
            countries: vec![phonenumber::country::Id::PL],
            hourly_budget: 500,
        }
    }
}

impl SmsPolicy {
    /// Reads a comma-separated list of ISO country codes (`PL, DE`).
    pub fn parse_countries(text: &str) -> Result<Vec<phonenumber::country::Id>, String> {
        let countries: Vec<_> = text
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.to_ascii_uppercase()
                    .parse()
                    .map_err(|_| format!("`{c}` is not an ISO country code"))
            })
            .collect::<Result<_, _>>()?;
        if countries.is_empty() {
            return Err("name at least one country".into());
        }
        Ok(countries)
    }

    /// Whether SMS may go to `phone`.
    pub fn allows(&self, phone: &Phone) -> bool {
        phone.country().is_some_and(|c| self.countries.contains(&c))
    }

    /// The countries, for messages: `PL, DE`.
    pub fn country_list(&self) -> String {
        self.countries
            .iter()
            .map(|c| c.as_ref())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where codes go.
#[derive(Clone)]
pub enum SmsGateway {
    /// Twilio's REST API.
    Twilio(TwilioSms),
    /// Development and tests: the code is written to the log and kept per phone.
    Log(LogSms),
}

impl SmsGateway {
    /// Sends `code` to `to` in the user's language.
    pub async fn send_code(&self, to: &Phone, code: &str, locale: Locale) -> anyhow::Result<()> {
        let body = message(code, locale);
        match self {
            SmsGateway::Twilio(twilio) => twilio.send(to, &body).await,
            SmsGateway::Log(log) => {
                tracing::info!(phone = %to, %code, "sign-in code (log SMS gateway)");
                if let Ok(mut last) = log.last.lock() {
                    last.insert(to.as_str().to_owned(), code.to_owned());
                }
                Ok(())
            }
        }
    }

    /// Sends a short notice (order status) as it is.
    pub async fn send_text(&self, to: &Phone, body: &str) -> anyhow::Result<()> {
        match self {
            SmsGateway::Twilio(twilio) => twilio.send(to, body).await,
            SmsGateway::Log(_) => {
                tracing::info!(phone = %to, body, "notice (log SMS gateway)");
                Ok(())
            }
        }
    }

    /// The last code the log gateway sent to `phone` (always `None` for Twilio).
    pub fn last_logged_code(&self, phone: &Phone) -> Option<String> {
        match self {
            SmsGateway::Log(log) => log.last.lock().ok()?.get(phone.as_str()).cloned(),
            SmsGateway::Twilio(_) => None,
        }
    }
}

fn message(code: &str, locale: Locale) -> String {
    match locale {
        Locale::Pl => format!("Metropolitan: Twój kod to {code}. Ważny 2 minuty."),
        Locale::En => format!("Metropolitan: your code is {code}. It expires in 2 minutes."),
        Locale::Tr => format!("Metropolitan: kodunuz {code}. 2 dakika geçerlidir."),
    }
}

/// Keeps the last code per phone in memory, for development and black-box tests.
#[derive(Clone, Default)]
pub struct LogSms {
    last: Arc<Mutex<HashMap<String, String>>>,
}

/// Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` with
/// `To`, `From` and `Body` as a form, authenticated with the account SID and auth token.
#[derive(Clone)]
pub struct TwilioSms {
    client: reqwest::Client,
    base_url: String,
    account_sid: String,
    auth_token: String,
    from: String,
}

impl TwilioSms {
    /// A client for `base_url` (`https://api.twilio.com` in production).
    pub fn new(
        base_url: &str,
        account_sid: &str,
        auth_token: &str,
        from: &str,
    ) -> anyhow::Result<Self> {
        Ok(TwilioSms {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .context("Failed to build the Twilio client")?,
            base_url: base_url.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            from: from.to_owned(),
        })
    }

    async fn send(&self, to: &Phone, body: &str) -> anyhow::Result<()> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base_url, self.account_sid
        );
        let response = self
            .client
            .post(url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&[("To", to.as_str()), ("From", &self.from), ("Body", body)])
            .send()
            .await
            .context("Twilio did not answer")?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let detail = response.text().await.unwrap_or_default();
        anyhow::bail!("Twilio refused the message ({status}): {detail:.300}")
    }
}
