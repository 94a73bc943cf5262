//! Background jobs, all in one registry: what runs, how often, and whether one process of
//! the cluster runs it at a time. `BACKGROUND_JOBS=false` keeps them off (the integration
//! tests do, and call a job's domain function when they need it).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use domain::Services;
use domain::order::gate;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::config::Settings;

type Run = Box<dyn Fn() -> Pin<Box<dyn Future<Output = anyhow::Result<u64>> + Send>> + Send + Sync>;

/// Where a job runs.
#[derive(Debug, Clone, Copy)]
enum Runs {
    /// In every process: it is idempotent, or the database makes it exclusive.
    Everywhere,
    /// In one process at a time, under a Redis lease this long; without Redis, in every
    /// process (each of these is safe to run twice).
    Once { lease: Duration },
}

/// One background job.
struct Job {
    /// For the logs, and the name of its lock.
    name: &'static str,
    /// How often; the first run is at start-up.
    every: Duration,
    runs: Runs,
    run: Run,
}

fn job<F, Fut, N>(name: &'static str, every: Duration, runs: Runs, services: &Services, f: F) -> Job
where
    F: Fn(Services) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<N>> + Send + 'static,
    N: TryInto<u64>,
{
    let services = services.clone();
    let f = std::sync::Arc::new(f);
    Job {
        name,
        every,
        runs,
        run: Box::new(move || {
            let (f, services) = (f.clone(), services.clone());
            Box::pin(async move { Ok(f(services).await?.try_into().unwrap_or(u64::MAX)) })
        }),
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Every job of the shop.
fn registry(services: &Services, settings: &Settings, sessions: PostgresStore) -> Vec<Job> {
    use Runs::{Everywhere, Once};
    let mut jobs = vec![
        // Queued e-mail and SMS notices: every process takes its share (`SKIP LOCKED`).
        job(
            "deliver-notifications",
            Duration::from_secs(1),
            Everywhere,
            services,
            |s| async move { domain::notify::deliver_due(&s).await },
        ),
        // Unpaid orders past their reservation are cancelled and their stock returned (the
        // domain takes its own lock and skips locked rows).
        job(
            "expire-unpaid-orders",
            MINUTE,
            Everywhere,
            services,
            |s| async move { domain::order::expire_unpaid(&s).await },
        ),
        // Buyers of unpaid orders hear ten minutes before their reservation ends.
        job(
            "remind-unpaid-orders",
            MINUTE,
            Everywhere,
            services,
            |s| async move { domain::order::remind_unpaid(&s).await },
        ),
        // The admins' daily digest (once a day: the notice's key is the day).
        job(
            "staff-digest",
            HOUR,
            Once { lease: MINUTE },
            services,
            |s| async move { domain::order::send_staff_digest(&s).await.map(u64::from) },
        ),
        // Reservations a killed process left in Redis: rebuilt from Postgres.
        job(
            "resync-stock",
            10 * MINUTE,
            Once { lease: MINUTE },
            services,
            |s| async move { gate::resync(&s).await },
        ),
        job(
            "flag-overdue-transfers",
            HOUR,
            Everywhere,
            services,
            |s| async move { domain::order::flag_overdue(&s).await },
        ),
        job(
            "delete-old-codes",
            HOUR,
            Everywhere,
            services,
            |s| async move { domain::identity::otp::delete_expired_codes(&s).await },
        ),
        job(
            "delete-rate-limit-windows",
            HOUR,
            Everywhere,
            services,
            |s| async move { domain::shared::rate_limit::delete_expired_windows(&s).await },
        ),
        job(
            "erase-deleted-accounts",
            HOUR,
            Everywhere,
            services,
            |s| async move {
                domain::user::erase_deleted_accounts(&s, domain::user::DELETION_GRACE).await
            },
        ),
        // Erased customers' orders lose their contact data once the tax law's five years
        // are over (at once for orders never invoiced).
        job(
            "forget-expired-contacts",
            HOUR,
            Everywhere,
            services,
            |s| async move { domain::order::forget_expired_contacts(&s).await },
        ),
        job(
            "recheck-pending-companies",
            HOUR,
            Everywhere,
            services,
            |s| async move { domain::user::recheck_pending_companies(&s).await },
        ),
        job(
            "expire-guest-carts",
            HOUR,
            Everywhere,
            services,
            |s| async move { domain::shopping::delete_expired_guest_carts(&s).await },
        ),
        job(
            "delete-expired-sessions",
            HOUR,
            Everywhere,
            services,
            move |_| {
                let sessions = sessions.clone();
                async move {
                    sessions
                        .delete_expired()
                        .await
                        .map(|()| 0u64)
                        .map_err(anyhow::Error::new)
                }
            },
        ),
    ];
    if services.stripe.is_some() {
        let older_than = settings.reconcile_after;
        // Payments open longer than RECONCILE_AFTER_MINUTES: asked of Stripe.
        jobs.push(job(
            "reconcile-payments",
            5 * MINUTE,
            Once { lease: 4 * MINUTE },
            services,
            move |s| async move { domain::payment::reconcile(&s, older_than).await },
        ));
    }
    jobs
}

/// Starts every job of the registry, each on its own timer.
pub fn start(services: &Services, settings: &Settings, sessions: PostgresStore) {
    for job in registry(services, settings, sessions) {
        tokio::spawn(run_forever(services.clone(), job));
    }
}

async fn run_forever(services: Services, job: Job) {
    let mut timer = tokio::time::interval(job.every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        let lock = match job.runs {
            Runs::Everywhere => None,
            Runs::Once { lease } => match gate::lock(&services, job.name, lease).await {
                gate::Locked::Taken => continue,
                gate::Locked::Held(lock) => Some(lock),
                gate::Locked::NoRedis => None,
            },
        };
        match (job.run)().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(job = job.name, count = n, "background job done"),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), job = job.name, "background job failed")
            }
        }
        if let Some(lock) = lock {
            lock.unlock(&services).await;
        }
    }
}
