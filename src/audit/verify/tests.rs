use std::fs;

use super::*;
use crate::audit::chain::ChainKey;
use crate::audit::record::tests::sample_share;
use crate::audit::record::{Body, Recovery, encode};
use crate::audit::segment::segment_name;

/// Writes `bodies` as one chain, split into segments of `per_file` records.
fn write_log(dir: &Path, bodies: &[Body], per_file: usize) -> Vec<PathBuf> {
    let mut prev = GENESIS;
    let mut files = Vec::new();
    for (chunk_no, chunk) in bodies.chunks(per_file).enumerate() {
        let first = (chunk_no * per_file) as u64 + 1;
        let path = dir.join(segment_name(first, time::OffsetDateTime::UNIX_EPOCH, 0));
        let mut buf = Vec::new();
        for (seq, body) in (first..).zip(chunk) {
            prev = encode(
                &mut buf,
                &ChainKey::Plain,
                seq,
                "2026-11-23T05:00:00.000Z",
                None,
                body,
                prev,
            )
            .hash;
        }
        fs::write(&path, buf).expect("write");
        files.push(path);
    }
    files
}

fn shares(n: usize) -> Vec<Body> {
    (0..n).map(|_| Body::Share(sample_share())).collect()
}

fn run(inputs: &[PathBuf], partial: bool) -> Report {
    let options = VerifyOptions {
        key: ChainKey::Plain,
        partial,
        ..VerifyOptions::default()
    };
    verify(inputs, &options).expect("readable")
}

#[test]
fn intact_log_reports_counts_and_head() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_log(dir.path(), &shares(7), 3);
    let report = run(&[dir.path().to_path_buf()], false);
    assert!(report.is_intact(), "{report}");
    assert_eq!((report.files, report.records), (3, 7));
    assert_eq!((report.first_seq, report.last_seq), (Some(1), Some(7)));
    assert!(
        report
            .to_string()
            .starts_with("OK: 7 records in 3 files, seq 1..7")
    );
}

#[test]
fn a_later_part_needs_partial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_log(dir.path(), &shares(6), 3);
    let later = [files[1].clone()];
    let report = run(&later, false);
    assert_eq!(
        report.problem.map(|p| (p.line, p.kind)),
        Some((1, ProblemKind::NotGenesis { found: 4 }))
    );
    assert!(run(&later, true).is_intact());
}

#[test]
fn a_recovery_record_without_its_torn_line_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bodies = shares(2);
    bodies.push(Body::Recovery(Recovery {
        torn_segment: "audit-000000000001-19700101T000000000Z.jsonl".into(),
        torn_line: 3,
        torn_bytes: 10,
    }));
    let files = write_log(dir.path(), &bodies, 10);
    let problem = run(&files, false).problem.expect("stray");
    assert_eq!(
        (problem.line, problem.kind),
        (3, ProblemKind::StrayRecovery)
    );
}

#[test]
fn a_torn_line_inside_the_log_without_recovery_is_reported_where_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_log(dir.path(), &shares(6), 3);
    let mut first = fs::read(&files[0]).expect("read");
    first.extend_from_slice(b"{\"seq\":4");
    fs::write(&files[0], first).expect("write");
    let problem = run(&files, false).problem.expect("torn");
    assert_eq!((problem.file, problem.line), (files[0].clone(), 4));
    assert_eq!(problem.kind, ProblemKind::UnrecordedTorn { bytes: 8 });
}

#[test]
fn explicit_files_are_put_in_chain_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_log(dir.path(), &shares(6), 2);
    let reversed: Vec<_> = files.iter().rev().cloned().collect();
    assert!(run(&reversed, false).is_intact());
}

#[test]
fn an_empty_log_is_intact_but_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = run(&[dir.path().to_path_buf()], false);
    assert!(report.is_intact());
    assert_eq!(report.to_string(), "OK: no records in 0 files\n");
}
