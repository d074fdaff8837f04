//! Step 4 of the request flow, the share gate: the point before which
//! nothing leaves. A category the rules' profile forbids (403), the
//! partner's quotas (429), the subject's consent for this partner and
//! scenario, separate where the rules ask for it (403), a cross-border
//! partner's yearly volume (403), then the audit log must accept the
//! `share` record and those of its further subjects (503 otherwise).
//!
//! It knows the order of the checks and the records; each decision is
//! `gates`' or `compliance`'s. Any refusal stops the request with nothing
//! forwarded.

use super::audit_records;
use super::compliance;
use super::exchange::Exchange;
use super::gates;
use super::inspect::Inspection;
use super::refusal::{Reason, Refusal};
use super::shadow::ShadowResult;
use super::subjects::{self, RequestSubject};
use crate::app::Partner;
use crate::audit::{Consent, Share};
use crate::candidate::CandidateResult;
use crate::engine::Findings;
use crate::ident::Ident;
use crate::metrics::Direction;
use crate::rules::{ConsentMode, Policy};

impl Exchange<'_> {
    /// Step 4, the point before which nothing leaves: a category the
    /// rules' profile forbids (403), the partner's quotas (429), the
    /// subject's consent for this partner and scenario, separate where the
    /// rules ask for it (403), a cross-border partner's yearly volume
    /// (403), then the audit log must accept the `share` record (503
    /// otherwise).
    pub(super) async fn share(
        &mut self,
        partner: &Partner,
        scenario: &Ident,
        inspection: &Inspection,
        shadow: Option<&ShadowResult<'_>>,
    ) -> Result<(), Refusal> {
        let findings = &inspection.findings;
        let policy = &partner.policy;
        compliance::forbidden(policy, findings)?;
        let subjects = self.subjects_of(policy, findings)?;
        gates::quota(self.app, partner, &subjects).await?;
        let separate = compliance::separate_needed(policy, findings);
        let (consent, decisions) =
            gates::consent(self.app, partner, scenario, &subjects, separate)?;
        compliance::export(self.app, partner, &subjects, findings).await?;
        let record = self.share_record(partner, scenario, consent, decisions, findings, shadow)?;
        self.record_share(partner, record).await?;
        self.shared = true;
        self.count_shared(findings, shadow);
        Ok(())
    }

    /// The request's subjects (kept for its records); 400
    /// `subject_required` where personal data comes with none and the
    /// rules need one.
    fn subjects_of(
        &mut self,
        policy: &Policy,
        findings: &Findings,
    ) -> Result<Vec<RequestSubject>, Refusal> {
        let subjects = subjects::of(&self.app.subjects, policy.subject.case, &findings.subjects);
        self.subjects = subjects.iter().map(|s| s.hash.clone()).collect();
        // Under `consent: required` the consent gate refuses a request
        // without a subject itself (`consent_required`).
        let revocable = policy.consent == ConsentMode::Revocable;
        if subjects.is_empty()
            && !findings.items.is_empty()
            && !policy.subject.optional
            && revocable
        {
            return Err(Refusal::new(
                Reason::SubjectRequired,
                "the body carries personal data but no subject where the rules' `subject:` \
                 looks; name it there, or make the rules' subject `optional`",
            ));
        }
        Ok(subjects)
    }

    /// The `share` record of this request: its subjects, the consent it
    /// relied on, its findings and the candidate's shadow run.
    fn share_record(
        &self,
        partner: &Partner,
        scenario: &Ident,
        consent: Consent,
        decisions: Vec<u64>,
        findings: &Findings,
        shadow: Option<&ShadowResult<'_>>,
    ) -> Result<Share, Refusal> {
        let mut record = audit_records::share(
            &self.facts,
            partner,
            &self.subjects,
            consent,
            findings,
            self.bytes_in,
            self.bytes_out,
        )
        .ok_or_else(|| {
            audit_unavailable("the request cannot be described in an audit record".into())
        })?;
        record.scenario = Some(scenario.clone());
        audit_records::consent_decisions(&mut record, decisions);
        record.candidate = shadow.map(|s| Box::new(audit_records::candidate(s)));
        Ok(record)
    }

    /// The share record and the records of its further subjects, each
    /// accepted by the audit log: every subject is on record before a byte
    /// leaves (503 `audit_unavailable` otherwise).
    async fn record_share(&self, partner: &Partner, record: Share) -> Result<(), Refusal> {
        let audit = &self.app.audit;
        audit
            .append(record)
            .await
            .map_err(|e| audit_unavailable(e.to_string()))?;
        for more in audit_records::more_subjects(&self.facts, partner, &self.subjects) {
            audit
                .append(more)
                .await
                .map_err(|e| audit_unavailable(e.to_string()))?;
        }
        Ok(())
    }

    /// The request's findings and its candidate run, counted once shared.
    fn count_shared(&self, findings: &Findings, shadow: Option<&ShadowResult<'_>>) {
        let Some(m) = &self.metrics else {
            return;
        };
        let metrics = &self.app.metrics;
        metrics.findings(m, Direction::Request, &findings.items);
        if let Some(shadow) = shadow {
            let result = match (shadow.refused, shadow.diff.is_empty()) {
                (Some(_), _) => CandidateResult::Refused,
                (None, true) => CandidateResult::Same,
                (None, false) => CandidateResult::Different,
            };
            metrics.candidate(m, result, shadow.diff.differences());
        }
    }
}

/// 503 `audit_unavailable`: the log did not accept a record the request
/// needs before it may go on.
fn audit_unavailable(detail: String) -> Refusal {
    Refusal::new(Reason::AuditUnavailable, detail)
}
