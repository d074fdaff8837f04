//! Per-thread memories of pure decisions about short strings: a partner's
//! payloads repeat a few dozen keys on every request, so the checks made
//! of each key (what it means, whether it could be a value) are worth
//! making once per thread rather than once per occurrence.
//!
//! What it owns: the hash ([`Fnv`]) and a direct-mapped table of slots
//! ([`SlotMemo`]), bounded by construction: a newer key takes an older
//! one's slot, so a payload of ever-new keys costs what it would without
//! the memory, never more memory. What it does not know: what is decided;
//! each user keeps its own table in a `thread_local!`.

use std::hash::Hasher;

/// FNV-1a over the bytes: keys are short, and a table compares the whole
/// key on a hit, so a collision costs a miss, never a wrong answer.
/// Written here rather than taken from a crate: eight lines, and the
/// tables need no resistance to chosen collisions (a collision only
/// evicts; the key is compared).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Answers for up to `SLOTS` keys of at most `max_key` bytes; longer keys
/// are decided every time.
pub struct SlotMemo<V, const SLOTS: usize> {
    slots: Vec<Option<(u64, Box<str>, V)>>,
    max_key: usize,
}

impl<V: Clone, const SLOTS: usize> SlotMemo<V, SLOTS> {
    pub const fn new(max_key: usize) -> Self {
        SlotMemo {
            slots: Vec::new(),
            max_key,
        }
    }

    /// The remembered answer for `key`, or `decide(key)` remembered.
    pub fn get(&mut self, key: &str, decide: impl FnOnce(&str) -> V) -> V {
        if key.len() > self.max_key {
            return decide(key);
        }
        let mut hasher = Fnv::default();
        hasher.write(key.as_bytes());
        let hash = hasher.finish();
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let slot = &mut self.slots[(hash as usize) % SLOTS];
        if let Some((h, k, v)) = slot {
            if *h == hash && **k == *key {
                return v.clone();
            }
        }
        let answer = decide(key);
        *slot = Some((hash, key.into(), answer.clone()));
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_remembered_and_a_full_table_stays_right() {
        let mut memo: SlotMemo<usize, 8> = SlotMemo::new(16);
        let mut asked = 0;
        for round in 0..3 {
            for n in 0..100 {
                let key = format!("key{n}");
                let got = memo.get(&key, |k| {
                    asked += 1;
                    k.len()
                });
                assert_eq!(got, key.len(), "round {round}");
            }
        }
        // 100 keys in 8 slots: mostly misses, every answer still right.
        assert!(asked > 100);
        let long = "k".repeat(17);
        assert_eq!(memo.get(&long, |k| k.len() * 2), 34);
        assert_eq!(
            memo.get(&long, |k| k.len() * 3),
            51,
            "long keys are not kept"
        );
    }

    #[test]
    fn a_repeated_key_is_decided_once() {
        let mut memo: SlotMemo<bool, 64> = SlotMemo::new(64);
        let mut asked = 0;
        for _ in 0..1000 {
            memo.get("mobile", |_| {
                asked += 1;
                true
            });
        }
        assert_eq!(asked, 1);
    }
}
