//! The config reference generated from the code: the committed JSON
//! Schemas (`schemas/`) and `docs/reference.md` are what the code
//! generates (regenerate them with `PII_PROXY_BLESS=1 cargo test --test
//! reference`), every shipped YAML file names its schema on its first
//! line, and a schema validator, as an editor runs one, accepts every
//! shipped file and flags a misspelt key.

use std::path::PathBuf;

use pii_proxy::reference::{self, Kind};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_committed_schemas_and_reference_are_what_the_code_generates() {
    let bless = std::env::var_os("PII_PROXY_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, text) in reference::generated_files() {
        let file = root().join(path);
        if bless {
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&file, &text).expect("write");
            continue;
        }
        if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `PII_PROXY_BLESS=1 cargo test --test reference` \
         and commit the result"
    );
}

/// The shipped YAML files and the schema each must name.
fn shipped() -> Vec<(PathBuf, Kind)> {
    let mut files = vec![
        (root().join("pii-proxy.yaml"), Kind::Config),
        (root().join("deploy/container/pii-proxy.yaml"), Kind::Config),
        (root().join("deploy/systemd/pii-proxy.yaml"), Kind::Config),
    ];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    rules.sort();
    for file in rules {
        let kind = if file.to_string_lossy().ends_with(".test.yaml") {
            Kind::RulesTest
        } else {
            Kind::Rules
        };
        files.push((file, kind));
    }
    files
}

#[test]
fn every_shipped_yaml_file_names_its_schema_for_editors() {
    for (file, kind) in shipped() {
        let text = std::fs::read_to_string(&file).expect("read");
        let first = text.lines().next().unwrap_or("");
        let named = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: first line {first:?}", file.display()));
        let target = file.parent().expect("dir").join(named);
        assert_eq!(
            target.canonicalize().expect("the schema exists"),
            root()
                .join(kind.schema_path())
                .canonicalize()
                .expect("schema"),
            "{}",
            file.display()
        );
    }
}

fn validator(kind: Kind) -> jsonschema::Validator {
    let schema = reference::schema(kind).to_value();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("YAML")
}

#[test]
fn a_validator_accepts_every_shipped_file() {
    for (file, kind) in shipped() {
        let document = yaml(&std::fs::read_to_string(&file).expect("read"));
        let errors: Vec<String> = validator(kind)
            .iter_errors(&document)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn a_validator_flags_what_check_would_refuse_in_shape() {
    let cases = [
        (
            Kind::Config,
            "listen: 127.0.0.1:8080\npartners: []\nlimits: {max_body_byte: 10}\n",
            "max_body_byte",
        ),
        (
            Kind::Config,
            "listen: 127.0.0.1:8080\npartners: []\nreload: {debounce: soon}\n",
            "soon",
        ),
        (
            Kind::Rules,
            "fields:\n  - path: $.name\n    category: name\n    action: scramble\n",
            "scramble",
        ),
        (
            Kind::Rules,
            "detect:\n  - detector: cn_passport\n    action: encrypt\n",
            "cn_passport",
        ),
        (
            Kind::Rules,
            "fields:\n  - path: $.n\n    category: name\n    action: {mask: {keep_frist: 1}}\n",
            "keep_frist",
        ),
        (
            Kind::RulesTest,
            "tests:\n  - name: x\n    input: {}\n    expect: []\n",
            "expect",
        ),
    ];
    for (kind, text, word) in cases {
        let errors: Vec<String> = validator(kind)
            .iter_errors(&yaml(text))
            .map(|e| e.to_string())
            .collect();
        assert!(!errors.is_empty(), "{text:?} validated");
        assert!(
            errors.iter().any(|e| e.contains(word)),
            "{text:?}: {errors:#?}"
        );
    }
}

#[test]
fn the_schema_command_prints_the_committed_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pii-proxy"))
        .args(["schema", "rules"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let committed = std::fs::read(root().join(Kind::Rules.schema_path())).expect("read");
    assert_eq!(out.stdout, committed);
}
