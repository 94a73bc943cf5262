//! `metropolitan`: serve the shop, migrate, seed the demo catalog, create an admin.

use clap::Parser;
use server::cli::{self, Cli};
use server::config::Settings;
use server::telemetry;

// Page rendering allocates many small strings and closures across threads; glibc's malloc
// spent about a third of the CPU on a category page under load (perf), mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A missing .env is normal outside development.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("metropolitan: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let _telemetry = telemetry::init(&settings);
    match cli::run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, "command failed");
            eprintln!("metropolitan: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
