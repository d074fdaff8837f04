//! `pii-proxy keygen`: a new keyring, or a new active key in one.

use std::path::PathBuf;

use clap::Args;

use super::Error;
use crate::app::keys::{self, Need};
use crate::protect::Keyring;

#[derive(Args)]
pub(super) struct KeygenArgs {
    /// Where to write the keyring.
    #[arg(long, default_value = "keys/keyring.json")]
    out: PathBuf,
    /// Add a new active key to the existing keyring (old keys still decrypt).
    #[arg(long, conflicts_with = "force")]
    rotate: bool,
    /// Replace an existing keyring (everything protected with it becomes
    /// unrecoverable).
    #[arg(long)]
    force: bool,
}

pub(super) fn run(args: &KeygenArgs) -> Result<(), Error> {
    let keyring = if args.rotate {
        // The keyring to rotate is named on the command line (`--out`): one
        // that is missing or does not load is trouble (exit 2), as for
        // every file named there; 1 stays keygen's refusal to overwrite.
        let (mut keyring, _) =
            keys::keyring(&args.out, Need::Existing).map_err(|d| Error::Trouble(d.to_string()))?;
        let kid = keyring.rotate().to_owned();
        eprintln!("added key {kid}; it is now the active key");
        keyring
    } else {
        if args.out.exists() && !args.force {
            return Err(Error::Refused(format!(
                "{} exists; use --rotate to add a key, or --force to replace it",
                args.out.display()
            )));
        }
        Keyring::generate()
    };
    keyring
        .save(&args.out)
        .map_err(|e| Error::Trouble(e.to_string()))?;
    eprintln!(
        "wrote {} (mode 0600; active key {})",
        args.out.display(),
        keyring.active_kid()
    );
    Ok(())
}
