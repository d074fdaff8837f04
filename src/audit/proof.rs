//! Proofs an investigator hands over: one record with its inclusion proof
//! against a signed checkpoint, or a consistency proof between two
//! checkpoints, each a self-contained JSON file that [`check`] verifies
//! with nothing but the replica's public key.
//!
//! ```json
//! {"format":"pii-proxy/inclusion-proof/v1","record":"{\"seq\":7,…}","leaf_index":6,
//!  "tree_size":1042,"hash":"sha256","proof":["<hex>",…],"checkpoint":"pii-proxy/main\n1042\n…"}
//! ```
//!
//! The record is its line exactly as in the log, so its leaf entry is
//! recomputed from it (the digest of the line without its `hash` member);
//! the checkpoint is the signed note. Reading the log for a proof starts at
//! the genesis record or the oldest retained checkpoint.
//!
//! Fails closed: a proof that does not check, a note whose signature does
//! not verify, a record that is not a sealed audit line, each is an error
//! saying which.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::chain::{ChainKey, Digest, split_line};
use super::checkpoint::{SignedNote, Verifiers};
use super::checkpointer::note_of;
use super::merkle::{Frontier, ProofSource, TreeHash, verify_consistency, verify_inclusion};
use super::record::{Body, Record};
use super::{AuditError, Seq};

const INCLUSION: &str = "pii-proxy/inclusion-proof/v1";
const CONSISTENCY: &str = "pii-proxy/consistency-proof/v1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub format: String,
    /// The record's line, byte for byte.
    pub record: String,
    pub leaf_index: u64,
    pub tree_size: u64,
    pub hash: TreeHash,
    pub proof: Vec<Digest>,
    /// The signed checkpoint note the proof is against.
    pub checkpoint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    pub format: String,
    pub old_checkpoint: String,
    pub new_checkpoint: String,
    pub hash: TreeHash,
    pub proof: Vec<Digest>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("{0}")]
    NotFound(String),
    #[error("the proof does not verify: {0}")]
    Invalid(String),
}

fn invalid(why: impl Into<String>) -> ProofError {
    ProofError::Invalid(why.into())
}

/// The log read for proofs: every leaf from the tree's start, the
/// checkpoints, and the lines of records matching a request id.
struct Loaded {
    source: Option<ProofSource>,
    checkpoints: Vec<(Seq, SignedNote)>,
    matches: Vec<(Seq, Body, String)>,
}

fn load(inputs: &[PathBuf], id: Option<&str>) -> Result<Loaded, AuditError> {
    let mut loaded = Loaded {
        source: None,
        checkpoints: Vec::new(),
        matches: Vec::new(),
    };
    // From the genesis record the tree's function is not known until the
    // first checkpoint names it (a keyed chain's hashes do not say), so
    // the leaves are kept under each function until then.
    let mut sources: Vec<ProofSource> = Vec::new();
    let mut decided = false;
    for_each_line(inputs, |record, line| {
        if sources.is_empty() && !decided {
            match &record.body {
                Body::Checkpoint(cp) => {
                    sources.extend(
                        Frontier::from_parts(cp.tree_hash, cp.tree_size, cp.frontier.clone())
                            .filter(|f| f.root() == cp.root)
                            .map(ProofSource::new),
                    );
                    decided = true;
                }
                _ if record.seq == 1 => sources.extend(
                    [TreeHash::Sha256, TreeHash::Sm3]
                        .map(|hash| ProofSource::new(Frontier::new(hash))),
                ),
                _ => {}
            }
        }
        if let Body::Checkpoint(cp) = &record.body {
            if !decided {
                sources.retain(|source| source.hash() == cp.tree_hash);
                decided = true;
            }
            loaded
                .checkpoints
                .push((record.seq, note_of(cp, record.replica.as_ref(), &record.ts)));
        }
        let (open, _) = split_line(line.as_bytes()).expect("for_each_line checked it");
        for source in &mut sources {
            // The entry is the plain digest whatever the chain key was.
            let entry = ChainKey::new(source.hash().chain_hash(), None).digest(open);
            source.push_entry(&entry);
        }
        if id.is_some_and(|id| record_id(&record.body) == Some(id)) {
            loaded
                .matches
                .push((record.seq, record.body.clone(), line.to_owned()));
        }
    })?;
    loaded.source = sources.pop().filter(|_| decided);
    Ok(loaded)
}

fn record_id(body: &Body) -> Option<&str> {
    match body {
        Body::Share(r) => Some(r.id.as_str()),
        Body::Outcome(r) => Some(r.id.as_str()),
        Body::Blocked(r) => Some(r.id.as_str()),
        _ => None,
    }
}

fn for_each_line(
    inputs: &[PathBuf],
    mut visit: impl FnMut(&Record, &str),
) -> Result<(), AuditError> {
    let files = super::segment::expand(inputs)?;
    for path in files {
        let data = super::segment::read_segment(&path)?;
        let (lines, _) = super::segment::split_lines(&data);
        for (i, line) in lines.iter().enumerate() {
            let corrupt = |message: String| AuditError::Corrupt {
                path: path.clone(),
                line: i as u64 + 1,
                message,
            };
            let text = std::str::from_utf8(line).map_err(|_| corrupt("not UTF-8".into()))?;
            split_line(line).ok_or_else(|| corrupt("not a sealed record".into()))?;
            let record: Record =
                serde_json::from_slice(line).map_err(|e| corrupt(super::record::json_error(&e)))?;
            visit(&record, text);
        }
    }
    Ok(())
}

/// The newest checkpoint in `inputs` (what a witness keeps).
pub fn latest_checkpoint(inputs: &[PathBuf]) -> Result<Option<SignedNote>, AuditError> {
    let mut latest = None;
    for_each_line(inputs, |record, _| {
        if let Body::Checkpoint(cp) = &record.body {
            latest = Some(note_of(cp, record.replica.as_ref(), &record.ts));
        }
    })?;
    Ok(latest)
}

/// The share record of request `id` (else its first record) with its
/// inclusion proof against the oldest checkpoint that covers it.
pub fn prove(inputs: &[PathBuf], id: &str) -> Result<InclusionProof, ProofError> {
    let loaded = load(inputs, Some(id))?;
    let (seq, _, line) = loaded
        .matches
        .iter()
        .find(|(_, body, _)| matches!(body, Body::Share(_)))
        .or(loaded.matches.first())
        .cloned()
        .ok_or_else(|| ProofError::NotFound(format!("no record with request id `{id}`")))?;
    let (_, note) = loaded
        .checkpoints
        .iter()
        .find(|(_, note)| note.checkpoint.size >= seq)
        .ok_or_else(|| {
            ProofError::NotFound(format!(
                "no checkpoint covers seq {seq} yet (one is written every `checkpoints.interval`)"
            ))
        })?;
    let source = loaded.source.ok_or_else(|| {
        ProofError::NotFound(
            "the files start neither at the genesis record nor at a checkpoint".into(),
        )
    })?;
    let size = note.checkpoint.size;
    let proof = source
        .inclusion(seq - 1, size)
        .map_err(|e| ProofError::NotFound(e.to_string()))?;
    Ok(InclusionProof {
        format: INCLUSION.into(),
        record: line,
        leaf_index: seq - 1,
        tree_size: size,
        hash: note.checkpoint.hash,
        proof,
        checkpoint: note.to_string(),
    })
}

/// A consistency proof from the checkpoint `old` to the newest one.
pub fn prove_consistency(
    inputs: &[PathBuf],
    old: &SignedNote,
) -> Result<ConsistencyProof, ProofError> {
    let loaded = load(inputs, None)?;
    let (_, new) = loaded
        .checkpoints
        .last()
        .ok_or_else(|| ProofError::NotFound("the log holds no checkpoint".into()))?;
    let source = loaded.source.ok_or_else(|| {
        ProofError::NotFound(
            "the files start neither at the genesis record nor at a checkpoint".into(),
        )
    })?;
    let (m, n) = (old.checkpoint.size, new.checkpoint.size);
    if m > n {
        return Err(invalid(format!(
            "the old checkpoint covers {m} records, more than the log's newest ({n}): the log was cut"
        )));
    }
    let root = source
        .root(m)
        .map_err(|e| ProofError::NotFound(e.to_string()))?;
    if root != old.checkpoint.root {
        return Err(invalid(format!(
            "the log's first {m} records do not give the old checkpoint's root: the log was rewritten"
        )));
    }
    let proof = source
        .consistency(m, n)
        .map_err(|e| ProofError::NotFound(e.to_string()))?;
    Ok(ConsistencyProof {
        format: CONSISTENCY.into(),
        old_checkpoint: old.to_string(),
        new_checkpoint: new.to_string(),
        hash: new.checkpoint.hash,
        proof,
    })
}

/// What a verified proof shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    Inclusion {
        seq: Seq,
        record: Box<Record>,
        tree_size: u64,
        key: String,
        time: String,
    },
    Consistency {
        old: u64,
        new: u64,
        key: String,
    },
}

/// Verifies a proof file with `keys` alone.
pub fn check(text: &str, keys: &Verifiers) -> Result<Checked, ProofError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| invalid("not a JSON proof file"))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(INCLUSION) => check_inclusion(
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?,
            keys,
        ),
        Some(CONSISTENCY) => check_consistency(
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?,
            keys,
        ),
        _ => Err(invalid(format!(
            "`format` is neither {INCLUSION} nor {CONSISTENCY}"
        ))),
    }
}

fn signed(text: &str, keys: &Verifiers) -> Result<(SignedNote, String), ProofError> {
    let note = SignedNote::parse(text).map_err(|e| invalid(e.to_string()))?;
    let key = note
        .verify(keys)
        .map_err(|e| invalid(e.to_string()))?
        .to_owned();
    Ok((note, key))
}

fn check_inclusion(proof: InclusionProof, keys: &Verifiers) -> Result<Checked, ProofError> {
    let (note, key) = signed(&proof.checkpoint, keys)?;
    let cp = &note.checkpoint;
    if cp.size != proof.tree_size || cp.hash != proof.hash {
        return Err(invalid(
            "the proof's tree size or hash is not the checkpoint's",
        ));
    }
    let line = proof.record.as_bytes();
    let (open, _) =
        split_line(line).ok_or_else(|| invalid("the record is not a sealed audit line"))?;
    let record: Record = serde_json::from_slice(line)
        .map_err(|_| invalid("the record is not a valid audit record"))?;
    if record.seq != proof.leaf_index + 1 {
        return Err(invalid("the record's seq is not its leaf index + 1"));
    }
    let entry = proof.hash.digest(&[open, b"}"].concat());
    let leaf = proof.hash.leaf(&entry.0);
    if !verify_inclusion(
        proof.hash,
        proof.leaf_index,
        cp.size,
        &leaf,
        &proof.proof,
        &cp.root,
    ) {
        return Err(invalid(
            "the record is not in the signed tree: the record, the proof or the checkpoint was altered",
        ));
    }
    Ok(Checked::Inclusion {
        seq: record.seq,
        record: Box::new(record),
        tree_size: cp.size,
        key,
        time: cp.time.clone(),
    })
}

fn check_consistency(proof: ConsistencyProof, keys: &Verifiers) -> Result<Checked, ProofError> {
    let (old, _) = signed(&proof.old_checkpoint, keys)?;
    let (new, key) = signed(&proof.new_checkpoint, keys)?;
    let (a, b) = (&old.checkpoint, &new.checkpoint);
    if a.origin != b.origin {
        return Err(invalid("the two checkpoints are of different logs"));
    }
    if a.hash != proof.hash || b.hash != proof.hash {
        return Err(invalid("the proof's hash is not the checkpoints'"));
    }
    if !verify_consistency(proof.hash, a.size, b.size, &a.root, &b.root, &proof.proof) {
        return Err(invalid(
            "the newer tree does not extend the older one: the log was rewritten between them",
        ));
    }
    Ok(Checked::Consistency {
        old: a.size,
        new: b.size,
        key,
    })
}

/// Reads verifier keys from `arg`: a file of verifier-key lines, or one
/// verifier key given as is.
pub fn verifiers_arg(arg: &str) -> Result<Verifiers, String> {
    let path = Path::new(arg);
    let text = if path.is_file() {
        std::fs::read_to_string(path).map_err(|e| format!("{arg}: {e}"))?
    } else {
        arg.to_owned()
    };
    Verifiers::parse(&text).map_err(|e| format!("--pubkey: {e}"))
}
