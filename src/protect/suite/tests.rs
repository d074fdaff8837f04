//! The SM primitives against their standards' published examples, and
//! each suite's constructions against the primitive underneath.

use super::*;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt};
use sm3::Digest as _;
use zeroize::Zeroizing;

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).expect("test vectors are hex")
}

/// GB/T 32905-2016 Appendix A, examples 1 and 2 (the same two examples
/// as GM/T 0004-2012 and draft-shen-sm3-hash, as the RustCrypto `sm3`
/// crate's and GNU Nettle's test suites carry them).
#[test]
fn sm3_matches_gb_t_32905_appendix_a() {
    assert_eq!(
        hex::encode(Sm3::digest(b"abc")),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    assert_eq!(
        hex::encode(Sm3::digest("abcd".repeat(16).as_bytes())),
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    );
}

/// GB/T 32907-2016 Appendix A, example 1 (key = plaintext =
/// 0123456789abcdeffedcba9876543210), both ways; and example 2, the same
/// block encrypted 1,000,000 times.
#[test]
fn sm4_matches_gb_t_32907_appendix_a() {
    let key = unhex("0123456789abcdeffedcba9876543210");
    let cipher = Sm4::new_from_slice(&key).expect("16-byte key");
    let mut block = aes::cipher::Array::try_from(key.as_slice()).expect("one block");
    cipher.encrypt_block(&mut block);
    assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    cipher.decrypt_block(&mut block);
    assert_eq!(block.as_slice(), key.as_slice());
    for _ in 0..1_000_000 {
        cipher.encrypt_block(&mut block);
    }
    assert_eq!(hex::encode(block), "595298c7c6fd271f0402f804c33d3f66");
}

/// RFC 8998 Appendix A.1: SM4-GCM with the GB/T 32907 key.
#[test]
fn sm4_gcm_matches_rfc_8998_appendix_a1() {
    let key = unhex("0123456789abcdeffedcba9876543210");
    let nonce: [u8; 12] = unhex("00001234567800000000abcd")
        .try_into()
        .expect("12 bytes");
    let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    let plain = unhex(
        "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd\
         eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
    );
    let cipher = Sm4Gcm::new_from_slice(&key).expect("16-byte key");
    let sealed = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &plain,
                aad: &aad,
            },
        )
        .expect("encrypts");
    assert_eq!(
        hex::encode(&sealed),
        "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735\
         d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d\
         83de3541e4c2b58177e065a9bf7b62ec"
    );
}

/// HMAC-SM3 is RFC 2104's construction over SM3 (64-byte blocks): built
/// here by hand from the digest and compared.
#[test]
fn hmac_sm3_is_rfc_2104_over_sm3() {
    let key: Key32 = Zeroizing::new([0x5a; 32]);
    let message = b"110101199003074578";
    let mut padded = [0u8; 64];
    padded[..32].copy_from_slice(key.as_ref());
    let inner_key: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sm3::new()
        .chain_update(&inner_key)
        .chain_update(message)
        .finalize();
    let outer = Sm3::new()
        .chain_update(&outer_key)
        .chain_update(inner)
        .finalize();
    assert_eq!(keyed_hash(Suite::Sm, &key, message), hex::encode(outer));
    assert_ne!(
        keyed_hash(Suite::Sm, &key, message),
        keyed_hash(Suite::Aes, &key, message),
        "the suites' hashes differ"
    );
}

#[test]
fn both_aeads_round_trip_and_authenticate() {
    let key: Key32 = Zeroizing::new([9; 32]);
    for suite in Suite::ALL {
        let aead = SuiteAead::new(suite, &key);
        let sealed = aead.seal([1; 12], b"6222021234567890128", b"aad");
        assert_eq!(
            aead.open([1; 12], &sealed, b"aad").as_deref(),
            Some(&b"6222021234567890128"[..])
        );
        assert!(aead.open([1; 12], &sealed, b"other").is_none());
        assert!(aead.open([2; 12], &sealed, b"aad").is_none());
    }
}

#[test]
fn envelopes_name_their_suite() {
    assert_eq!(
        Suite::of_envelope("pii:v1:k1:abc"),
        Some((Suite::Aes, "k1:abc"))
    );
    assert_eq!(
        Suite::of_envelope("pii:sm1:k1:abc"),
        Some((Suite::Sm, "k1:abc"))
    );
    assert_eq!(Suite::of_envelope("pii:v2:k1:abc"), None);
    assert_eq!(find_envelope("x pii:sm1:k1:a pii:v1:k1:b"), Some((2, 8)));
    assert_eq!(find_envelope("x pii:v1:k1:a pii:sm1:k1:b"), Some((2, 7)));
    assert_eq!(find_envelope("nothing"), None);
}
