use std::io::Write;
use std::path::PathBuf;

use super::journal::Journal;
use super::*;
use crate::audit::SubjectHasher;

const RAW: &str = "110101199003077777";

fn hasher() -> SubjectHasher {
    SubjectHasher::new(&[7; 32])
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("consent/journal.jsonl")
    }

    fn open(&self) -> ConsentStore {
        ConsentStore::open(&self.path(), hasher()).expect("opens")
    }

    fn text(&self) -> String {
        std::fs::read_to_string(self.path()).expect("journal")
    }
}

fn scope(partner: Option<&str>, scenario: Option<&str>) -> Scope {
    Scope {
        partner: partner.map(str::to_owned),
        scenario: scenario.map(str::to_owned),
        separate: false,
    }
}

/// A separate grant is kept through the journal, a later plain grant or a
/// revocation replaces it, and a separate revoke is refused.
#[test]
fn separate_grants_survive_a_reopen_and_yield_to_later_decisions() {
    let fixture = Fixture::new();
    let store = fixture.open();
    let subject = store.hash(RAW);
    let separate = Scope {
        separate: true,
        ..scope(Some("cb"), None)
    };
    store.record(&subject, Op::Grant, &separate).expect("grant");
    assert_eq!(
        verdict(&store, RAW, "cb", "default"),
        Verdict::GrantedSeparately
    );
    assert!(fixture.text().contains(r#""separate":true"#));
    drop(store);
    let store = fixture.open();
    assert_eq!(
        verdict(&store, RAW, "cb", "loan"),
        Verdict::GrantedSeparately
    );
    assert!(matches!(
        store.record(&subject, Op::Revoke, &separate),
        Err(ConsentError::Invalid(_))
    ));
    store
        .record(&subject, Op::Grant, &scope(Some("cb"), None))
        .expect("plain grant");
    assert_eq!(verdict(&store, RAW, "cb", "default"), Verdict::Granted);
    store
        .record(&subject, Op::Restore, &separate)
        .expect("restore");
    assert_eq!(
        verdict(&store, RAW, "cb", "default"),
        Verdict::GrantedSeparately
    );
    store
        .record(&subject, Op::Revoke, &scope(Some("cb"), None))
        .expect("revoke");
    assert_eq!(verdict(&store, RAW, "cb", "default"), Verdict::Revoked);
}

#[test]
fn a_share_that_needs_separate_consent_takes_only_a_separate_grant() {
    use ConsentMode::{Required, Revocable};
    for mode in [Revocable, Required] {
        let separate = Some(Verdict::GrantedSeparately);
        assert_eq!(decide(separate, mode, true), Ok(Consent::Granted));
        assert_eq!(decide(separate, mode, false), Ok(Consent::Granted));
        for other in [None, Some(Verdict::NoDecision), Some(Verdict::Granted)] {
            assert_eq!(decide(other, mode, true), Err(Refused::NotSeparate));
        }
        assert_eq!(
            decide(Some(Verdict::Revoked), mode, true),
            Err(Refused::Revoked)
        );
    }
    assert!(strictness(Verdict::Granted) > strictness(Verdict::GrantedSeparately));
}

fn verdict(store: &ConsentStore, subject: &str, partner: &str, scenario: &str) -> Verdict {
    store.lookup(&SubjectKey::of(&store.hash(subject)), partner, scenario)
}

#[test]
fn decisions_apply_per_partner_and_scenario_latest_wins() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.hash(RAW);
    assert_eq!(verdict(&store, RAW, "cb", "loan"), Verdict::NoDecision);

    store
        .record(&s, Op::Revoke, &scope(Some("cb"), Some("loan")))
        .expect("revoke");
    assert_eq!(verdict(&store, RAW, "cb", "loan"), Verdict::Revoked);
    assert_eq!(verdict(&store, RAW, "cb", "kyc"), Verdict::NoDecision);
    assert_eq!(verdict(&store, RAW, "other", "loan"), Verdict::NoDecision);
    assert_eq!(
        verdict(&store, "someone-else", "cb", "loan"),
        Verdict::NoDecision
    );

    // Partner-wide revoke, then one scenario restored: the latest covering
    // decision wins.
    store
        .record(&s, Op::Revoke, &scope(Some("cb"), None))
        .expect("revoke all of cb");
    assert_eq!(verdict(&store, RAW, "cb", "kyc"), Verdict::Revoked);
    store
        .record(&s, Op::Restore, &scope(Some("cb"), Some("loan")))
        .expect("restore loan");
    assert_eq!(verdict(&store, RAW, "cb", "loan"), Verdict::Granted);
    assert_eq!(verdict(&store, RAW, "cb", "kyc"), Verdict::Revoked);

    // One decision per scope is kept.
    store
        .record(&s, Op::Grant, &scope(Some("cb"), Some("loan")))
        .expect("grant");
    assert_eq!(store.view(&s).decisions.len(), 2);
    assert_eq!(store.decisions_recorded(), 4);
}

#[test]
fn erase_blocks_every_partner_for_good() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.hash(RAW);
    store
        .record(&s, Op::Grant, &scope(Some("cb"), None))
        .expect("grant");
    let erased = store
        .record(&s, Op::Erase, &Scope::default())
        .expect("erase");
    assert!(erased.changed);
    for (p, sc) in [("cb", "default"), ("any", "thing")] {
        assert_eq!(verdict(&store, RAW, p, sc), Verdict::Erased);
    }
    assert!(matches!(
        store.record(&s, Op::Restore, &scope(Some("cb"), None)),
        Err(ConsentError::Erased)
    ));
    let again = store
        .record(&s, Op::Erase, &Scope::default())
        .expect("idempotent");
    assert!(!again.changed);
    assert_eq!(again.decision.seq, erased.decision.seq);
    assert_eq!(f.text().lines().count(), 2, "the repeat wrote nothing");
    assert_eq!(store.erased_subjects(), 1);
}

#[test]
fn malformed_scopes_are_refused_before_anything_is_written() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.hash(RAW);
    for (op, bad) in [
        (Op::Erase, scope(Some("cb"), None)),
        (Op::Revoke, scope(None, Some("loan"))),
        (Op::Revoke, scope(Some("c b"), None)),
        (Op::Revoke, scope(Some("cb"), Some("p13800138000"))),
    ] {
        assert!(
            matches!(store.record(&s, op, &bad), Err(ConsentError::Invalid(_))),
            "{op:?} {bad:?}"
        );
    }
    assert_eq!(f.text(), "");
}

#[test]
fn a_reopened_store_has_every_decision_and_the_journal_no_raw_subject() {
    let f = Fixture::new();
    {
        let store = f.open();
        let s = store.hash(RAW);
        store
            .record(&s, Op::Revoke, &scope(Some("cb"), Some("loan")))
            .expect("revoke");
        store
            .record(&store.hash("u-2"), Op::Erase, &Scope::default())
            .expect("erase");
        store
            .record(&store.hash("u-3"), Op::Grant, &scope(Some("abroad"), None))
            .expect("grant");
    }
    let store = f.open();
    assert_eq!(verdict(&store, RAW, "cb", "loan"), Verdict::Revoked);
    assert_eq!(verdict(&store, "u-2", "cb", "loan"), Verdict::Erased);
    assert_eq!(verdict(&store, "u-3", "abroad", "x"), Verdict::Granted);
    assert_eq!(store.decisions_recorded(), 3);
    assert_eq!(store.erased_subjects(), 1);
    // Sequence continues after a restart.
    let next = store
        .record(&store.hash(RAW), Op::Restore, &scope(Some("cb"), None))
        .expect("restore");
    assert_eq!(next.decision.seq, 4);

    let text = f.text();
    assert!(!text.contains(RAW) && !text.contains("u-2"), "{text}");
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["op"], "revoke");
    assert_eq!(first["subject"], store.hash(RAW).as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_torn_last_line_is_cut_off_and_reported() {
    let f = Fixture::new();
    {
        let store = f.open();
        store
            .record(&store.hash(RAW), Op::Revoke, &scope(Some("cb"), None))
            .expect("revoke");
    }
    let complete = f.text();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(f.path())
        .expect("open");
    file.write_all(br#"{"seq":2,"ts":"2026-"#).expect("tear");
    drop(file);

    let store = f.open();
    assert_eq!(store.torn_bytes_at_open(), 20);
    assert_eq!(f.text(), complete, "cut back to the last complete line");
    assert_eq!(verdict(&store, RAW, "cb", "default"), Verdict::Revoked);
    // Appending after the cut gives a clean journal.
    store
        .record(&store.hash(RAW), Op::Restore, &scope(Some("cb"), None))
        .expect("restore");
    drop(store);
    let store = f.open();
    assert_eq!(store.torn_bytes_at_open(), 0);
    assert_eq!(verdict(&store, RAW, "cb", "default"), Verdict::Granted);
}

#[test]
fn a_corrupt_complete_line_stops_the_open_without_quoting_it() {
    let f = Fixture::new();
    {
        let store = f.open();
        store
            .record(&store.hash(RAW), Op::Revoke, &scope(Some("cb"), None))
            .expect("revoke");
    }
    let good = f.text();
    for bad in [
        format!("{good}{{\"seq\":2,\"note\":\"{RAW}\"}}\n"),
        format!("{good}{good}"),
        good.replace("\"cb\"", "\"13800138000\""),
    ] {
        std::fs::write(f.path(), &bad).expect("write");
        let err = ConsentStore::open(&f.path(), hasher()).expect_err("corrupt");
        let text = err.to_string();
        assert!(matches!(err, ConsentError::Corrupt { .. }), "{text}");
        assert!(
            !text.contains(RAW) && !text.contains("13800138000"),
            "{text}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_journal_that_cannot_be_written_refuses_the_decision_and_changes_nothing() {
    let f = Fixture::new();
    let store = f.open();
    let s = store.hash(RAW);
    // A device that refuses every write (permissions would not stop root).
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let (journal, _) = Journal::open_file_for_test(full).expect("open /dev/full");
    store.replace_journal_for_test(journal);
    let err = store
        .record(&s, Op::Revoke, &scope(Some("cb"), None))
        .expect_err("no space");
    assert!(matches!(err, ConsentError::Unavailable(_)), "{err}");
    assert_eq!(store.journal_failures(), 1);
    assert_eq!(verdict(&store, RAW, "cb", "default"), Verdict::NoDecision);
}

#[test]
fn decide_combines_verdict_and_mode() {
    use ConsentMode::{Required, Revocable};
    assert_eq!(decide(None, Revocable, false), Ok(Consent::NoSubject));
    assert_eq!(decide(None, Required, false), Err(Refused::NoSubject));
    assert_eq!(
        decide(Some(Verdict::NoDecision), Revocable, false),
        Ok(Consent::Granted)
    );
    assert_eq!(
        decide(Some(Verdict::NoDecision), Required, false),
        Err(Refused::NotGranted)
    );
    assert_eq!(
        decide(Some(Verdict::Granted), Required, false),
        Ok(Consent::Granted)
    );
    for mode in [Revocable, Required] {
        assert_eq!(
            decide(Some(Verdict::Revoked), mode, false),
            Err(Refused::Revoked)
        );
        assert_eq!(
            decide(Some(Verdict::Erased), mode, false),
            Err(Refused::Erased)
        );
    }
}

#[test]
fn scopes_warn_about_unconfigured_partners_and_scenarios() {
    let scopes = Scopes::new([("cb".to_owned(), vec!["default".into(), "loan".into()])]);
    assert!(scopes.warning(&scope(Some("cb"), Some("loan"))).is_none());
    assert!(scopes.warning(&scope(Some("cb"), None)).is_none());
    assert!(scopes.warning(&scope(None, None)).is_none());
    assert!(
        scopes
            .warning(&scope(Some("cb"), Some("kyc")))
            .expect("warns")
            .contains("no scenario `kyc`")
    );
    assert!(scopes.warning(&scope(Some("bc"), None)).is_some());
    assert_eq!(scopes.all(), vec![("cb", "default"), ("cb", "loan")]);
}

#[test]
fn subject_keys_use_the_hmac_bytes() {
    let h = hasher();
    let a = SubjectKey::of(&h.hash(RAW));
    assert_eq!(a, SubjectKey::of(&h.hash(RAW)));
    assert_ne!(a, SubjectKey::of(&h.hash("u-2")));
    let hash = h.hash(RAW);
    let hex = &hash.as_str()[5..21];
    let expected = u64::from_le_bytes(hex::decode(hex).expect("hex").try_into().expect("8 bytes"));
    assert_eq!(a.fingerprint(), expected);
    assert!(!format!("{a:?}").contains(RAW));
}
