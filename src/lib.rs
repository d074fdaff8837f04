//! pii-proxy: an inline reverse proxy that protects the personal data in
//! JSON payloads shared with partners, and audits every share.
//!
//! The modules, from the top floor down (each uses only those below it;
//! `docs/architecture.md` draws the request flow through them):
//!
//! | module | owns |
//! |---|---|
//! | [`cli`] | the commands (`serve`, `check`, `mask`, `decrypt`, `keygen`, `audit`, `test`, `schema`, `completions`, `man`) and their exit codes |
//! | [`reference`] | the JSON Schemas of the files people write and `docs/reference.md`, from the raw types |
//! | [`boot`] | start-up and shutdown of `serve`: gather inputs, bind both listeners, run, drain, close |
//! | [`proxy`] | the request flow from a caller to one partner, and its refusals |
//! | [`admin`] | the admin endpoints: health, readiness, metrics, reload, consent |
//! | [`app`] | the running state ([`app::App`]), compiled partners ([`app::Generation`]), keys, token, reload |
//! | [`net`] | the listener loop, TLS, the partner client, the JSON error body |
//! | [`candidate`], [`monitor`], [`metrics`] | shadow-rule comparison, quotas and anomalies, Prometheus families |
//! | [`ruletest`] | rules test files run through the engine, compared by shape |
//! | [`consent`] | consent decisions and their journal |
//! | [`engine`] | one pass over a JSON body: the policy applied, findings reported |
//! | [`rules`], [`config`] | a rules file → a compiled `Policy`; the config file → a checked `Config` |
//! | [`audit`] | the tamper-evident audit log: records, chain, writer, verify, search |
//! | [`detect`], [`protect`], [`vocab`] | detectors over one text; the actions on one value; the key vocabulary |
//! | [`diag`], [`ident`], [`subject`], `text`, `time` | positioned diagnostics; the one identifier rule; the subject's key form; spellings of a value; timestamps |
//! | [`notice`], [`shapes`] | the stderr lines outside log events, plain or JSON; schema shapes of text values |

pub mod admin;
pub mod app;
pub mod audit;
pub mod boot;
pub(crate) mod candidate;
pub mod cli;
pub mod compliance;
pub mod config;
pub mod consent;
pub mod detect;
pub mod diag;
pub mod engine;
pub mod ident;
pub mod lockfile;
pub mod memo;
pub(crate) mod metrics;
pub mod monitor;
pub mod net;
pub mod notice;
pub mod protect;
pub(crate) mod proxy;
pub mod reference;
pub mod rules;
pub mod ruletest;
pub(crate) mod secret_file;
pub mod shapes;
pub mod ship;
pub mod subject;
pub(crate) mod text;
pub(crate) mod time;
pub mod vocab;
