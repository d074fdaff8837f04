//! Cross-border volume tiers: how many people's data a partner abroad has
//! received since 1 January, and what that requires under the Provisions
//! on Promoting and Regulating Cross-Border Data Flows (促进和规范数据跨境
//! 流动规定, CAC, 22 March 2024), for a handler that is not a critical
//! information infrastructure operator:
//!
//! - fewer than 100,000 people's non-sensitive personal information, and
//!   no sensitive personal information: exempt;
//! - from 100,000 (and under 1,000,000) people's non-sensitive
//!   information, or any sensitive information of fewer than 10,000
//!   people: a standard contract or a certification;
//! - from 1,000,000 people's non-sensitive information, or 10,000 people's
//!   sensitive information: a security assessment.
//!
//! The figures are [`Thresholds::default`]; a rules file can set its own
//! (`export: {thresholds: …}`), e.g. where a free trade zone's list says
//! otherwise. Knows nothing of where the counts are kept.

use serde::Deserialize;

/// What a partner's transfers are covered by (`export: {basis: …}`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Nothing: only the exempt tier.
    #[default]
    None,
    /// A personal information export standard contract, filed.
    StandardContract,
    /// A personal information protection certification.
    Certification,
    /// A security assessment passed.
    SecurityAssessment,
}

impl Basis {
    pub fn name(self) -> &'static str {
        match self {
            Basis::None => "none",
            Basis::StandardContract => "standard_contract",
            Basis::Certification => "certification",
            Basis::SecurityAssessment => "security_assessment",
        }
    }

    /// The highest tier this basis covers.
    pub fn covers(self) -> Tier {
        match self {
            Basis::None => Tier::Exempt,
            Basis::StandardContract | Basis::Certification => Tier::Contract,
            Basis::SecurityAssessment => Tier::Assessment,
        }
    }
}

/// What the year's volume requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Exempt,
    /// A standard contract or a certification.
    Contract,
    /// A security assessment.
    Assessment,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Exempt => "exempt",
            Tier::Contract => "standard_contract",
            Tier::Assessment => "security_assessment",
        }
    }
}

/// Where the tiers start, in distinct people per calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// People whose (non-sensitive) data needs a standard contract or a
    /// certification. Default 100000.
    pub contract_subjects: u64,
    /// People whose (non-sensitive) data needs a security assessment.
    /// Default 1000000.
    pub assessment_subjects: u64,
    /// People with sensitive data from which a standard contract or a
    /// certification is needed. Default 1 (any).
    pub contract_sensitive_subjects: u64,
    /// People with sensitive data from which a security assessment is
    /// needed. Default 10000.
    pub assessment_sensitive_subjects: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            contract_subjects: 100_000,
            assessment_subjects: 1_000_000,
            contract_sensitive_subjects: 1,
            assessment_sensitive_subjects: 10_000,
        }
    }
}

/// A partner's distinct people this year: all of them, and those with
/// sensitive data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Volume {
    pub subjects: u64,
    pub sensitive: u64,
}

impl Thresholds {
    /// The tier `volume` has reached. The non-sensitive thresholds count
    /// every person (one with sensitive data is also a person whose data
    /// left), which never reaches a tier later than the text's count of
    /// non-sensitive data alone would.
    pub fn tier(&self, volume: Volume) -> Tier {
        if volume.subjects >= self.assessment_subjects
            || volume.sensitive >= self.assessment_sensitive_subjects
        {
            Tier::Assessment
        } else if volume.subjects >= self.contract_subjects
            || volume.sensitive >= self.contract_sensitive_subjects
        {
            Tier::Contract
        } else {
            Tier::Exempt
        }
    }

    /// How close `volume` is to the next tier the basis does not cover,
    /// as the larger of its two ratios (1.0 = reached); `None` when the
    /// basis covers every tier.
    pub fn nearness(&self, volume: Volume, basis: Basis) -> Option<f64> {
        let (subjects, sensitive) = match basis.covers() {
            Tier::Exempt => (self.contract_subjects, self.contract_sensitive_subjects),
            Tier::Contract => (self.assessment_subjects, self.assessment_sensitive_subjects),
            Tier::Assessment => return None,
        };
        let ratio = |n: u64, limit: u64| n as f64 / limit.max(1) as f64;
        Some(ratio(volume.subjects, subjects).max(ratio(volume.sensitive, sensitive)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(subjects: u64, sensitive: u64) -> Volume {
        Volume {
            subjects,
            sensitive,
        }
    }

    #[test]
    fn the_2024_provisions_figures() {
        let t = Thresholds::default();
        assert_eq!(t.tier(v(99_999, 0)), Tier::Exempt);
        assert_eq!(t.tier(v(100_000, 0)), Tier::Contract);
        assert_eq!(t.tier(v(5, 1)), Tier::Contract, "any sensitive data");
        assert_eq!(t.tier(v(999_999, 9_999)), Tier::Contract);
        assert_eq!(t.tier(v(1_000_000, 0)), Tier::Assessment);
        assert_eq!(t.tier(v(10_000, 10_000)), Tier::Assessment);
    }

    #[test]
    fn a_basis_covers_up_to_its_tier() {
        assert!(Basis::None.covers() < Tier::Contract);
        assert_eq!(Basis::Certification.covers(), Tier::Contract);
        assert_eq!(Basis::SecurityAssessment.covers(), Tier::Assessment);
        let t = Thresholds::default();
        assert_eq!(t.nearness(v(90_000, 0), Basis::None), Some(0.9));
        assert_eq!(t.nearness(v(0, 5_000), Basis::StandardContract), Some(0.5));
        assert_eq!(t.nearness(v(1, 1), Basis::SecurityAssessment), None);
    }
}
