//! The content detectors alone, against a `regex::RegexSet` of equivalent
//! patterns, and their share of the engine's time on the 64 KB payload.
//!
//! Run: `cargo bench --bench detect` (add `-- --quick` for a fast look);
//! `BENCH_CLOCK=cpu cargo bench --bench detect` measures the thread's CPU
//! time instead of wall time, for a machine shared with other work.
//! Groups, each with `Throughput::Bytes`:
//! - `detect_dense_pii`: ~64 KB of free-text remarks where every sentence
//!   carries personal data (IDs, cards, phones, names, addresses, emails,
//!   IPs, birth dates, passports), one `DetectorSet::scan` per remark;
//! - `detect_plain_values`: ~64 KB of the values a payment payload is mostly
//!   made of (statuses, amounts, order numbers, timestamps, UUIDs, merchant
//!   names), one scan per value;
//!   each next to `regex_set/is_match` (one `RegexSet` of the same
//!   categories answering "does anything match") and `regex/find_iter`
//!   (the same patterns one by one, reporting positions as the detectors do);
//! - `engine_64KB`: the engine bench's 64 KB payload through `engine/scan_only`
//!   (a policy that matches nothing and has no detectors: the JSON scan),
//!   `engine/detect_redact` (the shipped `detect:` list, every action
//!   `redact`: finding without the cost of protecting), `engine/detectors_only`
//!   (the shipped `detect:` list with its actions), `engine/demo_fields` (the
//!   shipped rules without `detect:`), `engine/demo_redact` (the shipped rules,
//!   every detector action `redact`) and `engine/demo` (the shipped rules),
//!   next to `detectors/calls_alone`: the detector calls the engine makes on
//!   that payload when no field rule claims anything (every string, number
//!   and key, decoded once in setup), without the JSON walk. The target:
//!   finding costs no more than the scan (`demo_redact − demo_fields ≤
//!   scan_only` for the shipped rules; `calls_alone` against `scan_only` for
//!   the worst case, a policy that is all detectors). `demo − demo_redact` is
//!   what the detectors' actions (FF1 tokenizing, AES-GCM) cost.
//! - `shape_64KB`: the value checks behind the key classifier's verdicts
//!   (`detect::shape`: a place of business or a region under an address
//!   key, a region alone, a person's name), each over ~64 KB of address-key
//!   values, to be read against `engine/scan_only`.
//!
//! The last results and their ratios are in `docs/detection.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pii_proxy::detect::{DetectorSet, Match};
use pii_proxy::engine::protect;
use pii_proxy::protect::Keyring;
use pii_proxy::rules::Policy;
use regex::{Regex, RegexSet};

#[path = "common/clock.rs"]
mod clock;
#[path = "common/payload.rs"]
mod payload;

use clock::Clock;

use payload::Rng;

const DEMO_RULES: &str = "rules/demo.yaml";

fn load(name: &str, text: &str, keyring: &Keyring) -> Policy {
    Policy::from_yaml(Path::new(name), text, "demo", keyring, 128)
        .unwrap_or_else(|e| panic!("{name} must compile:\n{e}"))
}

struct Policies {
    /// The shipped rules.
    demo: Policy,
    /// The shipped rules without their `detect:` list: field rules only.
    demo_fields: Policy,
    /// The shipped rules, every detector's action `redact`.
    demo_redact: Policy,
    /// The shipped `detect:` list alone, with its actions.
    detect_only: Policy,
    /// The same detectors, every action `redact` (the cheapest): what is
    /// left is finding, not protecting.
    detect_redact: Policy,
    /// Matches nothing, no detectors: the JSON scan.
    scan_only: Policy,
}

fn policies() -> Policies {
    let keyring = Keyring::generate();
    let demo = std::fs::read_to_string(DEMO_RULES).expect("rules/demo.yaml is readable");
    let detect_only = section(&demo, "detect:");
    let demo_fields = demo.replace(&detect_only, "");
    let detect_redact: String = detect_only
        .lines()
        .map(|line| match line.find("action:") {
            Some(at) => format!("{}action: redact\n", &line[..at]),
            None => format!("{line}\n"),
        })
        .collect();
    Policies {
        demo: load(DEMO_RULES, &demo, &keyring),
        demo_fields: load("demo-fields.yaml", &demo_fields, &keyring),
        demo_redact: load(
            "demo-redact.yaml",
            &demo.replace(&detect_only, &detect_redact),
            &keyring,
        ),
        detect_only: load("detect-only.yaml", &detect_only, &keyring),
        detect_redact: load("detect-redact.yaml", &detect_redact, &keyring),
        scan_only: load(
            "scan-only.yaml",
            "fields:\n  - path: $.no.such.field\n    category: x\n    action: drop\n",
            &keyring,
        ),
    }
}

/// The block of a rules file under top-level key `name` (up to the next
/// top-level key).
fn section(rules: &str, name: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in rules.lines() {
        let top_level = !line.starts_with([' ', '-', '#']) && !line.is_empty();
        if top_level {
            inside = line.starts_with(name);
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// One remark of a customer-service or refund log, carrying personal data.
fn remark(rng: &mut Rng) -> String {
    let id = payload::resident_id(rng);
    let card = payload::bank_card(rng);
    let phone = payload::phone(rng);
    let name = payload::name(rng);
    let address = payload::address(rng);
    match rng.below(8) {
        0 => format!("客户{name}来电咨询退款，身份证号{id}，请回电{phone}。"),
        1 => format!("卡号{card}余额不足，持卡人：{name}，已短信通知。"),
        2 => format!("收货地址：{address}，联系电话：{phone}，请工作日送达"),
        3 => format!(
            "refund to card {card}, contact zhang.wei{}@example.com from 10.{}.{}.{}",
            rng.below(1000),
            rng.below(256),
            rng.below(256),
            rng.below(256)
        ),
        4 => format!(
            "姓名：{name}，出生日期：19{}-0{}-1{}，护照号E{}",
            50 + rng.below(50),
            1 + rng.below(9),
            rng.below(10),
            rng.digits(8)
        ),
        5 => format!(
            "用户{name}反馈：手机号{phone}收不到验证码，登录IP 2408:8207:{:x}::1",
            rng.below(65536)
        ),
        6 => format!(
            "订单{}已支付，扣款卡{card}，金额¥{}.{:02}",
            rng.digits(20),
            rng.below(10000),
            rng.below(100)
        ),
        _ => format!("证件号码（{id}）与姓名{name}不符，请重新上传"),
    }
}

/// The values a payment payload mostly holds: nothing personal.
fn plain_value(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "SUCCESS".to_owned(),
        1 => "CNY".to_owned(),
        2 => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
        3 => format!("2026{}", rng.digits(16)),
        4 => format!(
            "2026-11-{:02}T{:02}:{:02}:00+08:00",
            1 + rng.below(28),
            rng.below(24),
            rng.below(60)
        ),
        5 => format!("{:016x}{:016x}", rng.next(), rng.next()),
        6 => "上海示例商贸有限公司".to_owned(),
        7 => format!("M{}", rng.digits(9)),
        8 => "UNIONPAY".to_owned(),
        _ => format!("订单已支付，感谢您的购买（{}）", rng.digits(6)),
    }
}

fn texts(make: fn(&mut Rng) -> String, bytes: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut size = 0;
    while size < bytes {
        let text = make(&mut rng);
        size += text.len();
        out.push(text);
    }
    out
}

/// Patterns for the same categories, written the way a regex-based scanner
/// would write them (shapes only: no checksum, issuer or calendar checks).
const PATTERNS: &[&str] = &[
    r"(?-u:\b)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?-u:\b)",
    r"(?-u:\b)(?:\d[ -]?){12,18}\d(?-u:\b)",
    r"(?-u:\b)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?-u:\b)",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    r"(?-u:\b)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?-u:\b)",
    r"(?i)(?-u:\b)(?:[0-9a-f]{1,4}:){2,7}:?[0-9a-f]{0,4}(?-u:\b)",
    r"(?i)(?:护照号?码?|passport(?: no\.?| number)?)[:： ]*[A-Z]{1,2}\d{7,8}",
    r"(?:/9j/|iVBORw0KGgo|Rk1SA)[A-Za-z0-9+/]{16,}={0,2}",
    r"(?i)(?:姓名|持卡人|客户|name)[:： ]*(?:\p{Han}{2,4}|[A-Z][a-z]+ [A-Z][a-z]+)",
    r"(?:地址|住址)[:：]?[^，。；,;\n]{4,60}",
    r"(?i)(?:出生日期|生日|dob|date of birth)[:： ]*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}",
    r"(?-u:\b)MRN-\d{8}(?-u:\b)",
];

fn bench_free_text(c: &mut Criterion<Clock>, detectors: &DetectorSet) {
    let set = RegexSet::new(PATTERNS).expect("patterns compile");
    let regexes: Vec<Regex> = PATTERNS
        .iter()
        .map(|p| Regex::new(p).expect("pattern compiles"))
        .collect();
    let sets = [
        ("detect_dense_pii", texts(remark, 64 * 1024, 7)),
        ("detect_plain_values", texts(plain_value, 64 * 1024, 11)),
    ];
    for (group_name, items) in &sets {
        let bytes: usize = items.iter().map(String::len).sum();
        let mut group = c.benchmark_group(*group_name);
        group.throughput(Throughput::Bytes(bytes as u64));
        let mut out: Vec<Match> = Vec::with_capacity(64);
        group.bench_function("detectors/scan", |b| {
            b.iter(|| {
                let mut found = 0;
                for text in items {
                    out.clear();
                    detectors.scan(Some("remark"), black_box(text), &mut out);
                    found += out.len();
                }
                found
            })
        });
        group.bench_function("regex_set/is_match", |b| {
            b.iter(|| {
                items
                    .iter()
                    .filter(|text| set.is_match(black_box(text)))
                    .count()
            })
        });
        group.bench_function("regex/find_iter", |b| {
            b.iter(|| {
                let mut found = 0;
                for text in items {
                    for regex in &regexes {
                        found += regex.find_iter(black_box(text)).count();
                    }
                }
                found
            })
        });
        group.finish();
    }
}

/// One detector call the engine makes.
struct Call {
    key: Option<String>,
    text: String,
    /// The text is an object key (`scan_key`), not a value.
    object_key: bool,
}

/// What the engine hands the detectors for `body`: each string (decoded)
/// and each number's text of 5+ characters with the nearest key, and each
/// key of 5+ characters.
fn detector_calls(body: &[u8]) -> Vec<Call> {
    fn walk(value: &serde_json::Value, key: Option<&str>, out: &mut Vec<Call>) {
        use serde_json::Value;
        let mut push = |text: String, object_key: bool| {
            out.push(Call {
                key: key.filter(|_| !object_key).map(str::to_owned),
                text,
                object_key,
            })
        };
        match value {
            Value::String(s) => push(s.clone(), false),
            Value::Number(n) if n.to_string().len() >= 5 => push(n.to_string(), false),
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    if k.len() >= 5 {
                        out.push(Call {
                            key: None,
                            text: k.clone(),
                            object_key: true,
                        });
                    }
                    walk(v, Some(k), out);
                }
            }
            _ => {}
        }
    }
    let value: serde_json::Value = serde_json::from_slice(body).expect("the payload is JSON");
    let mut out = Vec::new();
    walk(&value, None, &mut out);
    out
}

fn bench_engine_share(c: &mut Criterion<Clock>, p: &Policies) {
    let body = payload::payload(64 * 1024, 42);
    let calls = detector_calls(&body);
    let mut group = c.benchmark_group("engine_64KB");
    group.throughput(Throughput::Bytes(body.len() as u64));
    for (name, policy) in [
        ("engine/scan_only", &p.scan_only),
        ("engine/detect_redact", &p.detect_redact),
        ("engine/detectors_only", &p.detect_only),
        ("engine/demo_fields", &p.demo_fields),
        ("engine/demo_redact", &p.demo_redact),
        ("engine/demo", &p.demo),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| protect(policy, black_box(&body)).expect("valid"))
        });
    }
    let detect_only = &p.detect_only;
    let mut out: Vec<Match> = Vec::with_capacity(64);
    group.bench_function("detectors/calls_alone", |b| {
        b.iter(|| {
            let mut found = 0;
            for call in &calls {
                out.clear();
                let text = black_box(call.text.as_str());
                if call.object_key {
                    detect_only.detectors.scan_key(text, &mut out);
                } else {
                    detect_only
                        .detectors
                        .scan(call.key.as_deref(), text, &mut out);
                }
                found += out.len();
            }
            found
        })
    });
    group.finish();
}

/// Values an address key holds in a payment payload: homes, and places of
/// business (a mall's shop, a warehouse, a station exit), regions alone.
fn address_values(bytes: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut total = 0;
    while total < bytes {
        let value = match rng.below(4) {
            0 => payload::address(&mut rng),
            1 => format!("{}印象城B1-{}", payload::address(&mut rng), rng.below(90)),
            2 => format!("{}工业园{}号仓", payload::address(&mut rng), rng.below(40)),
            _ => rng
                .pick(&["西山区", "关上街道", "云南省 昆明市", "檀林镇"])
                .to_owned(),
        };
        total += value.len();
        out.push(value);
    }
    out
}

/// The value checks the key classifier's verdicts lean on, each on its own
/// over ~64 KB of address-key values, beside the JSON scan of the engine
/// bench's 64 KB payload in the same run (`engine_64KB/engine/scan_only`):
/// `address_contradicted` is what an address key now asks of every value
/// (a place of business or a region alone is not a person's address),
/// `region_only` what a member of a masked address object asks, and
/// `person_name` the name shape with its new region check.
fn bench_shape_checks(c: &mut Criterion<Clock>) {
    use pii_proxy::detect::shape;
    use pii_proxy::vocab::Category;
    let values = address_values(64 * 1024, 7);
    let bytes: usize = values.iter().map(String::len).sum();
    let mut group = c.benchmark_group("shape_64KB");
    group.throughput(Throughput::Bytes(bytes as u64));
    type Check = fn(&str) -> bool;
    let checks: [(&str, Check); 3] = [
        ("address_contradicted", |v| {
            shape::contradicts(Category::Address, v)
        }),
        ("region_only", shape::region_only),
        ("person_name", shape::person_name),
    ];
    for (name, check) in checks {
        group.bench_function(name, |b| {
            b.iter(|| values.iter().filter(|v| check(black_box(v))).count())
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion<Clock>) {
    let policies = policies();
    assert!(
        policies.scan_only.detectors.is_empty()
            && policies.demo_fields.detectors.is_empty()
            && !policies.detect_redact.detectors.is_empty(),
        "the scan-only and fields-only policies have no detectors, the detect-only ones the shipped list"
    );
    bench_free_text(c, &policies.demo.detectors);
    bench_engine_share(c, &policies);
    bench_shape_checks(c);
}

criterion_group! {
    name = detect;
    config = Criterion::default().with_measurement(Clock::from_env());
    targets = benches
}
criterion_main!(detect);
