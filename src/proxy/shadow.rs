//! Shadow runs of a partner's candidate rules: the message the real policy
//! inspected goes through the candidate policy too, as one more
//! [`inspect::message`] call. Its output is discarded (nothing of it is
//! forwarded) and a refusal is only noted; what is kept is its findings,
//! compared with the real ones.
//!
//! Costs nothing for a partner without `candidate_rules`; with them, about
//! one more engine pass per request, before the share record is written
//! (the record carries the comparison).

use super::inspect::{self, Message};
use super::refusal::Reason;
use crate::app::Candidate;
use crate::candidate::{self, PolicyDiff};
use crate::engine::Findings;

/// What the candidate would have done differently.
pub struct ShadowResult<'a> {
    pub candidate: &'a Candidate,
    pub diff: PolicyDiff,
    /// The candidate would have refused the request.
    pub refused: Option<Reason>,
}

/// Runs `candidate` on the message the real policy saw, and compares its
/// findings with `current`'s.
pub async fn run<'a>(
    candidate: &'a Candidate,
    message: &Message<'_>,
    current: &Findings,
) -> ShadowResult<'a> {
    let (diff, refused) = match inspect::message(&candidate.policy, message).await {
        Ok(inspection) => (
            candidate::compare(&current.items, &inspection.findings.items),
            None,
        ),
        Err(refusal) => (PolicyDiff::default(), Some(refusal.reason)),
    };
    ShadowResult {
        candidate,
        diff,
        refused,
    }
}
