#!/usr/bin/env python3
"""An independent RFC 9162 Merkle tree over a pii-proxy audit log, for
tests/audit_merkle.rs: standard library only, written from the RFC's text,
sharing no code with the Rust implementation.

Usage: merkle_reference.py SEGMENT... -- INDEX:SIZE... -- OLD:NEW...
Prints one JSON object: every checkpoint record's stated and recomputed
root, the inclusion path for each INDEX:SIZE and the consistency proof
for each OLD:NEW, hashes as lowercase hex.
"""
import hashlib
import json
import sys

HASH_MEMBER = len(',"hash":"') + 64 + len('"}')


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) <= 1:
        return []
    k = split(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, whole):
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = split(n)
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def main(argv):
    parts = " ".join(argv).split(" -- ")
    files = parts[0].split()
    paths = [tuple(map(int, p.split(":"))) for p in parts[1].split()] if len(parts) > 1 else []
    proofs = [tuple(map(int, p.split(":"))) for p in parts[2].split()] if len(parts) > 2 else []
    leaves = []
    checkpoints = []
    for name in files:
        with open(name, "rb") as f:
            for line in f.read().split(b"\n"):
                if not line:
                    continue
                canonical = line[:-HASH_MEMBER] + b"}"
                record = json.loads(line)
                if record["kind"] == "checkpoint":
                    size = record["tree_size"]
                    checkpoints.append({
                        "seq": record["seq"],
                        "tree_size": size,
                        "stated": record["root"],
                        "computed": mth(leaves[:size]).hex(),
                    })
                leaves.append(leaf_hash(sha256(canonical)))
    out = {
        "leaves": len(leaves),
        "checkpoints": checkpoints,
        "paths": [[i, n, [h.hex() for h in path(i, leaves[:n])]] for i, n in paths],
        "consistency": [[m, n, [h.hex() for h in subproof(m, leaves[:n], True)] if 0 < m < n else []]
                        for m, n in proofs],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
