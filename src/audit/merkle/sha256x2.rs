//! SHA-256 compression of two independent messages at once, for the tree's
//! leaf and node hashes: a batch's leaves, and the pairs of each level
//! above them, do not depend on each other.
//!
//! Why by hand: one message's rounds are a chain of dependent
//! `sha256rnds2` instructions, each waiting for the one before, so a
//! single stream leaves the SHA unit idle most cycles; interleaving two
//! streams fills it (the layout Bitcoin Core's `sha256_x86_shani` uses for
//! its Merkle trees). `sha2` compresses one state at a time, and no
//! maintained crate offers multi-buffer SHA-256. The round and schedule
//! steps are those of `sha2`'s `x86_sha` backend, written twice.
//!
//! Without the SHA extensions (or off x86-64) each pair is two calls of
//! `sha2`'s own compression: the same result, one stream at a time.

/// Compresses `blocks[0]` into `states[0]` and `blocks[1]` into
/// `states[1]`; both hold the same number of blocks.
pub(super) fn compress_pair(states: [&mut [u32; 8]; 2], blocks: [&[[u8; 64]]; 2]) {
    assert_eq!(blocks[0].len(), blocks[1].len(), "one block count per pair");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("sse4.1")
        && std::arch::is_x86_feature_detected!("ssse3")
    {
        let [a, b] = states;
        // SAFETY: the CPU was just checked to have every feature the
        // function enables; it reads only the given slices and writes
        // only the two states.
        #[allow(unsafe_code, reason = "SHA-NI intrinsics, see the SAFETY note")]
        unsafe {
            shani::compress2(a, b, blocks[0], blocks[1]);
        }
        return;
    }
    let [a, b] = states;
    sha2::block_api::compress256(a, blocks[0]);
    sha2::block_api::compress256(b, blocks[1]);
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code, reason = "SHA-NI intrinsics on unaligned loads")]
mod shani {
    use core::arch::x86_64::*;

    /// The round constants, four per `sha256rnds2` pair.
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// Four more message words from the sixteen before them.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn schedule(w0: __m128i, w1: __m128i, w2: __m128i, w3: __m128i) -> __m128i {
        let t1 = _mm_sha256msg1_epu32(w0, w1);
        let t2 = _mm_alignr_epi8(w3, w2, 4);
        _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), w3)
    }

    /// The state as `sha256rnds2` wants it: (ABEF, CDGH).
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn load(state: &[u32; 8]) -> (__m128i, __m128i) {
        let words: *const __m128i = state.as_ptr().cast();
        // SAFETY: `state` is 32 bytes, two unaligned 16-byte loads.
        let (dcba, hgfe) = unsafe { (_mm_loadu_si128(words), _mm_loadu_si128(words.add(1))) };
        let cdab = _mm_shuffle_epi32(dcba, 0xB1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
        (
            _mm_alignr_epi8(cdab, efgh, 8),
            _mm_blend_epi16(efgh, cdab, 0xF0),
        )
    }

    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn store(state: &mut [u32; 8], abef: __m128i, cdgh: __m128i) {
        let feba = _mm_shuffle_epi32(abef, 0x1B);
        let dchg = _mm_shuffle_epi32(cdgh, 0xB1);
        let words: *mut __m128i = state.as_mut_ptr().cast();
        // SAFETY: `state` is 32 bytes, two unaligned 16-byte stores.
        unsafe {
            _mm_storeu_si128(words, _mm_blend_epi16(feba, dchg, 0xF0));
            _mm_storeu_si128(words.add(1), _mm_alignr_epi8(dchg, feba, 8));
        }
    }

    /// The block's sixteen words, big-endian, four to a register.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn words(block: &[u8; 64]) -> [__m128i; 4] {
        let swap = _mm_set_epi64x(
            0x0C0D_0E0F_0809_0A0Bu64 as i64,
            0x0405_0607_0001_0203u64 as i64,
        );
        let bytes: *const __m128i = block.as_ptr().cast();
        // SAFETY: `block` is 64 bytes, four unaligned 16-byte loads.
        std::array::from_fn(|i| unsafe { _mm_shuffle_epi8(_mm_loadu_si128(bytes.add(i)), swap) })
    }

    /// # Safety
    /// The CPU has the SHA extensions, SSSE3 and SSE4.1.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn compress2(
        a: &mut [u32; 8],
        b: &mut [u32; 8],
        blocks_a: &[[u8; 64]],
        blocks_b: &[[u8; 64]],
    ) {
        let (mut abef_a, mut cdgh_a) = load(a);
        let (mut abef_b, mut cdgh_b) = load(b);
        for (block_a, block_b) in blocks_a.iter().zip(blocks_b) {
            let saved = (abef_a, cdgh_a, abef_b, cdgh_b);
            let mut wa = words(block_a);
            let mut wb = words(block_b);
            for i in 0..16 {
                if i >= 4 {
                    let r = i % 4;
                    wa[r] = schedule(wa[r], wa[(i + 1) % 4], wa[(i + 2) % 4], wa[(i + 3) % 4]);
                    wb[r] = schedule(wb[r], wb[(i + 1) % 4], wb[(i + 2) % 4], wb[(i + 3) % 4]);
                }
                // SAFETY: `4 * i + 4 <= 64`: in bounds of `K`.
                let k = unsafe { _mm_loadu_si128(K.as_ptr().add(4 * i).cast()) };
                let ta = _mm_add_epi32(wa[i % 4], k);
                let tb = _mm_add_epi32(wb[i % 4], k);
                cdgh_a = _mm_sha256rnds2_epu32(cdgh_a, abef_a, ta);
                cdgh_b = _mm_sha256rnds2_epu32(cdgh_b, abef_b, tb);
                abef_a = _mm_sha256rnds2_epu32(abef_a, cdgh_a, _mm_shuffle_epi32(ta, 0x0E));
                abef_b = _mm_sha256rnds2_epu32(abef_b, cdgh_b, _mm_shuffle_epi32(tb, 0x0E));
            }
            abef_a = _mm_add_epi32(abef_a, saved.0);
            cdgh_a = _mm_add_epi32(cdgh_a, saved.1);
            abef_b = _mm_add_epi32(abef_b, saved.2);
            cdgh_b = _mm_add_epi32(cdgh_b, saved.3);
        }
        store(a, abef_a, cdgh_a);
        store(b, abef_b, cdgh_b);
    }
}

#[cfg(test)]
mod tests {
    use super::compress_pair;
    use crate::audit::merkle::sha256_blocks::INITIAL;

    #[test]
    fn each_lane_is_the_one_stream_compression() {
        for blocks in 1..4usize {
            let a: Vec<[u8; 64]> = (0..blocks)
                .map(|n| std::array::from_fn(|i| (i * 7 + n * 13) as u8))
                .collect();
            let b: Vec<[u8; 64]> = (0..blocks)
                .map(|n| std::array::from_fn(|i| (i * 31 + n * 5 + 1) as u8))
                .collect();
            let (mut lane_a, mut lane_b) = (INITIAL, INITIAL);
            compress_pair([&mut lane_a, &mut lane_b], [&a, &b]);
            let (mut one_a, mut one_b) = (INITIAL, INITIAL);
            sha2::block_api::compress256(&mut one_a, &a);
            sha2::block_api::compress256(&mut one_b, &b);
            assert_eq!((lane_a, lane_b), (one_a, one_b), "{blocks} blocks");
        }
    }
}
