//! `pii-proxy audit verify | checkpoint | pubkey | prove | check-proof |
//! search | stats | report`: the investigator's tools over the audit log's
//! segment files. Here: every subcommand's arguments, `pubkey`, `search`,
//! `stats` and `report`; `verify` is in `audit_verify`, the proof commands
//! in `audit_proof`, what they all read and write in `audit_input`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::Error;
use super::audit_input::{ReplicaArgs, keyring, trouble, write_out};
use super::audit_proof as proofs;
use super::audit_verify::{Trust, verify_files, verify_stream};
use crate::audit;

/// `--format`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Format {
    Text,
    /// JSON Lines, one object per line (for a SIEM).
    Json,
}

#[derive(Subcommand)]
pub(super) enum AuditCommand {
    /// Check the hash chain and every checkpoint against the Merkle tree;
    /// name the first broken record (exit 1).
    Verify {
        /// Keyring: the chain key of a log written with `keyed_chain:
        /// true`, and the replica's checkpoint keys (signatures checked).
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Verifier keys (`audit pubkey` output, a file or one key):
        /// every checkpoint's signature is checked.
        #[arg(long)]
        pubkey: Option<String>,
        /// A signed checkpoint kept elsewhere (a witness): the log must
        /// still hold every record it covers, with its root.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The files need not start at the genesis record.
        #[arg(long)]
        partial: bool,
        #[command(flatten)]
        replica: ReplicaArgs,
        /// Read the records from this NATS JetStream server's `--stream`
        /// instead of files (`nats://` or `tls://host:port`).
        #[arg(long, requires = "stream", conflicts_with = "files")]
        nats: Option<String>,
        /// The audit stream (`audit.sink.nats.stream`).
        #[arg(long, requires = "nats")]
        stream: Option<String>,
        /// A CA bundle trusted for `--nats` besides the system roots.
        #[arg(long, requires = "nats")]
        nats_ca: Option<PathBuf>,
        /// A file holding the token `--nats` expects.
        #[arg(long, requires = "nats")]
        nats_token_file: Option<PathBuf>,
        /// The chain's hash function (`audit: {hash: …}`): `sha256` or
        /// `sm3`. Default: whichever the log verifies under (SHA-256 first).
        #[arg(long, value_parser = ["sha256", "sm3"])]
        hash: Option<String>,
        /// Segment files or audit directories, of one replica or several
        /// (each replica's chain is verified on its own).
        #[arg(required_unless_present = "nats")]
        files: Vec<PathBuf>,
    },
    /// Print the newest signed checkpoint (what a witness keeps).
    Checkpoint {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the replica's checkpoint verifier keys, one per keyring key
    /// (older keys still verify older checkpoints).
    Pubkey {
        #[arg(long, default_value = "keys/keyring.json")]
        keys: PathBuf,
        #[command(flatten)]
        replica: ReplicaArgs,
    },
    /// Write one request's record with its inclusion proof against a
    /// signed checkpoint (or, with --consistency, a consistency proof from
    /// an older checkpoint to the newest).
    Prove {
        /// The request id (`x-request-id`, the records' `id`).
        #[arg(long, required_unless_present = "consistency")]
        id: Option<String>,
        /// An older signed checkpoint: prove the newest extends it.
        #[arg(long, conflicts_with = "id")]
        consistency: Option<PathBuf>,
        /// Where to write the proof (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Verify a proof file with nothing but the public key (exit 1 when
    /// it does not verify).
    CheckProof {
        file: PathBuf,
        /// Verifier keys (`audit pubkey` output, a file or one key).
        #[arg(long)]
        pubkey: String,
    },
    /// One partner's shares over a period as one self-contained HTML page
    /// (charts as inline SVG, no script).
    Report {
        #[arg(long)]
        partner: String,
        /// RFC 3339 time or YYYY-MM-DD (UTC); default: the first record.
        #[arg(long)]
        since: Option<String>,
        /// RFC 3339 time or YYYY-MM-DD (UTC, exclusive); default: now.
        #[arg(long)]
        until: Option<String>,
        #[arg(long, default_value = "report.html")]
        out: PathBuf,
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
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Per partner: share events, subjects, categories, actions, refusals.
    Stats {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn since_arg(name: &str, text: Option<String>) -> Result<Option<time::OffsetDateTime>, Error> {
    text.map(|s| {
        audit::search::parse_since(&s)
            .ok_or_else(|| Error::Trouble(format!("--{name} {s}: expected RFC 3339 or YYYY-MM-DD")))
    })
    .transpose()
}

pub(super) fn run(command: AuditCommand) -> Result<(), Error> {
    match command {
        AuditCommand::Verify {
            keys,
            pubkey,
            checkpoint,
            partial,
            replica,
            nats,
            stream,
            nats_ca,
            nats_token_file,
            hash,
            files,
        } => {
            let trust = Trust::new(keys, pubkey, checkpoint, partial, &replica, hash)?;
            match (nats, stream) {
                (Some(url), Some(stream)) => {
                    let server = nats_server(url, nats_ca, nats_token_file);
                    verify_stream(&trust, &server, &stream)
                }
                _ => verify_files(&trust, &files),
            }
        }
        AuditCommand::Checkpoint { files } => proofs::latest_checkpoint(&files),
        AuditCommand::Pubkey { keys, replica } => pubkeys(&keys, &replica),
        AuditCommand::Prove {
            id,
            consistency,
            out,
            files,
        } => proofs::prove(id, consistency, out.as_deref(), &files),
        AuditCommand::CheckProof { file, pubkey } => proofs::check_proof(&file, &pubkey),
        AuditCommand::Report {
            partner,
            since,
            until,
            out,
            files,
        } => report(&partner, since, until, &out, &files),
        AuditCommand::Search {
            subject,
            partner,
            since,
            keys,
            format,
            files,
        } => search(subject, partner, since, &keys, format, &files),
        AuditCommand::Stats { format, files } => stats(format, &files),
    }
}

/// The NATS server `verify --nats` reads the stream from.
fn nats_server(
    url: String,
    ca: Option<PathBuf>,
    token_file: Option<PathBuf>,
) -> audit::shipping::NatsServer {
    audit::shipping::NatsServer {
        url,
        token_file,
        user: None,
        password_file: None,
        ca,
        cert: None,
        key: None,
    }
}

/// `pubkey`: one verifier key per keyring key, one a line.
fn pubkeys(keys: &Path, replica: &ReplicaArgs) -> Result<(), Error> {
    let keys = audit::verifiers_from_keyring(&keyring(keys)?, &replica.config());
    let mut out = std::io::stdout().lock();
    for key in keys.keys() {
        writeln!(out, "{key}")?;
    }
    Ok(())
}

/// `report`: one partner's page over the period, written to `out`.
fn report(
    partner: &str,
    since: Option<String>,
    until: Option<String>,
    out: &Path,
    files: &[PathBuf],
) -> Result<(), Error> {
    let period = audit::report::Period {
        since: since_arg("since", since)?,
        until: since_arg("until", until)?,
    };
    let page = audit::report::render(files, partner, &period).map_err(trouble)?;
    write_out(Some(out), &page)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `stats`: per partner, as text or JSON Lines.
fn stats(format: Format, files: &[PathBuf]) -> Result<(), Error> {
    let stats = audit::stats(files).map_err(trouble)?;
    let text = match format {
        Format::Text => stats.to_string(),
        Format::Json => stats.json_lines(),
    };
    write_out(None, &text)
}

fn search(
    subject: String,
    partner: Option<String>,
    since: Option<String>,
    keys: &Path,
    format: Format,
    files: &[PathBuf],
) -> Result<(), Error> {
    let subject = if subject == "-" {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        subject
    };
    let since = since_arg("since", since)?;
    let hasher = audit::SubjectHasher::from_keyring(&keyring(keys)?);
    let query = audit::SearchQuery {
        subject: hasher.hash(&subject),
        partner,
        since,
    };
    let events = audit::search(files, &query).map_err(trouble)?;
    let mut out = std::io::stdout().lock();
    for event in &events {
        match format {
            Format::Text => writeln!(out, "{event}")?,
            Format::Json => writeln!(
                out,
                "{}",
                serde_json::to_string(event).expect("events serialize")
            )?,
        }
    }
    if format == Format::Text {
        writeln!(out, "{} share events for {}", events.len(), query.subject)?;
    }
    Ok(())
}
