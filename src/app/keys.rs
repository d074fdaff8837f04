//! The one keyring policy: which commands may create a keyring, which may
//! use a throwaway one, and which need the real one.
//!
//! - [`Need::LoadOrCreate`] (`serve`, `mask` under `keys:
//!   {create_if_missing: true}`, the shipped development config): the
//!   keyring at the config's `keys:`; when there is none, a DEVELOPMENT
//!   keyring is created there (mode 0600) with a loud warning;
//! - [`Need::LoadOrThrowaway`] (`check`, `mask --diff`): validating rules
//!   writes nothing, so without a keyring a throwaway one serves, said so;
//! - [`Need::Existing`] (`serve` and `mask` otherwise, `decrypt`, reload,
//!   `keygen --rotate`, the audit tools): only the keyring that sealed a
//!   value can open it, a reload must not change the keys subjects are
//!   hashed with, and a secret volume that failed to mount must not be
//!   replaced by new keys, so a missing keyring is an error.
//!
//! A keyring that exists but does not load, or that every user may read,
//! is an error for every command; one its group may read is a warning.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::protect::Keyring;

/// What a command needs of the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    LoadOrCreate,
    LoadOrThrowaway,
    Existing,
}

/// Where a keyring in hand came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Loaded,
    /// Created just now (development).
    Created,
    /// Generated in memory and never written.
    Throwaway,
}

/// Loads the keyring at `path` as `need` allows.
pub fn keyring(path: &Path, need: Need) -> Result<(Keyring, Origin), Diagnostics> {
    if path.exists() {
        crate::secret_file::check(path, "the keyring").map_err(|e| one(path, e))?;
        return Keyring::load(path)
            .map(|k| (k, Origin::Loaded))
            .map_err(|e| one(path, e.to_string()));
    }
    match need {
        Need::Existing => Err(one(
            path,
            "no keyring here: only the keyring that protected the values can open them \
             (create one with `pii-proxy keygen`; for development only, \
             `keys: {path: …, create_if_missing: true}` creates one)",
        )),
        Need::LoadOrThrowaway => Ok((Keyring::generate(), Origin::Throwaway)),
        Need::LoadOrCreate => {
            let keyring = Keyring::generate();
            keyring.save(path).map_err(|e| one(path, e.to_string()))?;
            crate::notice::warning(&[
                format!(
                    "WARNING: no keyring at {}; created a new DEVELOPMENT keyring there (mode 0600).",
                    path.display()
                ),
                "WARNING: values encrypted, tokenized or hashed with it are only as safe as that file."
                    .to_owned(),
                "WARNING: in production, create and guard the keyring with `pii-proxy keygen`."
                    .to_owned(),
            ]);
            Ok((keyring, Origin::Created))
        }
    }
}

fn one(path: &Path, message: impl Into<String>) -> Diagnostics {
    Diagnostics(vec![Diagnostic::whole_file(path, message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_serve_and_mask_create_and_decrypt_needs_the_real_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/keyring.json");
        let e = keyring(&path, Need::Existing).expect_err("missing");
        assert!(e.to_string().contains("no keyring"), "{e}");
        let (_, origin) = keyring(&path, Need::LoadOrThrowaway).expect("throwaway");
        assert_eq!(origin, Origin::Throwaway);
        assert!(!path.exists(), "a throwaway keyring is never written");
        let (created, origin) = keyring(&path, Need::LoadOrCreate).expect("created");
        assert_eq!(origin, Origin::Created);
        let (loaded, origin) = keyring(&path, Need::Existing).expect("loaded");
        assert_eq!(origin, Origin::Loaded);
        assert_eq!(loaded.active_kid(), created.active_kid());
        std::fs::write(&path, "not json").expect("corrupt");
        for need in [Need::LoadOrCreate, Need::LoadOrThrowaway, Need::Existing] {
            assert!(keyring(&path, need).is_err(), "{need:?}");
        }
    }
}
