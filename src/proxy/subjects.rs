//! The subjects of one request as the share gate checks them: each value
//! the rules' `subject:` selected, in its key form (`crate::subject`),
//! hashed once, deduplicated, with the keys its consent decisions may be
//! recorded under (the key form, and the id as sent when that differs).

use crate::audit::{SubjectHash, SubjectHasher};
use crate::consent::SubjectKey;
use crate::engine::Subject;
use crate::subject::{Case, Spellings};

/// One subject of the request.
pub struct RequestSubject {
    /// The key form's hash: what audit records carry.
    pub hash: SubjectHash,
    /// Consent keys to look up: the key form first.
    pub keys: Vec<SubjectKey>,
}

impl RequestSubject {
    /// The key form's fingerprint (quota counting).
    pub fn fingerprint(&self) -> u64 {
        self.keys[0].fingerprint()
    }
}

/// The distinct subjects of `found`, in document order.
pub fn of(hasher: &SubjectHasher, case: Case, found: &[Subject]) -> Vec<RequestSubject> {
    let mut out: Vec<RequestSubject> = Vec::new();
    for subject in found {
        let spellings = Spellings::of(subject.expose(), case);
        let (hash, digest) = hasher.hash_with_digest(&spellings.key);
        if out.iter().any(|s| s.hash == hash) {
            continue;
        }
        let mut keys = vec![SubjectKey::from_digest(digest)];
        keys.extend(spellings.legacy.iter().map(|legacy| {
            let (_, digest) = hasher.hash_with_digest(legacy);
            SubjectKey::from_digest(digest)
        }));
        out.push(RequestSubject { hash, keys });
    }
    out
}
