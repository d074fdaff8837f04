use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

/// A directory with a rules file, and a config written into it.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("rules")).expect("rules dir");
        std::fs::write(dir.path().join("rules/demo.yaml"), "fields: []\n").expect("rules");
        Fixture { dir }
    }

    fn file(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, "x").expect("write fixture file");
        path
    }

    fn load(&self, text: &str) -> Result<Config, Diagnostics> {
        let path = self.dir.path().join("pii-proxy.yaml");
        std::fs::write(&path, text).expect("write config");
        Config::load(&path)
    }

    /// Loads `text`, expecting errors; returns them as `(line, col, message)`.
    fn errors(&self, text: &str) -> Vec<(u64, u64, String)> {
        match self.load(text) {
            Ok(_) => panic!("config should be rejected:\n{text}"),
            Err(d) => {
                d.0.into_iter()
                    .map(|d| (d.line, d.column, d.message))
                    .collect()
            }
        }
    }
}

const MINIMAL: &str = "\
listen: 127.0.0.1:8080
partners:
  - id: demo
    route: /partners/demo/
    upstream: builtin:echo
    rules: rules/demo.yaml
";

fn assert_one(errors: &[(u64, u64, String)], line: u64, col: u64, needle: &str) {
    assert!(
        errors
            .iter()
            .any(|(l, c, m)| *l == line && *c == col && m.contains(needle)),
        "expected {line}:{col} `{needle}` in {errors:#?}"
    );
}

#[test]
fn minimal_config_gets_defaults_and_resolved_paths() {
    let f = Fixture::new();
    let config = f.load(MINIMAL).expect("valid");
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.limits, Limits::default());
    assert_eq!(config.keys, f.dir.path().join("keys/keyring.json"));
    let demo = config.partner("demo").expect("demo");
    assert_eq!(demo.upstream, Upstream::Echo);
    assert_eq!(demo.rules, f.dir.path().join("rules/demo.yaml"));
    assert_eq!(demo.content_types, ContentTypePolicy::Refuse);
    assert_eq!(demo.responses, ResponsePolicy::Pass);
}

#[test]
fn full_config_is_read() {
    let f = Fixture::new();
    f.file("ca.pem");
    f.file("client.pem");
    f.file("client-key.pem");
    let config = f
        .load(
            "\
listen: 127.0.0.1:8080
admin: {listen: 127.0.0.1:9090, token_file: keys/admin.token}
audit: {dir: /var/audit, fsync: always}
keys: k/ring.json
limits: {max_body_bytes: 1024, max_depth: 16, header_read_timeout: 2s, body_read_timeout: 3s,
         upstream_connect_timeout: 500ms, upstream_timeout: 1m}
partners:
  - id: credit-bureau
    name: Credit Bureau Ltd.
    route: /partners/cb/
    upstream: https://api.partner.example:8443/v2/
    region: SG
    export_basis: standard_contract
    rules: rules/demo.yaml
    tls: {ca: ca.pem, client_cert: client.pem, client_key: client-key.pem}
    content_types: allow
    responses: inspect
",
        )
        .expect("valid");
    assert_eq!(config.audit.dir, Path::new("/var/audit"));
    assert_eq!(config.audit.fsync, crate::audit::FsyncPolicy::Always);
    assert_eq!(config.limits.max_body_bytes, 1024);
    assert_eq!(
        config.limits.upstream_connect_timeout,
        Duration::from_millis(500)
    );
    assert_eq!(config.limits.upstream_timeout, Duration::from_secs(60));
    let admin = config.admin.expect("admin");
    assert_eq!(
        admin.token_file,
        Some(f.dir.path().join("keys/admin.token"))
    );
    let p = &config.partners[0];
    assert_eq!(
        p.upstream,
        Upstream::Http {
            scheme: Scheme::Https,
            authority: "api.partner.example:8443".parse().expect("authority"),
            base_path: "/v2".into(),
        }
    );
    assert_eq!(p.region.as_deref(), Some("SG"));
    assert!(p.tls.client_identity.is_some());
    assert_eq!(p.content_types, ContentTypePolicy::Allow);
    assert_eq!(p.responses, ResponsePolicy::Inspect);
}

#[test]
fn syntax_and_unknown_keys_are_positioned() {
    let f = Fixture::new();
    let errors = f.errors(&format!("{MINIMAL}    colour: blue\n"));
    assert_one(&errors, 7, 5, "colour");
    let errors =
        f.errors("listen: 127.0.0.1:8080\nlimits: {header_read_timeout: soon}\npartners: []\n");
    assert_eq!(errors[0].0, 2, "{errors:?}");
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let f = Fixture::new();
    let errors = f.errors(
        "\
listen: 0.0.0.0:8080
partners:
  - id: demo-123456
    route: partners/demo
    upstream: ftp://x
    rules: rules/missing.yaml
",
    );
    assert_one(&errors, 1, 9, "not a loopback address");
    assert_one(
        &errors,
        3,
        9,
        "partner id must not hold a run of 6 or more digits",
    );
    assert_one(&errors, 4, 12, "must start and end with `/`");
    assert_one(&errors, 5, 15, "scheme");
    assert_one(&errors, 6, 12, "does not exist");
    assert_eq!(errors.len(), 5, "{errors:#?}");
}

#[test]
fn duplicate_ids_and_routes_point_at_the_second() {
    let f = Fixture::new();
    let errors = f.errors(&format!(
        "{MINIMAL}  - id: demo\n    route: /partners/demo/\n    upstream: builtin:echo\n    rules: rules/demo.yaml\n"
    ));
    assert_one(
        &errors,
        7,
        9,
        "duplicate partner id `demo` (first at line 3)",
    );
    assert_one(&errors, 8, 12, "duplicate route");
}

#[test]
fn bad_listen_and_plaintext_opt_in() {
    let f = Fixture::new();
    let errors = f.errors(&MINIMAL.replace("127.0.0.1:8080", "localhost:8080"));
    assert_one(&errors, 1, 9, "not an IP:PORT address");
    let open = format!(
        "allow_plaintext_non_loopback: true\n{}",
        MINIMAL.replace("127.0.0.1", "0.0.0.0")
    );
    assert!(f.load(&open).is_ok());
}

#[test]
fn upstream_urls_are_checked() {
    for (text, needle) in [
        ("builtin:mirror", "unknown built-in"),
        ("https://", "not a URL"),
        ("https://user:pw@host/", "credentials"),
        ("https://host/?a=1", "query"),
        ("host.example", "scheme"),
    ] {
        let err = partners::parse_upstream(text).expect_err(text);
        assert!(err.contains(needle), "{text}: {err}");
    }
    assert_eq!(
        partners::parse_upstream("http://127.0.0.1:9/").expect("ok"),
        Upstream::Http {
            scheme: Scheme::Http,
            authority: "127.0.0.1:9".parse().expect("authority"),
            base_path: String::new(),
        }
    );
}

#[test]
fn route_shapes_are_checked() {
    let f = Fixture::new();
    for route in ["/a//b/", "/a/../b/", "/a?b/", "/a b/"] {
        let errors = f.errors(&MINIMAL.replace("/partners/demo/", route));
        assert_one(&errors, 4, 12, "route");
    }
}

#[test]
fn tls_files_must_exist_unless_a_dev_pair_is_generated() {
    let f = Fixture::new();
    let with_tls = format!("tls: {{cert: c.pem, key: k.pem}}\n{MINIMAL}");
    let config = f.load(&with_tls).expect("loopback dev pair");
    assert!(config.tls.expect("tls").generate_dev_cert);

    let errors = f.errors(&with_tls.replace("127.0.0.1", "10.0.0.1"));
    assert_one(&errors, 1, 13, "tls.cert");
    assert_one(&errors, 1, 25, "tls.key");

    f.file("c.pem");
    let errors = f.errors(&with_tls);
    assert_one(&errors, 1, 25, "tls.key `");

    let errors = f.errors(&format!(
        "tls: {{cert: c.pem, key: c.pem, client_ca: ca.pem}}\n{MINIMAL}"
    ));
    assert_one(&errors, 1, 43, "tls.client_ca");
}

#[test]
fn partner_tls_is_checked() {
    let f = Fixture::new();
    f.file("cert.pem");
    let echo_tls = format!("{MINIMAL}    tls: {{client_cert: cert.pem}}\n");
    let errors = f.errors(&echo_tls);
    assert_one(&errors, 7, 10, "only meaningful for an https://");
    assert_one(&errors, 7, 24, "go together");
}

#[test]
fn limits_and_admin_are_checked() {
    let f = Fixture::new();
    let errors = f.errors(&format!(
        "limits: {{max_body_bytes: 0, max_depth: 0}}\nadmin: {{listen: 127.0.0.1:8080}}\n{MINIMAL}"
    ));
    assert_one(&errors, 1, 26, "max_body_bytes");
    assert_one(&errors, 1, 40, "max_depth");
    assert_one(&errors, 2, 17, "admin.listen must differ");
}

#[test]
fn region_and_empty_partner_list_are_checked() {
    let f = Fixture::new();
    let errors = f.errors(&format!("{MINIMAL}    region: china\n"));
    assert_one(&errors, 7, 13, "ISO 3166");
    let errors = f.errors("listen: 127.0.0.1:8080\npartners: []\n");
    assert_one(&errors, 2, 11, "no partners");
}

#[test]
fn unreadable_file_is_a_whole_file_diagnostic() {
    let err = Config::load(Path::new("/nonexistent/pii-proxy.yaml")).expect_err("missing");
    assert_eq!((err.0[0].line, err.0[0].column), (0, 0));
    assert!(err.to_string().contains("cannot read the config file"));
}

#[test]
fn consent_regions_routes_and_quotas_get_defaults() {
    let f = Fixture::new();
    let config = f.load(MINIMAL).expect("valid");
    assert_eq!(config.home_region, "CN");
    assert_eq!(
        config.consent.journal,
        f.dir.path().join("consent/journal.jsonl")
    );
    let demo = config.partner("demo").expect("demo");
    assert_eq!(
        demo.routes,
        vec![PartnerRoute {
            path: "/partners/demo/".into(),
            scenario: crate::ident::Ident::fixed(DEFAULT_SCENARIO)
        }]
    );
    assert!(!demo.cross_border);
    assert_eq!(demo.quota, Quota::default());
    assert_eq!(demo.anomaly, AnomalySettings::default());
}

#[test]
fn consent_regions_routes_and_quotas_are_read() {
    let f = Fixture::new();
    let config = f
        .load(
            "\
listen: 127.0.0.1:8080
home_region: SG
consent: {journal: /var/lib/pii/consent.jsonl}
partners:
  - id: cb
    routes:
      - {path: /cb/loan/, scenario: loan}
      - {path: /cb/kyc/, scenario: kyc}
    upstream: https://cb.example
    region: CN
    export_basis: assessment
    rules: rules/demo.yaml
    quota: {requests_per_second: 50, burst: 80, distinct_subjects: 1000, window: 5m}
    anomaly: {factor: 2.5, min_subjects: 3, warmup_windows: 0, smoothing: 0.5}
  - id: local
    route: /local/
    routes: [{path: /local/x/, scenario: x}]
    upstream: http://127.0.0.1:9
    region: SG
    rules: rules/demo.yaml
",
        )
        .expect("valid");
    assert_eq!(config.home_region, "SG");
    assert_eq!(
        config.consent.journal,
        Path::new("/var/lib/pii/consent.jsonl")
    );
    let cb = config.partner("cb").expect("cb");
    assert!(cb.cross_border);
    assert_eq!(cb.route, "/cb/loan/");
    let scenarios: Vec<&str> = cb.routes.iter().map(|r| r.scenario.as_str()).collect();
    assert_eq!(scenarios, ["loan", "kyc"]);
    assert_eq!(
        cb.quota,
        Quota {
            requests_per_second: Some(50),
            burst: Some(80),
            distinct_subjects: Some(1000),
            window: Duration::from_secs(300),
            cluster: false,
        }
    );
    assert_eq!(cb.anomaly.factor, 2.5);
    assert_eq!(cb.anomaly.warmup_windows, 0);
    let local = config.partner("local").expect("local");
    assert!(!local.cross_border, "SG is home");
    assert_eq!(local.routes.len(), 2);
    assert_eq!(local.routes[0].scenario, "default");
}

#[test]
fn cross_border_plain_http_and_bad_scenarios_and_quotas_are_positioned() {
    let f = Fixture::new();
    let errors = f.errors(
        "\
listen: 127.0.0.1:8080
partners:
  - id: abroad
    route: /abroad/
    upstream: http://partner.example
    region: US
    export_basis: certification
    rules: rules/demo.yaml
    quota: {requests_per_second: 0, distinct_subjects: 0, window: 0s}
    anomaly: {factor: 1, smoothing: 0}
  - id: two
    routes:
      - {path: /two/a/, scenario: loan}
      - {path: /abroad/, scenario: loan}
      - {path: /two/c/, scenario: bad-654321}
    upstream: builtin:echo
    rules: rules/demo.yaml
  - id: none
    upstream: builtin:echo
    rules: rules/demo.yaml
",
    );
    assert_one(&errors, 5, 15, "cross-border (region US, home region CN)");
    assert_one(&errors, 9, 34, "requests_per_second must be at least 1");
    assert_one(&errors, 9, 56, "distinct_subjects must be at least 1");
    assert_one(&errors, 9, 12, "window must be between 1s and 24h");
    assert_one(&errors, 10, 23, "factor must be a number above 1");
    assert_one(&errors, 10, 37, "smoothing");
    assert_one(&errors, 14, 36, "scenario `loan` already has a route");
    assert_one(&errors, 14, 16, "duplicate route `/abroad/`");
    assert_one(
        &errors,
        15,
        35,
        "scenario name must not hold a run of 6 or more digits",
    );
    assert_one(&errors, 18, 5, "needs `route`");
    assert_eq!(errors.len(), 10, "{errors:#?}");
}

#[test]
fn https_and_echo_are_fine_across_borders() {
    let f = Fixture::new();
    let text =
        format!("home_region: CN\n{MINIMAL}    region: JP\n    export_basis: certification\n");
    let config = f.load(&text).expect("echo is local");
    assert!(config.partners[0].cross_border);
    let errors = f.errors("home_region: china\nlisten: 127.0.0.1:8080\npartners: []\n");
    assert_one(&errors, 1, 14, "ISO 3166");
}

#[test]
fn the_audit_log_is_on_by_default_and_off_only_when_said() {
    let f = Fixture::new();
    assert!(f.load(MINIMAL).expect("valid").audit.enabled);
    let on = f
        .load(&format!("audit: {{dir: a, fsync: batch}}\n{MINIMAL}"))
        .expect("valid");
    assert!(on.audit.enabled);
    let off = f
        .load(&format!("audit: {{enabled: false}}\n{MINIMAL}"))
        .expect("valid");
    assert!(!off.audit.enabled);
    let errors = f.errors(&format!("audit: {{enabled: no-thanks}}\n{MINIMAL}"));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, 1, "{errors:#?}");
}

#[test]
fn the_consent_store_and_the_cluster_are_checked_where_written() {
    let f = Fixture::new();
    // The journal alone stays valid; the default replica is a name.
    let config = f
        .load(&format!("consent: {{journal: j.jsonl}}\n{MINIMAL}"))
        .expect("journal alone");
    assert!(config.consent.postgres.is_none());
    assert!(crate::ident::check(config.replica.as_str()).is_ok());
    let config = f
        .load(&format!(
            "replica: r2\nconsent: {{store: postgres, url: \"postgres://u@127.0.0.1:5432/db\", \
             max_staleness: 3s}}\n{MINIMAL}"
        ))
        .expect("postgres on loopback");
    let pg = config.consent.postgres.expect("postgres");
    assert_eq!(pg.max_staleness, Duration::from_secs(3));
    assert!(!pg.tls);
    assert_eq!(config.replica.as_str(), "r2");
    assert_eq!(
        config.audit.replica.as_ref().map(|r| r.as_str()),
        Some("r2")
    );
    let errors = f.errors(&format!(
        "consent: {{store: postgres, url: \"postgres://u:secret@db.example:5432/db\"}}\n{MINIMAL}"
    ));
    assert_at_line(&errors, 1, "sslmode=require");
    assert!(
        errors.iter().all(|(_, _, m)| !m.contains("secret")),
        "{errors:?}"
    );
    let errors = f.errors(&format!("consent: {{store: postgres}}\n{MINIMAL}"));
    assert_at_line(&errors, 1, "needs `url");
    let errors = f.errors(&format!(
        "consent: {{url: \"postgres://u@localhost/db\"}}\n{MINIMAL}"
    ));
    assert_at_line(&errors, 1, "needs `store: postgres`");
    let errors = f.errors(&format!("replica: \"110101199003077777\"\n{MINIMAL}"));
    assert!(
        errors.iter().all(|(_, _, m)| !m.contains("110101")),
        "{errors:?}"
    );
    assert_eq!(errors[0].0, 1);
    // A cluster quota needs the cluster; Redis off this host needs TLS.
    let errors = f.errors(&format!(
        "{MINIMAL}    quota: {{requests_per_second: 10, cluster: true}}\n"
    ));
    assert_at_line(&errors, 7, "needs a top-level `cluster");
    let errors = f.errors(&format!(
        "cluster: {{replicas: 0, redis: \"redis://cache.example:6379/0\"}}\n{MINIMAL}"
    ));
    assert_at_line(&errors, 1, "at least 1");
    assert_at_line(&errors, 1, "rediss://");
    let config = f
        .load(&format!(
            "cluster: {{replicas: 3, redis: \"redis://127.0.0.1:6379/0\"}}\n{MINIMAL}    \
             quota: {{requests_per_second: 10, cluster: true}}\n"
        ))
        .expect("cluster on loopback");
    assert_eq!(config.cluster.expect("cluster").replicas, 3);
    assert!(config.partners[0].quota.cluster);
}

/// An error on `line` (at the value's column, whatever it is) saying `needle`.
fn assert_at_line(errors: &[(u64, u64, String)], line: u64, needle: &str) {
    assert!(
        errors
            .iter()
            .any(|(l, c, m)| *l == line && *c > 0 && m.contains(needle)),
        "expected {line}:* `{needle}` in {errors:#?}"
    );
}

#[test]
fn a_cross_border_partner_declares_its_export_basis_and_names_are_checked() {
    let f = Fixture::new();
    let errors = f.errors(&format!("home_region: CN\n{MINIMAL}    region: JP\n"));
    assert_one(
        &errors,
        4,
        9,
        "export_basis: standard_contract | certification | assessment",
    );
    let errors = f.errors(&format!("{MINIMAL}    name: \"Call 13812345678\"\n"));
    assert_one(&errors, 7, 11, "display name");
    assert!(
        !errors.iter().any(|e| e.2.contains("13812345678")),
        "{errors:?}"
    );
    let errors = f.errors(&format!("{MINIMAL}    export_basis: handshake\n"));
    assert!(!errors.is_empty());
    let config = f
        .load(&format!("{MINIMAL}    name: 征信中心\n"))
        .expect("a Chinese display name is fine");
    assert_eq!(
        config.partners[0].name.as_ref().map(|n| n.as_str()),
        Some("征信中心")
    );
}
