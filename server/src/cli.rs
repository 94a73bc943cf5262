//! The command line: `serve` (default), `migrate`, `seed`, `import-products`,
//! `create-admin`, `reconcile-payments`, and `ceiling` for the benchmark.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::identity::{self, AdminAccount, CreateAdmin};
use secrecy::ExposeSecret;
use sqlx::migrate::MigrateDatabase;

use crate::config::Settings;
use crate::startup::{self, Application};

/// Metropolitan, an e-commerce server.
#[derive(Debug, Parser)]
#[command(name = "metropolitan", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the shop, the API and the webhooks.
    Serve,
    /// Create the database if it is missing and apply pending migrations.
    Migrate,
    /// Load the demo catalog and an admin account (idempotent: a second run adds nothing).
    Seed {
        /// Number of products: the 201 demo products, then numbered variants of them up to
        /// this count (for benchmarks, e.g. 10000).
        #[arg(long, default_value_t = crate::seed::DEMO_SIZE)]
        products: usize,
    },
    /// Create or update products by SKU from a CSV file (see the README for the columns).
    ImportProducts {
        /// The CSV file.
        file: std::path::PathBuf,
    },
    /// Create an admin account, or set the password of the admin with that e-mail. A
    /// customer with that e-mail is made an admin only with `--promote`, and only when the
    /// customer confirmed the e-mail.
    CreateAdmin {
        /// The admin's e-mail.
        #[arg(long)]
        email: String,
        /// Make the customer account with this (confirmed) e-mail an admin.
        #[arg(long)]
        promote: bool,
        /// Read the password from this variable instead of the first line of stdin.
        #[arg(long, default_value = "ADMIN_PASSWORD")]
        password_env: String,
    },
    /// Ask Stripe about payments still open after RECONCILE_AFTER_MINUTES (a webhook that
    /// never arrived) and apply what it says.
    ReconcilePayments,
    /// Answer every `GET /` with a constant, nothing else: the machine's ceiling, which
    /// `make bench` measures first so that every figure reads as a fraction of it.
    Ceiling {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:3089")]
        addr: std::net::SocketAddr,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => migrate(&settings).await,
        Command::Ceiling { addr } => ceiling(addr).await,
        Command::ReconcilePayments => {
            migrate(&settings).await?;
            let services = startup::services(&settings, startup::database_pool(&settings)?)?;
            if services.stripe.is_none() {
                println!("STRIPE_SECRET_KEY is not set: nothing to reconcile.");
                return Ok(());
            }
            let changed = domain::payment::reconcile(&services, settings.reconcile_after).await?;
            println!("{changed} orders updated from Stripe.");
            Ok(())
        }
        Command::Seed { products } => {
            migrate(&settings).await?;
            let services = startup::services(&settings, startup::database_pool(&settings)?)?;
            crate::seed::run(&services, &settings, products).await
        }
        Command::ImportProducts { file } => {
            migrate(&settings).await?;
            let services = startup::services(&settings, startup::database_pool(&settings)?)?;
            let report = crate::import::import_products(&services, &file, true).await?;
            println!(
                "Created {}, updated {}, rejected {}.",
                report.created,
                report.updated,
                report.rejected.len()
            );
            for (line, reason) in &report.rejected {
                println!("  line {line}: {reason}");
            }
            anyhow::ensure!(
                report.rejected.is_empty(),
                "{} rows were rejected",
                report.rejected.len()
            );
            Ok(())
        }
        Command::CreateAdmin {
            email,
            promote,
            password_env,
        } => {
            let password = match std::env::var(&password_env) {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    eprintln!(
                        "Password (at least {} characters):",
                        identity::MIN_ADMIN_PASSWORD_LEN
                    );
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("Failed to read the password")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let services = startup::services(&settings, startup::database_pool(&settings)?)?;
            match identity::create_admin(
                &services,
                CreateAdmin {
                    email: email.clone(),
                    password,
                    existing: if promote {
                        identity::ExistingAccount::Promote
                    } else {
                        identity::ExistingAccount::SetPassword
                    },
                },
            )
            .await?
            {
                AdminAccount::Created(_) => println!("Created admin {email}."),
                AdminAccount::Existing(_) | AdminAccount::PasswordSet(_) => {
                    println!("Admin {email} exists; its password is set.")
                }
                AdminAccount::Promoted(_) => {
                    println!("The customer account {email} is now an admin, with this password.")
                }
            }
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    migrate(&settings).await?;
    let pool = startup::database_pool(&settings)?;
    let app = Application::build(&settings, pool).await?;
    tracing::info!(addr = %app.local_addr()?, env = ?settings.env, "serving");
    app.run_until_stopped().await.context("Server failed")
}

/// Creates the database when missing, then applies the migrations in `migrations/`.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database_url.expose_secret();
    if !sqlx::Postgres::database_exists(url)
        .await
        .context("Cannot reach Postgres at DATABASE_URL")?
    {
        sqlx::Postgres::create_database(url)
            .await
            .context("Failed to create the database")?;
        tracing::info!("created the database");
    }
    let pool = startup::database_pool(settings)?;
    sqlx::migrate!("../migrations")
        .run(&pool)
        .await
        .context("Failed to migrate the database")?;
    pool.close().await;
    Ok(())
}

/// The benchmark's reference point: axum on the same runtime, one route, a constant answer.
async fn ceiling(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("Failed to listen on {addr}"))?;
    axum::serve(listener, app)
        .await
        .context("The ceiling server failed")
}
