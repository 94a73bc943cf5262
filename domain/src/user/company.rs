//! Companies: the NIP (Polish tax number) checksum and the Ministry of Finance VAT
//! white-list ("Wykaz podatników VAT") behind [`CompanyRegistry`].

use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::Services;

/// Normalises a NIP as typed (`PL`, spaces and dashes allowed) and checks its checksum.
pub fn parse_nip(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text
        .strip_prefix("PL")
        .or_else(|| text.strip_prefix("pl"))
        .unwrap_or(text);
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let sum: u32 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
    let check = sum % 11;
    (check != 10 && check == d[9]).then_some(digits)
}

/// A company's VAT status in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VatStatus {
    /// "Czynny": an active VAT payer.
    Active,
    /// "Zwolniony": exempt from VAT.
    Exempt,
    /// "Niezarejestrowany" or anything else: not registered for VAT.
    NotRegistered,
}

impl VatStatus {
    /// As stored in `companies.vat_status`.
    pub fn as_str(self) -> &'static str {
        match self {
            VatStatus::Active => "active",
            VatStatus::Exempt => "exempt",
            VatStatus::NotRegistered => "not_registered",
        }
    }

    /// The register's own word for it, quoted in refusals.
    pub fn register_label(self) -> &'static str {
        match self {
            VatStatus::Active => "Czynny",
            VatStatus::Exempt => "Zwolniony",
            VatStatus::NotRegistered => "Niezarejestrowany",
        }
    }
}

/// A company as the register knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRecord {
    /// 10 digits.
    pub nip: String,
    /// Registered name.
    pub name: String,
    /// VAT status today.
    pub vat_status: VatStatus,
    /// Street and number.
    pub street: Option<String>,
    /// `00-000`.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lookup {
    /// The register knows the company.
    Found(CompanyRecord),
    /// No such taxpayer.
    NotFound,
    /// The register could not be asked (down, slow, or checks disabled).
    Unavailable,
}

/// Where companies are looked up.
#[derive(Clone)]
pub enum CompanyRegistry {
    /// The Ministry of Finance white-list API.
    WhiteList(WhiteList),
    /// Checksum only: every lookup is `Unavailable`, so accounts wait as pending.
    ChecksumOnly,
}

/// Results are cached this long.
pub const CACHE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

impl CompanyRegistry {
    /// Looks `nip` (already checksum-valid) up, through the Redis cache.
    pub async fn lookup(&self, svc: &Services, nip: &str) -> Lookup {
        let CompanyRegistry::WhiteList(api) = self else {
            return Lookup::Unavailable;
        };
        let key = svc
            .redis
            .as_ref()
            .map(|r| (r, r.key(&format!("nip:{nip}"))));
        if let Some((redis, key)) = &key
            && let Some(hit) = cached(redis, key).await
        {
            return hit;
        }
        let found = match api.fetch(nip).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), %nip, "VAT register unavailable");
                return Lookup::Unavailable;
            }
        };
        if let Some((redis, key)) = &key {
            store(redis, key, &found).await;
        }
        found
    }
}

async fn cached(redis: &crate::Redis, key: &str) -> Option<Lookup> {
    let mut conn = redis.connection().await.ok()?;
    let text: Option<String> = redis::cmd("GET")
        .arg(key)
        .query_async(&mut conn)
        .await
        .ok()?;
    serde_json::from_str(&text?).ok()
}

async fn store(redis: &crate::Redis, key: &str, found: &Lookup) {
    let Ok(text) = serde_json::to_string(found) else {
        return;
    };
    let result: Result<(), anyhow::Error> = async {
        let mut conn = redis.connection().await?;
        redis::cmd("SET")
            .arg(key)
            .arg(text)
            .arg("EX")
            .arg(CACHE_TTL.as_secs())
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not cache a VAT register answer");
    }
}

/// The white-list API client: `GET {base}/api/search/nip/{nip}?date=YYYY-MM-DD`.
#[derive(Clone)]
pub struct WhiteList {
    client: reqwest::Client,
    base_url: String,
}

#[derive(Deserialize)]
struct Envelope {
    result: Option<ResultBody>,
}

#[derive(Deserialize)]
struct ResultBody {
    subject: Option<Subject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subject {
    name: String,
    nip: Option<String>,
    status_vat: Option<String>,
    working_address: Option<String>,
    residence_address: Option<String>,
}

impl WhiteList {
    /// A client for `base_url` (`https://wl-api.mf.gov.pl` in production) that gives up
    /// after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        Ok(WhiteList {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .context("Failed to build the VAT register client")?,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    async fn fetch(&self, nip: &str) -> anyhow::Result<Lookup> {
        let today = chrono::Utc::now().date_naive();
        let response = self
            .client
            .get(format!("{}/api/search/nip/{nip}", self.base_url))
            .query(&[("date", today.to_string())])
            .send()
            .await
            .context("no answer")?;
        let status = response.status();
        if status == reqwest::StatusCode::BAD_REQUEST || status == reqwest::StatusCode::NOT_FOUND {
            // The register answers 400 for numbers it does not know as NIPs.
            return Ok(Lookup::NotFound);
        }
        if !status.is_success() {
            anyhow::bail!("answered {status}");
        }
        let body: Envelope = response.json().await.context("unreadable answer")?;
        let Some(subject) = body.result.and_then(|r| r.subject) else {
            return Ok(Lookup::NotFound);
        };
        let vat_status = match subject.status_vat.as_deref() {
            Some("Czynny") => VatStatus::Active,
            Some("Zwolniony") => VatStatus::Exempt,
            _ => VatStatus::NotRegistered,
        };
        let address = subject
            .working_address
            .or(subject.residence_address)
            .map(|a| split_address(&a));
        let (street, postal_code, city) = address.unwrap_or((None, None, None));
        Ok(Lookup::Found(CompanyRecord {
            nip: subject.nip.unwrap_or_else(|| nip.to_owned()),
            name: subject.name,
            vat_status,
            street,
            postal_code,
            city,
        }))
    }
}

/// Splits the register's one-line address ("PROSTA 49, 00-838 WARSZAWA") at the postal code.
fn split_address(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let is_postal = |w: &str| {
        let b = w.as_bytes();
        b.len() == 6
            && b[2] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_digit())
    };
    let Some(at) = words.iter().position(|w| is_postal(w)) else {
        return (Some(text.trim().to_owned()), None, None);
    };
    let street = words[..at].join(" ");
    let street = street.trim_end_matches(',').trim().to_owned();
    let city = words[at + 1..].join(" ");
    (
        (!street.is_empty()).then_some(street),
        Some(words[at].to_owned()),
        (!city.is_empty()).then_some(city),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_format_nips_pass_or_fail_their_checksum() {
        // Checksums computed by hand with the weights 6 5 7 2 3 4 5 6 7.
        assert_eq!(parse_nip("5261040828").as_deref(), Some("5261040828"));
        assert_eq!(parse_nip("PL 526-104-08-28").as_deref(), Some("5261040828"));
        assert_eq!(parse_nip("7740001454").as_deref(), Some("7740001454"));
        assert_eq!(parse_nip("5261040829"), None, "wrong check digit");
        assert_eq!(parse_nip("526104082"), None, "nine digits");
        assert_eq!(parse_nip("52610408280"), None, "eleven digits");
        assert_eq!(parse_nip("526104082a"), None, "a letter");
        assert_eq!(parse_nip(""), None);
    }

    #[test]
    fn register_addresses_split_at_the_postal_code() {
        assert_eq!(
            split_address("PROSTA 49, 00-838 WARSZAWA"),
            (
                Some("PROSTA 49".into()),
                Some("00-838".into()),
                Some("WARSZAWA".into())
            )
        );
        assert_eq!(
            split_address("Rynek Główny 1/3 31-042 Kraków"),
            (
                Some("Rynek Główny 1/3".into()),
                Some("31-042".into()),
                Some("Kraków".into())
            )
        );
        assert_eq!(
            split_address("somewhere"),
            (Some("somewhere".into()), None, None)
        );
    }

    fn with_check_digit(first: &[u32]) -> Option<String> {
        let weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
        let check = weights.iter().zip(first).map(|(w, d)| w * d).sum::<u32>() % 11;
        (check != 10).then(|| first.iter().chain([&check]).map(u32::to_string).collect())
    }

    proptest::proptest! {
        // Any text: ten digits with a right checksum, or nothing; no panic.
        #[test]
        fn any_text_is_a_checked_nip_or_nothing(text in "\\PC{0,30}") {
            if let Some(nip) = parse_nip(&text) {
                proptest::prop_assert_eq!(nip.len(), 10);
                proptest::prop_assert_eq!(parse_nip(&nip), Some(nip.clone()));
            }
        }

        // A valid NIP is found in any notation, and any one wrong digit is caught.
        #[test]
        fn valid_nips_parse_in_any_notation_and_one_wrong_digit_is_caught(
            first in proptest::collection::vec(0u32..10, 9),
            prefix in proptest::sample::select(vec!["", "PL", "pl", " PL "]),
            dashed in proptest::bool::ANY,
            position in 0usize..10,
            delta in 1u32..10,
        ) {
            let Some(nip) = with_check_digit(&first) else { return Ok(()) };
            let typed = if dashed {
                format!("{prefix}{}-{}-{}-{}", &nip[..3], &nip[3..6], &nip[6..8], &nip[8..])
            } else {
                format!("{prefix}{nip}")
            };
            proptest::prop_assert_eq!(parse_nip(&typed), Some(nip.clone()));
            let mut wrong: Vec<u32> = nip.bytes().map(|b| u32::from(b - b'0')).collect();
            wrong[position] = (wrong[position] + delta) % 10;
            let wrong: String = wrong.iter().map(u32::to_string).collect();
            proptest::prop_assert_eq!(parse_nip(&wrong), None);
        }
    }
}
