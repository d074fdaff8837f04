//! What the regulations ask of a share, as data the rest of the proxy
//! reads: the JR/T 0171-2020 class of each category ([`classes`]), the
//! `jr-t-0171` profile's default treatment of each class ([`profile`]),
//! and the cross-border tiers of the 2024 Provisions on promoting and
//! regulating cross-border data flows ([`export`]). `docs/compliance.md`
//! maps each of them to the clause it serves.
//!
//! Knows nothing of rules syntax, payloads, HTTP or storage: the rules
//! compiler turns the profile into rules, the share gate refuses by it, the
//! export ledger counts what the tiers judge. Fails closed by
//! construction: a category it does not know gets no default (the rules
//! file decides), never a weaker one.

pub mod classes;
pub mod export;
pub mod profile;

pub use classes::{Class, class_of, is_sensitive};
