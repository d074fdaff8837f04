//! The audit log's event schema: the records the proxy writes (`share`,
//! `outcome`, `blocked`, `admin`, and the writer's own `recovery`), the
//! sealed line around each, and its canonical bytes. The `share` record
//! and its parts are in [`share`].
//!
//! Every string member is one of the PII-proof field types of
//! [`super::fields`] or an [`Ident`], so a raw personal value cannot get
//! into a record; reading a record applies the same checks, so `search`
//! and `stats` read back only what the writer could have written.

use serde::{Deserialize, Serialize};

use super::Seq;
use super::chain::{ChainKey, Digest, Sealed};
pub use super::fields::{
    AuditPath, DisplayName, FieldPath, NoteName, RulesVersion, SignatureBytes, SubjectHash,
    SubjectHasher,
};
use super::merkle::TreeHash;
pub use crate::ident::Ident;

mod share;
pub use share::{
    CandidateSummary, Consent, ExportBasis, Finding, MAX_CONSENT_DECISIONS, Share, ShareSubjects,
};

/// The partner's answer to a shared request, linked by `id`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub id: Ident,
    pub partner: Ident,
    pub status: u16,
    pub latency_ms: u64,
    /// Findings in the response, when the response is inspected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Finding>,
}

/// A refused request: nothing went upstream.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocked {
    pub id: Ident,
    /// `None` when no partner route matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Ident>,
    pub method: Ident,
    pub path: AuditPath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<SubjectHash>,
    /// The public error code (`consent_revoked`, `invalid_json`, …).
    pub reason: Ident,
    /// The HTTP status the caller got.
    pub status: u16,
    /// Whose side has to change: `caller`, `partner` or `proxy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Ident>,
    /// The findings that caused the refusal, if any (a `refuse` action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Finding>,
}

/// An administrative action (reload, consent change, key rotation).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    pub action: Ident,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Ident>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Ident>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<SubjectHash>,
}

/// Written by the writer itself, first in a new segment, when the newest
/// segment it found on start ended in a torn line: names that line so
/// `verify` can tell a recorded crash from a silent truncation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recovery {
    /// File name (not path) of the segment with the torn tail.
    pub torn_segment: String,
    /// 1-based line number of the torn line.
    pub torn_line: u64,
    /// Bytes after the last newline of that segment.
    pub torn_bytes: u64,
}

/// Written by the writer itself: a signed statement of the tree over every
/// record before it (records 1..=`tree_size`), first in every segment but
/// a new log's first, every `checkpoints.every_records` records or
/// `checkpoints.interval`, and at shutdown. `frontier` is the tree's
/// compact range, so a restart, or a log whose older segments retention
/// removed, continues the tree from here. Its note (see
/// [`super::checkpoint`]) is origin, `tree_size`, `root`, `replica` and
/// the record's `ts`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRecord {
    pub origin: NoteName,
    pub tree_size: u64,
    pub root: Digest,
    /// The tree's hash function; omitted for SHA-256.
    #[serde(default, skip_serializing_if = "is_sha256")]
    pub tree_hash: TreeHash,
    /// The signing key's note name.
    pub key: NoteName,
    /// Key id ‖ Ed25519 signature, base64.
    pub signature: SignatureBytes,
    pub frontier: Vec<Digest>,
}

fn is_sha256(hash: &TreeHash) -> bool {
    *hash == TreeHash::Sha256
}

/// What callers append.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Event {
    Share(Share),
    ShareSubjects(ShareSubjects),
    Outcome(Outcome),
    Blocked(Blocked),
    Admin(Admin),
}

impl From<Share> for Event {
    fn from(r: Share) -> Event {
        Event::Share(r)
    }
}
impl From<ShareSubjects> for Event {
    fn from(r: ShareSubjects) -> Event {
        Event::ShareSubjects(r)
    }
}
impl From<Outcome> for Event {
    fn from(r: Outcome) -> Event {
        Event::Outcome(r)
    }
}
impl From<Blocked> for Event {
    fn from(r: Blocked) -> Event {
        Event::Blocked(r)
    }
}
impl From<Admin> for Event {
    fn from(r: Admin) -> Event {
        Event::Admin(r)
    }
}

/// A record's kind and its own members, as stored (`"kind"` is the tag).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    Share(Share),
    ShareSubjects(ShareSubjects),
    Outcome(Outcome),
    Blocked(Blocked),
    Admin(Admin),
    Recovery(Recovery),
    Checkpoint(CheckpointRecord),
}

impl From<Event> for Body {
    fn from(event: Event) -> Body {
        match event {
            Event::Share(r) => Body::Share(r),
            Event::ShareSubjects(r) => Body::ShareSubjects(r),
            Event::Outcome(r) => Body::Outcome(r),
            Event::Blocked(r) => Body::Blocked(r),
            Event::Admin(r) => Body::Admin(r),
        }
    }
}

/// One line of the log, read back.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct Record {
    pub seq: Seq,
    pub ts: String,
    /// The replica that wrote the record (absent in logs written before
    /// replicas were named).
    #[serde(default)]
    pub replica: Option<Ident>,
    #[serde(flatten)]
    pub body: Body,
    pub prev: Digest,
    pub hash: Digest,
}

/// Describes a JSON error without its text, which can quote the offending
/// value (`invalid type: string "…"`).
pub(crate) fn json_error(error: &serde_json::Error) -> String {
    crate::diag::json_error("the record", error)
}

/// The canonical form: every member but `hash`, in the documented order.
#[derive(Serialize)]
struct Unsealed<'a> {
    seq: Seq,
    ts: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<&'a Ident>,
    #[serde(flatten)]
    body: &'a Body,
    prev: Digest,
}

/// Appends the sealed line for one record to `buf`; returns its chain
/// hash and its tree leaf entry.
pub(crate) fn encode(
    buf: &mut Vec<u8>,
    key: &ChainKey,
    seq: Seq,
    ts: &str,
    replica: Option<&Ident>,
    body: &Body,
    prev: Digest,
) -> Sealed {
    let start = buf.len();
    let unsealed = Unsealed {
        seq,
        ts,
        replica,
        body,
        prev,
    };
    serde_json::to_writer(&mut *buf, &unsealed)
        .expect("records hold only strings, integers and bools, which always serialize");
    key.seal(buf, start)
}

#[cfg(test)]
pub(crate) mod tests;
