//! `pii-proxy mask` (one document through a partner's policy, or two rules
//! files compared on it with `--diff`) and `pii-proxy decrypt` (the
//! reverse, as the partner holding the keys can).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::table::Table;
use super::{ConfigArg, Error};
use crate::app::generation::Generation;
use crate::app::keys::{self, Need};
use crate::candidate;
use crate::config::{Config, Limits};
use crate::diag::Diagnostics;
use crate::engine::{self, EngineError, Finding};
use crate::protect::Keyring;
use crate::rules::Policy;

#[derive(Args)]
pub(super) struct PartnerInput {
    #[command(flatten)]
    config: ConfigArg,
    /// The partner whose policy applies.
    #[arg(long)]
    partner: String,
    /// The JSON document; stdin when absent or `-`.
    input: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct MaskArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The partner whose policy applies. With --diff, optional: only the
    /// partner whose keys the two rules files are compiled with.
    #[arg(long, required_unless_present = "diff")]
    partner: Option<String>,
    /// Compare two rules files on the document instead of masking it: list
    /// the fields NEW would newly protect (+), leave unprotected (-) or
    /// protect differently (~) compared with OLD. Keys and limits come from
    /// --config when that file exists.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "table")]
    diff: Option<Vec<PathBuf>>,
    /// The JSON document; stdin when absent or `-`.
    input: Option<PathBuf>,
    /// Print findings as a readable table instead of JSON lines.
    #[arg(long)]
    table: bool,
    /// With --diff: exit 1 when NEW differs from OLD in one of these ways
    /// (comma-separated), for CI: `--fail-on left_unprotected` stops a
    /// change that would let a field leave as is.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        requires = "diff",
        value_name = "KIND"
    )]
    fail_on: Vec<FailOn>,
}

/// The kinds of difference `mask --diff --fail-on` can fail on.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum FailOn {
    #[value(name = "newly_protected")]
    NewlyProtected,
    #[value(name = "left_unprotected")]
    LeftUnprotected,
    #[value(name = "changed")]
    Changed,
}

/// The policy of `partner` under the config at `path`, with the keyring
/// `need` allows.
fn partner_policy(path: &Path, partner: &str, need: Need) -> Result<Arc<Policy>, Error> {
    let config = Config::load(path).map_err(Error::Invalid)?;
    // Creating is only ever what the config allows.
    let need = match need {
        Need::LoadOrCreate if !config.create_keys_if_missing => Need::Existing,
        need => need,
    };
    let (keyring, _) = keys::keyring(&config.keys, need).map_err(Error::Invalid)?;
    let generation = Generation::build(&config, &keyring).map_err(Error::Invalid)?;
    match generation.partner(partner) {
        Some(found) => Ok(found.policy.clone()),
        None => Err(Error::Refused(format!(
            "no partner `{partner}` in {}",
            path.display()
        ))),
    }
}

fn read_input(input: &Option<PathBuf>) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    match input {
        Some(path) if path.as_os_str() != "-" => {
            bytes = std::fs::read(path)
                .map_err(|e| Error::Trouble(format!("cannot read {}: {e}", path.display())))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Error::Trouble(format!("cannot read stdin: {e}")))?;
        }
    }
    Ok(bytes)
}

fn refused(e: &EngineError) -> Error {
    Error::Refused(format!("refused ({}): {e}", e.code()))
}

pub(super) fn mask(args: &MaskArgs) -> Result<(), Error> {
    if let Some(files) = &args.diff {
        return diff(args, &files[0], &files[1]);
    }
    let partner = args
        .partner
        .as_deref()
        .expect("clap requires --partner without --diff");
    let policy = partner_policy(&args.config.config, partner, Need::LoadOrCreate)?;
    let input = read_input(&args.input)?;
    let protected = engine::protect(&policy, &input).map_err(|e| refused(&e))?;
    std::io::stdout().write_all(&protected.output)?;
    let mut stderr = std::io::stderr().lock();
    if args.table {
        let mut table = Table::default();
        table.row(["path", "category", "action", "rule"]);
        for f in &protected.findings.items {
            let rule = f.rule.to_string();
            table.row([
                f.path.as_str(),
                f.category.as_str(),
                f.action.as_str(),
                &rule,
            ]);
        }
        stderr.write_all(table.render().as_bytes())?;
        return Ok(());
    }
    for finding in &protected.findings.items {
        let line = serde_json::to_string(finding).expect("a finding serializes");
        writeln!(stderr, "{line}")?;
    }
    Ok(())
}

/// A rules file named on the command line: one that cannot be read is
/// trouble (exit 2), one that does not compile is a verdict (exit 1).
fn rules_named(
    file: &Path,
    partner: &str,
    keyring: &Keyring,
    depth: usize,
) -> Result<Policy, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Trouble(format!("cannot read {}: {e}", file.display())))?;
    Policy::from_yaml(file, &text, partner, keyring, depth).map_err(Error::Invalid)
}

/// `mask --diff OLD NEW`: both rules files applied to one document, and
/// the fields they treat differently. Findings do not depend on the keys,
/// so without a config a throwaway keyring serves.
fn diff(args: &MaskArgs, old: &Path, new: &Path) -> Result<(), Error> {
    let (keyring, max_depth) = diff_keys(args)?;
    let partner = args.partner.as_deref().unwrap_or("diff");
    let [old_policy, new_policy] = both_rules([old, new], partner, &keyring, max_depth)?;
    let input = read_input(&args.input)?;
    let mut findings = Vec::new();
    for policy in [&old_policy, &new_policy] {
        let protected = engine::protect(policy, &input).map_err(|e| refused(&e))?;
        findings.push(protected.findings.items);
    }
    let diff = candidate::compare(&findings[0], &findings[1]);
    print_diff(&diff, old, new)?;
    fail_on(&diff, &args.fail_on, new)
}

/// The keyring and depth limit of `--config` when that file exists, or a
/// throwaway keyring and the default limit.
fn diff_keys(args: &MaskArgs) -> Result<(Keyring, usize), Error> {
    if !args.config.config.exists() {
        return Ok((Keyring::generate(), Limits::default().max_depth));
    }
    let config = Config::load(&args.config.config).map_err(Error::Invalid)?;
    let (keyring, _) =
        keys::keyring(&config.keys, Need::LoadOrThrowaway).map_err(Error::Invalid)?;
    Ok((keyring, config.limits.max_depth))
}

/// Both rules files compiled: a file that cannot be read is trouble; the
/// problems of both are listed together otherwise.
fn both_rules(
    files: [&Path; 2],
    partner: &str,
    keyring: &Keyring,
    max_depth: usize,
) -> Result<[Policy; 2], Error> {
    let compiled = files.map(|file| rules_named(file, partner, keyring, max_depth));
    match compiled {
        [Ok(old), Ok(new)] => Ok([old, new]),
        [Err(trouble @ Error::Trouble(_)), _] | [_, Err(trouble @ Error::Trouble(_))] => {
            Err(trouble)
        }
        [old, new] => {
            let problems = [old.err(), new.err()].into_iter().flatten();
            let problems = problems.flat_map(|e| match e {
                Error::Invalid(d) => d.0,
                _ => Vec::new(),
            });
            Err(Error::Invalid(Diagnostics(problems.collect())))
        }
    }
}

/// The differences as a table (`+` newly protected, `-` left unprotected,
/// `~` changed) and a line of counts, on stdout.
fn print_diff(diff: &candidate::PolicyDiff, old: &Path, new: &Path) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let mut table = Table::default();
    let row = |sign: &str, f: &Finding, to: String| {
        [
            format!("{sign} {}", f.path),
            f.category.to_string(),
            f.action.to_string() + &to,
        ]
    };
    for f in &diff.newly_protected {
        table.row(row("+", f, String::new()));
    }
    for f in &diff.left_unprotected {
        table.row(row("-", f, String::new()));
    }
    for c in &diff.changed {
        let to = format!(" -> {} {}", c.candidate.category, c.candidate.action);
        table.row(row("~", &c.current, to));
    }
    out.write_all(table.render().as_bytes())?;
    writeln!(
        out,
        "{} newly protected (+), {} left unprotected (-), {} changed (~) by {} compared with {}",
        diff.newly_protected.len(),
        diff.left_unprotected.len(),
        diff.changed.len(),
        new.display(),
        old.display()
    )?;
    Ok(())
}

/// `--fail-on`: refused when NEW differs in one of the kinds named.
fn fail_on(diff: &candidate::PolicyDiff, kinds: &[FailOn], new: &Path) -> Result<(), Error> {
    let counts = [
        (
            FailOn::NewlyProtected,
            diff.newly_protected.len(),
            "newly protect",
            "",
        ),
        (
            FailOn::LeftUnprotected,
            diff.left_unprotected.len(),
            "leave",
            " unprotected",
        ),
        (
            FailOn::Changed,
            diff.changed.len(),
            "protect",
            " differently",
        ),
    ];
    let failed: Vec<String> = counts
        .iter()
        .filter(|(kind, n, _, _)| *n > 0 && kinds.contains(kind))
        .map(|(_, n, verb, how)| format!("{verb} {n} field(s){how}"))
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "{} would {} (--fail-on)",
        new.display(),
        failed.join(" and ")
    )))
}

/// Only the keyring that protected the values can open them: a missing
/// one is an error, never replaced by a new one.
pub(super) fn decrypt(args: &PartnerInput) -> Result<(), Error> {
    let policy = partner_policy(&args.config.config, &args.partner, Need::Existing)?;
    let input = read_input(&args.input)?;
    let revealed = engine::decrypt_document(&policy, &input).map_err(|e| refused(&e))?;
    std::io::stdout().write_all(&revealed.output)?;
    eprintln!("restored {} values", revealed.restored);
    for unopened in &revealed.unopened {
        eprintln!(
            "not opened: {}: {}",
            unopened.path,
            unopened.kind.describe()
        );
    }
    for path in &revealed.opened_by_shape {
        eprintln!(
            "check: {path}: a detector's token in free text, opened because the result has its category's shape, as a digit run that was never a token sometimes does (a card number about 1.6% of the time, a mobile number 7%)"
        );
    }
    match (revealed.unopened.len(), revealed.opened_by_shape.len()) {
        (0, 0) => Ok(()),
        (0, guessed) => Err(Error::Refused(format!(
            "{guessed} values opened by their shape alone: check them"
        ))),
        (left, _) => Err(Error::Refused(format!(
            "{left} protected values left as they were"
        ))),
    }
}
