//! The Merkle tree over the log's records (RFC 9162 §2.1): leaf and node
//! hashes, the compact frontier the writer keeps, and inclusion and
//! consistency proofs with their verification.
//!
//! **Leaves.** Record `seq` is leaf `seq - 1`; a tree of size N covers
//! records 1..=N. A leaf's entry is the 32-byte [`TreeHash::digest`] of the
//! record's canonical bytes (the line without its `hash` member, see
//! [`super::chain`]), which is the record's `hash` under the plain chain;
//! its leaf hash is `H(0x00 || entry)`, an interior node `H(0x01 || left ||
//! right)`. So a proof is checked from the record's line alone, whatever
//! chain key wrote it.
//!
//! **Hash.** [`TreeHash`] names the function: SHA-256, or SM3 (GB/T 32905)
//! for a log whose chain is SM3 (`audit: {hash: sm3}`). Both give 32-byte
//! digests and the tree is the RFC's with `H` replaced; nothing else here
//! depends on which function it is. A checkpoint over an SM3 tree says so
//! in a `hash sm3` extension line.
//!
//! Written by hand: the RFC's algorithms are a page each, and the crates
//! that implement them either bring a second RustCrypto `digest`
//! generation or tie the tree to their own storage. Checked against the
//! RFC 6962 / transparency-dev test vectors and an independent Python
//! implementation (`tests/audit_merkle.rs`).
//!
//! Fails closed: a proof that does not check is `false`; a node a
//! [`ProofSource`] cannot compute is an error, never a guess.

use serde::{Deserialize, Serialize};

use super::chain::{ChainHash, Digest};

mod sha256x2;

/// The tree's hash function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreeHash {
    #[default]
    Sha256,
    /// GB/T 32905: the tree of an SM3 chain.
    Sm3,
}

impl TreeHash {
    /// As written in checkpoints and proofs.
    pub fn name(self) -> &'static str {
        match self {
            TreeHash::Sha256 => "sha256",
            TreeHash::Sm3 => "sm3",
        }
    }

    /// The function [`TreeHash::name`] names.
    pub fn from_name(name: &str) -> Option<TreeHash> {
        [TreeHash::Sha256, TreeHash::Sm3]
            .into_iter()
            .find(|hash| hash.name() == name)
    }

    /// A plain digest of `data` (a leaf's entry is this of the record's
    /// canonical bytes).
    pub fn digest(self, data: &[u8]) -> Digest {
        self.digest_parts(&[data])
    }

    fn digest_parts(self, parts: &[&[u8]]) -> Digest {
        self.chain_hash().digest_parts(None, parts)
    }

    /// The chain function of the same name: one log, one function.
    pub fn chain_hash(self) -> ChainHash {
        match self {
            TreeHash::Sha256 => ChainHash::Sha256,
            TreeHash::Sm3 => ChainHash::Sm3,
        }
    }

    /// The root of the empty tree: the hash of the empty string.
    pub fn empty_root(self) -> Digest {
        self.digest_parts(&[])
    }

    /// `H(0x00 || entry)`.
    pub fn leaf(self, entry: &[u8]) -> Digest {
        match (self, <&[u8; 32]>::try_from(entry)) {
            (TreeHash::Sha256, Ok(entry)) => sha256_blocks::leaf(entry),
            _ => self.digest_parts(&[&[0x00], entry]),
        }
    }

    /// `H(0x01 || left || right)`.
    pub fn node(self, left: &Digest, right: &Digest) -> Digest {
        match self {
            TreeHash::Sha256 => sha256_blocks::node(&left.0, &right.0),
            TreeHash::Sm3 => self.digest_parts(&[&[0x01], &left.0, &right.0]),
        }
    }
}

/// The two messages the writer hashes per record, padded by hand and fed
/// to the compression function directly: a leaf of a 32-byte entry is one
/// block, a node two. Through the `Digest` API the buffering, padding and
/// finalisation cost about as much again as the compressions, and the
/// writer pays them for every record it appends (`benches/audit`). A
/// batch's hashes go two at a time ([`sha256x2`]).
mod sha256_blocks {
    use sha2::block_api::compress256;

    use super::sha256x2::compress_pair;
    use crate::audit::chain::Digest;

    pub(super) const INITIAL: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    fn digest(state: [u32; 8]) -> Digest {
        let mut out = [0u8; 32];
        for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        Digest(out)
    }

    /// `0x00 || entry` (33 bytes: 264 bits), padded.
    fn leaf_block(entry: &[u8; 32]) -> [[u8; 64]; 1] {
        let mut block = [0u8; 64];
        block[1..33].copy_from_slice(entry);
        block[33] = 0x80;
        block[56..].copy_from_slice(&264u64.to_be_bytes());
        [block]
    }

    /// `0x01 || left || right` (65 bytes: 520 bits), padded.
    fn node_blocks(left: &[u8; 32], right: &[u8; 32]) -> [[u8; 64]; 2] {
        let mut blocks = [[0u8; 64]; 2];
        blocks[0][0] = 0x01;
        blocks[0][1..33].copy_from_slice(left);
        blocks[0][33..].copy_from_slice(&right[..31]);
        blocks[1][0] = right[31];
        blocks[1][1] = 0x80;
        blocks[1][56..].copy_from_slice(&520u64.to_be_bytes());
        blocks
    }

    fn one(blocks: &[[u8; 64]]) -> Digest {
        let mut state = INITIAL;
        compress256(&mut state, blocks);
        digest(state)
    }

    fn two(a: &[[u8; 64]], b: &[[u8; 64]]) -> [Digest; 2] {
        let (mut state_a, mut state_b) = (INITIAL, INITIAL);
        compress_pair([&mut state_a, &mut state_b], [a, b]);
        [digest(state_a), digest(state_b)]
    }

    /// SHA-256 of `0x00 || entry`.
    pub(super) fn leaf(entry: &[u8; 32]) -> Digest {
        one(&leaf_block(entry))
    }

    /// SHA-256 of `0x01 || left || right`.
    pub(super) fn node(left: &[u8; 32], right: &[u8; 32]) -> Digest {
        one(&node_blocks(left, right))
    }

    /// The leaf hash of every entry, appended to `out` in order.
    pub(super) fn leaves(entries: &[Digest], out: &mut Vec<Digest>) {
        let mut pairs = entries.chunks_exact(2);
        for pair in &mut pairs {
            out.extend(two(&leaf_block(&pair[0].0), &leaf_block(&pair[1].0)));
        }
        out.extend(pairs.remainder().iter().map(|entry| leaf(&entry.0)));
    }

    /// The node over each pair `(nodes[2i], nodes[2i + 1])`, appended to
    /// `out` in order; an odd last node is left out.
    pub(super) fn parents(nodes: &[Digest], out: &mut Vec<Digest>) {
        let mut quads = nodes.chunks_exact(4);
        for quad in &mut quads {
            out.extend(two(
                &node_blocks(&quad[0].0, &quad[1].0),
                &node_blocks(&quad[2].0, &quad[3].0),
            ));
        }
        let rest = quads.remainder();
        if rest.len() >= 2 {
            out.push(node(&rest[0].0, &rest[1].0));
        }
    }
}

/// The largest power of two below `n` (n ≥ 2): where RFC 9162 splits.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The compact range `[0, size)`: one perfect subtree root per set bit of
/// `size`, largest (leftmost) first. Appending is O(1) amortized, the root
/// O(log size); it is what the writer keeps and what a checkpoint record
/// stores so that a restart or a retained suffix can continue the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontier {
    hash: TreeHash,
    size: u64,
    nodes: Vec<Digest>,
}

impl Frontier {
    pub fn new(hash: TreeHash) -> Frontier {
        Frontier {
            hash,
            size: 0,
            nodes: Vec::new(),
        }
    }

    /// From stored nodes; `None` when their number does not match `size`.
    pub fn from_parts(hash: TreeHash, size: u64, nodes: Vec<Digest>) -> Option<Frontier> {
        (nodes.len() == size.count_ones() as usize).then_some(Frontier { hash, size, nodes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn hash(&self) -> TreeHash {
        self.hash
    }

    pub fn nodes(&self) -> &[Digest] {
        &self.nodes
    }

    /// Appends a leaf by its entry (see the module doc).
    pub fn push_entry(&mut self, entry: &Digest) {
        let leaf = self.hash.leaf(&entry.0);
        self.push_leaf_hash(leaf);
    }

    /// Appends a leaf per entry, as [`Frontier::push_entry`] in order
    /// would, but a level at a time: the leaves, and the pairs of each level
    /// above them, are independent, so they are hashed two at a time.
    pub fn push_entries(&mut self, entries: &[Digest]) {
        let old = self.size;
        let new = old + entries.len() as u64;
        let mut level = Vec::with_capacity(entries.len() + 1);
        match self.hash {
            TreeHash::Sha256 => sha256_blocks::leaves(entries, &mut level),
            hash => level.extend(entries.iter().map(|entry| hash.leaf(&entry.0))),
        }
        let mut above = Vec::with_capacity(entries.len() / 2 + 1);
        // The odd node each level leaves over, lowest level first.
        let mut left_over = Vec::new();
        // At level h, `level` holds the nodes [old >> h, new >> h) that the
        // new leaves complete; with an odd first index, its left sibling is
        // the frontier's node of that level, the smallest one left.
        let mut h = 0;
        while !level.is_empty() {
            if (old >> h) & 1 == 1 {
                let sibling = self.nodes.pop().expect("one node per set bit");
                level.insert(0, sibling);
            }
            if (new >> h) & 1 == 1 {
                left_over.push(level.pop().expect("an odd count is not zero"));
            }
            above.clear();
            match self.hash {
                TreeHash::Sha256 => sha256_blocks::parents(&level, &mut above),
                hash => above.extend(level.chunks_exact(2).map(|p| hash.node(&p[0], &p[1]))),
            }
            std::mem::swap(&mut level, &mut above);
            h += 1;
        }
        self.nodes.extend(left_over.into_iter().rev());
        self.size = new;
    }

    pub fn push_leaf_hash(&mut self, leaf: Digest) {
        let mut carry = leaf;
        // Each trailing 1 bit of the old size is a subtree the same size
        // as the carry: merge it in.
        let mut bits = self.size;
        while bits & 1 == 1 {
            let left = self.nodes.pop().expect("one node per set bit");
            carry = self.hash.node(&left, &carry);
            bits >>= 1;
        }
        self.nodes.push(carry);
        self.size += 1;
    }

    pub fn root(&self) -> Digest {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return self.hash.empty_root();
        };
        nodes.fold(*last, |acc, left| self.hash.node(left, &acc))
    }

    /// The range each node covers, in `nodes` order.
    fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let mut lo = 0;
        (0..64).rev().filter_map(move |bit| {
            let width = 1u64 << bit;
            (self.size & width != 0).then(|| {
                lo += width;
                (lo - width, lo)
            })
        })
    }
}

/// Leaves from a [`Frontier`] onward: enough to prove any record at or
/// after the frontier's size, and consistency from any size at or after it.
/// Nodes wholly before the frontier come from it; a node that straddles
/// it is split; a node it cannot compute is an error.
#[derive(Clone, Debug)]
pub struct ProofSource {
    base: Frontier,
    /// Leaf hashes of leaves `base.size..`.
    leaves: Vec<Digest>,
}

/// A node the source cannot compute: the proof needs records before the
/// oldest retained checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the proof needs tree nodes over leaves {lo}..{hi}, before the oldest retained checkpoint")]
pub struct Unreachable {
    pub lo: u64,
    pub hi: u64,
}

impl ProofSource {
    pub fn new(base: Frontier) -> ProofSource {
        ProofSource {
            base,
            leaves: Vec::new(),
        }
    }

    pub fn push_entry(&mut self, entry: &Digest) {
        self.leaves.push(self.base.hash.leaf(&entry.0));
    }

    pub fn push_leaf_hash(&mut self, leaf: Digest) {
        self.leaves.push(leaf);
    }

    pub fn hash(&self) -> TreeHash {
        self.base.hash
    }

    /// Leaves known: the base's plus those pushed.
    pub fn size(&self) -> u64 {
        self.base.size + self.leaves.len() as u64
    }

    pub fn first_provable(&self) -> u64 {
        self.base.size
    }

    /// MTH over leaves `[lo, hi)`, a range the RFC's recursion produces.
    fn subtree(&self, lo: u64, hi: u64) -> Result<Digest, Unreachable> {
        let h = self.base.hash;
        let start = self.base.size;
        if hi <= start {
            return self
                .base
                .ranges()
                .zip(&self.base.nodes)
                .find(|(range, _)| *range == (lo, hi))
                .map(|(_, node)| *node)
                .ok_or(Unreachable { lo, hi });
        }
        if hi - lo == 1 {
            return Ok(self.leaves[(lo - start) as usize]);
        }
        let k = split(hi - lo);
        Ok(h.node(&self.subtree(lo, lo + k)?, &self.subtree(lo + k, hi)?))
    }

    /// The root of the tree of `size` leaves.
    pub fn root(&self, size: u64) -> Result<Digest, Unreachable> {
        if size == 0 {
            return Ok(self.base.hash.empty_root());
        }
        self.subtree(0, size)
    }

    /// RFC 9162 §2.1.3.1 PATH(index, D[0:size]).
    pub fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Digest>, Unreachable> {
        let mut path = Vec::new();
        self.path(index, 0, size, &mut path)?;
        Ok(path)
    }

    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Digest>) -> Result<(), Unreachable> {
        if hi - lo <= 1 {
            return Ok(());
        }
        let k = split(hi - lo);
        if m < k {
            self.path(m, lo, lo + k, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.path(m - k, lo + k, hi, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Ok(())
    }

    /// RFC 9162 §2.1.4.1 PROOF(old, D[0:new]).
    pub fn consistency(&self, old: u64, new: u64) -> Result<Vec<Digest>, Unreachable> {
        let mut proof = Vec::new();
        if old > 0 && old < new {
            self.subproof(old, 0, new, true, &mut proof)?;
        }
        Ok(proof)
    }

    fn subproof(
        &self,
        m: u64,
        lo: u64,
        hi: u64,
        whole: bool,
        out: &mut Vec<Digest>,
    ) -> Result<(), Unreachable> {
        if m == hi - lo {
            if !whole {
                out.push(self.subtree(lo, hi)?);
            }
            return Ok(());
        }
        let k = split(hi - lo);
        if m <= k {
            self.subproof(m, lo, lo + k, whole, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.subproof(m - k, lo + k, hi, false, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Ok(())
    }
}

/// RFC 9162 §2.1.3.2: does `proof` show leaf `index` (by its leaf hash)
/// in the tree of `size` leaves with `root`?
pub fn verify_inclusion(
    hash: TreeHash,
    index: u64,
    size: u64,
    leaf: &Digest,
    proof: &[Digest],
    root: &Digest,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = hash.node(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = hash.node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *root
}

/// RFC 9162 §2.1.4.2: does `proof` show the tree of `old` leaves with
/// `old_root` is a prefix of the tree of `new` leaves with `new_root`?
pub fn verify_consistency(
    hash: TreeHash,
    old: u64,
    new: u64,
    old_root: &Digest,
    new_root: &Digest,
    proof: &[Digest],
) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        // Every tree extends the empty one.
        return proof.is_empty() && *old_root == hash.empty_root();
    }
    let mut path: Vec<Digest> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fn_, mut sn) = (old - 1, new - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = hash.node(c, &fr);
            sr = hash.node(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = hash.node(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    fr == *old_root && sr == *new_root && sn == 0
}

#[cfg(test)]
mod tests;
