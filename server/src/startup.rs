//! Building the router and serving it until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{get, post};
use domain::{Redis, Services};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::{AppEnv, Settings};
use crate::http::{self, REQUEST_ID};
use crate::{api, ops, telemetry};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Leptos settings (site root, output name), shared for the same reason.
    pub leptos_options: Arc<LeptosOptions>,
    /// Domain handles, shared: axum and Leptos clone the state for every request, and a
    /// `Services` clone copies keys, caches and clients (a tenth of the CPU under load).
    pub services: Arc<Services>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// `STRIPE_WEBHOOK_SECRET`, split at commas (several while one is rotated).
    pub webhook_secrets: std::sync::Arc<[String]>,
}

/// What Leptos's handlers extract; cloned out of the shared copy only when a page renders.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        (*state.leptos_options).clone()
    }
}

/// A lazily connecting pool for the configured database.
pub fn database_pool(settings: &Settings) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = settings
        .database_url
        .expose_secret()
        .parse()
        .context("DATABASE_URL is not a valid Postgres URL")?;
    Ok(PgPoolOptions::new()
        .max_connections(settings.database_max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy_with(options))
}

/// The domain handles for these settings and pool.
pub fn services(settings: &Settings, db: PgPool) -> anyhow::Result<Services> {
    let redis = settings
        .redis_url
        .as_ref()
        .map(|url| Redis::new(url.expose_secret(), &settings.redis_key_prefix))
        .transpose()
        .context("REDIS_URL is not a valid Redis URL")?;
    let mut services = Services::new(
        db,
        redis,
        settings.default_locale,
        settings.catalog_cache_ttl,
        domain::identity::TokenConfig::new(settings.jwt_secret.expose_secret().as_bytes()),
        adapters(settings)?,
    );
    services.shipping = settings.shipping;
    services.orders = settings.orders.clone();
    // The development gateway: only outside production and only without a Stripe key.
    services.dev_payments =
        settings.env != AppEnv::Production && settings.stripe_secret_key.is_none();
    services.stripe = settings
        .stripe_secret_key
        .as_ref()
        .map(|key| {
            domain::payment::StripeClient::new(
                &settings.stripe_api_base,
                key.expose_secret(),
                Duration::from_secs(10),
            )
        })
        .transpose()?;
    services.public_url = settings.public_url.clone();
    services.sms_policy = settings.sms_policy.clone();
    services.notify = settings.notify.clone();
    if let Some(decoders) = settings.image_decoders {
        services.image_decoders = Arc::new(tokio::sync::Semaphore::new(decoders));
    }
    Ok(services)
}

/// The outside services the settings choose: Twilio or the log for SMS, the VAT register
/// or checksums only, S3 or a local folder for uploads.
fn adapters(settings: &Settings) -> anyhow::Result<domain::Adapters> {
    use domain::identity::sms::{LogSms, TwilioSms};
    use domain::user::company::WhiteList;

    let sms = match &settings.twilio {
        Some(t) => domain::identity::SmsGateway::Twilio(TwilioSms::new(
            &t.base_url,
            &t.account_sid,
            t.auth_token.expose_secret(),
            &t.from,
        )?),
        None => domain::identity::SmsGateway::Log(LogSms::default()),
    };
    let registry = match &settings.vat_registry_url {
        Some(url) => domain::user::CompanyRegistry::WhiteList(WhiteList::new(
            url,
            settings.vat_registry_timeout,
        )?),
        None => domain::user::CompanyRegistry::ChecksumOnly,
    };
    let blobs = match &settings.s3 {
        Some(s3) => domain::shared::blob::BlobStore::s3(s3)?,
        None => domain::shared::blob::BlobStore::local(&settings.upload_dir)?,
    };
    let mail = match &settings.smtp_url {
        Some(url) => domain::notify::Mailer::smtp(
            url.expose_secret(),
            &settings.mail_from,
            u32::try_from(settings.notify.concurrency).unwrap_or(u32::MAX),
        )?,
        None => domain::notify::Mailer::Log,
    };
    let push = match &settings.expo_push_url {
        Some(url) => domain::notify::PushGateway::Expo(domain::notify::ExpoPush::new(
            url,
            settings
                .expo_access_token
                .as_ref()
                .map(|t| t.expose_secret()),
        )?),
        None => domain::notify::PushGateway::Log,
    };
    let off: Vec<&str> = [
        ("e-mail (SMTP_URL)", settings.smtp_url.is_none()),
        ("SMS (TWILIO_*)", settings.twilio.is_none()),
        ("push (EXPO_PUSH_URL)", settings.expo_push_url.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, off)| off.then_some(name))
    .collect();
    if !off.is_empty() {
        let off = off.join(", ");
        if settings.env == crate::config::AppEnv::Production {
            tracing::warn!(%off, "notification channels off: their notices are only logged");
        } else {
            tracing::info!(%off, "notification channels write to the log");
        }
    }
    Ok(domain::Adapters {
        sms,
        registry,
        blobs,
        mail,
        push,
    })
}

/// A bound, ready-to-serve server.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds `settings.site_addr` (port 0 picks a free port) and builds the router.
    pub async fn build(settings: &Settings, db: PgPool) -> anyhow::Result<Application> {
        let services = services(settings, db)?;
        let listener = TcpListener::bind(settings.site_addr)
            .await
            .with_context(|| format!("Failed to bind {}", settings.site_addr))?;
        tokio::spawn(domain::catalog::listen_for_invalidations(services.clone()));
        let store = session_store(services.db.clone())?;
        if settings.background_jobs {
            crate::jobs::start(&services, settings, store.clone());
        }
        let router = router(settings, services).layer(session_layer(settings, store));
        Ok(Application { listener, router })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

/// Browser sessions in Postgres (they survive a Redis outage and a restart). The table
/// comes from `migrations/`, so start-up needs no database.
fn session_store(db: PgPool) -> anyhow::Result<tower_sessions_sqlx_store::PostgresStore> {
    tower_sessions_sqlx_store::PostgresStore::new(db)
        .with_schema_name("public")
        .and_then(|s| s.with_table_name("browser_sessions"))
        .map_err(|e| anyhow::anyhow!("Invalid session table name: {e}"))
}

/// An HttpOnly, SameSite=Lax session cookie, Secure in production, expiring after 7 days
/// without use.
fn session_layer(
    settings: &Settings,
    store: tower_sessions_sqlx_store::PostgresStore,
) -> tower_sessions::SessionManagerLayer<tower_sessions_sqlx_store::PostgresStore> {
    tower_sessions::SessionManagerLayer::new(store)
        .with_name("metropolitan_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(settings.env == AppEnv::Production)
        .with_expiry(tower_sessions::Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(7),
        ))
}

/// The whole HTTP surface: pages, server functions, `/api/v1`, docs, ops endpoints, media.
pub fn router(settings: &Settings, services: Services) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("metropolitan")
        .site_root(settings.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(settings.site_addr)
        .env(if settings.env == AppEnv::Production {
            Env::PROD
        } else {
            Env::DEV
        })
        .build();
    let services = Arc::new(services);
    let state = AppState {
        leptos_options: Arc::new(leptos_options.clone()),
        services: services.clone(),
        metrics: telemetry::metrics_handle(),
        webhook_secrets: settings
            .stripe_webhook_secret
            .as_ref()
            .map(|s| {
                s.expose_secret()
                    .split(',')
                    .map(|part| part.trim().to_owned())
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into(),
    };
    let routes = generate_route_list(app::App);
    let context = {
        let services = services.clone();
        let secure = app::ssr::SecureCookies(settings.env == AppEnv::Production);
        move || {
            provide_context(services.clone());
            provide_context(secure);
            leptos::nonce::provide_nonce();
        }
    };
    let shell = {
        let options = leptos_options.clone();
        move || app::shell(options.clone())
    };
    let docs = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", api::docs::openapi()))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                 script-src 'self'; frame-ancestors 'none'",
            ),
        ));
    let media = Router::new()
        .route("/media/{*key}", get(crate::account::media))
        .with_state(services.clone())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            // Uploaded SVGs must never run scripts in our origin.
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ));

    let body_limits = http::BodyLimits::new(settings.body_limit_bytes);
    let mut router = Router::new()
        .nest("/api/v1", api::router(settings.env == AppEnv::Test))
        .route("/account/photo", post(crate::account::upload_photo_form))
        .route("/account/export", get(crate::account::export_data))
        .route(
            "/account/confirm-email",
            get(crate::account::confirm_email_link),
        )
        .route("/orders/{id}/invoice.pdf", get(crate::account::invoice_pdf))
        .route(
            "/orders/{id}/corrections/{correction}",
            get(crate::account::correction_pdf),
        )
        .route(
            "/admin/products/{sku}/images",
            post(crate::account::upload_product_image_form),
        )
        .route("/webhooks/stripe", post(crate::webhooks::stripe))
        .route("/health", get(ops::health))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .leptos_routes_with_context(&state, routes, context.clone(), shell.clone())
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, app::shell))
        .with_state(state)
        .merge(docs)
        .merge(media);

    let mut headers: Vec<(HeaderName, HeaderValue)> = http::security_headers().into();
    if settings.env == AppEnv::Production {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    // One layer for all of them: the router clones its layers for every request.
    let headers: http::SecurityHeaders = Arc::from(headers);
    router = router.layer(middleware::from_fn_with_state(
        headers,
        http::set_security_headers,
    ));
    let public_origin: http::PublicOrigin = http::origin_of(&settings.public_url)
        .unwrap_or_default()
        .into();
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(http::request_id))
            .layer(CompressionLayer::new())
            .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let request_id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros))
            .on_failure(DefaultOnFailure::new().level(tracing::Level::ERROR)))
            .layer(middleware::from_fn_with_state(
                Arc::new(settings.trusted_proxies.clone()),
                http::client_addr,
            ))
            .layer(middleware::from_fn(http::record_metrics))
            .layer(middleware::from_fn(http::error_shape))
            .layer(middleware::from_fn_with_state(
                public_origin,
                http::same_origin_writes,
            ))
            .layer(middleware::from_fn(http::server_fn_status))
            .layer(middleware::from_fn(http::catch_panic))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                settings.request_timeout,
            ))
            .layer(middleware::from_fn_with_state(body_limits, http::body_limit))
            .layer(DefaultBodyLimit::max(body_limits.max())),
    )
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}
