//! The tree against the RFC 6962 / certificate-transparency test vectors
//! (as transparency-dev/merkle ships them: `testonly/constants.go`,
//! `proof/verify_test.go`, `compact/range_test.go`), and against itself:
//! every proof for every size up to 40 verifies, and every altered proof
//! fails. The independent Python implementation is `tests/audit_merkle.rs`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::*;

fn hd(text: &str) -> Digest {
    Digest::from_hex(text.as_bytes()).expect("64 hex")
}

/// `LeafInputs()`.
fn leaf_inputs() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
    ]
    .iter()
    .chain(&["606162636465666768696a6b6c6d6e6f"])
    .map(|h| hex::decode(h).expect("hex"))
    .collect()
}

/// `RootHashes()`: index = tree size.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn ct_source() -> ProofSource {
    let mut source = ProofSource::new(Frontier::new(TreeHash::Sha256));
    for leaf in leaf_inputs() {
        source.push_leaf_hash(TreeHash::Sha256.leaf(&leaf));
    }
    source
}

#[test]
fn hasher_matches_rfc6962_vectors() {
    let h = TreeHash::Sha256;
    assert_eq!(h.empty_root(), hd(ROOTS[0]));
    assert_eq!(h.leaf(b""), hd(ROOTS[1]));
    assert_eq!(
        h.leaf(b"L123456"),
        hd("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    );
    // HashChildren over 4-byte inputs: not 32-byte digests, so hash by hand.
    let node = h.digest_parts(&[&[0x01], b"N123", b"N456"]);
    assert_eq!(
        node,
        hd("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")
    );
}

#[test]
fn roots_match_for_every_size_both_ways() {
    let leaves = leaf_inputs();
    let source = ct_source();
    let mut frontier = Frontier::new(TreeHash::Sha256);
    assert_eq!(frontier.root(), hd(ROOTS[0]));
    for (size, leaf) in (1..).zip(&leaves) {
        frontier.push_leaf_hash(TreeHash::Sha256.leaf(leaf));
        assert_eq!(frontier.root(), hd(ROOTS[size as usize]), "frontier {size}");
        assert_eq!(
            source.root(size),
            Ok(hd(ROOTS[size as usize])),
            "source {size}"
        );
    }
}

#[test]
fn inclusion_proofs_match_the_vectors() {
    // proof/verify_test.go `inclusionProofs` (1-based leaf there).
    let vectors: [(u64, u64, &[&str]); 5] = [
        (0, 1, &[]),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    let source = ct_source();
    let leaves = leaf_inputs();
    for (index, size, want) in vectors {
        let want: Vec<Digest> = want.iter().map(|h| hd(h)).collect();
        assert_eq!(
            source.inclusion(index, size),
            Ok(want.clone()),
            "{index}/{size}"
        );
        let leaf = TreeHash::Sha256.leaf(&leaves[index as usize]);
        let root = hd(ROOTS[size as usize]);
        assert!(verify_inclusion(
            TreeHash::Sha256,
            index,
            size,
            &leaf,
            &want,
            &root
        ));
    }
}

#[test]
fn consistency_proofs_match_the_vectors() {
    let vectors: [(u64, u64, &[&str]); 4] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    let source = ct_source();
    for (old, new, want) in vectors {
        let want: Vec<Digest> = want.iter().map(|h| hd(h)).collect();
        assert_eq!(
            source.consistency(old, new),
            Ok(want.clone()),
            "{old}->{new}"
        );
        let (a, b) = (hd(ROOTS[old as usize]), hd(ROOTS[new as usize]));
        assert!(verify_consistency(
            TreeHash::Sha256,
            old,
            new,
            &a,
            &b,
            &want
        ));
    }
}

/// compact/range_test.go `TestGetRootHashGolden`: leaf i's data is i as
/// two little-endian bytes.
#[test]
fn compact_range_golden_roots() {
    let golden = [
        (10, "VjWMPSYNtCuCNlF/RLnQy6HcwSk6CIipfxm+hettA+4="),
        (15, "j4SulYmocFuxdeyp12xXCIgK6PekBcxzAIj4zbQzNEI="),
        (16, "c+4Uc6BCMOZf/v3NZK1kqTUJe+bBoFtOhP+P3SayKRE="),
        (100, "dUh9hYH88p0CMoHkdr1wC2szbhcLAXOejWpINIooKUY="),
        (255, "SmdsuKUqiod3RX2jyF2M6JnbdE4QuTwwipfAowI4/i0="),
    ];
    let mut frontier = Frontier::new(TreeHash::Sha256);
    for (size, root) in golden {
        while frontier.size() < size {
            let i = frontier.size();
            frontier.push_leaf_hash(TreeHash::Sha256.leaf(&[(i & 0xff) as u8, (i >> 8) as u8]));
        }
        assert_eq!(BASE64.encode(frontier.root().0), root, "size {size}");
    }
}

fn sequential(n: u64) -> (ProofSource, Vec<Digest>) {
    let mut source = ProofSource::new(Frontier::new(TreeHash::Sha256));
    let mut leaves = Vec::new();
    for i in 0..n {
        let entry = TreeHash::Sha256.digest(&i.to_le_bytes());
        source.push_entry(&entry);
        leaves.push(TreeHash::Sha256.leaf(&entry.0));
    }
    (source, leaves)
}

#[test]
fn every_proof_up_to_40_leaves_verifies_and_any_change_fails() {
    let h = TreeHash::Sha256;
    let (source, leaves) = sequential(40);
    for size in 1..=40u64 {
        let root = source.root(size).expect("root");
        for index in 0..size {
            let proof = source.inclusion(index, size).expect("proof");
            let leaf = &leaves[index as usize];
            assert!(verify_inclusion(h, index, size, leaf, &proof, &root));
            assert!(!verify_inclusion(h, index ^ 1, size, leaf, &proof, &root) || size == 1);
            assert!(!verify_inclusion(h, index, size * 2, leaf, &proof, &root));
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i].0[0] ^= 8;
                assert!(!verify_inclusion(h, index, size, leaf, &bad, &root));
            }
            let mut longer = proof.clone();
            longer.push(root);
            assert!(!verify_inclusion(h, index, size, leaf, &longer, &root));
        }
        for old in 0..=size {
            let proof = source.consistency(old, size).expect("proof");
            let old_root = source.root(old).expect("root");
            assert!(
                verify_consistency(h, old, size, &old_root, &root, &proof),
                "{old}->{size}"
            );
            let mut wrong = old_root;
            wrong.0[31] ^= 1;
            assert!(!verify_consistency(h, old, size, &wrong, &root, &proof));
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i].0[0] ^= 8;
                assert!(!verify_consistency(h, old, size, &old_root, &root, &bad));
            }
        }
    }
}

#[test]
fn a_source_from_a_frontier_proves_what_follows_it() {
    let (full, _) = sequential(37);
    for start in [0u64, 1, 5, 8, 16, 23] {
        let mut base = Frontier::new(TreeHash::Sha256);
        for i in 0..start {
            base.push_entry(&TreeHash::Sha256.digest(&i.to_le_bytes()));
        }
        let mut source = ProofSource::new(base);
        for i in start..37 {
            source.push_entry(&TreeHash::Sha256.digest(&i.to_le_bytes()));
        }
        for index in start..37 {
            assert_eq!(source.inclusion(index, 37), full.inclusion(index, 37));
        }
        for old in start.max(1)..=37 {
            assert_eq!(source.consistency(old, 37), full.consistency(old, 37));
        }
        assert_eq!(source.root(37), full.root(37));
        if start > 1 {
            assert!(source.inclusion(0, 37).is_err());
        }
    }
}

#[test]
fn frontier_round_trips_through_its_parts() {
    let mut frontier = Frontier::new(TreeHash::Sha256);
    for i in 0..13u64 {
        frontier.push_entry(&TreeHash::Sha256.digest(&i.to_le_bytes()));
    }
    assert_eq!(frontier.nodes().len(), 3);
    let back = Frontier::from_parts(TreeHash::Sha256, 13, frontier.nodes().to_vec());
    assert_eq!(back.as_ref(), Some(&frontier));
    assert_eq!(
        Frontier::from_parts(TreeHash::Sha256, 12, frontier.nodes().to_vec()),
        None
    );
}

#[test]
fn hand_padded_leaf_and_node_equal_the_digest_api() {
    use sha2::{Digest as _, Sha256};
    let sha = |parts: &[&[u8]]| {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Digest(hasher.finalize().into())
    };
    for seed in 0u8..=255 {
        let left: [u8; 32] = std::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8));
        let right: [u8; 32] = std::array::from_fn(|i| seed ^ (i as u8).wrapping_mul(7));
        let hash = TreeHash::Sha256;
        assert_eq!(hash.leaf(&left), sha(&[&[0x00], &left]), "leaf {seed}");
        assert_eq!(
            hash.node(&Digest(left), &Digest(right)),
            sha(&[&[0x01], &left, &right]),
            "node {seed}"
        );
    }
}

/// Entries appended a batch at a time (two hashes at once) give the same
/// tree, node for node, as the same entries one at a time, whatever the
/// sizes before and of each batch.
#[test]
fn batches_build_the_tree_one_at_a_time_builds() {
    for hash in [TreeHash::Sha256, TreeHash::Sm3] {
        batches_match_single_pushes(hash);
    }
}

fn batches_match_single_pushes(hash: TreeHash) {
    let entry = |i: u64| hash.digest(&i.to_le_bytes());
    for start in 0..40u64 {
        for batch in 0..40u64 {
            let mut one = Frontier::new(hash);
            (0..start).for_each(|i| one.push_entry(&entry(i)));
            let mut batched = one.clone();
            (start..start + batch).for_each(|i| one.push_entry(&entry(i)));
            let entries: Vec<Digest> = (start..start + batch).map(entry).collect();
            batched.push_entries(&entries);
            assert_eq!(batched, one, "{start} then {batch}");
            assert_eq!(batched.root(), one.root());
        }
    }
    // Batches into a large tree: a run crosses many levels.
    let mut one = Frontier::new(hash);
    let mut batched = Frontier::new(hash);
    let mut next = 0u64;
    for batch in [1023u64, 1, 1024, 2047, 5, 4096] {
        let entries: Vec<Digest> = (next..next + batch).map(entry).collect();
        entries.iter().for_each(|e| one.push_entry(e));
        batched.push_entries(&entries);
        next += batch;
        assert_eq!(batched, one, "after {next}");
    }
}

/// The SM3 tree is RFC 9162's with SM3 for `H`: leaf and node prefixes,
/// the empty root, as the RustCrypto `sm3` crate computes them directly.
#[test]
fn the_sm3_tree_is_rfc_9162_over_sm3() {
    use sm3::{Digest as _, Sm3};
    let sm3 = |parts: &[&[u8]]| -> [u8; 32] {
        let mut hasher = Sm3::new();
        parts.iter().for_each(|p| hasher.update(p));
        hasher.finalize().into()
    };
    let h = TreeHash::Sm3;
    assert_eq!(h.empty_root().0, sm3(&[]));
    assert_eq!(h.digest(b"abc").0, sm3(&[b"abc"]));
    let (a, b) = (h.digest(b"a"), h.digest(b"b"));
    assert_eq!(h.leaf(&a.0).0, sm3(&[&[0], &a.0]));
    assert_eq!(h.node(&a, &b).0, sm3(&[&[1], &a.0, &b.0]));
    assert_ne!(h.leaf(&a.0), TreeHash::Sha256.leaf(&a.0));
    let mut frontier = Frontier::new(h);
    frontier.push_entries(&[a, b]);
    assert_eq!(frontier.root(), h.node(&h.leaf(&a.0), &h.leaf(&b.0)));
    assert_eq!(TreeHash::from_name("sm3"), Some(TreeHash::Sm3));
    assert_eq!(TreeHash::from_name("md5"), None);
}
