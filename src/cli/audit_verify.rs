//! `pii-proxy audit verify`: one chain (its report exactly as it always
//! was), the chains of several replicas (files or directories, grouped by
//! the `replica` their records name; each chain and its checkpoints
//! verified on its own, one report per replica, then one line for the
//! fleet), or the audit stream in NATS JetStream (`--nats URL --stream S`:
//! read back, one chain per replica).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::Error;
use super::audit_input::{ReplicaArgs, keyring, read_note, trouble};
use crate::audit;
use crate::audit::checkpoint::SignedNote;

/// What the chains are checked with (the command line's keys and
/// witness checkpoint).
pub(super) struct Trust {
    /// The keyring's chain key (a `keyed_chain` log), when given.
    chain_key: Option<zeroize::Zeroizing<[u8; 32]>>,
    /// The hash functions tried, in turn (`--hash`, or SHA-256 then SM3).
    hashes: Vec<audit::ChainHash>,
    partial: bool,
    verifiers: Option<audit::checkpoint::Verifiers>,
    /// With `--keys` and no `--replica`: each checkpoint is checked
    /// against the keys of the replica it names.
    derive_from: Option<Arc<crate::protect::Keyring>>,
    checkpoint: Option<SignedNote>,
}

impl Trust {
    pub(super) fn new(
        keys: Option<PathBuf>,
        pubkey: Option<String>,
        checkpoint: Option<PathBuf>,
        partial: bool,
        replica: &ReplicaArgs,
        hash: Option<String>,
    ) -> Result<Trust, Error> {
        let ring = keys.as_deref().map(keyring).transpose()?;
        let chain_key = ring.as_ref().map(|ring| ring.audit_chain_key());
        let mut verifiers = match &pubkey {
            Some(arg) => Some(audit::proof::verifiers_arg(arg).map_err(Error::Trouble)?),
            None => None,
        };
        let mut derive_from = None;
        if let (None, Some(ring)) = (&verifiers, ring) {
            match replica.named() {
                true => verifiers = Some(audit::verifiers_from_keyring(&ring, &replica.config())),
                false => derive_from = Some(Arc::new(ring)),
            }
        }
        let checkpoint = checkpoint.as_deref().map(read_note).transpose()?;
        if let Some(note) = &checkpoint {
            let derived = derive_from.as_deref().map(|ring| {
                audit::verifiers_for(ring, &note.checkpoint.replica, &note.checkpoint.origin)
            });
            if let Some(keys) = verifiers.as_ref().or(derived.as_ref()) {
                note.verify(keys)
                    .map_err(|e| Error::Refused(format!("--checkpoint: {e}")))?;
            }
        }
        let hashes = match hash.as_deref() {
            Some("sm3") => vec![audit::ChainHash::Sm3],
            Some(_) => vec![audit::ChainHash::Sha256],
            None => vec![audit::ChainHash::Sha256, audit::ChainHash::Sm3],
        };
        Ok(Trust {
            chain_key,
            hashes,
            partial,
            verifiers,
            derive_from,
            checkpoint,
        })
    }

    /// One chain's report; `checkpoint` is the witness copy for it. A log
    /// has one hash function: the first it verifies under is it; when none
    /// does, the report shown is the one that got furthest (its records
    /// matched that function up to the problem), the first on a tie.
    fn check(
        &self,
        files: &[PathBuf],
        checkpoint: Option<SignedNote>,
    ) -> Result<audit::Report, Error> {
        let options = audit::VerifyOptions {
            key: audit::ChainKey::Plain,
            partial: self.partial,
            verifiers: self.verifiers.clone(),
            keyring: self.derive_from.clone(),
            checkpoint,
        };
        let mut report: Option<audit::Report> = None;
        for chain_hash in &self.hashes {
            let found = verify_under(files, &options, *chain_hash, self.chain_key.clone())?;
            let intact = found.is_intact();
            let further = report.as_ref().is_none_or(|r| found.records > r.records);
            if further || intact {
                report = Some(found);
            }
            if intact {
                break;
            }
        }
        Ok(report.expect("at least one hash function is tried"))
    }

    /// The witness checkpoint, for the chain of `replica` only.
    fn checkpoint_for(&self, replica: &str) -> Option<SignedNote> {
        self.checkpoint
            .clone()
            .filter(|note| note.checkpoint.replica == replica)
    }
}

/// The log verified under one hash function, keyed when the keyring was
/// given; `--keys` also names the checkpoint keys of a plain-chain log, so
/// a keyed chain whose first record fails is tried plain.
fn verify_under(
    files: &[PathBuf],
    options: &audit::VerifyOptions,
    chain_hash: audit::ChainHash,
    chain_key: Option<zeroize::Zeroizing<[u8; 32]>>,
) -> Result<audit::Report, Error> {
    let keyed = chain_key.is_some();
    let options = audit::VerifyOptions {
        key: audit::ChainKey::new(chain_hash, chain_key),
        ..options.clone()
    };
    let report = audit::verify(files, &options).map_err(trouble)?;
    let first_edited = report.records == 0
        && report
            .problem
            .as_ref()
            .is_some_and(|p| p.kind == audit::ProblemKind::Edited);
    if keyed && first_edited {
        let plain = audit::VerifyOptions {
            key: audit::ChainKey::new(chain_hash, None),
            ..options
        };
        let retry = audit::verify(files, &plain).map_err(trouble)?;
        if retry.records > 0 {
            return Ok(retry);
        }
    }
    Ok(report)
}

fn exit(intact: bool) -> Result<(), Error> {
    if intact { Ok(()) } else { Err(Error::Reported) }
}

/// Files or directories: one chain as always, or one per replica.
pub(super) fn verify_files(trust: &Trust, files: &[PathBuf]) -> Result<(), Error> {
    let chains = audit::segment::by_replica(files).map_err(trouble)?;
    if chains.len() <= 1 {
        let report = trust.check(files, trust.checkpoint.clone())?;
        write!(std::io::stdout().lock(), "{report}")?;
        return exit(report.is_intact());
    }
    let mut broken = Vec::new();
    let mut out = std::io::stdout().lock();
    for (replica, files) in &chains {
        let report = trust.check(files, trust.checkpoint_for(replica))?;
        print_chain(&mut out, replica, &report.to_string())?;
        if !report.is_intact() {
            broken.push(replica.as_str());
        }
    }
    fleet_line(&mut out, chains.len(), &broken)?;
    exit(broken.is_empty())
}

fn print_chain(out: &mut impl Write, replica: &str, report: &str) -> Result<(), Error> {
    writeln!(out, "replica {replica}:")?;
    for line in report.lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn fleet_line(out: &mut impl Write, chains: usize, broken: &[&str]) -> Result<(), Error> {
    if broken.is_empty() {
        writeln!(out, "all {chains} chains intact")?;
    } else {
        writeln!(
            out,
            "BROKEN: {} of {chains} chains ({})",
            broken.len(),
            broken.join(", ")
        )?;
    }
    Ok(())
}

/// The stream read back into a scratch directory, each replica's chain
/// verified from it.
pub(super) fn verify_stream(
    trust: &Trust,
    server: &audit::shipping::NatsServer,
    stream: &str,
) -> Result<(), Error> {
    let scratch = Scratch::new()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Trouble(format!("no runtime: {e}")))?;
    let chains = runtime
        .block_on(crate::ship::read::read_stream(server, stream, &scratch.0))
        .map_err(|e| Error::Trouble(format!("--nats {}: {e}", server.url)))?;
    if chains.is_empty() {
        return Err(Error::Refused(format!("stream {stream} holds no record")));
    }
    let mut broken = Vec::new();
    let mut out = std::io::stdout().lock();
    for chain in &chains {
        let report = trust.check(
            std::slice::from_ref(&chain.file),
            trust.checkpoint_for(&chain.replica),
        )?;
        let mut text = report.to_string();
        if chain.duplicates > 0 {
            text.push_str(&format!(
                "note: {} records are in the stream more than once (same bytes; counted once)\n",
                chain.duplicates
            ));
        }
        if !chain.conflicts.is_empty() {
            text.push_str(&format!(
                "BROKEN: the stream holds two different records for seq {:?}\n",
                chain.conflicts
            ));
        }
        print_chain(&mut out, &chain.replica, &text)?;
        if !report.is_intact() || !chain.conflicts.is_empty() {
            broken.push(chain.replica.as_str());
        }
    }
    fleet_line(&mut out, chains.len(), &broken)?;
    exit(broken.is_empty())
}

/// A private scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, Error> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("pii-proxy-verify-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| Error::Trouble(format!("{}: {e}", dir.display())))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
