//! Every family of the proxy's own registry, by name, help text and unit:
//! what `/metrics` lists, in the order it lists them.
//!
//! It knows nothing of recording (the handles are the `Metrics` fields) nor
//! of scrape-time values. Registering cannot fail: a name is a fixed word.

use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use super::Metrics;

impl Metrics {
    pub(super) fn register_all(&self, r: &mut Registry) {
        self.register_requests(r);
        self.register_protection(r);
        self.register_audit(r);
        self.register_admin(r);
    }

    /// The build and the request flow's traffic: requests, latencies, bytes.
    fn register_requests(&self, r: &mut Registry) {
        r.register(
            "build",
            "The running build (value 1)",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        r.register(
            "requests",
            "Requests answered, by partner (`(none)` when no route matched) and HTTP status",
            self.requests.clone(),
        );
        r.register(
            "requests_in_flight",
            "Requests being served now",
            self.in_flight.clone(),
        );
        r.register_with_unit(
            "added_latency",
            "Time the proxy itself added to a request (total minus the partner's time), by partner",
            Unit::Seconds,
            self.added_latency.clone(),
        );
        r.register_with_unit(
            "upstream_latency",
            "Time the partner took to answer (to the response head; to the end of the body when responses are inspected), by partner",
            Unit::Seconds,
            self.upstream_latency.clone(),
        );
        r.register_with_unit(
            "received",
            "Request body bytes received from callers (before decoding), by partner",
            Unit::Bytes,
            self.bytes_received.clone(),
        );
        r.register_with_unit(
            "forwarded",
            "Request body bytes forwarded to partners (after protection), by partner",
            Unit::Bytes,
            self.bytes_forwarded.clone(),
        );
    }

    /// What protection did: findings, refusals, consent blocks and the
    /// candidate rules' shadow runs.
    fn register_protection(&self, r: &mut Registry) {
        r.register(
            "findings",
            "Values protected, by partner, direction (request or response), category and action",
            self.findings.clone(),
        );
        r.register(
            "refusals",
            "Requests refused, by partner, reason (the public error code) and fault (caller, partner, proxy)",
            self.refusals.clone(),
        );
        r.register(
            "consent_blocks",
            "Requests refused because the subject revoked consent for the partner",
            self.consent_blocks.clone(),
        );
        r.register(
            "candidate_requests",
            "Requests the partner's candidate rules were run on in shadow, by result (same, different, refused)",
            self.candidate_requests.clone(),
        );
        r.register(
            "candidate_fields",
            "Fields the candidate rules would treat differently, by difference (newly_protected, left_unprotected, changed) and category",
            self.candidate_fields.clone(),
        );
    }

    /// The audit writer's families.
    fn register_audit(&self, r: &mut Registry) {
        r.register(
            "audit_queue_depth",
            "Audit records waiting for the writer",
            self.audit_queue_depth.clone(),
        );
        r.register(
            "audit_queue_capacity",
            "Audit records that may wait before requests wait for room",
            self.audit_queue_capacity.clone(),
        );
        r.register(
            "audit_records_written",
            "Audit records written since start",
            self.audit_records.clone(),
        );
        r.register(
            "audit_batches_failed",
            "Audit batches refused since start (requests answered 503 audit_unavailable)",
            self.audit_batches_failed.clone(),
        );
        r.register(
            "audit_available",
            "1 while the audit writer accepts records, 0 after a failed batch until the next good one",
            self.audit_available.clone(),
        );
        r.register(
            "audit_checkpoints_written",
            "Signed audit checkpoints written since start",
            self.audit_checkpoints.clone(),
        );
        r.register(
            "audit_witness_failures",
            "Audit checkpoints a witness did not keep since start (each is logged)",
            self.audit_witness_failures.clone(),
        );
        self.sink.register(r);
        r.register_with_unit(
            "audit_fsync",
            "Time each fsync of an audit segment took",
            Unit::Seconds,
            self.audit_fsync.clone(),
        );
    }

    /// Config generations, reloads and the admin listener.
    fn register_admin(&self, r: &mut Registry) {
        r.register(
            "config_generation",
            "The config generation serving new requests (1 at start, +1 per successful reload)",
            self.config_generation.clone(),
        );
        r.register(
            "config_reloads",
            "Config reloads, by trigger (admin_api, signal, file_watch) and result (ok, rejected)",
            self.config_reloads.clone(),
        );
        r.register(
            "config_last_reload_successful",
            "1 if the last reload succeeded (or none happened), 0 if it was rejected",
            self.config_last_reload_successful.clone(),
        );
        r.register(
            "admin_requests",
            "Requests to the admin listener, by endpoint and status (401 = bad or missing token)",
            self.admin_requests.clone(),
        );
        self.config_last_reload_successful.set(1);
    }
}
