//! The `pii-proxy` command line: the commands and their arguments (clap),
//! what each runs, and the one table of exit codes ([`exit_code`]).
//!
//! Knows nothing of how a command does its work: each is a few calls into
//! the library. Every failure is one [`Error`], printed once by `main`.
//!
//! | exit | meaning |
//! |---|---|
//! | 0 | done: the config checks, the document is protected, the rules tests pass, the log verifies |
//! | 1 | refused: the command judged its input and found it wrong: a problem in the config or anything it names (rules, keyring, certificates, admin token, consent journal), printed as `FILE:LINE:COL: message`; a document the proxy would refuse; a failed rules test or a test file that does not compile; a `mask --diff --fail-on` difference; a log that does not verify; values that could not be opened; a keyring that would be overwritten |
//! | 2 | trouble: the command could not judge or run: an unknown command or option (clap), a file named on the command line that cannot be read (a document, a rules file for `--diff`, a test path, a keyring for `keygen --rotate` or the audit tools), a port that cannot be bound, an audit log or consent journal that cannot be opened or closed (or is locked by another process), a consent database that cannot be reached, output that cannot be written |
//!
//! The split is grep's and diff's: 1 is a verdict, 2 is trouble.

mod audit;
mod audit_input;
mod audit_proof;
mod audit_verify;
mod check;
mod consent;
mod generate;
mod keygen;
mod logging;
mod mask;
mod ruletest;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::boot::BootError;
use crate::config::DEFAULT_CONFIG;
use crate::diag::Diagnostics;

/// The exit-code table as `--help` and the man page show it.
const EXIT_STATUS: &str = "Exit status (the same for every command; 1 is a verdict, 2 is trouble, as for grep and diff):
  0  done: the config checks, the document is protected, the tests pass, the log verifies
  1  refused: a problem in the config or anything it names (FILE:LINE:COL: message), a document the proxy would refuse, a failed rules test or --fail-on difference, a log that does not verify, a keyring that would be overwritten
  2  trouble: an unknown command or option, a file named on the command line that cannot be read, a port that cannot be bound, an audit log or consent journal that cannot be opened or closed, output that cannot be written";

#[derive(Parser)]
#[command(
    name = "pii-proxy",
    version,
    about = "Protects personal data in JSON shared with partners",
    after_long_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the proxy: route requests to partners, protecting every body.
    Serve(ServeArgs),
    /// Validate everything `serve` would read (config, every partner's rules,
    /// keyring, certificates, admin token, consent journal); print every
    /// problem as FILE:LINE:COL: message, and every warning (a rule that
    /// weakens its profile's default) as FILE:LINE:COL: warning: ….
    Check(CheckArgs),
    /// Apply a partner's request policy to one JSON document (file or stdin):
    /// protected JSON to stdout, findings (JSON lines) to stderr. With
    /// `--diff OLD NEW`: what rules file NEW would protect differently from
    /// OLD in the document, field by field.
    Mask(mask::MaskArgs),
    /// Reverse `encrypt` and `tokenize` in one JSON document, as the partner
    /// holding the keys can.
    Decrypt(mask::PartnerInput),
    /// Write a new keyring (mode 0600), or add a new active key to one.
    Keygen(keygen::KeygenArgs),
    /// Check, search and summarize the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Run the rules tests (`*.test.yaml` beside the rules files): each
    /// case's input through the rules, compared with the findings and
    /// output it expects; a diff for each failed case, exit 1.
    Test(ruletest::TestArgs),
    /// Print the JSON Schema of the config, rules or rules test files (for
    /// editors), or the Markdown reference of every key.
    Schema(generate::SchemaArgs),
    /// Print a shell completion script: `pii-proxy completions bash >
    /// /etc/bash_completion.d/pii-proxy`.
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff), or write one per command with --dir.
    Man(generate::ManArgs),
    /// Manage the consent store (`migrate`: the journal into PostgreSQL).
    #[command(subcommand)]
    Consent(consent::ConsentCommand),
}

#[derive(Args)]
struct ConfigArg {
    /// The proxy config file.
    #[arg(long, default_value = DEFAULT_CONFIG, env = "PII_PROXY_CONFIG")]
    config: PathBuf,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Warnings fail the check too (exit 1).
    #[arg(long)]
    strict: bool,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Log lines as text or as JSON objects (one per line, on stderr). The
    /// level filter comes from PII_PROXY_LOG, else RUST_LOG, else `info`.
    #[arg(long, value_enum, default_value_t = logging::LogFormat::Text, env = "PII_PROXY_LOG_FORMAT")]
    log_format: logging::LogFormat,
}

/// Why a command failed; [`exit_code`] maps each to the table above.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the files the user wrote, each positioned.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// An input the command refuses (never quoting a value from it).
    #[error("error: {0}")]
    Refused(String),
    /// The command printed its own account of what failed (a broken chain,
    /// values left closed): it only sets the exit code.
    #[error("")]
    Reported,
    #[error("error: {0}")]
    Boot(#[from] BootError),
    /// The command could not run: an unreadable input file, output that
    /// cannot be written, the runtime.
    #[error("error: {0}")]
    Trouble(String),
    /// A failure already written as log events (`serve --log-format
    /// json`): its exit code is the inner failure's.
    #[error("")]
    Logged(Box<Error>),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Trouble(e.to_string())
    }
}

/// The exit code of every failure, in one place (the table above).
pub fn exit_code(error: &Error) -> ExitCode {
    match error {
        Error::Invalid(_) | Error::Refused(_) | Error::Reported => ExitCode::from(1),
        Error::Boot(BootError::Inputs(_)) => ExitCode::from(1),
        Error::Boot(_) | Error::Trouble(_) => ExitCode::from(2),
        Error::Logged(inner) => exit_code(inner),
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Serve(args) => {
            logging::init(args.log_format);
            serve(&args.config.config).map_err(|error| {
                // Under --log-format json the reason is a log event too.
                if crate::notice::failure(&error.to_string()) {
                    Error::Logged(Box::new(error))
                } else {
                    error
                }
            })
        }
        Command::Check(args) => check::run(&args.config.config, args.strict),
        Command::Mask(args) => mask::mask(&args),
        Command::Decrypt(args) => mask::decrypt(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Audit(command) => audit::run(command),
        Command::Test(args) => ruletest::run(&args),
        Command::Schema(args) => generate::schema(&args),
        Command::Completions(args) => generate::completions(&args),
        Command::Man(args) => generate::man(&args),
        Command::Consent(command) => consent::run(command),
    }
}

fn serve(path: &std::path::Path) -> Result<(), Error> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Trouble(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let options = crate::boot::Options {
            reload_on_sighup: true,
        };
        let bound = crate::boot::bind(path, options).await?;
        bound.run(crate::boot::shutdown_signal()).await?;
        crate::notice::stopped();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_has_its_exit_code() {
        let code = |e: Error| format!("{:?}", exit_code(&e));
        let one = format!("{:?}", ExitCode::from(1));
        let two = format!("{:?}", ExitCode::from(2));
        assert_eq!(code(Error::Invalid(Diagnostics::default())), one);
        assert_eq!(code(Error::Refused("x".into())), one);
        assert_eq!(code(Error::Reported), one);
        assert_eq!(
            code(Error::Boot(BootError::Inputs(Diagnostics::default()))),
            one
        );
        let audit = crate::audit::AuditError::Unavailable("disk full".into());
        assert_eq!(code(Error::Boot(BootError::Audit(audit))), two);
        assert_eq!(code(Error::Trouble("stdout closed".into())), two);
    }
}
