//! The decisions in memory, which every request reads: one map probe per
//! lookup. Whatever the store (journal or database), this is the copy the
//! proxy decides from.
//!
//! Applying is idempotent and order-proof, so a replica can apply the same
//! decision from its own write, from the database's notification and from a
//! full resync, in any order, and end in the same state: within a scope
//! (partner, scenario) the higher `seq` wins and a lower one changes
//! nothing; an erase is final, and nothing after it changes the subject.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::journal::Entry;
use super::{Decision, Op, PrehashedMap, SubjectKey, SubjectView, Verdict};
use crate::audit::SubjectHash;

#[derive(Default)]
pub(super) struct SubjectRecord {
    /// The erase decision, once there is one.
    pub(super) erased: Option<Decision>,
    /// At most one per scope; an erased subject keeps none.
    decisions: Vec<Decision>,
}

impl SubjectRecord {
    /// The verdict and the seq of the decision that gave it.
    fn verdict(&self, partner: &str, scenario: &str) -> (Verdict, Option<u64>) {
        if let Some(erased) = &self.erased {
            return (Verdict::Erased, Some(erased.seq));
        }
        let latest = self
            .decisions
            .iter()
            .filter(|d| d.covers(partner, scenario))
            .max_by_key(|d| d.seq);
        match latest {
            None => (Verdict::NoDecision, None),
            Some(d) if d.op.grants() && d.separate => (Verdict::GrantedSeparately, Some(d.seq)),
            Some(d) if d.op.grants() => (Verdict::Granted, Some(d.seq)),
            Some(d) => (Verdict::Revoked, Some(d.seq)),
        }
    }
}

/// Whether the decisions in memory are complete and current.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Every decision is known (the journal, or a database heard from
    /// within `max_staleness`).
    Current,
    /// The database has not been heard from for longer than
    /// `max_staleness`: known decisions still apply, but a grant or a
    /// revocation made on another replica since may be missing.
    Stale { for_ms: u64 },
    /// No full sync yet (the replica started while the database was
    /// down): no decision is known, so nothing may be shared.
    NotSynced,
}

/// Decisions by subject, shared by every worker (and, with a database, the
/// task that follows it).
#[derive(Default)]
pub(super) struct Cache {
    subjects: PrehashedMap<SubjectKey, SubjectRecord>,
    /// Interned partner and scenario names (few, repeated in every decision).
    names: Mutex<HashSet<Arc<str>>>,
    decisions_applied: AtomicU64,
    erased_subjects: AtomicU64,
}

impl Cache {
    pub(super) fn lookup(
        &self,
        key: &SubjectKey,
        partner: &str,
        scenario: &str,
    ) -> (Verdict, Option<u64>) {
        match self.subjects.get(key) {
            None => (Verdict::NoDecision, None),
            Some(record) => record.verdict(partner, scenario),
        }
    }

    /// The subject's erase decision, if it was erased.
    pub(super) fn erased(&self, key: &SubjectKey) -> Option<Decision> {
        self.subjects.get(key).and_then(|r| r.erased.clone())
    }

    pub(super) fn view(&self, subject: &SubjectHash) -> SubjectView {
        let record = self.subjects.get(&SubjectKey::of(subject));
        SubjectView {
            subject: subject.clone(),
            erased: record.as_ref().and_then(|r| r.erased.clone()),
            decisions: record.map(|r| r.decisions.clone()).unwrap_or_default(),
        }
    }

    /// Applies one stored decision; returns it as kept, and whether it
    /// changed anything (false for one already applied or superseded).
    pub(super) fn apply(&self, entry: &Entry) -> (Decision, bool) {
        let decision = self.to_decision(entry);
        let changed = self.apply_decision(SubjectKey::of(&entry.subject), decision.clone());
        if changed {
            self.decisions_applied.fetch_add(1, Ordering::Relaxed);
            if entry.op == Op::Erase {
                self.erased_subjects.fetch_add(1, Ordering::Relaxed);
            }
        }
        (decision, changed)
    }

    fn apply_decision(&self, key: SubjectKey, d: Decision) -> bool {
        let mut record = self.subjects.entry(key).or_default();
        if record.erased.is_some() {
            return false;
        }
        if d.op == Op::Erase {
            record.decisions = Vec::new();
            record.erased = Some(d);
            return true;
        }
        let same_scope = |old: &Decision| old.partner == d.partner && old.scenario == d.scenario;
        if record
            .decisions
            .iter()
            .any(|old| same_scope(old) && old.seq >= d.seq)
        {
            return false;
        }
        record.decisions.retain(|old| !same_scope(old));
        record.decisions.push(d);
        true
    }

    fn to_decision(&self, entry: &Entry) -> Decision {
        let mut names = self
            .names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut intern = |name: &String| -> Arc<str> {
            match names.get(name.as_str()) {
                Some(known) => known.clone(),
                None => {
                    let shared: Arc<str> = Arc::from(name.as_str());
                    names.insert(shared.clone());
                    shared
                }
            }
        };
        Decision {
            op: entry.op,
            partner: entry.partner.as_ref().map(&mut intern),
            scenario: entry.scenario.as_ref().map(&mut intern),
            seq: entry.seq,
            separate: entry.separate,
            ts: Arc::from(entry.ts.as_str()),
        }
    }

    pub(super) fn subjects(&self) -> u64 {
        self.subjects.len() as u64
    }

    pub(super) fn decisions_applied(&self) -> u64 {
        self.decisions_applied.load(Ordering::Relaxed)
    }

    pub(super) fn erased_subjects(&self) -> u64 {
        self.erased_subjects.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::SubjectHasher;

    fn entry(seq: u64, op: Op, subject: &SubjectHash, partner: Option<&str>) -> Entry {
        Entry {
            seq,
            ts: "2026-12-01T00:00:00.000Z".into(),
            op,
            subject: subject.clone(),
            partner: partner.map(str::to_owned),
            scenario: None,
            separate: false,
        }
    }

    #[test]
    fn applying_twice_or_out_of_order_ends_in_the_same_state() {
        let subject = SubjectHasher::new(&[3; 32]).hash("u-1");
        let key = SubjectKey::of(&subject);
        let revoke = entry(7, Op::Revoke, &subject, Some("cb"));
        let restore = entry(9, Op::Restore, &subject, Some("cb"));
        let in_order = Cache::default();
        for e in [&revoke, &restore, &revoke, &restore] {
            in_order.apply(e);
        }
        let reversed = Cache::default();
        for e in [&restore, &revoke] {
            reversed.apply(e);
        }
        for cache in [&in_order, &reversed] {
            assert_eq!(cache.lookup(&key, "cb", "default").0, Verdict::Granted);
        }
        assert_eq!(in_order.decisions_applied(), 2, "each applied once");
        assert_eq!(
            reversed.decisions_applied(),
            1,
            "the older one came too late"
        );
        assert!(
            !reversed.apply(&revoke).1,
            "a superseded decision changes nothing"
        );
    }

    #[test]
    fn an_erase_is_final_whatever_arrives_after_it() {
        let subject = SubjectHasher::new(&[3; 32]).hash("u-2");
        let key = SubjectKey::of(&subject);
        let cache = Cache::default();
        cache.apply(&entry(5, Op::Erase, &subject, None));
        assert!(!cache.apply(&entry(6, Op::Grant, &subject, Some("cb"))).1);
        assert_eq!(cache.lookup(&key, "cb", "default").0, Verdict::Erased);
        assert_eq!(cache.erased_subjects(), 1);
    }
}
