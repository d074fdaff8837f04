//! FF1 (NIST SP 800-38G) over decimal digits, for the `tokenize` action,
//! over any 128-bit block cipher: AES-256 (the default suite) or SM4 (the
//! `crypto: sm` suite; FF1 is defined for any 128-bit block cipher, and
//! GB/T 32907's SM4 is one).
//!
//! Owns the arithmetic of FF1 for radix 10 and numeral strings of
//! [`FAST_MAX_DIGITS`] digits or fewer: every card number, resident ID and
//! phone number fits. Written by hand because the maintained `fpe` crate is
//! general over any radix and length and pays for it on every round with
//! arbitrary-precision integers and allocations (BigUint conversions were a
//! third of the engine's time on the bench payload). Here a half of the
//! string is a `u64` and a round's sum a `u128`, and the CBC-MAC over the
//! round-independent blocks is computed once per call, so a round costs one
//! AES block. Longer digit strings go to `fpe`; both paths are the same
//! function, checked against NIST's samples and against `fpe` on random
//! inputs in the tests.
//!
//! Knows nothing of which digits to keep or where they sit in the text:
//! [`super::actions::Tokenizer`] extracts the digits and puts them back.

use aes::cipher::consts::U16;
use aes::cipher::{Array, BlockCipherEncrypt};

/// Longest numeral string the fast path takes: a half of up to 19 digits
/// is below 10^19 < 2^64.
pub const FAST_MAX_DIGITS: usize = 38;

const RADIX: u64 = 10;
const ROUNDS: u8 = 10;

/// Which way an FF1 call goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Encrypt,
    Decrypt,
}

/// The round function of one FF1 call (SP 800-38G Algorithm 7, steps
/// 5-6): the CBC-MAC state after P and the blocks of Q that do not depend
/// on the round, computed once; each round adds only Q's last block.
struct RoundFunction<'c, C> {
    cipher: &'c C,
    state: Array<u8, U16>,
    /// The last block of Q before the round number and NUM(B) go in.
    last_template: [u8; 16],
    /// The bytes NUM(B) takes.
    b: usize,
    /// The bytes of R that make y.
    d: usize,
}

impl<'c, C: BlockCipherEncrypt<BlockSize = U16>> RoundFunction<'c, C> {
    fn new(cipher: &'c C, tweak: &[u8], n: usize) -> Self {
        let u = n / 2;
        let v = n - u;
        // b = ceil(ceil(v · log2 10) / 8): the bytes NUM(B) takes. 10^v is not
        // a power of two, so ceil(log2 10^v) is its bit length.
        let b = (u64::BITS - 10u64.pow(v as u32).leading_zeros()).div_ceil(8) as usize;
        // d = 4·ceil(b/4) + 4 ≤ 12 here: S is the first d bytes of R alone.
        let d = 4 * b.div_ceil(4) + 4;
        let t = tweak.len();
        let mut p = [0u8; 16];
        p[..3].copy_from_slice(&[1, 2, 1]);
        p[3..6].copy_from_slice(&(RADIX as u32).to_be_bytes()[1..]);
        p[6] = ROUNDS;
        p[7] = u as u8;
        p[8..12].copy_from_slice(&(n as u32).to_be_bytes());
        p[12..16].copy_from_slice(&(t as u32).to_be_bytes());
        // Q = T || 0^pad || [i] || [NUM(B)]^b, a whole number of blocks. Only
        // its last block depends on the round (b + 1 ≤ 16 bytes).
        let pad = (16 - (t + b + 1) % 16) % 16;
        let q_len = t + pad + 1 + b;
        let mut q_head = vec![0u8; q_len - 16];
        let tweak_in_head = t.min(q_head.len());
        q_head[..tweak_in_head].copy_from_slice(&tweak[..tweak_in_head]);
        let mut state = Array::from(p);
        cipher.encrypt_block(&mut state);
        for block in q_head.chunks_exact(16) {
            xor_into(&mut state, block);
            cipher.encrypt_block(&mut state);
        }
        // The last block's fixed part: the tweak bytes that spill into it.
        let mut last_template = [0u8; 16];
        last_template[..t - tweak_in_head].copy_from_slice(&tweak[tweak_in_head..]);
        RoundFunction {
            cipher,
            state,
            last_template,
            b,
            d,
        }
    }

    /// y for round `i` on the numeral of the half that goes in.
    fn y(&self, i: u8, numeral: u64) -> u128 {
        let (b, d) = (self.b, self.d);
        let mut last = self.last_template;
        last[16 - b - 1] = i;
        last[16 - b..].copy_from_slice(&numeral.to_be_bytes()[8 - b..]);
        let mut r = self.state;
        xor_into(&mut r, &last);
        self.cipher.encrypt_block(&mut r);
        r[..d]
            .iter()
            .fold(0u128, |y, &byte| (y << 8) | u128::from(byte))
    }
}

/// FF1 with radix 10 on `digits` (values 0–9) in place. The caller checks
/// `FF1_MIN_DIGITS <= digits.len() <= FAST_MAX_DIGITS`.
pub fn transform<C: BlockCipherEncrypt<BlockSize = U16>>(
    cipher: &C,
    tweak: &[u8],
    digits: &mut [u16],
    direction: Operation,
) {
    let n = digits.len();
    debug_assert!((2..=FAST_MAX_DIGITS).contains(&n));
    let u = n / 2;
    let v = n - u;
    let round = RoundFunction::new(cipher, tweak, n);
    let (a_digits, b_digits) = digits.split_at(u);
    let mut a = num(a_digits);
    let mut bv = num(b_digits);
    let modulus = |m: usize| 10u128.pow(m as u32);
    match direction {
        Operation::Encrypt => {
            for i in 0..ROUNDS {
                let m = if i % 2 == 0 { u } else { v };
                let y = round.y(i, bv);
                let c = ((u128::from(a) + y % modulus(m)) % modulus(m)) as u64;
                a = bv;
                bv = c;
            }
        }
        Operation::Decrypt => {
            for i in (0..ROUNDS).rev() {
                let m = if i % 2 == 0 { u } else { v };
                let y = round.y(i, a);
                let modm = modulus(m);
                let c = ((u128::from(bv) + modm - y % modm) % modm) as u64;
                bv = a;
                a = c;
            }
        }
    }
    write_digits(a, &mut digits[..u]);
    write_digits(bv, &mut digits[u..]);
}

fn xor_into(block: &mut Array<u8, U16>, bytes: &[u8]) {
    for (x, y) in block.iter_mut().zip(bytes) {
        *x ^= y;
    }
}

fn num(digits: &[u16]) -> u64 {
    digits
        .iter()
        .fold(0u64, |acc, &d| acc * RADIX + u64::from(d))
}

fn write_digits(mut value: u64, out: &mut [u16]) {
    for slot in out.iter_mut().rev() {
        *slot = (value % RADIX) as u16;
        value /= RADIX;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::Aes256;
    use aes::cipher::KeyInit;
    use fpe::ff1::{FF1, FlexibleNumeralString};
    use sm4::Sm4;

    const NIST_KEY_256: [u8; 32] = [
        0x2B, 0x7E, 0x15, 0x16, 0x28, 0xAE, 0xD2, 0xA6, 0xAB, 0xF7, 0x15, 0x88, 0x09, 0xCF, 0x4F,
        0x3C, 0xEF, 0x43, 0x59, 0xD8, 0xD5, 0x80, 0xAA, 0x4F, 0x7F, 0x03, 0x6D, 0x6F, 0x04, 0xFC,
        0x6A, 0x94,
    ];

    fn run(key: &[u8; 32], tweak: &[u8], digits: &[u16], direction: Operation) -> Vec<u16> {
        let cipher = Aes256::new(&(*key).into());
        let mut out = digits.to_vec();
        transform(&cipher, tweak, &mut out, direction);
        out
    }

    #[test]
    fn nist_samples_7_and_8() {
        let pt = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        // FF1samples.pdf, sample 7 (AES-256, no tweak) and 8 (tweak "9876543210").
        assert_eq!(
            run(&NIST_KEY_256, &[], &pt, Operation::Encrypt),
            [6, 6, 5, 7, 6, 6, 7, 0, 0, 9]
        );
        let tweak = b"9876543210";
        let ct = run(&NIST_KEY_256, tweak, &pt, Operation::Encrypt);
        assert_eq!(ct, [1, 0, 0, 1, 6, 2, 3, 4, 6, 3]);
        assert_eq!(run(&NIST_KEY_256, tweak, &ct, Operation::Decrypt), pt);
    }

    /// Random keys, tweaks and digits from a fixed seed.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// The fast path over `C` and the `fpe` crate's FF1 over the same
    /// cipher agree on every length the fast path takes, with tweaks of
    /// every length around the block boundaries, and decryption reverses.
    fn agrees_with_fpe<C>(key_len: usize, seed: u64)
    where
        C: BlockCipherEncrypt<BlockSize = U16> + KeyInit + Clone,
    {
        let mut next = xorshift(seed);
        for n in 6..=FAST_MAX_DIGITS {
            for tweak_len in [0, 1, 7, 15, 16, 17, 23, 31, 32, 40] {
                let key: Vec<u8> = (0..key_len).map(|_| next() as u8).collect();
                let tweak: Vec<u8> = (0..tweak_len).map(|_| next() as u8).collect();
                let digits: Vec<u16> = (0..n).map(|_| (next() % 10) as u16).collect();
                let reference = FF1::<C>::new(&key, 10).expect("radix 10");
                let expected: Vec<u16> = reference
                    .encrypt(&tweak, &FlexibleNumeralString::from(digits.clone()))
                    .expect("valid numerals")
                    .into();
                let cipher = C::new_from_slice(&key).expect("key length of the cipher");
                let mut ours = digits.clone();
                transform(&cipher, &tweak, &mut ours, Operation::Encrypt);
                assert_eq!(ours, expected, "n {n} tweak {tweak_len}");
                transform(&cipher, &tweak, &mut ours, Operation::Decrypt);
                assert_eq!(ours, digits);
            }
        }
    }

    #[test]
    fn agrees_with_the_fpe_crate() {
        agrees_with_fpe::<Aes256>(32, 0x9e37_79b9_7f4a_7c15);
    }

    /// FF1 over SM4 has no published sample (SP 800-38G's samples are
    /// AES): the generic fast path is checked against `fpe`'s FF1
    /// instantiated with the same SM4, an independent implementation of
    /// the same algorithm, and SM4 itself against GB/T 32907's example
    /// (in `super::super::suite`'s tests).
    #[test]
    fn agrees_with_the_fpe_crate_over_sm4() {
        agrees_with_fpe::<Sm4>(16, 0x2545_f491_4f6c_dd1d);
    }
}
