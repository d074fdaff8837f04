//! The share gate's regulatory checks, each turned into a refusal: a
//! category the rules' profile never lets leave (403
//! `forbidden_category`), whether a share needs a separate consent grant
//! (decided here, enforced by the consent gate), and the cross-border
//! partner's yearly volume (403 `export_threshold_reached`). Knows the HTTP
//! side only; the rules say what is forbidden and needed, the export
//! ledger counts.

use super::refusal::{Reason, Refusal};
use super::subjects::RequestSubject;
use crate::app::{App, Partner};
use crate::compliance::is_sensitive;
use crate::consent::exports::{self, Refused, Share};
use crate::engine::{Finding, Findings};
use crate::rules::{Policy, SeparateConsent};

/// 403 `forbidden_category` when a finding comes from a rule the profile
/// forbids (JR/T 0171 C3 that the rules file did not decide itself). The
/// detail names the category and where, never the value.
pub fn forbidden(policy: &Policy, findings: &Findings) -> Result<(), Refusal> {
    let Some(found) = findings.forbidden(policy) else {
        return Ok(());
    };
    let profile = policy.profile.map_or("the rules'", |p| p.name());
    Err(Refusal::new(
        Reason::ForbiddenCategory,
        format!(
            "`{}` at {} is authentication data (JR/T 0171 class C3), which the {profile} profile \
             never lets leave; remove it, or have the rules drop it",
            found.category, found.path
        ),
    ))
}

/// Whether a finding's value leaves in some form (not dropped or redacted).
fn leaves(finding: &Finding) -> bool {
    !matches!(&*finding.action, "drop" | "redact")
}

/// Whether the request carries sensitive personal information (PIPL Art.
/// 28) that leaves in some form.
pub fn carries_sensitive(findings: &Findings) -> bool {
    findings
        .items
        .iter()
        .any(|f| leaves(f) && is_sensitive(&f.category))
}

/// Whether this share needs a separate consent grant.
pub fn separate_needed(policy: &Policy, findings: &Findings) -> bool {
    match policy.separate_consent {
        SeparateConsent::None => false,
        SeparateConsent::Sensitive => carries_sensitive(findings),
        SeparateConsent::All => !findings.items.is_empty(),
    }
}

/// Counts the request's people for a cross-border partner with `export:`
/// and refuses a share its basis does not cover (403
/// `export_threshold_reached`; 503 `consent_unavailable` when the ledger
/// cannot be written).
pub async fn export(
    app: &App,
    partner: &Partner,
    subjects: &[RequestSubject],
    findings: &Findings,
) -> Result<(), Refusal> {
    let (Some(rule), true) = (&partner.policy.export, partner.config.cross_border) else {
        return Ok(());
    };
    if subjects.is_empty() || findings.items.is_empty() {
        return Ok(());
    }
    let hashes: Vec<_> = subjects.iter().map(|s| s.hash.clone()).collect();
    let share = Share {
        partner: &partner.config.id,
        year: exports::current_year(),
        subjects: &hashes,
        sensitive: carries_sensitive(findings),
        basis: rule.basis,
        thresholds: rule.thresholds,
        warn_at: rule.warn_at,
    };
    match app.consent.exports().admit(&share).await {
        Ok(_) => Ok(()),
        Err(Refused::Threshold { tier, volume }) => Err(Refusal::new(
            Reason::ExportThresholdReached,
            format!(
                "partner `{}` has received the data of {} people ({} with sensitive data) this \
                 year with this share; that needs a {}, and its declared export basis `{}` \
                 covers up to `{}`",
                partner.config.id,
                volume.subjects,
                volume.sensitive,
                tier.name(),
                rule.basis.name(),
                rule.basis.covers().name()
            ),
        )),
        Err(Refused::Unavailable(e)) => Err(Refusal::new(
            Reason::ConsentUnavailable,
            format!("the export ledger cannot count this share: {e}"),
        )),
    }
}
