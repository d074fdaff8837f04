//! Who besides its owner may read a file that holds a secret or what it
//! protects. Reading: the keyring, the admin token, a partner's
//! credential and the database password must not be open to every user
//! (refused); readable by the file's group is allowed with a warning, since
//! Kubernetes mounts secrets `0440` under an `fsGroup`. Writing: what the
//! proxy creates (keys, tokens, development certificates' keys, audit
//! segments, the consent journal and export ledger, witness copies) is
//! created `0600` in directories created `0700`. Knows nothing of what the
//! files hold.

use std::fs::{DirBuilder, OpenOptions};
use std::path::Path;

/// `OpenOptions` whose created file is `0600` (an existing file keeps its
/// mode).
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// `create_dir_all` whose created directories are `0700` (existing ones
/// keep their mode).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Nothing to say (`Ok(None)`), a warning to show (`Ok(Some)`), or why the
/// file must not be used (`Err`). `what` names the file in the message,
/// e.g. "the keyring".
pub fn exposure(path: &Path, what: &str) -> Result<Option<String>, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {what}: {e}"))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o007 != 0 {
            return Err(format!(
                "{what} is open to every user (mode {mode:04o}): restrict it to 0600 \
                 (`chmod 600`), or 0640 for a group that must read it"
            ));
        }
        if mode & 0o070 != 0 {
            return Ok(Some(format!(
                "{what} {} is readable by its group (mode {mode:04o}); make sure only the \
                 proxy's group can read it",
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
    Ok(None)
}

/// [`exposure`], its warning shown on stderr: what the readers of a
/// secret call before reading it.
pub fn check(path: &Path, what: &str) -> Result<(), String> {
    if let Some(warning) = exposure(path, what)? {
        crate::notice::warning(&[format!("WARNING: {warning}")]);
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn world_access_is_refused_group_read_warned_owner_only_silent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret");
        std::fs::write(&path, "s").expect("write");
        let set = |mode| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        set(0o600);
        assert_eq!(exposure(&path, "the keyring"), Ok(None));
        set(0o440);
        let warned = exposure(&path, "the keyring").expect("allowed");
        assert!(warned.expect("a warning").contains("0440"));
        for mode in [0o644, 0o604, 0o602] {
            set(mode);
            let refused = exposure(&path, "the keyring").expect_err("refused");
            assert!(refused.contains("open to every user"), "{refused}");
        }
    }

    #[test]
    fn created_files_are_0600_and_created_directories_0700() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("a/b");
        create_private_dir(&nested).expect("dirs");
        let file = nested.join("f");
        private_options()
            .write(true)
            .create_new(true)
            .open(&file)
            .expect("file");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
    }
}
