//! The label sets of the metric families, and the small enums callers
//! record with. Every label value is an id, a code or a fixed word; none is
//! taken from a request's content.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct PartnerLabel {
    pub(super) partner: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    pub(super) partner: Arc<str>,
    pub(super) status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct FindingLabels {
    pub(super) partner: Arc<str>,
    pub(super) direction: &'static str,
    pub(super) category: Arc<str>,
    pub(super) action: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RefusalLabels {
    pub(super) partner: Arc<str>,
    pub(super) reason: &'static str,
    pub(super) fault: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct CandidateRequestLabels {
    pub(super) partner: Arc<str>,
    pub(super) result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct CandidateFieldLabels {
    pub(super) partner: Arc<str>,
    pub(super) difference: &'static str,
    pub(super) category: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct ReloadLabels {
    pub(super) trigger: &'static str,
    pub(super) result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct AdminLabels {
    pub(super) endpoint: &'static str,
    pub(super) status: u16,
}

/// Which message the engine inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// What started a config reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadTrigger {
    /// `POST /reload` on the admin listener.
    AdminApi,
    /// SIGHUP.
    Signal,
    /// A watched file changed (`reload: {watch: true}`).
    FileWatch,
}

impl ReloadTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadTrigger::AdminApi => "admin_api",
            ReloadTrigger::Signal => "signal",
            ReloadTrigger::FileWatch => "file_watch",
        }
    }
}
