#!/usr/bin/env python3
"""An independent RFC 9162 Merkle tree over a pii-proxy audit log, for
tests/audit_merkle.rs: standard library only, written from the RFC's text,
sharing no code with the Rust implementation.

Usage: merkle_reference.py [--sm3] SEGMENT... -- INDEX:SIZE... -- OLD:NEW...
Prints one JSON object: every checkpoint record's stated and recomputed
root, the inclusion path for each INDEX:SIZE and the consistency proof
for each OLD:NEW, hashes as lowercase hex. With --sm3 the tree's function
is SM3 (GB/T 32905), implemented below from the standard's text, since
not every Python's OpenSSL offers it.
"""
import hashlib
import json
import struct
import sys

HASH_MEMBER = len(',"hash":"') + 64 + len('"}')


def sha256(data):
    return hashlib.sha256(data).digest()


SM3_IV = [0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
          0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E]


def rotl(x, n):
    n %= 32
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def sm3(data):
    """GB/T 32905-2016 §5: padding, message expansion, compression."""
    length = len(data) * 8
    data += b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack(">Q", length)
    v = list(SM3_IV)
    p0 = lambda x: x ^ rotl(x, 9) ^ rotl(x, 17)
    p1 = lambda x: x ^ rotl(x, 15) ^ rotl(x, 23)
    for at in range(0, len(data), 64):
        w = list(struct.unpack(">16I", data[at:at + 64]))
        for j in range(16, 68):
            w.append(p1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)) ^ rotl(w[j - 13], 7) ^ w[j - 6])
        w1 = [w[j] ^ w[j + 4] for j in range(64)]
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = rotl((rotl(a, 12) + e + rotl(t, j)) & 0xFFFFFFFF, 7)
            ss2 = ss1 ^ rotl(a, 12)
            if j < 16:
                ff, gg = a ^ b ^ c, e ^ f ^ g
            else:
                ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
            tt1 = (ff + d + ss2 + w1[j]) & 0xFFFFFFFF
            tt2 = (gg + h + ss1 + w[j]) & 0xFFFFFFFF
            a, b, c, d = tt1, a, rotl(b, 9), c
            e, f, g, h = p0(tt2), e, rotl(f, 19), g
        v = [x ^ y for x, y in zip(v, [a, b, c, d, e, f, g, h])]
    return struct.pack(">8I", *v)


# GB/T 32905 Appendix A, examples 1 and 2.
assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
assert sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"

H = sha256


def leaf_hash(entry):
    return H(b"\x00" + entry)


def node_hash(left, right):
    return H(b"\x01" + left + right)


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return H(b"")
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
    global H
    if argv and argv[0] == "--sm3":
        H, argv = sm3, argv[1:]
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
                leaves.append(leaf_hash(H(canonical)))
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
