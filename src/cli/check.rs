//! `pii-proxy check`: everything `serve` would read, checked without
//! creating or changing a file, every problem of every file reported in one
//! run.

use std::path::Path;

use super::Error;
use crate::app::inputs::{self, Mode};
use crate::config::{Config, Limits};
use crate::diag::{Diagnostic, Diagnostics};
use crate::protect::Keyring;
use crate::rules::Policy;

pub(super) fn run(path: &Path, strict: bool) -> Result<(), Error> {
    let (config, mut problems) = Config::load_for_check(path);
    let Some(config) = config else {
        // The config is not even its YAML shape: its rules files can still
        // be checked on their own.
        problems.extend(rules_files_alone(path));
        return Err(Error::Invalid(Diagnostics(problems)));
    };
    match inputs::gather(&config, Mode::Check) {
        Ok(inputs) if problems.is_empty() => {
            let warnings: Vec<Diagnostic> = inputs
                .generation
                .partners
                .iter()
                .flat_map(|p| p.policy.warnings.iter().cloned())
                .collect();
            for warning in &warnings {
                eprintln!("{warning}");
            }
            if strict && !warnings.is_empty() {
                return Err(Error::Refused(format!(
                    "{} warning(s), and --strict fails on warnings",
                    warnings.len()
                )));
            }
            if !config.audit.enabled {
                eprintln!(
                    "{}: warning: the audit log is disabled (audit: {{enabled: false}}); for \
                     benchmarking and development only",
                    path.display()
                );
            }
            println!(
                "{}: ok ({} partners)",
                path.display(),
                config.partners.len()
            );
            Ok(())
        }
        Ok(_) => Err(Error::Invalid(Diagnostics(problems))),
        Err(found) => {
            problems.extend(found.0);
            Err(Error::Invalid(Diagnostics(problems)))
        }
    }
}

/// The problems of every rules file the unreadable config names.
fn rules_files_alone(path: &Path) -> Vec<Diagnostic> {
    let keyring = Keyring::generate();
    let depth = Limits::default().max_depth;
    Config::rules_files_unchecked(path)
        .into_iter()
        .filter(|file| file.exists())
        .filter_map(|file| Policy::load(&file, "check", &keyring, depth).err())
        .flat_map(|d| d.0)
        .collect()
}
