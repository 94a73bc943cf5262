//! Settings from environment variables (and a `.env` file in development).
//!
//! Development and test have working defaults for everything. Production has no defaults
//! for secrets: start-up stops with one message naming every missing variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

/// Where the process runs; picks defaults, log format and which settings are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    /// A developer's machine: defaults for everything, readable logs.
    Development,
    /// Automated tests: like development.
    Test,
    /// A real shop: secrets required, JSON logs.
    Production,
}

impl AppEnv {
    fn parse(value: &str) -> Option<AppEnv> {
        match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Some(AppEnv::Development),
            "test" => Some(AppEnv::Test),
            "production" | "prod" => Some(AppEnv::Production),
            _ => None,
        }
    }
}

/// Every setting the server reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `APP_ENV`.
    pub env: AppEnv,
    /// `LEPTOS_SITE_ADDR`: address to listen on.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: folder with the built wasm, CSS and assets.
    pub site_root: String,
    /// `DATABASE_URL`.
    pub database_url: SecretString,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub database_max_connections: u32,
    /// `REDIS_URL`; `None` runs on Postgres alone.
    pub redis_url: Option<SecretString>,
    /// `REDIS_KEY_PREFIX`: every Redis key starts with it.
    pub redis_key_prefix: String,
    /// `JWT_SECRET`: signs API access tokens.
    pub jwt_secret: SecretString,
    /// `STRIPE_SECRET_KEY`; without it the dev payment gateway serves.
    pub stripe_secret_key: Option<SecretString>,
    /// `STRIPE_WEBHOOK_SECRET`.
    pub stripe_webhook_secret: Option<SecretString>,
    /// `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_FROM`; without them codes are logged.
    pub twilio: Option<TwilioSettings>,
    /// `SENTRY_DSN`.
    pub sentry_dsn: Option<SecretString>,
    /// `UPLOAD_DIR`: local blob store for images.
    pub upload_dir: PathBuf,
    /// `DEFAULT_LOCALE`.
    pub default_locale: domain::shared::Locale,
    /// `LOG_FORMAT`: `json` or `pretty`.
    pub log_json: bool,
    /// `REQUEST_TIMEOUT_SECS`.
    pub request_timeout: Duration,
    /// `BODY_LIMIT_BYTES`.
    pub body_limit_bytes: usize,
    /// `CATALOG_CACHE_TTL_SECS`: how long catalog reads are cached per process (0: off).
    pub catalog_cache_ttl: Duration,
    /// Base URL of the VAT white-list API; `None` checks NIP checksums only.
    pub vat_registry_url: Option<String>,
    /// How long a VAT register lookup may take before the account waits as pending.
    pub vat_registry_timeout: Duration,
    /// S3-compatible bucket for uploads; `None` keeps them in `upload_dir`.
    pub s3: Option<domain::shared::blob::S3Config>,
    /// Flat shipping fee and the subtotal from which shipping is free.
    pub shipping: domain::shopping::ShippingRule,
    /// `ORDER_RESERVATION_MINUTES` and the `SELLER_*` data printed on invoices.
    pub orders: domain::order::Settings,
    /// `STRIPE_API_BASE`: Stripe's API address (a local fake in tests).
    pub stripe_api_base: String,
    /// `PUBLIC_URL`: the shop's address as customers reach it (Stripe sends them back there).
    pub public_url: String,
    /// `RECONCILE_AFTER_MINUTES`: payments open this long are checked with Stripe.
    pub reconcile_after: Duration,
    /// `BACKGROUND_JOBS`: run the background jobs (`server::jobs`) in this process; on
    /// unless `false`.
    pub background_jobs: bool,
    /// `TRUSTED_PROXIES`: reverse proxies (CIDR blocks) whose `Forwarded` and
    /// `X-Forwarded-For` headers name the client; empty: the peer is the client.
    pub trusted_proxies: domain::shared::TrustedProxies,
    /// `SMS_ALLOWED_COUNTRIES` and `SMS_HOURLY_BUDGET`: where SMS may go and how many.
    pub sms_policy: domain::identity::SmsPolicy,
    /// `IMAGE_DECODERS`: uploads decoded at once (default: one per core, at most 4).
    pub image_decoders: Option<usize>,
    /// `SMTP_URL` (`smtp://host:port`, `smtps://user:pass@host`); without it e-mail is logged.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_FROM`: the sender of the shop's e-mail.
    pub mail_from: String,
    /// `EXPO_PUSH_URL`: Expo's push service (`https://exp.host` in production); empty or
    /// unset elsewhere writes pushes to the log.
    pub expo_push_url: Option<String>,
    /// `EXPO_ACCESS_TOKEN`: for an Expo project with enhanced push security.
    pub expo_access_token: Option<SecretString>,
    /// `NOTIFY_MAX_ATTEMPTS`, `NOTIFY_RETRY_SECS`, `NOTIFY_CONCURRENCY`, `NOTIFY_LEASE_SECS`:
    /// how notices are retried, how many go at once, how long a claimed one is held.
    pub notify: domain::notify::Settings,
}

/// Twilio credentials for sending sign-in codes by SMS.
#[derive(Debug, Clone)]
pub struct TwilioSettings {
    /// API base URL (`https://api.twilio.com`; a local fake in tests).
    pub base_url: String,
    /// Account SID.
    pub account_sid: String,
    /// Auth token.
    pub auth_token: SecretString,
    /// Sender number or messaging service.
    pub from: String,
}

/// Why the settings could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// Required in this environment and not set.
    #[error("missing required environment variables for APP_ENV={env}: {}", .names.join(", "))]
    Missing {
        /// The environment.
        env: String,
        /// Every missing variable.
        names: Vec<&'static str>,
    },
    /// Set to something unusable.
    #[error("invalid value for {name}: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds settings from any variable lookup; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let env = match get("APP_ENV") {
            None => AppEnv::Development,
            Some(v) => AppEnv::parse(&v).ok_or(ConfigError::Invalid {
                name: "APP_ENV",
                reason: format!("`{v}` is not development, test or production"),
            })?,
        };
        let production = env == AppEnv::Production;

        let mut missing = Vec::new();
        let mut required = |name: &'static str, dev_default: &str| match get(name) {
            Some(v) => v,
            None if production => {
                missing.push(name);
                String::new()
            }
            None => dev_default.to_owned(),
        };
        let database_url = required(
            "DATABASE_URL",
            "postgres://metropolitan:metropolitan@127.0.0.1:5432/metropolitan",
        );
        let jwt_secret = required("JWT_SECRET", DEV_JWT_SECRET);
        let stripe_secret_key = required("STRIPE_SECRET_KEY", "");
        let stripe_on = !stripe_secret_key.is_empty();
        let stripe_webhook_secret = required("STRIPE_WEBHOOK_SECRET", "");
        let twilio_sid = required("TWILIO_ACCOUNT_SID", "");
        let twilio_token = required("TWILIO_AUTH_TOKEN", "");
        let twilio_from = required("TWILIO_FROM", "");
        let dev_seller = domain::order::Seller::default();
        let seller_name = required("SELLER_NAME", &dev_seller.name);
        let seller_nip = required("SELLER_NIP", &dev_seller.nip);
        let seller_street = required("SELLER_STREET", &dev_seller.street);
        let seller_postal_code = required("SELLER_POSTAL_CODE", &dev_seller.postal_code);
        let seller_city = required("SELLER_CITY", &dev_seller.city);
        let required_public_url = required("PUBLIC_URL", "http://127.0.0.1:3000");
        if !missing.is_empty() {
            return Err(ConfigError::Missing {
                env: "production".into(),
                names: missing,
            });
        }
        if production && jwt_secret.len() < 32 {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: "must be at least 32 characters".into(),
            });
        }

        let seller_nip =
            domain::user::parse_nip(&seller_nip).ok_or_else(|| ConfigError::Invalid {
                name: "SELLER_NIP",
                reason: format!("`{seller_nip}` is not a valid NIP"),
            })?;

        let parse = |name: &'static str, default: &str| -> Result<String, ConfigError> {
            Ok(get(name).unwrap_or_else(|| default.to_owned()))
        };
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            get(name).map_or(Ok(default), |v| {
                v.parse().map_err(|_| ConfigError::Invalid {
                    name,
                    reason: format!("`{v}` is not a whole number"),
                })
            })
        };
        let site_addr_text = parse("LEPTOS_SITE_ADDR", "127.0.0.1:3000")?;
        let site_addr: SocketAddr = site_addr_text.parse().map_err(|_| ConfigError::Invalid {
            name: "LEPTOS_SITE_ADDR",
            reason: format!("`{site_addr_text}` is not host:port"),
        })?;
        // The development secret is public: anyone could sign tokens with it. It serves only
        // a server that nobody else can reach.
        if jwt_secret == DEV_JWT_SECRET && !site_addr.ip().is_loopback() {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: format!(
                    "the development default is public; set a secret of your own to listen on {site_addr}"
                ),
            });
        }
        let locale_text = parse("DEFAULT_LOCALE", "pl")?;
        let default_locale =
            domain::shared::Locale::parse(&locale_text).ok_or(ConfigError::Invalid {
                name: "DEFAULT_LOCALE",
                reason: format!("`{locale_text}` is not one of pl, en, tr"),
            })?;
        let log_json = match get("LOG_FORMAT").as_deref() {
            Some("json") => true,
            Some("pretty") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LOG_FORMAT",
                    reason: format!("`{other}` is not json or pretty"),
                });
            }
            None => production,
        };
        let background_jobs = match get("BACKGROUND_JOBS").as_deref().map(str::trim) {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "BACKGROUND_JOBS",
                    reason: format!("`{other}` is not true or false"),
                });
            }
        };
        let redis_default = if production {
            ""
        } else {
            "redis://127.0.0.1:6379"
        };
        let optional_secret = |v: String| (!v.is_empty()).then(|| SecretString::from(v));
        let trusted_proxies =
            domain::shared::TrustedProxies::parse(&get("TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|reason| ConfigError::Invalid {
                    name: "TRUSTED_PROXIES",
                    reason,
                })?;
        let sms_policy = domain::identity::SmsPolicy {
            countries: domain::identity::SmsPolicy::parse_countries(&parse(
                "SMS_ALLOWED_COUNTRIES",
                "PL",
            )?)
            .map_err(|reason| ConfigError::Invalid {
                name: "SMS_ALLOWED_COUNTRIES",
                reason,
            })?,
            hourly_budget: u32::try_from(number("SMS_HOURLY_BUDGET", 500)?).map_err(|_| {
                ConfigError::Invalid {
                    name: "SMS_HOURLY_BUDGET",
                    reason: "is too large".into(),
                }
            })?,
        };

        Ok(Settings {
            env,
            site_addr,
            site_root: parse("LEPTOS_SITE_ROOT", "target/site")?,
            database_url: database_url.into(),
            database_max_connections: u32::try_from(number("DATABASE_MAX_CONNECTIONS", 10)?)
                .unwrap_or(10),
            redis_url: optional_secret(
                get("REDIS_URL").unwrap_or_else(|| redis_default.to_owned()),
            ),
            redis_key_prefix: parse("REDIS_KEY_PREFIX", "metropolitan:")?,
            jwt_secret: jwt_secret.into(),
            stripe_secret_key: optional_secret(stripe_secret_key),
            stripe_webhook_secret: optional_secret(stripe_webhook_secret),
            twilio: (!twilio_sid.is_empty() && !twilio_token.is_empty() && !twilio_from.is_empty())
                .then(|| TwilioSettings {
                    base_url: get("TWILIO_BASE_URL")
                        .unwrap_or_else(|| "https://api.twilio.com".to_owned()),
                    account_sid: twilio_sid,
                    auth_token: twilio_token.into(),
                    from: twilio_from,
                }),
            sentry_dsn: get("SENTRY_DSN").map(SecretString::from),
            upload_dir: PathBuf::from(parse("UPLOAD_DIR", "uploads")?),
            default_locale,
            log_json,
            request_timeout: Duration::from_secs(number("REQUEST_TIMEOUT_SECS", 30)?.max(1)),
            body_limit_bytes: usize::try_from(number("BODY_LIMIT_BYTES", 1024 * 1024)?)
                .unwrap_or(1024 * 1024),
            catalog_cache_ttl: Duration::from_secs(number("CATALOG_CACHE_TTL_SECS", 10)?),
            vat_registry_url: match lookup("VAT_REGISTRY_URL") {
                // Set but empty: checksum only.
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.trim().to_owned()),
                None => Some("https://wl-api.mf.gov.pl".to_owned()),
            },
            vat_registry_timeout: Duration::from_millis(number("VAT_REGISTRY_TIMEOUT_MS", 3000)?),
            s3: s3_settings(&get)?,
            shipping: domain::shopping::ShippingRule {
                fee_minor: i64::try_from(number("SHIPPING_FEE_MINOR", 1499)?).unwrap_or(1499),
                free_from_minor: i64::try_from(number("FREE_SHIPPING_FROM_MINOR", 20_000)?)
                    .unwrap_or(20_000),
            },
            stripe_api_base: parse("STRIPE_API_BASE", "https://api.stripe.com")?,
            public_url: required_public_url,
            reconcile_after: Duration::from_secs(
                number("RECONCILE_AFTER_MINUTES", 15)?.max(1) * 60,
            ),
            background_jobs,
            trusted_proxies,
            sms_policy,
            smtp_url: get("SMTP_URL").and_then(|v| optional_secret(v.trim().to_owned())),
            mail_from: parse("MAIL_FROM", "Metropolitan <sklep@metropolitan.localhost>")?,
            expo_push_url: match lookup("EXPO_PUSH_URL") {
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.trim().to_owned()),
                None => production.then(|| "https://exp.host".to_owned()),
            },
            expo_access_token: get("EXPO_ACCESS_TOKEN")
                .and_then(|v| optional_secret(v.trim().to_owned())),
            notify: domain::notify::Settings {
                max_attempts: i32::try_from(number("NOTIFY_MAX_ATTEMPTS", 8)?.clamp(1, 100))
                    .unwrap_or(8),
                first_retry: Duration::from_secs(number("NOTIFY_RETRY_SECS", 30)?),
                concurrency: usize::try_from(number("NOTIFY_CONCURRENCY", 8)?.clamp(1, 64))
                    .unwrap_or(8),
                lease: Duration::from_secs(number("NOTIFY_LEASE_SECS", 60)?.clamp(2, 3600)),
            },
            image_decoders: get("IMAGE_DECODERS")
                .map(|_| number("IMAGE_DECODERS", 2))
                .transpose()?
                .map(|n| usize::try_from(n.clamp(1, 64)).unwrap_or(1)),
            orders: domain::order::Settings {
                reservation: Duration::from_secs(
                    reservation_minutes(number("ORDER_RESERVATION_MINUTES", 30)?, stripe_on) * 60,
                ),
                seller: domain::order::Seller {
                    name: seller_name,
                    nip: seller_nip,
                    street: seller_street,
                    postal_code: seller_postal_code,
                    city: seller_city,
                    bank_account: get("SELLER_BANK_ACCOUNT"),
                },
            },
        })
    }
}

/// The S3 settings, when `S3_BUCKET` is set; then the keys are required.
fn s3_settings(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<domain::shared::blob::S3Config>, ConfigError> {
    let Some(bucket) = get("S3_BUCKET") else {
        return Ok(None);
    };
    let missing: Vec<&'static str> = ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]
        .into_iter()
        .filter(|name| get(name).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::Missing {
            env: "S3_BUCKET".into(),
            names: missing,
        });
    }
    Ok(Some(domain::shared::blob::S3Config {
        bucket,
        region: get("S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
        endpoint: get("S3_ENDPOINT"),
        access_key_id: get("S3_ACCESS_KEY_ID").unwrap_or_default(),
        secret_access_key: get("S3_SECRET_ACCESS_KEY").unwrap_or_default(),
    }))
}

/// The JWT secret development uses when none is set (public, so loopback only).
const DEV_JWT_SECRET: &str = "development-only-jwt-secret-change-me-0123456789";

/// How long an unpaid order holds its stock: with Stripe, within the life Stripe allows a
/// Checkout Session (30 minutes to a day), since the session ends with the reservation.
fn reservation_minutes(asked: u64, stripe: bool) -> u64 {
    if stripe {
        asked.clamp(30, 23 * 60)
    } else {
        asked.clamp(1, 7 * 24 * 60)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_public_development_secret_serves_only_loopback() {
        let open = settings(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000")]);
        assert!(
            open.is_err_and(|e| e.to_string().contains("JWT_SECRET")),
            "refused on every interface"
        );
        let own = settings(&[
            ("LEPTOS_SITE_ADDR", "0.0.0.0:3000"),
            ("JWT_SECRET", "a-secret-of-our-own-that-is-long-enough"),
        ]);
        assert!(own.is_ok());
        assert!(settings(&[("LEPTOS_SITE_ADDR", "[::1]:3000")]).is_ok());
    }

    #[test]
    fn stripe_holds_the_reservation_within_a_checkout_sessions_life() {
        assert_eq!(reservation_minutes(10, true), 30);
        assert_eq!(reservation_minutes(45, true), 45);
        assert_eq!(reservation_minutes(10_000, true), 23 * 60);
        assert_eq!(reservation_minutes(10, false), 10);
    }

    #[test]
    fn development_needs_nothing() {
        let s = settings(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.env, AppEnv::Development);
        assert_eq!(s.site_addr.port(), 3000);
        assert!(s.redis_url.is_some());
        assert!(s.stripe_secret_key.is_none());
        assert!(!s.log_json);
    }

    #[test]
    fn production_names_every_missing_secret_at_once() {
        let err = settings(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "x".repeat(40).as_str()),
        ])
        .err()
        .unwrap_or_else(|| panic!("production without secrets must fail"));
        assert_eq!(
            err,
            ConfigError::Missing {
                env: "production".into(),
                names: vec![
                    "DATABASE_URL",
                    "STRIPE_SECRET_KEY",
                    "STRIPE_WEBHOOK_SECRET",
                    "TWILIO_ACCOUNT_SID",
                    "TWILIO_AUTH_TOKEN",
                    "TWILIO_FROM",
                    "SELLER_NAME",
                    "SELLER_NIP",
                    "SELLER_STREET",
                    "SELLER_POSTAL_CODE",
                    "SELLER_CITY",
                    "PUBLIC_URL",
                ],
            }
        );
        assert!(err.to_string().contains("DATABASE_URL, STRIPE_SECRET_KEY"));
    }

    #[test]
    fn bad_values_are_rejected_with_their_name() {
        let err = settings(&[("LEPTOS_SITE_ADDR", "nowhere")]).err();
        assert!(matches!(
            err,
            Some(ConfigError::Invalid {
                name: "LEPTOS_SITE_ADDR",
                ..
            })
        ));
        let err = settings(&[("APP_ENV", "staging")]).err();
        assert!(matches!(
            err,
            Some(ConfigError::Invalid {
                name: "APP_ENV",
                ..
            })
        ));
        let err = settings(&[("DEFAULT_LOCALE", "de")]).err();
        assert!(matches!(
            err,
            Some(ConfigError::Invalid {
                name: "DEFAULT_LOCALE",
                ..
            })
        ));
    }

    #[test]
    fn production_with_everything_set_starts_with_json_logs() {
        let s = settings(&[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://db/shop"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_AUTH_TOKEN", "t"),
            ("TWILIO_FROM", "+48500000000"),
            ("SELLER_NAME", "Sklep Spożywczy Sp. z o.o."),
            ("SELLER_NIP", "526-025-02-74"),
            ("SELLER_STREET", "ul. Marszałkowska 1"),
            ("SELLER_POSTAL_CODE", "00-624"),
            ("SELLER_CITY", "Warszawa"),
            ("PUBLIC_URL", "https://sklep.example"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.log_json);
        assert_eq!(s.orders.seller.nip, "5260250274");
        assert!(s.redis_url.is_none(), "production has no Redis default");
        assert!(s.twilio.is_some());
    }
}
