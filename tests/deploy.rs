//! The packaging files as the tools that read them would: the Kubernetes
//! manifests parsed and their fields that matter checked (probe paths and
//! ports, shutdown delay within the grace period, non-root, secrets for
//! key material, resources), the configs they ship accepted by the
//! config loader, the systemd unit's hardening and the Dockerfile's
//! stages. `deploy/check` (run by CI) adds the tools themselves where
//! they install: `systemd-analyze verify`, `promtool`, `hadolint`,
//! `kubernetes-validate`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every document of a multi-document YAML file, as JSON values.
fn documents(path: &str) -> Vec<Value> {
    read(path)
        .split("\n---\n")
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        })
        .map(|d| serde_saphyr::from_str(d).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

fn kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// A config as `serve` would load it. The files it names exist only where
/// it is deployed, so its absolute paths are moved under a scratch root
/// holding placeholder certificates and the shipped rules, and moved back
/// in the result.
fn config(text: &str, name: &str) -> pii_proxy::config::Config {
    let dir = tempfile::tempdir().expect("temp dir");
    let scratch = dir.path().to_str().expect("utf-8 temp path").to_owned();
    let absolute = regex::Regex::new(r"(?m)(?P<lead>[:\s{])/(?P<top>run|etc|var)/").expect("regex");
    let moved = absolute.replace_all(text, format!("${{lead}}{scratch}/${{top}}/").as_str());
    let named = regex::Regex::new(r"(?m)(?:cert|key|rules): (?P<path>[^,}\s]+)").expect("regex");
    for found in named.captures_iter(&moved) {
        let path = Path::new(&found["path"]);
        let file = if path.is_absolute() {
            path.to_path_buf()
        } else {
            dir.path().join(path)
        };
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
        let shipped = root().join("rules").join(file.file_name().expect("a name"));
        match std::fs::read(&shipped) {
            Ok(rules) if file.extension().is_some_and(|e| e == "yaml") => {
                std::fs::write(&file, rules)
            }
            _ => std::fs::write(&file, b""),
        }
        .expect("placeholder");
    }
    let config = pii_proxy::config::Config::parse(&moved, &dir.path().join(name))
        .unwrap_or_else(|e| panic!("{name}:\n{e}"));
    let back = |p: &Path| match p.strip_prefix(dir.path()) {
        Ok(rest) if text.contains(&format!("/{}", rest.display())) => Path::new("/").join(rest),
        _ => p.to_path_buf(),
    };
    let mut config = config;
    config.keys = back(&config.keys);
    config.audit.dir = back(&config.audit.dir);
    config.consent.journal = back(&config.consent.journal);
    if let Some(tls) = config.tls.as_mut() {
        tls.cert = back(&tls.cert);
        tls.key = back(&tls.key);
    }
    if let Some(admin) = config.admin.as_mut() {
        admin.token_file = admin.token_file.as_deref().map(back);
    }
    for partner in &mut config.partners {
        partner.rules = back(&partner.rules);
    }
    config
}

#[test]
fn the_kubernetes_deployment_probes_the_admin_listener_and_stops_gracefully() {
    let docs = documents("deploy/k8s/deployment.yaml");
    let deployment = kind(&docs, "Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let configmap = &documents("deploy/k8s/configmap.yaml")[0];
    let text = configmap["data"]["pii-proxy.yaml"]
        .as_str()
        .expect("config text");
    let config = config(text, "pii-proxy.yaml");
    let admin = config.admin.as_ref().expect("an admin listener");
    assert!(
        admin.tls.is_some(),
        "a non-loopback admin listener needs TLS"
    );

    // Probes: /healthz and /readyz on the admin port, over HTTPS.
    let ports = container["ports"].as_array().expect("ports");
    let admin_port = ports
        .iter()
        .find(|p| p["name"] == "admin")
        .expect("admin port");
    assert_eq!(admin_port["containerPort"], admin.listen.port());
    let proxy_port = ports
        .iter()
        .find(|p| p["name"] == "proxy")
        .expect("proxy port");
    assert_eq!(proxy_port["containerPort"], config.listen.port());
    for (probe, path) in [
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ] {
        let get = &container[probe]["httpGet"];
        assert_eq!(get["path"], path, "{probe}");
        assert_eq!(get["port"], "admin", "{probe}");
        assert_eq!(get["scheme"], "HTTPS", "{probe}");
    }

    // SIGTERM: shutdown_delay, then the longest drain, within the grace period.
    assert!(
        config.shutdown_delay >= Duration::from_secs(5),
        "{:?}",
        config.shutdown_delay
    );
    let drain = config.limits.body_read_timeout + config.limits.upstream_timeout;
    let grace = pod["terminationGracePeriodSeconds"]
        .as_u64()
        .expect("grace period");
    assert!(
        Duration::from_secs(grace) > config.shutdown_delay + drain,
        "grace {grace}s <= delay {:?} + drain {drain:?}",
        config.shutdown_delay
    );

    // Non-root, nothing writable but the data volume, no privileges.
    let security = &pod["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    assert!(security["runAsUser"].as_u64().is_some_and(|u| u > 0));
    let own = &container["securityContext"];
    assert_eq!(own["readOnlyRootFilesystem"], true);
    assert_eq!(own["allowPrivilegeEscalation"], false);
    assert_eq!(own["capabilities"]["drop"][0], "ALL");

    // Key material from Secrets, mounted where the config looks for it.
    let volumes = pod["volumes"].as_array().expect("volumes");
    let mounts = container["volumeMounts"].as_array().expect("mounts");
    let mount_of = |volume: &str| -> (String, &Value) {
        let m = mounts.iter().find(|m| m["name"] == volume).expect("mount");
        let v = volumes
            .iter()
            .find(|v| v["name"] == volume)
            .expect("volume");
        (m["mountPath"].as_str().expect("path").to_owned(), v)
    };
    let (keys_at, keys) = mount_of("keys");
    assert!(
        keys["secret"]["secretName"].is_string(),
        "the keyring comes from a Secret"
    );
    assert_eq!(config.keys, Path::new(&keys_at).join("keyring.json"));
    assert_eq!(
        admin.token_file.as_deref(),
        Some(Path::new(&keys_at).join("admin.token").as_path())
    );
    let (tls_at, tls) = mount_of("tls");
    assert!(tls["secret"]["secretName"].is_string());
    assert_eq!(
        config.tls.as_ref().expect("tls").cert,
        Path::new(&tls_at).join("tls.crt")
    );
    let (data_at, data) = mount_of("data");
    assert!(
        data["persistentVolumeClaim"]["claimName"].is_string(),
        "the audit log persists"
    );
    assert!(
        config.audit.dir.starts_with(&data_at),
        "{:?}",
        config.audit.dir
    );
    assert!(config.consent.journal.starts_with(&data_at));
    let (rules_at, _) = mount_of("rules");
    for partner in &config.partners {
        assert!(partner.rules.starts_with(&rules_at), "{:?}", partner.rules);
    }

    // Resources requested, memory bounded.
    assert!(container["resources"]["requests"]["cpu"].is_string());
    assert!(container["resources"]["requests"]["memory"].is_string());
    assert!(container["resources"]["limits"]["memory"].is_string());
    // The service exposes both named ports.
    let service = &documents("deploy/k8s/service.yaml")[0];
    let targets: Vec<&Value> = service["spec"]["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| &p["targetPort"])
        .collect();
    assert!(targets.contains(&&Value::from("proxy")) && targets.contains(&&Value::from("admin")));
}

#[test]
fn the_container_and_systemd_configs_load() {
    let container = config(&read("deploy/container/pii-proxy.yaml"), "pii-proxy.yaml");
    assert!(
        container
            .admin
            .as_ref()
            .expect("admin")
            .listen
            .ip()
            .is_loopback(),
        "the HEALTHCHECK reaches loopback"
    );
    assert!(container.keys.starts_with("/run/secrets/pii-proxy"));
    assert!(container.audit.dir.starts_with("/var/lib/pii-proxy"));
    let systemd = config(&read("deploy/systemd/pii-proxy.yaml"), "pii-proxy.yaml");
    let credentials = Path::new("/run/credentials/pii-proxy.service");
    assert!(systemd.keys.starts_with(credentials), "{:?}", systemd.keys);
    let token = systemd
        .admin
        .as_ref()
        .and_then(|a| a.token_file.clone())
        .expect("token file");
    assert!(token.starts_with(credentials));
    assert!(systemd.audit.dir.starts_with("/var/lib/pii-proxy"));
}

/// The unit's directives (last one wins, as systemd reads them, except
/// those that add up).
fn directives(unit: &str) -> Vec<(String, String)> {
    unit.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[test]
fn the_systemd_unit_is_hardened_and_passes_the_secrets_as_credentials() {
    let unit = read("deploy/pii-proxy.service");
    let all = directives(&unit);
    let one = |key: &str| -> String {
        all.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {key}="))
    };
    assert_eq!(one("User"), "pii-proxy");
    assert_eq!(one("ProtectSystem"), "strict");
    assert_eq!(one("NoNewPrivileges"), "yes");
    assert_eq!(one("CapabilityBoundingSet"), "");
    assert_eq!(one("ExecReload"), "/bin/kill -HUP $MAINPID");
    assert!(one("LimitNOFILE").parse::<u64>().is_ok_and(|n| n >= 65536));
    let credentials: Vec<&str> = all
        .iter()
        .filter(|(k, _)| k == "LoadCredential")
        .map(|(_, v)| v.as_str())
        .collect();
    for name in ["keyring.json:", "admin.token:", "tls.key:"] {
        assert!(
            credentials.iter().any(|c| c.starts_with(name)),
            "no LoadCredential={name}"
        );
    }
    let writable = one("ReadWritePaths");
    let systemd = config(&read("deploy/systemd/pii-proxy.yaml"), "pii-proxy.yaml");
    assert!(
        writable
            .split_whitespace()
            .any(|p| systemd.audit.dir == Path::new(p))
    );
    let journal_dir = systemd.consent.journal.parent().expect("dir");
    assert!(
        writable
            .split_whitespace()
            .any(|p| journal_dir == Path::new(p))
    );
    // Stopping waits longer than the proxy's own shutdown.
    let stop: u64 = one("TimeoutStopSec")
        .trim_end_matches('s')
        .parse()
        .expect("seconds");
    let drain = systemd.limits.body_read_timeout + systemd.limits.upstream_timeout;
    assert!(Duration::from_secs(stop) > systemd.shutdown_delay + drain);
}

#[test]
fn the_dockerfile_builds_in_one_stage_and_runs_unprivileged_in_another() {
    let dockerfile = read("Dockerfile");
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(froms.len(), 2, "{froms:?}");
    assert!(froms[0].contains("rust:") && froms[0].ends_with("AS build"));
    assert!(froms[1].contains("-slim") && froms[1].ends_with("AS runtime"));
    let after_runtime = &dockerfile[dockerfile.find(froms[1]).expect("runtime stage")..];
    assert!(after_runtime.contains("ca-certificates"));
    assert!(after_runtime.contains("COPY --from=build"));
    let user = after_runtime
        .lines()
        .find(|l| l.starts_with("USER "))
        .expect("USER");
    assert!(
        !user.contains("root") && !user.ends_with(" 0") && !user.contains(" 0:"),
        "{user}"
    );
    assert!(after_runtime.contains("HEALTHCHECK") && after_runtime.contains("/healthz"));
    assert!(after_runtime.contains("VOLUME"));
    let copies = dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY ") || l.starts_with("ADD "));
    for copy in copies {
        assert!(
            !copy.contains("keys") && !copy.contains("audit"),
            "{copy}: key material and logs are mounted, never copied in"
        );
    }
    // The build context carries no key material.
    let ignore = read(".dockerignore");
    assert!(ignore.lines().next().is_some_and(|l| l.starts_with('#')) && ignore.contains("\n*\n"));
    // The HEALTHCHECK's port is the container config's admin port.
    let container = config(&read("deploy/container/pii-proxy.yaml"), "pii-proxy.yaml");
    let port = container.admin.as_ref().expect("admin").listen.port();
    assert!(after_runtime.contains(&format!("127.0.0.1:{port}/healthz")));
}
