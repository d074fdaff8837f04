//! Detection measured on payloads nobody here wrote: `tests/heldout/`, a
//! corpus generated from a brief alone by someone who never read the
//! detectors or their vocabulary, shaped like the published request formats
//! of Chinese payment, banking, eKYC, credit, insurance, risk and logistics
//! APIs (its README lists the sources and the format).
//!
//! Every document goes through the engine with the shipped
//! `rules/demo.yaml`; the output is decoded the way the corpus README says
//! (JSON strings recursively, percent-encoding, `k=v&k=v` pairs, base64
//! text), and:
//!
//! - a personal value counts as protected when its raw value appears
//!   nowhere in the decoded output;
//! - a decoy counts as kept when it still appears there.
//!
//! The corpus is split by API: `tune` documents may be read (and their
//! misses are printed), `holdout` documents never are: only their aggregate
//! figures are printed, so the detectors are never fitted to them.
//!
//! `cargo test --test detect_heldout -- --nocapture` prints the tables
//! `docs/detection.md` quotes; `HELDOUT_MISSES=N` prints up to N misses per
//! category of the tune split (never of the holdout); `HELDOUT_CORPUS=FILE`
//! scores another draw (`HELDOUT_SEED=N HELDOUT_OUT=FILE python3
//! tests/heldout/generate.py`). The issue's targets
//! (recall ≥ 0.995 in every category, ≥ 0.998 overall, decoys kept ≥ 0.995)
//! are asserted on the tune split. The holdout split does not meet them
//! yet (addresses, names in free text, places and shop names kept): its
//! shortfalls are printed, and what it reaches today is asserted as a
//! floor, so a change can only move it up. `docs/detection.md` lists both.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use pii_proxy::engine::protect;
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;
use serde_json::Value;

const CATEGORY_RECALL: f64 = 0.995;
const OVERALL_RECALL: f64 = 0.998;
const DECOYS_KEPT: f64 = 0.995;

/// What the holdout split reaches today (`docs/detection.md`), rounded
/// down: a floor against regressions, not the target.
const HOLDOUT_FLOORS: Floors = Floors {
    category: 0.85,
    overall: 0.98,
    decoys: 0.995,
};

fn demo_policy() -> Policy {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/demo.yaml");
    Policy::load(&rules, "demo", &Keyring::generate(), 128)
        .unwrap_or_else(|e| panic!("rules/demo.yaml must compile:\n{e}"))
}

struct Labelled {
    label: String,
    value: String,
    placement: String,
}

struct Document {
    api: String,
    tune: bool,
    doc: String,
    pii: Vec<Labelled>,
    decoys: Vec<Labelled>,
}

fn labelled(items: &Value, label: &str) -> Vec<Labelled> {
    let text = |item: &Value, field: &str| {
        item[field]
            .as_str()
            .unwrap_or_else(|| panic!("corpus item without `{field}`"))
            .to_owned()
    };
    items
        .as_array()
        .expect("a list of labelled values")
        .iter()
        .map(|item| Labelled {
            label: text(item, label),
            value: text(item, "value"),
            placement: text(item, "placement"),
        })
        .collect()
}

fn corpus() -> Vec<Document> {
    // HELDOUT_CORPUS scores another draw of the generator (HELDOUT_SEED).
    read_corpus(&corpus_path("HELDOUT_CORPUS", "tests/heldout/corpus.jsonl"))
}

/// The committed draw at `committed`, or the file the variable `env` names.
fn corpus_path(env: &str, committed: &str) -> std::path::PathBuf {
    std::env::var_os(env).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(committed),
        std::path::PathBuf::from,
    )
}

fn read_corpus(path: &Path) -> Vec<Document> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("a corpus line is JSON");
            Document {
                api: record["api"].as_str().expect("api").to_owned(),
                tune: match record["split"].as_str() {
                    Some("tune") => true,
                    Some("holdout") => false,
                    other => panic!("unknown split {other:?}"),
                },
                doc: record["doc"].as_str().expect("doc").to_owned(),
                pii: labelled(&record["pii"], "category"),
                decoys: labelled(&record["decoys"], "kind"),
            }
        })
        .collect()
}

// ---- decoding, as the corpus README describes it ----------------------------

/// Python's `urllib.parse.unquote`: `%XX` to bytes, read as UTF-8 with
/// replacement characters; `+` stays.
fn unquote(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Base64 (standard alphabet, padded) of UTF-8 text without control
/// characters; binary base64 (images, signatures) is not text.
fn base64_text(t: &str) -> Option<String> {
    let shaped = t.len() >= 8
        && t.len() % 4 == 0
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if !shaped {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    let s = String::from_utf8(raw).ok()?;
    (!s.chars()
        .any(|c| (c as u32) < 32 && !matches!(c, '\r' | '\n' | '\t')))
    .then_some(s)
}

fn visit_str(s: &str, depth: usize, out: &mut Vec<String>) {
    out.push(s.to_owned());
    if depth > 8 {
        return;
    }
    let t = s.trim();
    if t.starts_with(['{', '[']) {
        if let Ok(inner) = serde_json::from_str::<Value>(t) {
            visit_value(&inner, depth + 1, out);
        }
    }
    if t.contains('%') {
        let u = unquote(t);
        if u != t {
            visit_str(&u, depth + 1, out);
        }
    }
    let inner = if t.len() >= 2 && t.starts_with('{') && t.ends_with('}') {
        &t[1..t.len() - 1]
    } else {
        t
    };
    if inner.contains('=') && (inner.contains('&') || inner.matches('=').count() == 1) {
        let head: String = inner.chars().take(200).collect();
        let query = match inner.split_once('?') {
            Some((_, rest)) if head.contains('?') => rest,
            _ => inner,
        };
        for part in query.split('&') {
            if let Some((k, v)) = part.split_once('=') {
                out.push(k.to_owned());
                visit_str(&unquote(v), depth + 1, out);
            }
        }
    }
    if let Some(text) = base64_text(t) {
        visit_str(&text, depth + 1, out);
    }
}

fn visit_value(value: &Value, depth: usize, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                visit_value(v, depth, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| visit_value(v, depth, out)),
        Value::String(s) => visit_str(s, depth, out),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Null => out.push("null".into()),
    }
}

/// Every text of a document, decoded, one per line.
fn decoded(doc: &[u8]) -> String {
    let value: Value = serde_json::from_slice(doc).expect("the engine writes valid JSON");
    let mut texts = Vec::new();
    visit_value(&value, 0, &mut texts);
    texts.join("\n")
}

// ---- scoring ------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct Count {
    good: usize,
    all: usize,
}

impl Count {
    fn add(&mut self, good: bool) {
        self.good += usize::from(good);
        self.all += 1;
    }

    fn ratio(self) -> f64 {
        if self.all == 0 {
            1.0
        } else {
            self.good as f64 / self.all as f64
        }
    }
}

#[derive(Default)]
struct Split {
    by_category: BTreeMap<String, Count>,
    by_placement: BTreeMap<String, Count>,
    /// `category / placement`, aggregate only (the holdout's too).
    by_category_placement: BTreeMap<String, Count>,
    decoys_by_kind: BTreeMap<String, Count>,
    decoys_by_placement: BTreeMap<String, Count>,
    recall: Count,
    decoys: Count,
    /// Tune only: what was missed, by category (document, value).
    misses: BTreeMap<String, Vec<String>>,
}

fn score(policy: &Policy, docs: &[Document]) -> (Split, Split) {
    let (mut tune, mut holdout) = (Split::default(), Split::default());
    for document in docs {
        let split = if document.tune {
            &mut tune
        } else {
            &mut holdout
        };
        let protected = protect(policy, document.doc.as_bytes())
            .unwrap_or_else(|e| panic!("{} document refused: {e}", document.api));
        let seen = decoded(&protected.output);
        for pii in &document.pii {
            let good = !seen.contains(&pii.value);
            split.recall.add(good);
            split
                .by_category
                .entry(pii.label.clone())
                .or_default()
                .add(good);
            split
                .by_placement
                .entry(pii.placement.clone())
                .or_default()
                .add(good);
            split
                .by_category_placement
                .entry(format!("{} / {}", pii.label, pii.placement))
                .or_default()
                .add(good);
            if !good && document.tune {
                let output = String::from_utf8_lossy(&protected.output);
                split
                    .misses
                    .entry(pii.label.clone())
                    .or_default()
                    .push(format!(
                        "[{} {}] {:?} in {} -> {}",
                        document.api, pii.placement, pii.value, document.doc, output
                    ));
            }
        }
        for decoy in &document.decoys {
            let good = seen.contains(&decoy.value);
            split.decoys.add(good);
            split
                .decoys_by_kind
                .entry(decoy.label.clone())
                .or_default()
                .add(good);
            split
                .decoys_by_placement
                .entry(decoy.placement.clone())
                .or_default()
                .add(good);
            if !good && document.tune {
                split
                    .misses
                    .entry(format!("decoy {}", decoy.label))
                    .or_default()
                    .push(format!(
                        "[{} {}] {:?} in {}",
                        document.api, decoy.placement, decoy.value, document.doc
                    ));
            }
        }
    }
    (tune, holdout)
}

fn table(title: &str, column: &str, rows: &BTreeMap<String, Count>, total: Count, what: &str) {
    println!("\n{title}\n");
    println!("| {column} | {what} | of | share |");
    println!("|---|---:|---:|---:|");
    for (name, count) in rows {
        println!(
            "| {name} | {} | {} | {:.4} |",
            count.good,
            count.all,
            count.ratio()
        );
    }
    println!(
        "| **all** | {} | {} | **{:.4}** |",
        total.good,
        total.all,
        total.ratio()
    );
}

fn print_split(name: &str, split: &Split) {
    table(
        &format!("{name}: personal values protected, by category"),
        "category",
        &split.by_category,
        split.recall,
        "protected",
    );
    table(
        &format!("{name}: personal values protected, by placement"),
        "placement",
        &split.by_placement,
        split.recall,
        "protected",
    );
    let short: BTreeMap<String, Count> = split
        .by_category_placement
        .iter()
        .filter(|(_, c)| c.good < c.all)
        .map(|(k, c)| (k.clone(), *c))
        .collect();
    table(
        &format!("{name}: categories and placements with a miss"),
        "category / placement",
        &short,
        split.recall,
        "protected",
    );
    table(
        &format!("{name}: decoys kept, by kind"),
        "kind",
        &split.decoys_by_kind,
        split.decoys,
        "kept",
    );
    table(
        &format!("{name}: decoys kept, by placement"),
        "placement",
        &split.decoys_by_placement,
        split.decoys,
        "kept",
    );
}

/// What falls short of the targets in one split, in words.
fn shortfalls(name: &str, split: &Split) -> Vec<String> {
    let mut short = Vec::new();
    for (category, count) in &split.by_category {
        if count.ratio() < CATEGORY_RECALL {
            short.push(format!(
                "{name} {category}: recall {:.4} < {CATEGORY_RECALL}",
                count.ratio()
            ));
        }
    }
    if split.recall.ratio() < OVERALL_RECALL {
        short.push(format!(
            "{name}: overall recall {:.4} < {OVERALL_RECALL}",
            split.recall.ratio()
        ));
    }
    if split.decoys.ratio() < DECOYS_KEPT {
        short.push(format!(
            "{name}: decoys kept {:.4} < {DECOYS_KEPT}",
            split.decoys.ratio()
        ));
    }
    short
}

#[test]
fn heldout_corpus_meets_the_detection_targets() {
    let policy = demo_policy();
    let docs = corpus();
    assert!(docs.iter().any(|d| d.tune) && docs.iter().any(|d| !d.tune));
    let (tune, holdout) = score(&policy, &docs);
    print_split("tune", &tune);
    print_split("holdout", &holdout);
    print_misses("tune", &tune);
    for line in shortfalls("holdout", &holdout) {
        println!("holdout below the target: {line}");
    }
    let short = shortfalls("tune", &tune);
    assert!(short.is_empty(), "below the targets:\n{}", short.join("\n"));
    HOLDOUT_FLOORS.hold("holdout", &holdout);
}

/// A split's figures that may not fall: what it reached when they were
/// set, rounded down (not the targets).
struct Floors {
    category: f64,
    overall: f64,
    decoys: f64,
}

impl Floors {
    fn hold(&self, name: &str, split: &Split) {
        for (category, count) in &split.by_category {
            assert!(
                count.ratio() >= self.category,
                "{name} {category} fell to {:.4}",
                count.ratio()
            );
        }
        assert!(split.recall.ratio() >= self.overall, "{name} recall fell");
        assert!(split.decoys.ratio() >= self.decoys, "{name} decoys fell");
    }
}

/// Up to `HELDOUT_MISSES` misses per category of a split that may be read.
fn print_misses(name: &str, split: &Split) {
    let shown: usize = std::env::var("HELDOUT_MISSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    for (category, misses) in &split.misses {
        for miss in misses.iter().take(shown) {
            println!("{name} miss {category}: {miss}");
        }
    }
}

/// What the second independent corpus (`tests/heldout2/`, another author,
/// other APIs: e-commerce orders, waybills, food delivery, ride hailing,
/// hotels, payroll, claims, top-up, lending) reaches today, rounded down:
/// floors against regressions, far from the targets (`docs/detection.md`).
const SECOND_FLOORS: Floors = Floors {
    category: 0.91,
    overall: 0.95,
    decoys: 0.95,
};

/// The second corpus is all `tune`: its misses may be read
/// (`HELDOUT_MISSES=N`) and fixed by mechanism, never by copying its keys.
#[test]
fn second_independent_corpus_is_scored() {
    let policy = demo_policy();
    // HELDOUT2_CORPUS scores another draw of its generator (HELDOUT2_SEED).
    let docs = read_corpus(&corpus_path(
        "HELDOUT2_CORPUS",
        "tests/heldout2/corpus.jsonl",
    ));
    assert!(docs.len() > 1000 && docs.iter().all(|d| d.tune));
    let (second, _) = score(&policy, &docs);
    print_split("second corpus", &second);
    print_misses("second corpus", &second);
    for line in shortfalls("second corpus", &second) {
        println!("second corpus below the target: {line}");
    }
    SECOND_FLOORS.hold("second corpus", &second);
}

/// What the third corpus (`tests/heldout3/`: eKYC and OCR results, bank
/// gateways, express orders, rail and flight passengers, insurance, loans,
/// payroll, hospital, rental contracts, telecom, résumés) reaches today,
/// rounded down: floors, far from the targets.
const THIRD_FLOORS: Floors = Floors {
    category: 0.08,
    overall: 0.92,
    decoys: 0.93,
};

/// The third corpus is all `holdout`, written from a brief by a helper who
/// read none of the project: only its aggregate figures are printed, never
/// a miss, so nothing is fitted to it. A labelled value its decoder cannot
/// find in the original document would make a miss meaningless: each is
/// checked first.
#[test]
fn third_independent_corpus_is_scored() {
    let policy = demo_policy();
    // HELDOUT3_CORPUS scores another draw of its generator (HELDOUT3_SEED).
    let docs = read_corpus(&corpus_path(
        "HELDOUT3_CORPUS",
        "tests/heldout3/corpus.jsonl",
    ));
    assert!(docs.len() > 500 && docs.iter().all(|d| !d.tune));
    for document in &docs {
        let seen = decoded(document.doc.as_bytes());
        for label in document.pii.iter().chain(&document.decoys) {
            assert!(
                seen.contains(&label.value),
                "{}: a labelled value is not in the decoded document",
                document.api
            );
        }
    }
    let (_, third) = score(&policy, &docs);
    print_split("third corpus", &third);
    for line in shortfalls("third corpus", &third) {
        println!("third corpus below the target: {line}");
    }
    THIRD_FLOORS.hold("third corpus", &third);
}

#[test]
fn the_decoder_reads_every_wrapping_the_corpus_uses() {
    let kv =
        base64::engine::general_purpose::STANDARD.encode("{phoneNo=13812345678&customerNm=张三}");
    let json_b64 = base64::engine::general_purpose::STANDARD.encode(r#"{"n":"李四"}"#);
    let doc = serde_json::json!({
        "a": "{\"b\":\"{\\\"c\\\":\\\"王五\\\"}\"}",
        "form": format!("x=1&customerInfo={}&y=%E8%B5%B5%E5%85%AD", kv.replace('=', "%3D")),
        "env": json_b64,
        "sig": "AAECAwQFBgcICQoLDA0ODw==",
    });
    let seen = decoded(doc.to_string().as_bytes());
    for value in ["王五", "13812345678", "张三", "李四", "赵六"] {
        assert!(seen.contains(value), "{value} not decoded");
    }
    // The raw value of a masked one is gone; binary base64 is not text.
    assert!(base64_text("AAECAwQFBgcICQoLDA0ODw==").is_none());
    assert!(!decoded(br#"{"name":"\u5f20*"}"#).contains("张三"));
}
