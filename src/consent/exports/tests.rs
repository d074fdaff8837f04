use super::*;
use crate::audit::SubjectHasher;

fn hashes(n: usize, from: usize) -> Vec<SubjectHash> {
    let hasher = SubjectHasher::new(&[5; 32]);
    (from..from + n)
        .map(|i| hasher.hash(&format!("u-{i}")))
        .collect()
}

fn share<'a>(subjects: &'a [SubjectHash], sensitive: bool, basis: Basis) -> Share<'a> {
    Share {
        partner: "overseas",
        year: 2026,
        subjects,
        sensitive,
        basis,
        thresholds: Thresholds {
            contract_subjects: 5,
            assessment_subjects: 8,
            contract_sensitive_subjects: 1,
            assessment_sensitive_subjects: 3,
        },
        warn_at: 0.5,
    }
}

#[tokio::test]
async fn counts_survive_a_reopen_and_refuse_past_the_covered_tier() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("consent/journal.jsonl");
    let ledger = Arc::new(ExportLedger::open_beside(&journal).expect("opens"));
    let first = hashes(4, 0);
    let volume = ledger
        .admit(&share(&first, false, Basis::None))
        .await
        .expect("exempt");
    assert_eq!(
        volume,
        Volume {
            subjects: 4,
            sensitive: 0
        }
    );
    // The same people again add no one.
    let again = ledger.admit(&share(&first[..2], false, Basis::None)).await;
    assert_eq!(again.expect("known").subjects, 4);
    drop(ledger);
    let ledger = Arc::new(ExportLedger::open_beside(&journal).expect("reopens"));
    assert_eq!(ledger.volume("overseas", 2026).subjects, 4, "durable");
    let fifth = hashes(1, 4);
    match ledger.admit(&share(&fifth, false, Basis::None)).await {
        Err(Refused::Threshold { tier, volume }) => {
            assert_eq!(tier, Tier::Contract);
            assert_eq!(volume.subjects, 5);
        }
        other => panic!("expected a threshold refusal, got {other:?}"),
    }
    assert_eq!(
        ledger.volume("overseas", 2026).subjects,
        4,
        "nothing counted"
    );
    let volume = ledger
        .admit(&share(&fifth, false, Basis::StandardContract))
        .await
        .expect("covered by a contract");
    assert_eq!(volume.subjects, 5);
    // Sensitive data of people already counted counts them as sensitive.
    let volume = ledger
        .admit(&share(&first[..2], true, Basis::StandardContract))
        .await
        .expect("two sensitive");
    assert_eq!(
        volume,
        Volume {
            subjects: 5,
            sensitive: 2
        }
    );
    assert!(matches!(
        ledger
            .admit(&share(&first[2..3], true, Basis::Certification))
            .await,
        Err(Refused::Threshold {
            tier: Tier::Assessment,
            ..
        })
    ));
    let text = std::fs::read_to_string(dir.path().join("consent/exports.jsonl")).expect("file");
    assert!(!text.contains("u-0"), "no raw subject in the ledger");
    assert_eq!(text.lines().count(), 7);
    let standings = ledger.standings(2026);
    assert_eq!(standings.len(), 1);
    assert_eq!(
        standings[0].volume,
        Volume {
            subjects: 5,
            sensitive: 2
        }
    );
    // Certification covers the contract tier: 2 of 3 sensitive people
    // towards an assessment.
    let nearness = standings[0].nearness.expect("an uncovered tier remains");
    assert!((nearness - 2.0 / 3.0).abs() < 1e-9, "{nearness}");
}

#[test]
fn a_second_process_cannot_open_the_ledger_and_a_torn_line_is_cut() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("journal.jsonl");
    let held = ExportLedger::open_beside(&journal).expect("opens");
    assert!(matches!(
        ExportLedger::open_beside(&journal),
        Err(ConsentError::Locked(_))
    ));
    drop(held);
    let path = dir.path().join("exports.jsonl");
    std::fs::write(&path, "{\"partner\":\"p\",\"ye").expect("write");
    let ledger = ExportLedger::open_beside(&journal).expect("a torn line is cut");
    assert_eq!(ledger.volume("p", 2026).subjects, 0);
    assert_eq!(std::fs::metadata(&path).expect("file").len(), 0);
    drop(ledger);
    std::fs::write(&path, "not json\n").expect("write");
    assert!(matches!(
        ExportLedger::open_beside(&journal),
        Err(ConsentError::Corrupt { line: 1, .. })
    ));
}
