//! The load harness's helpers, built once as one example
//! (`cargo build --release --example load-tools`) and driven by
//! `benches/load/run`:
//!
//! - `payloads --out DIR`: writes the ~1 KB, ~16 KB and ~256 KB payloads
//!   (the same generator as the engine bench, `benches/common/payload.rs`);
//! - `upstream`: the partner every target forwards to, which reads each
//!   body whole and answers a small JSON;
//! - `rate`: an open-loop, fixed-rate load generator for latency (wrk2 has
//!   no Debian package), measuring from each request's intended send time.
//!
//! Nothing here is part of the proxy; it only serves the measurements.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[path = "../../common/payload.rs"]
mod payload;
mod rate;
mod upstream;

#[derive(Parser)]
#[command(name = "load-tools", about = "Helpers of the pii-proxy load harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the generated payloads (payload-1k.json, -16k, -256k) into DIR.
    Payloads {
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve the upstream: read every body whole, answer `{"ok":true,...}`.
    Upstream(upstream::Args),
    /// Send requests at a fixed rate and report latency percentiles as JSON.
    Rate(rate::Args),
}

/// The payload sizes of the harness: file suffix and target size in bytes.
const SIZES: [(&str, usize); 3] = [("1k", 1024), ("16k", 16 * 1024), ("256k", 256 * 1024)];

fn main() -> std::process::ExitCode {
    let result = match Cli::parse().command {
        Command::Payloads { out } => write_payloads(&out),
        Command::Upstream(args) => upstream::run(&args),
        Command::Rate(args) => rate::run(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load-tools: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn write_payloads(out: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (label, size) in SIZES {
        let body = payload::payload(size, 42);
        // The generator is format strings: a slip there would measure the
        // proxy refusing 400s instead of inspecting payment data.
        serde_json::from_slice::<serde::de::IgnoredAny>(&body)
            .map_err(|e| format!("the generated {label} payload is not JSON: {e}"))?;
        let path = out.join(format!("payload-{label}.json"));
        std::fs::write(&path, &body).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("{} {}", path.display(), body.len());
    }
    Ok(())
}
