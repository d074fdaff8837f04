//! `pii-proxy audit verify | search | stats`: the investigator's tools over
//! the audit log's segment files.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::Error;
use crate::app::keys::{self, Need};
use crate::audit;
use crate::protect::Keyring;

#[derive(Subcommand)]
pub(super) enum AuditCommand {
    /// Check the hash chain; name the first broken record (exit 1).
    Verify {
        /// Keyring for a log written with `keyed_chain: true`.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// The files need not start at the genesis record.
        #[arg(long)]
        partial: bool,
        /// The chain's hash function (`audit: {hash: …}`): `sha256` or
        /// `sm3`. Default: whichever the log verifies under (SHA-256 first).
        #[arg(long, value_parser = ["sha256", "sm3"])]
        hash: Option<String>,
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

/// A keyring named on the command line: one that cannot be read is
/// trouble (exit 2), as for any file named there.
fn keyring(path: &Path) -> Result<Keyring, Error> {
    keys::keyring(path, Need::Existing)
        .map(|(keyring, _)| keyring)
        .map_err(|d| Error::Trouble(d.to_string()))
}

fn trouble(e: audit::AuditError) -> Error {
    Error::Trouble(e.to_string())
}

pub(super) fn run(command: AuditCommand) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match command {
        AuditCommand::Verify {
            keys,
            partial,
            hash,
            files,
        } => {
            let key = match keys {
                Some(path) => Some(keyring(&path)?.audit_chain_key()),
                None => None,
            };
            let hashes = match hash.as_deref() {
                Some("sm3") => vec![audit::ChainHash::Sm3],
                Some(_) => vec![audit::ChainHash::Sha256],
                None => vec![audit::ChainHash::Sha256, audit::ChainHash::Sm3],
            };
            let mut report = None;
            // A log has one function: the first it verifies under is it;
            // when none does, the report under the first is the one shown.
            for chain_hash in hashes {
                let key = audit::ChainKey::new(chain_hash, key.clone());
                let found = audit::verify(&files, &audit::VerifyOptions { key, partial })
                    .map_err(trouble)?;
                let intact = found.is_intact();
                if report.is_none() || intact {
                    report = Some(found);
                }
                if intact {
                    break;
                }
            }
            let report = report.expect("at least one hash function is tried");
            write!(out, "{report}")?;
            if report.is_intact() {
                Ok(())
            } else {
                Err(Error::Reported)
            }
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
                    audit::search::parse_since(&s).ok_or_else(|| {
                        Error::Trouble(format!("--since {s}: expected RFC 3339 or YYYY-MM-DD"))
                    })
                })
                .transpose()?;
            let hasher = audit::SubjectHasher::from_keyring(&keyring(&keys)?);
            let query = audit::SearchQuery {
                subject: hasher.hash(&subject),
                partner,
                since,
            };
            let events = audit::search(&files, &query).map_err(trouble)?;
            for event in &events {
                writeln!(out, "{event}")?;
            }
            writeln!(out, "{} share events for {}", events.len(), query.subject)?;
            Ok(())
        }
        AuditCommand::Stats { files } => {
            write!(out, "{}", audit::stats(&files).map_err(trouble)?)?;
            Ok(())
        }
    }
}
