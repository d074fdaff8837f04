//! `pii-proxy consent migrate`: move a single process's consent journal
//! into the PostgreSQL store the config names, before replicas take over.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Error;
use crate::config::Config;
use crate::consent::ConsentError;
use crate::consent::journal::Journal;
use crate::consent::postgres::import;

#[derive(Subcommand)]
pub(super) enum ConsentCommand {
    /// Import the consent journal into the database of `consent: {store:
    /// postgres}` (schema applied first). Each decision keeps its time and
    /// order; running it again imports only what is missing. Refused when
    /// replicas already recorded decisions there.
    Migrate(MigrateArgs),
}

#[derive(Args)]
pub(super) struct MigrateArgs {
    /// The proxy config file (its `consent:` names the database).
    #[arg(long, default_value = crate::config::DEFAULT_CONFIG, env = "PII_PROXY_CONFIG")]
    config: PathBuf,
    /// The journal to import. Default: the config's `consent.journal`
    /// (`consent/journal.jsonl` beside it).
    #[arg(long)]
    journal: Option<PathBuf>,
}

pub(super) fn run(command: ConsentCommand) -> Result<(), Error> {
    let ConsentCommand::Migrate(args) = command;
    let config = Config::load(&args.config).map_err(Error::Invalid)?;
    let Some(pg) = &config.consent.postgres else {
        return Err(Error::Refused(format!(
            "{}: the consent store is the journal: set `consent: {{store: postgres, url: …}}` to \
             name the database to import into",
            args.config.display()
        )));
    };
    let mut problems = Vec::new();
    let settings = crate::app::shared::postgres_settings(&config, pg, &mut problems)
        .ok_or(Error::Invalid(crate::diag::Diagnostics(problems)))?;
    let journal = args.journal.unwrap_or(config.consent.journal.clone());
    let entries = Journal::entries(&journal).map_err(|e| match e {
        ConsentError::Corrupt { .. } => Error::Refused(e.to_string()),
        other => Error::Trouble(other.to_string()),
    })?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Trouble(format!("cannot start the async runtime: {e}")))?;
    let imported = runtime
        .block_on(import::import(&settings, &entries))
        .map_err(|e| match e {
            ConsentError::Invalid(m) => Error::Refused(m),
            other => Error::Trouble(other.to_string()),
        })?;
    println!(
        "imported {} decisions from {} ({} already present)",
        imported.added,
        journal.display(),
        imported.already_present
    );
    Ok(())
}
