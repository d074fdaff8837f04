//! `pii-proxy mask` on the shipped demo config finds every category hidden
//! in free text: `examples/free-text.json` keeps each personal value out of
//! the keys any field rule names (remarks, nested `extra` maps, a map keyed
//! by phone numbers, a JSON number, JSON held in a string, a percent-encoded
//! URL, full-width digits), so only the detectors can find them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A copy of the shipped config and rules in a scratch directory, so the
/// development keyring `mask` creates lands there.
fn shipped_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo("pii-proxy.yaml"), dir.path().join("pii-proxy.yaml")).expect("config");
    std::fs::create_dir_all(dir.path().join("rules")).expect("rules dir");
    for entry in std::fs::read_dir(repo("rules")).expect("rules") {
        let entry = entry.expect("entry");
        std::fs::copy(
            entry.path(),
            dir.path().join("rules").join(entry.file_name()),
        )
        .expect("rules file");
    }
    dir
}

/// Every personal value of the example, as written and in the forms it
/// could be recovered from (digits without separators, decoded, ASCII).
const RAW_VALUES: &[&str] = &[
    "李娜",
    "南京西路1266号",
    "恒隆广场2座3201室",
    "138 1234 5678",
    "13812345678",
    "6222 0212 3456 7890 128",
    "6222021234567890128",
    "11010519491231002X",
    "1949年12月31日",
    "１５９０１２３４５６７",
    "15901234567",
    "9558801001114978122",
    "%E7%8E%8B%E5%B0%8F%E6%98%8E",
    "王小明",
    "203.0.113.77",
    "2408:8207:18a0:4c2::1b",
    "E12345678",
    "ZHANG WEI",
    "zhang.wei@example.com",
    "/9j/4AAQSkZJRgABAQEASABIAAD",
    "464d520020323000",
    "13912345678",
    "MRN-20261123",
    "陈静",
    "18600001111",
];

/// Stretches that are not personal and must pass through as they are.
const KEPT: &[&str] = &[
    r#""merchant_id": "898310058121234""#,
    r#""order_no": "202611231530009876543""#,
    r#""amount": "1288.00""#,
    r#""paid_at": "2026-11-23T15:30:00+08:00""#,
    r#""tracking_no": "SF1234567890123""#,
    r#""claim_no": "CLM2026112300042""#,
    r#""score": 87"#,
];

const CATEGORIES: &[&str] = &[
    "id_number",
    "bank_card",
    "phone",
    "email",
    "ip_address",
    "passport",
    "biometric",
    "name",
    "address",
    "birth_date",
    "medical_record",
];

#[test]
fn mask_finds_every_category_in_free_text() {
    let dir = shipped_config();
    let out = Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .arg("mask")
        .arg("--config")
        .arg(dir.path().join("pii-proxy.yaml"))
        .args(["--partner", "demo"])
        .arg(repo("examples/free-text.json"))
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 findings");
    assert!(out.status.success(), "{stderr}");

    let findings: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("findings are JSON lines"))
        .collect();
    for category in CATEGORIES {
        assert!(
            findings.iter().any(|f| f["category"] == *category
                && f["rule"].as_str().is_some_and(|r| r.starts_with("detect:"))),
            "no detector finding of {category}:\n{stderr}"
        );
    }

    let protected: serde_json::Value = serde_json::from_str(&stdout).expect("the output is JSON");
    let nested = protected["extra"].as_str().expect("extra stays a string");
    let decoded = format!("{stdout}\n{nested}");
    for raw in RAW_VALUES {
        assert!(
            !decoded.contains(raw),
            "{raw} left in the output:\n{stdout}"
        );
        assert!(!stderr.contains(raw), "{raw} in the findings:\n{stderr}");
    }
    for kept in KEPT {
        assert!(stdout.contains(kept), "{kept} was changed:\n{stdout}");
    }
}
