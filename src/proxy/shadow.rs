//! Shadow runs of a partner's candidate rules: the headers, query and body
//! the real policy inspected go through the candidate policy too. Its
//! output is discarded (nothing of it is forwarded) and its refusals are
//! only noted; what is kept is its findings, compared with the real ones.
//!
//! Costs nothing for a partner without `candidate_rules`; with them, about
//! one more engine pass per request, before the share record is written
//! (the record carries the comparison).

use bytes::Bytes;
use http::HeaderMap;

use super::Candidate;
use super::body::BodyKind;
use super::inspect::{self, Direction};
use crate::candidate::{self, PolicyDiff};
use crate::engine::Findings;

/// One request's shadow run, fed step by step alongside the real one.
pub struct Shadow<'a> {
    pub candidate: &'a Candidate,
    findings: Findings,
    /// The first refusal code the candidate hit; later steps are skipped.
    refused: Option<&'static str>,
}

/// What the candidate would have done differently.
pub struct ShadowResult<'a> {
    pub candidate: &'a Candidate,
    pub diff: PolicyDiff,
    pub refused: Option<&'static str>,
}

impl<'a> Shadow<'a> {
    pub fn new(candidate: &'a Candidate) -> Self {
        Shadow {
            candidate,
            findings: Findings::default(),
            refused: None,
        }
    }

    /// Inspects a copy of the request headers as they were before the real
    /// policy changed them.
    pub fn headers(&mut self, original: &HeaderMap) {
        if self.refused.is_some() {
            return;
        }
        let mut copy = original.clone();
        if let Err(r) = inspect::headers(&self.candidate.policy, &mut copy, &mut self.findings) {
            self.refused = Some(r.code);
        }
    }

    pub fn query(&mut self, query: &str) {
        if self.refused.is_some() {
            return;
        }
        if let Err(r) = inspect::query(&self.candidate.policy, query, &mut self.findings) {
            self.refused = Some(r.code);
        }
    }

    /// Inspects the decoded body the real policy saw.
    pub async fn body(&mut self, kind: BodyKind, decoded: Bytes) {
        if self.refused.is_some() {
            return;
        }
        let inspected = inspect::body(
            &self.candidate.policy,
            kind,
            decoded,
            Direction::Request,
            &mut self.findings,
        )
        .await;
        if let Err(r) = inspected {
            self.refused = Some(r.code);
        }
    }

    /// Compares with the real policy's findings on the same request.
    pub fn finish(self, current: &Findings) -> ShadowResult<'a> {
        let diff = match self.refused {
            Some(_) => PolicyDiff::default(),
            None => candidate::compare(&current.items, &self.findings.items),
        };
        ShadowResult {
            candidate: self.candidate,
            diff,
            refused: self.refused,
        }
    }
}
