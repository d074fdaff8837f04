//! The `pii-proxy` command line: parsing, wiring and exit codes, nothing else.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use pii_proxy::admin::{self, AdminError, AdminServer, Reloader};
use pii_proxy::audit;
use pii_proxy::candidate;
use pii_proxy::config::{Config, DEFAULT_CONFIG, Limits};
use pii_proxy::engine;
use pii_proxy::policy_set::{PolicySet, load_keyring_for_check, load_or_create_keyring};
use pii_proxy::protect::Keyring;
use pii_proxy::proxy::{Server, StartError, shutdown_signal};
use pii_proxy::rules::Policy;

#[derive(Parser)]
#[command(
    name = "pii-proxy",
    version,
    about = "Protects personal data in JSON shared with partners"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the proxy: route requests to partners, protecting every body.
    Serve(ServeArgs),
    /// Validate the config, every partner's rules and the keyring; print every
    /// error as FILE:LINE:COL: message.
    Check(ConfigArg),
    /// Apply a partner's request policy to one JSON document (file or stdin):
    /// protected JSON to stdout, findings (JSON lines) to stderr. With
    /// `--diff OLD NEW`: what rules file NEW would protect differently from
    /// OLD in the document, field by field.
    Mask(MaskArgs),
    /// Reverse `encrypt` and `tokenize` in one JSON document, as the partner
    /// holding the keys can.
    Decrypt(PartnerInput),
    /// Write a new keyring (mode 0600), or add a new active key to one.
    Keygen(KeygenArgs),
    /// Check, search and summarize the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; name the first broken record (exit 1).
    Verify {
        /// Keyring for a log written with `keyed_chain: true`.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// The files need not start at the genesis record.
        #[arg(long)]
        partial: bool,
        /// Segment files or audit directories.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List one subject's share events (what went to whom, when).
    Search {
        /// The subject id as the rules' `subject:` selects it; `-` reads
        /// it from stdin (keeps it out of shell history).
        #[arg(long)]
        subject: String,
        #[arg(long)]
        partner: Option<String>,
        /// RFC 3339 time or YYYY-MM-DD (UTC).
        #[arg(long)]
        since: Option<String>,
        /// Keyring holding the subject key.
        #[arg(long, default_value = "keys/keyring.json")]
        keys: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Per partner: share events, subjects, categories, actions, refusals.
    Stats {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct ConfigArg {
    /// The proxy config file.
    #[arg(long, default_value = DEFAULT_CONFIG, env = "PII_PROXY_CONFIG")]
    config: PathBuf,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Log lines as text or as JSON objects (one per line, on stderr). The
    /// level filter comes from PII_PROXY_LOG, else RUST_LOG, else `info`.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, env = "PII_PROXY_LOG_FORMAT")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Args)]
struct PartnerInput {
    #[command(flatten)]
    config: ConfigArg,
    /// The partner whose policy applies.
    #[arg(long)]
    partner: String,
    /// The JSON document; stdin when absent or `-`.
    input: Option<PathBuf>,
}

#[derive(Args)]
struct MaskArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The partner whose policy applies. With --diff, optional: only the
    /// partner whose keys the two rules files are compiled with.
    #[arg(long, required_unless_present = "diff")]
    partner: Option<String>,
    /// Compare two rules files on the document instead of masking it: list
    /// the fields NEW would newly protect (+), leave unprotected (-) or
    /// protect differently (~) compared with OLD. Keys and limits come from
    /// --config when that file exists.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "table")]
    diff: Option<Vec<PathBuf>>,
    /// The JSON document; stdin when absent or `-`.
    input: Option<PathBuf>,
    /// Print findings as a readable table instead of JSON lines.
    #[arg(long)]
    table: bool,
}

#[derive(Args)]
struct KeygenArgs {
    /// Where to write the keyring.
    #[arg(long, default_value = "keys/keyring.json")]
    out: PathBuf,
    /// Add a new active key to the existing keyring (old keys still decrypt).
    #[arg(long, conflicts_with = "force")]
    rotate: bool,
    /// Replace an existing keyring (everything protected with it becomes
    /// unrecoverable).
    #[arg(long)]
    force: bool,
}

/// Exit codes: 0 done, 1 refused (invalid input or config), 2 usage or I/O.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => {
            init_logging(args.log_format);
            serve(&args.config.config)
        }
        Command::Check(args) => check(&args.config),
        Command::Mask(args) => mask(&args),
        Command::Decrypt(args) => decrypt(&args),
        Command::Keygen(args) => keygen(&args),
        Command::Audit(command) => run_audit(command),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn check(config_path: &Path) -> Result<ExitCode> {
    let config = match Config::load(config_path) {
        Ok(config) => config,
        Err(problems) => return Ok(refused(&problems)),
    };
    let keyring = match load_keyring_for_check(&config.keys) {
        Ok(keyring) => keyring,
        Err(problems) => return Ok(refused(&problems)),
    };
    match PolicySet::compile(&config, &keyring) {
        Ok(_) => {
            if !config.audit.enabled {
                eprintln!(
                    "{}: warning: the audit log is disabled (audit: {{enabled: false}}); \
                     for benchmarking and development only",
                    config_path.display()
                );
            }
            println!(
                "{}: ok ({} partners)",
                config_path.display(),
                config.partners.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => Ok(refused(&problems)),
    }
}

fn refused(problems: &pii_proxy::diag::Diagnostics) -> ExitCode {
    eprintln!("{problems}");
    ExitCode::from(1)
}

/// Loads config, keyring and the partner's policy.
fn partner_policy(config_path: &Path, partner: &str) -> Result<Result<Arc<Policy>, ExitCode>> {
    let config = match Config::load(config_path) {
        Ok(config) => config,
        Err(problems) => return Ok(Err(refused(&problems))),
    };
    let (keyring, _) = match load_or_create_keyring(&config.keys) {
        Ok(loaded) => loaded,
        Err(problems) => return Ok(Err(refused(&problems))),
    };
    let policies = match PolicySet::compile(&config, &keyring) {
        Ok(policies) => policies,
        Err(problems) => return Ok(Err(refused(&problems))),
    };
    match policies.get(partner) {
        Some(policy) => Ok(Ok(policy.clone())),
        None => {
            eprintln!("error: no partner `{partner}` in {}", config_path.display());
            Ok(Err(ExitCode::from(1)))
        }
    }
}

fn read_input(input: &Option<PathBuf>) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match input {
        Some(path) if path.as_os_str() != "-" => {
            bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read stdin")?;
        }
    }
    Ok(bytes)
}

fn mask(args: &MaskArgs) -> Result<ExitCode> {
    if let Some(files) = &args.diff {
        return mask_diff(args, &files[0], &files[1]);
    }
    let partner = args
        .partner
        .as_deref()
        .expect("clap requires --partner without --diff");
    let policy = match partner_policy(&args.config.config, partner)? {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let input = read_input(&args.input)?;
    let (output, findings) = match engine::protect(&policy, &input) {
        Ok(done) => done,
        Err(err) => {
            eprintln!("error: refused ({}): {err}", err.code());
            return Ok(ExitCode::from(1));
        }
    };
    std::io::stdout()
        .write_all(&output)
        .context("cannot write stdout")?;
    let mut stderr = std::io::stderr().lock();
    if args.table {
        writeln!(
            stderr,
            "{:<40} {:<14} {:<9} rule",
            "path", "category", "action"
        )?;
    }
    for finding in &findings.items {
        if args.table {
            writeln!(
                stderr,
                "{:<40} {:<14} {:<9} {}",
                finding.path, finding.category, finding.action, finding.rule
            )?;
        } else {
            writeln!(stderr, "{}", serde_json::to_string(finding)?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mask --diff OLD NEW`: both rules files applied to one document, and
/// the fields they treat differently. Findings do not depend on the keys,
/// so without a config a throwaway keyring serves.
fn mask_diff(args: &MaskArgs, old: &Path, new: &Path) -> Result<ExitCode> {
    let (keyring, max_depth) = if args.config.config.exists() {
        let config = match Config::load(&args.config.config) {
            Ok(config) => config,
            Err(problems) => return Ok(refused(&problems)),
        };
        match load_keyring_for_check(&config.keys) {
            Ok(keyring) => (keyring, config.limits.max_depth),
            Err(problems) => return Ok(refused(&problems)),
        }
    } else {
        (Keyring::generate(), Limits::default().max_depth)
    };
    let partner = args.partner.as_deref().unwrap_or("diff");
    let compiled = [old, new].map(|file| Policy::load(file, partner, &keyring, max_depth));
    let [old_policy, new_policy] = match compiled {
        [Ok(old), Ok(new)] => [old, new],
        [old, new] => {
            let problems = [old.err(), new.err()].into_iter().flatten();
            let all = pii_proxy::diag::Diagnostics(problems.flat_map(|d| d.0).collect());
            return Ok(refused(&all));
        }
    };
    let input = read_input(&args.input)?;
    let mut findings = Vec::new();
    for policy in [&old_policy, &new_policy] {
        match engine::protect(policy, &input) {
            Ok((_, found)) => findings.push(found.items),
            Err(err) => {
                eprintln!("error: refused ({}): {err}", err.code());
                return Ok(ExitCode::from(1));
            }
        }
    }
    let diff = candidate::compare(&findings[0], &findings[1]);
    let mut out = std::io::stdout().lock();
    let line = |f: &engine::Finding| format!("{:<40} {:<14} {}", f.path, f.category, f.action);
    for f in &diff.newly_protected {
        writeln!(out, "+ {}", line(f))?;
    }
    for f in &diff.left_unprotected {
        writeln!(out, "- {}", line(f))?;
    }
    for c in &diff.changed {
        let to = format!("{} {}", c.candidate.category, c.candidate.action);
        writeln!(out, "~ {} -> {to}", line(&c.current))?;
    }
    writeln!(
        out,
        "{} newly protected (+), {} left unprotected (-), {} changed (~) by {} compared with {}",
        diff.newly_protected.len(),
        diff.left_unprotected.len(),
        diff.changed.len(),
        new.display(),
        old.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn decrypt(args: &PartnerInput) -> Result<ExitCode> {
    let policy = match partner_policy(&args.config.config, &args.partner)? {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let input = read_input(&args.input)?;
    match engine::decrypt_document(&policy, &input) {
        Ok((output, restored)) => {
            std::io::stdout()
                .write_all(&output)
                .context("cannot write stdout")?;
            eprintln!("restored {restored} values");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("error: refused ({}): {err}", err.code());
            Ok(ExitCode::from(1))
        }
    }
}

fn keygen(args: &KeygenArgs) -> Result<ExitCode> {
    let keyring = if args.rotate {
        let mut keyring = Keyring::load(&args.out)?;
        let kid = keyring.rotate().to_owned();
        eprintln!("added key {kid}; it is now the active key");
        keyring
    } else {
        if args.out.exists() && !args.force {
            eprintln!(
                "error: {} exists; use --rotate to add a key, or --force to replace it",
                args.out.display()
            );
            return Ok(ExitCode::from(1));
        }
        Keyring::generate()
    };
    keyring.save(&args.out)?;
    eprintln!(
        "wrote {} (mode 0600; active key {})",
        args.out.display(),
        keyring.active_kid()
    );
    Ok(ExitCode::SUCCESS)
}

fn load_keyring(path: &Path) -> anyhow::Result<Keyring> {
    Keyring::load(path).with_context(|| format!("loading the keyring {}", path.display()))
}

fn run_audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        AuditCommand::Verify {
            keys,
            partial,
            files,
        } => {
            let key = match keys {
                Some(path) => audit::ChainKey::Keyed(load_keyring(&path)?.audit_chain_key()),
                None => audit::ChainKey::Plain,
            };
            let report = audit::verify(&files, &audit::VerifyOptions { key, partial })?;
            write!(out, "{report}")?;
            Ok(if report.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::Search {
            subject,
            partner,
            since,
            keys,
            files,
        } => {
            let subject = if subject == "-" {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                subject
            };
            let since = since
                .map(|s| {
                    audit::search::parse_since(&s)
                        .with_context(|| format!("--since {s}: expected RFC 3339 or YYYY-MM-DD"))
                })
                .transpose()?;
            let hasher = audit::SubjectHasher::from_keyring(&load_keyring(&keys)?);
            let query = audit::SearchQuery {
                subject: hasher.hash(&subject),
                partner,
                since,
            };
            let events = audit::search(&files, &query)?;
            for event in &events {
                writeln!(out, "{event}")?;
            }
            writeln!(out, "{} share events for {}", events.len(), query.subject)?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Stats { files } => {
            write!(out, "{}", audit::stats(&files)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PII_PROXY_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal, not in files and collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}

/// Exit 1 with every config or rules error printed as `FILE:LINE:COL: message`.
fn serve(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let config = match Config::load(path) {
        Ok(config) => config,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = match Server::bind(&config).await {
            Ok(server) => server,
            Err(StartError::Rules(diagnostics)) => {
                eprintln!("{diagnostics}");
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        };
        let reloader = Arc::new(Reloader::new(path, &config, server.proxy()));
        let admin = match &config.admin {
            Some(a) => match AdminServer::bind(&config, a, reloader.clone()).await {
                Ok(admin) => Some(admin),
                Err(AdminError::Token(e)) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        // Handlers are installed before the listening lines, so a signal
        // sent as soon as they appear is never the default action (exit).
        admin::reload_on_sighup(reloader.clone()).context("cannot handle SIGHUP")?;
        if config.reload.watch {
            admin::watch::watch_sources(reloader.clone(), config.reload.debounce)?;
        }
        let shutdown = shutdown_signal();
        let addr = server.local_addr().context("the listener has no address")?;
        let scheme = if server.is_tls() { "https" } else { "http" };
        // Fixed lines on stderr: scripts and tests read the bound ports from them.
        let admin_done = match admin {
            Some(admin) => {
                let admin_addr = admin
                    .local_addr()
                    .context("the admin listener has no address")?;
                let admin_scheme = if admin.is_tls() { "https" } else { "http" };
                eprintln!("pii-proxy: admin listening on {admin_scheme}://{admin_addr}");
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                let task = tokio::spawn(admin.run(async {
                    let _ = stopped.await;
                }));
                Some((stop, task))
            }
            None => None,
        };
        let proxy = server.proxy();
        let serving = server.run(shutdown);
        eprintln!("pii-proxy: listening on {scheme}://{addr}");
        serving.await;
        // The admin listener outlives the drain, so readiness can say 503 meanwhile.
        if let Some((stop, task)) = admin_done {
            let _ = stop.send(());
            let _ = task.await;
        }
        // Outcome records are queued as answers leave: the writer must have
        // written every one before the process exits.
        if let Err(e) = proxy.audit.shutdown().await {
            eprintln!("pii-proxy: the audit log did not close cleanly: {e}");
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("pii-proxy: stopped");
        Ok(ExitCode::SUCCESS)
    })
}
