//! The `pii-proxy` command line: parsing, wiring and exit codes, nothing else.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use pii_proxy::audit;
use pii_proxy::protect::Keyring;

#[derive(Parser)]
#[command(
    name = "pii-proxy",
    version,
    about = "Protects personal data in JSON shared with partners"
)]
enum Command {
    /// Check, search and summarize the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; name the first broken record (exit 1).
    Verify {
        /// Keyring for a log written with `keyed_chain: true`.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// The files need not start at the genesis record.
        #[arg(long)]
        partial: bool,
        /// Segment files or audit directories.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List one subject's share events (what went to whom, when).
    Search {
        /// The subject id as the rules' `subject:` selects it; `-` reads
        /// it from stdin (keeps it out of shell history).
        #[arg(long)]
        subject: String,
        #[arg(long)]
        partner: Option<String>,
        /// RFC 3339 time or YYYY-MM-DD (UTC).
        #[arg(long)]
        since: Option<String>,
        /// Keyring holding the subject key.
        #[arg(long, default_value = "keys/keyring.json")]
        keys: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Per partner: share events, subjects, categories, actions, refusals.
    Stats {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let result = match Command::parse() {
        Command::Audit(command) => run_audit(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("pii-proxy: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn load_keyring(path: &Path) -> anyhow::Result<Keyring> {
    Keyring::load(path).with_context(|| format!("loading the keyring {}", path.display()))
}

fn run_audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        AuditCommand::Verify {
            keys,
            partial,
            files,
        } => {
            let key = match keys {
                Some(path) => audit::ChainKey::Keyed(load_keyring(&path)?.audit_chain_key()),
                None => audit::ChainKey::Plain,
            };
            let report = audit::verify(&files, &audit::VerifyOptions { key, partial })?;
            write!(out, "{report}")?;
            Ok(if report.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::Search {
            subject,
            partner,
            since,
            keys,
            files,
        } => {
            let subject = if subject == "-" {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                subject
            };
            let since = since
                .map(|s| {
                    audit::search::parse_since(&s)
                        .with_context(|| format!("--since {s}: expected RFC 3339 or YYYY-MM-DD"))
                })
                .transpose()?;
            let hasher = audit::SubjectHasher::from_keyring(&load_keyring(&keys)?);
            let query = audit::SearchQuery {
                subject: hasher.hash(&subject),
                partner,
                since,
            };
            let events = audit::search(&files, &query)?;
            for event in &events {
                writeln!(out, "{event}")?;
            }
            writeln!(out, "{} share events for {}", events.len(), query.subject)?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Stats { files } => {
            write!(out, "{}", audit::stats(&files)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
