//! The `pii-proxy` command line: parsing, wiring and exit codes, nothing else.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use pii_proxy::config::{Config, DEFAULT_CONFIG};
use pii_proxy::proxy::{Server, StartError, shutdown_signal};

#[derive(Parser)]
#[command(
    name = "pii-proxy",
    version,
    about = "Protects personal data in JSON shared with partners"
)]
enum Command {
    /// Run the proxy: route requests to partners, protecting every body.
    Serve {
        /// The config file.
        #[arg(long, short, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    init_logging();
    let result = match Command::parse() {
        Command::Serve { config } => serve(&config),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pii-proxy: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PII_PROXY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Exit 1 with every config or rules error printed as `FILE:LINE:COL: message`.
fn serve(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let config = match Config::load(path) {
        Ok(config) => config,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = match Server::bind(&config).await {
            Ok(server) => server,
            Err(StartError::Rules(diagnostics)) => {
                eprintln!("{diagnostics}");
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        };
        let shutdown = shutdown_signal();
        let addr = server.local_addr().context("the listener has no address")?;
        let scheme = if server.is_tls() { "https" } else { "http" };
        // A fixed line on stderr: scripts and tests read the bound port from it.
        eprintln!("pii-proxy: listening on {scheme}://{addr}");
        server.run(shutdown).await;
        eprintln!("pii-proxy: stopped");
        Ok(ExitCode::SUCCESS)
    })
}
