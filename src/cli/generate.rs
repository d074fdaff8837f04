//! The commands that print what is generated from the code: JSON Schemas
//! of the files people write (`schema`), shell completions
//! (`completions`, clap_complete) and man pages (`man`, clap_mangen), all
//! from the one clap definition, so they cannot drift from the real
//! options.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory};

use super::{Cli, Error};
use crate::reference::{self, Kind};

#[derive(Args)]
pub(super) struct SchemaArgs {
    /// Which file's schema: the config, a rules file or a rules test file.
    #[arg(value_enum)]
    kind: Option<Kind>,
    /// Print the Markdown reference of every key (docs/reference.md)
    /// instead of a schema.
    #[arg(long, conflicts_with = "kind")]
    reference: bool,
}

#[derive(Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Args)]
pub(super) struct ManArgs {
    /// Write pii-proxy.1 and one page per command (pii-proxy-serve.1, ...)
    /// into this directory instead of printing pii-proxy.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub(super) fn schema(args: &SchemaArgs) -> Result<(), Error> {
    let text = match (args.kind, args.reference) {
        (_, true) => reference::reference_text(),
        (Some(kind), false) => reference::schema_text(kind),
        (None, false) => {
            return Err(Error::Trouble(
                "name a schema (config, rules, rules-test) or --reference".into(),
            ));
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

pub(super) fn completions(args: &CompletionsArgs) -> Result<(), Error> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "pii-proxy", &mut out);
    out.flush()?;
    Ok(())
}

pub(super) fn man(args: &ManArgs) -> Result<(), Error> {
    let command = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Trouble(format!("cannot create {}: {e}", dir.display())))?;
            clap_mangen::generate_to(command, dir)
                .map_err(|e| Error::Trouble(format!("cannot write into {}: {e}", dir.display())))?;
            eprintln!("wrote the man pages into {}", dir.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out)?;
        }
    }
    Ok(())
}
