use super::*;
use crate::candidate::{CandidateResult, Difference};
use crate::engine;
use crate::rules::RuleRef;

fn stats() -> AuditStats {
    AuditStats {
        enabled: true,
        queue_depth: 2,
        queue_capacity: 4096,
        records_written: 7,
        batches_written: 3,
        batches_failed: 0,
        last_seq: 7,
        last_fsync_latency: None,
        available: true,
        checkpoints_written: 1,
        witness_failures: 0,
        sink: None,
    }
}

#[test]
fn every_family_is_exposed_with_the_prefix() {
    let m = Metrics::new();
    let demo = m.partner(&Ident::fixed("demo"));
    // Families with labels appear with their first series.
    m.request(&RequestSample {
        partner: Some(&demo),
        status: 403,
        refusal: Some(RefusalSample {
            code: "consent_revoked",
            fault: "caller",
            consent_block: true,
        }),
        total: Duration::from_millis(1),
        upstream: None,
        bytes_in: 1,
        bytes_out: 0,
    });
    let finding = engine::Finding {
        path: "$.a".into(),
        category: Ident::fixed("phone"),
        action: Ident::fixed("mask"),
        rule: RuleRef::Field(0),
        why: engine::Why::default(),
    };
    m.findings(&demo, Direction::Request, &[finding]);
    m.candidate(
        &demo,
        CandidateResult::Different,
        [(Difference::Changed, &Ident::fixed("phone"))],
    );
    m.reload(ReloadTrigger::Signal, true);
    m.admin_request("metrics", 200);
    let text = m.render(&stats(), 3);
    for family in [
        "pii_proxy_build_info",
        "pii_proxy_requests",
        "pii_proxy_requests_in_flight",
        "pii_proxy_added_latency_seconds",
        "pii_proxy_upstream_latency_seconds",
        "pii_proxy_received_bytes",
        "pii_proxy_forwarded_bytes",
        "pii_proxy_findings",
        "pii_proxy_refusals",
        "pii_proxy_consent_blocks",
        "pii_proxy_candidate_requests",
        "pii_proxy_candidate_fields",
        "pii_proxy_audit_queue_depth 2",
        "pii_proxy_audit_fsync_seconds",
        "pii_proxy_audit_checkpoints_written_total 1",
        "pii_proxy_audit_witness_failures_total 0",
        "pii_proxy_config_generation 3",
        "pii_proxy_config_reloads",
        "pii_proxy_admin_requests",
    ] {
        assert!(text.contains(family), "{family} missing:\n{text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(text.contains("pii_proxy_received_bytes_total{partner=\"demo\"} 1"));
    // A partner without traffic still has its per-partner series.
    m.partner(&Ident::fixed("idle"));
    let text = m.render(&stats(), 3);
    assert!(text.contains("pii_proxy_forwarded_bytes_total{partner=\"idle\"} 0"));
}

#[test]
fn requests_refusals_and_consent_blocks_are_counted() {
    let m = Metrics::new();
    let demo = m.partner(&Ident::fixed("demo"));
    let sample = |status, refusal| RequestSample {
        partner: Some(&demo),
        status,
        refusal,
        total: Duration::from_millis(3),
        upstream: Some(Duration::from_millis(2)),
        bytes_in: 10,
        bytes_out: 12,
    };
    m.request(&sample(200, None));
    m.request(&sample(200, None));
    m.request(&sample(
        403,
        Some(RefusalSample {
            code: "consent_revoked",
            fault: "caller",
            consent_block: true,
        }),
    ));
    m.request(&RequestSample {
        partner: None,
        status: 404,
        refusal: Some(RefusalSample {
            code: "no_route",
            fault: "caller",
            consent_block: false,
        }),
        total: Duration::ZERO,
        upstream: None,
        bytes_in: 0,
        bytes_out: 0,
    });
    let text = m.render(&stats(), 1);
    for line in [
        "pii_proxy_requests_total{partner=\"demo\",status=\"200\"} 2",
        "pii_proxy_requests_total{partner=\"demo\",status=\"403\"} 1",
        "pii_proxy_requests_total{partner=\"(none)\",status=\"404\"} 1",
        "pii_proxy_refusals_total{partner=\"demo\",reason=\"consent_revoked\",fault=\"caller\"} 1",
        "pii_proxy_consent_blocks_total{partner=\"demo\"} 1",
        "pii_proxy_received_bytes_total{partner=\"demo\"} 30",
        "pii_proxy_upstream_latency_seconds_count{partner=\"demo\"} 3",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
}

#[test]
fn other_modules_can_add_families() {
    let m = Metrics::new();
    let quota: Counter = Counter::default();
    m.register("quota_rejections", "test family", quota.clone());
    quota.inc();
    let text = m.render(&stats(), 1);
    assert!(
        text.contains("pii_proxy_quota_rejections_total 1"),
        "{text}"
    );
}

#[test]
fn in_flight_guard_counts_down_on_drop() {
    let m = Metrics::new();
    let guard = m.in_flight();
    assert!(
        m.render(&stats(), 1)
            .contains("pii_proxy_requests_in_flight 1")
    );
    drop(guard);
    assert!(
        m.render(&stats(), 1)
            .contains("pii_proxy_requests_in_flight 0")
    );
}
