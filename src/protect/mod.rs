//! The actions on one value: mask, redact, hash, encrypt, tokenize; the
//! cipher suites they run on (AES/SHA-256, or the national SM suite); and
//! the keyring they draw their keys from.
//!
//! Owns: turning one plaintext value into its protected form (and back, for
//! `encrypt` and `tokenize`). Knows nothing of JSON or HTTP: the engine hands
//! it decoded text and writes what comes back.

pub(crate) mod keyring;

pub use keyring::{Key32, Keyring, KeyringError, Purpose};
pub mod actions;
pub(crate) mod ff1;
pub mod suite;

pub use actions::{Sealer, Tokenizer, ValueKind};
pub use suite::Suite;
