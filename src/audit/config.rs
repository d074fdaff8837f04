//! The `audit:` section of `pii-proxy.yaml`. The config module embeds
//! [`AuditConfig`] as is; every field has a default, so `audit: {}` (or no
//! section at all) gives a working, durable log in `./audit`.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

use super::AuditError;

/// Where and how the audit log is written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// `false` turns the audit log off: requests are forwarded with no
    /// share record at all. For benchmarking (the cost of auditing) and
    /// development only: `serve` warns loudly at start and `check` says so.
    /// Every other rule of the proxy (inspection, refusals) is unchanged.
    /// Default: `true`.
    pub enabled: bool,
    /// Directory holding the segment files (`audit-<first seq>-<time>.jsonl`).
    /// Created at start when missing. Default: `audit`.
    pub dir: PathBuf,
    /// When a record counts as accepted: `always` (written and fsynced; a
    /// request waits for its batch's fsync), `batch` (written; fsync at most
    /// every `fsync_interval`, so a power loss can lose that window) or `off`
    /// (written; the OS decides). Default: `batch`.
    pub fsync: FsyncPolicy,
    /// Under `fsync: batch`, the longest time written records stay without
    /// an fsync. Default: `20ms`.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "crate::shapes::DurationText")]
    pub fsync_interval: Duration,
    /// Start a new segment once the current one holds this many bytes
    /// (checked between batches, so a segment can end a batch beyond it).
    /// `0` never rotates by size. Default: 64 MiB.
    pub rotate_bytes: u64,
    /// Start a new segment once the current one is this old. `0s` never
    /// rotates by time. Default: `24h`.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "crate::shapes::DurationText")]
    pub rotate_interval: Duration,
    /// Chain records with HMAC-SHA256 under the keyring's audit chain key
    /// instead of plain SHA-256, so that someone who can edit the files
    /// cannot rebuild a valid chain. `audit verify` then needs `--keys`.
    /// Changing it on an existing log is refused at start. Default: `false`.
    pub keyed_chain: bool,
    /// The chain's hash function: `sha256` (default) or `sm3` (GB/T
    /// 32905; HMAC-SM3 with `keyed_chain`). One per log: changing it on
    /// an existing log is refused at start; `audit verify` finds which.
    pub hash: super::chain::ChainHash,
    /// Records waiting for the writer before `append` waits for room
    /// (back-pressure on requests). Default: 4096.
    pub queue_capacity: usize,
    /// The replica every record names (the config's top-level `replica:`,
    /// filled in by the config check; not an `audit:` key). `None` writes
    /// records without it, as logs before replicas did.
    #[serde(skip)]
    pub replica: Option<crate::ident::Ident>,
    /// Signed checkpoints over the Merkle tree of the records.
    pub checkpoints: CheckpointConfig,
    /// Segments whose newest record is older than this are removed, once
    /// the checkpoint that opens the next segment covers them (`3y`,
    /// `400d`). Unset: segments are kept for ever. Default: unset.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub retention: Option<Duration>,
    /// Closed segments older than this are compressed with zstd
    /// (`<name>.jsonl.zst`); every reader takes both forms. Default: `7d`.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "Option<crate::shapes::DurationText>")]
    pub compress_after: Option<Duration>,
    /// Ship every record to NATS JetStream (`{nats: {url, stream,
    /// subject}}`), from the local segments, which stay the spool: a share
    /// record is still on local disk before its request is forwarded, and
    /// retention keeps a segment until it is shipped. Default: none.
    pub sink: Option<super::shipping::SinkConfig>,
}

/// The `checkpoints:` part of `audit:`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CheckpointConfig {
    /// Sign and append checkpoints. `false` is for measuring their cost
    /// only: `verify` then cannot catch a truncated tail. Default: `true`.
    pub enabled: bool,
    /// A checkpoint after this many records (at the end of the batch that
    /// reaches it). Default: 10000.
    pub every_records: u64,
    /// A checkpoint once records have waited this long for one. Default: `60s`.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "crate::shapes::DurationText")]
    pub interval: Duration,
    /// This replica's name: its signing key and the checkpoints' `replica`
    /// line (the config's top-level `replica:`, filled in by the config
    /// check; not a `checkpoints:` key).
    #[serde(skip)]
    #[schemars(skip)]
    pub replica: String,
    /// The checkpoints' origin line. Default: `pii-proxy/<replica>`.
    pub origin: Option<String>,
    /// Where every checkpoint is also sent, so that a rewrite of the whole
    /// log is caught: `{file: PATH}` (the latest checkpoint, replaced
    /// atomically; refuses a smaller tree) or `{url: https://…}` (POSTed
    /// as text). Default: none.
    pub witnesses: Vec<WitnessConfig>,
}

/// One witness; see [`CheckpointConfig::witnesses`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum WitnessConfig {
    File(PathBuf),
    Url(String),
    /// Published to a NATS subject through JetStream (a stream must
    /// capture the subject: the stream's acknowledgement is what counts
    /// as kept).
    Nats(NatsWitnessConfig),
}

/// `{nats: {url, subject}}`: see [`WitnessConfig::Nats`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsWitnessConfig {
    #[serde(flatten)]
    pub server: super::shipping::NatsServer,
    /// The subject each checkpoint note is published to.
    pub subject: String,
}

/// The replica name when neither the config nor the host name gives one:
/// what a log's records and checkpoints name then.
pub const SINGLE_REPLICA: &str = "single";

impl Default for CheckpointConfig {
    fn default() -> Self {
        CheckpointConfig {
            enabled: true,
            every_records: 10_000,
            interval: Duration::from_secs(60),
            replica: SINGLE_REPLICA.into(),
            origin: None,
            witnesses: Vec::new(),
        }
    }
}

impl CheckpointConfig {
    pub fn origin(&self) -> String {
        self.origin
            .clone()
            .unwrap_or_else(|| format!("pii-proxy/{}", self.replica))
    }
}

/// When the writer fsyncs (`fsync`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FsyncPolicy {
    /// Written and fsynced before a record counts as accepted.
    Always,
    /// Written before forwarding; fsynced at most every `fsync_interval`.
    #[default]
    Batch,
    /// Written; the operating system decides when it reaches the disk.
    Off,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            enabled: true,
            dir: PathBuf::from("audit"),
            fsync: FsyncPolicy::Batch,
            fsync_interval: Duration::from_millis(20),
            rotate_bytes: 64 * 1024 * 1024,
            rotate_interval: Duration::from_secs(24 * 60 * 60),
            keyed_chain: false,
            hash: super::chain::ChainHash::Sha256,
            queue_capacity: 4096,
            replica: None,
            checkpoints: CheckpointConfig::default(),
            retention: None,
            compress_after: Some(Duration::from_secs(7 * 24 * 60 * 60)),
            sink: None,
        }
    }
}

impl AuditConfig {
    /// Checks what serde cannot: every problem, not just the first.
    pub fn validate(&self) -> Result<(), AuditError> {
        let mut problems = Vec::new();
        if self.dir.as_os_str().is_empty() {
            problems.push("`dir` must not be empty");
        }
        if self.queue_capacity == 0 {
            problems.push("`queue_capacity` must be at least 1");
        }
        if self.fsync == FsyncPolicy::Batch && self.fsync_interval.is_zero() {
            problems.push("`fsync_interval` must be above 0 with `fsync: batch` (use `fsync: always` to sync every batch)");
        }
        let cp = &self.checkpoints;
        if cp.every_records == 0 || cp.interval.is_zero() {
            problems.push("`checkpoints.every_records` and `checkpoints.interval` must be above 0");
        }
        if super::NoteName::parse(&cp.origin()).is_err() {
            problems.push("`checkpoints.origin` must be 1-128 visible ASCII characters without `+`, `@` or a run of 6+ digits");
        }
        let mut owned = Vec::new();
        if let Some(sink) = &self.sink {
            owned.extend(sink.nats.problems());
        }
        let plain_off_loopback = |url: &str| {
            let rest = url.strip_prefix("http://").unwrap_or_default();
            !["127.", "localhost", "[::1]"]
                .iter()
                .any(|h| rest.starts_with(h))
        };
        for witness in &cp.witnesses {
            match witness {
                WitnessConfig::Url(url)
                    if !url.starts_with("https://") && plain_off_loopback(url) =>
                {
                    problems.push("a witness `url` must be https:// (http:// only on loopback)");
                }
                WitnessConfig::Nats(nats) => {
                    owned.extend(nats.server.problems("a nats witness"));
                    if nats.subject.is_empty() || nats.subject.contains(['*', '>', ' ']) {
                        owned.push(
                            "a nats witness `subject` must be a subject without wildcards".into(),
                        );
                    }
                }
                _ => {}
            }
        }
        if let (Some(keep), Some(compress)) = (self.retention, self.compress_after) {
            if keep < compress {
                problems.push("`retention` must not be shorter than `compress_after`");
            }
        }
        owned.extend(problems.into_iter().map(String::from));
        if owned.is_empty() {
            Ok(())
        } else {
            Err(AuditError::Config(owned.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_example_section_parses_with_defaults() {
        let config: AuditConfig =
            serde_saphyr::from_str("{dir: audit, fsync: batch}").expect("parses");
        assert_eq!(config, AuditConfig::default());
        config.validate().expect("defaults are valid");
    }

    #[test]
    fn every_field_parses_from_yaml() {
        let yaml = "enabled: false\ndir: /var/log/pii\nfsync: always\nfsync_interval: 5ms\nrotate_bytes: 1024\nrotate_interval: 1h\nkeyed_chain: true\nqueue_capacity: 8\n";
        let config: AuditConfig = serde_saphyr::from_str(yaml).expect("parses");
        assert!(!config.enabled);
        assert_eq!(config.dir, PathBuf::from("/var/log/pii"));
        assert_eq!(config.fsync, FsyncPolicy::Always);
        assert_eq!(config.fsync_interval, Duration::from_millis(5));
        assert_eq!(config.rotate_bytes, 1024);
        assert_eq!(config.rotate_interval, Duration::from_secs(3600));
        assert!(config.keyed_chain);
        assert_eq!(config.queue_capacity, 8);
    }

    #[test]
    fn the_log_is_on_unless_explicitly_disabled() {
        assert!(AuditConfig::default().enabled);
        let config: AuditConfig = serde_saphyr::from_str("{fsync: off}").expect("parses");
        assert!(config.enabled);
        let config: AuditConfig = serde_saphyr::from_str("{enabled: false}").expect("parses");
        assert!(!config.enabled);
        config.validate().expect("a disabled log is a valid config");
        assert!(serde_saphyr::from_str::<AuditConfig>("{enabled: maybe}").is_err());
    }

    #[test]
    fn checkpoints_retention_and_witnesses_parse() {
        let yaml = "checkpoints: {every_records: 500, interval: 30s, witnesses: [{file: /w/cp.txt}, {url: https://witness.example/add}]}\nretention: 3y\ncompress_after: 30d\n";
        let config: AuditConfig = serde_saphyr::from_str(yaml).expect("parses");
        config.validate().expect("valid");
        assert_eq!(config.checkpoints.every_records, 500);
        assert_eq!(config.checkpoints.origin(), "pii-proxy/single");
        assert_eq!(config.checkpoints.witnesses.len(), 2);
        assert!(config.retention > Some(Duration::from_secs(3 * 365 * 24 * 3600)));
        let bad: AuditConfig =
            serde_saphyr::from_str("checkpoints: {witnesses: [{url: http://witness.example/}]}")
                .expect("parses");
        assert!(
            bad.validate()
                .expect_err("plain http")
                .to_string()
                .contains("https://")
        );
        let bad: AuditConfig =
            serde_saphyr::from_str("retention: 1d\ncompress_after: 7d\n").expect("parses");
        assert!(bad.validate().is_err());
        let off: AuditConfig = serde_saphyr::from_str("{}").expect("parses");
        assert!(off.checkpoints.enabled && off.retention.is_none());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        assert!(serde_saphyr::from_str::<AuditConfig>("{fsynk: batch}").is_err());
        assert!(serde_saphyr::from_str::<AuditConfig>("{fsync: sometimes}").is_err());
        let config = AuditConfig {
            queue_capacity: 0,
            fsync_interval: Duration::ZERO,
            ..AuditConfig::default()
        };
        let message = config.validate().expect_err("invalid").to_string();
        assert!(message.contains("queue_capacity") && message.contains("fsync_interval"));
    }
}
