//! The process metrics every Prometheus client exports (`process_cpu_seconds_total`,
//! `process_resident_memory_bytes`, `process_open_fds`, `process_max_fds`,
//! `process_threads`, `process_virtual_memory_bytes`,
//! `process_start_time_seconds`), under their standard names (no
//! `pii_proxy_` prefix) so the usual dashboards and alerts work as they are.
//!
//! Written here because prometheus-client has no process collector and
//! the crates that add one are built on other generations of it (0.23);
//! the Linux sources are a few lines of `/proc/self`, read at every
//! scrape, never on the request path. Elsewhere, and for any file that
//! cannot be read, the metric is left out rather than reported as 0.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Clock ticks per second in `/proc/<pid>/stat`: the kernel's USER_HZ,
/// fixed at 100 for user space on every architecture Linux supports (the
/// Prometheus Go client's procfs library relies on the same constant).
const USER_HZ: f64 = 100.0;

#[derive(Debug, Default)]
pub struct ProcessCollector;

/// What one scrape read, each part absent when it could not be read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ProcessSample {
    pub cpu_seconds: Option<f64>,
    pub resident_bytes: Option<i64>,
    pub virtual_bytes: Option<i64>,
    pub threads: Option<i64>,
    pub start_time_seconds: Option<f64>,
    pub open_fds: Option<i64>,
    pub max_fds: Option<i64>,
}

impl ProcessSample {
    /// Reads `/proc/self`.
    pub(crate) fn read() -> ProcessSample {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        let mut sample = ProcessSample::default();
        if let Some(stat) = read("/proc/self/stat") {
            let boot_time = read("/proc/stat").and_then(|s| boot_time(&s));
            sample.apply_stat(&stat, boot_time);
        }
        sample.resident_bytes = read("/proc/self/status").and_then(|s| resident_bytes(&s));
        sample.max_fds = read("/proc/self/limits").and_then(|s| max_open_files(&s));
        sample.open_fds = std::fs::read_dir("/proc/self/fd")
            .ok()
            .and_then(|entries| i64::try_from(entries.count()).ok());
        sample
    }

    /// The fields of `/proc/self/stat` (proc(5)): counted after the
    /// command name's closing parenthesis, since the name may hold spaces.
    fn apply_stat(&mut self, stat: &str, boot_time: Option<f64>) {
        let Some((_, after_name)) = stat.rsplit_once(')') else {
            return;
        };
        // Field 3 (state) is the first after the name.
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
        if let (Some(user), Some(system)) = (field(14), field(15)) {
            self.cpu_seconds = Some((user + system) as f64 / USER_HZ);
        }
        self.threads = field(20).and_then(|t| i64::try_from(t).ok());
        self.virtual_bytes = field(23).and_then(|v| i64::try_from(v).ok());
        if let (Some(start), Some(boot)) = (field(22), boot_time) {
            self.start_time_seconds = Some(boot + start as f64 / USER_HZ);
        }
    }
}

/// `btime` of `/proc/stat`: the boot time, seconds since the epoch.
fn boot_time(stat: &str) -> Option<f64> {
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// `VmRSS` of `/proc/self/status`, in bytes (the file says kB).
fn resident_bytes(status: &str) -> Option<i64> {
    let kb: i64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}

/// The soft limit of `Max open files` in `/proc/self/limits`.
fn max_open_files(limits: &str) -> Option<i64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line
        .strip_prefix("Max open files")?
        .split_whitespace()
        .next()?;
    soft.parse().ok()
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = ProcessSample::read();
        if let Some(cpu) = s.cpu_seconds {
            let metric = ConstCounter::new(cpu);
            let help = "Total user and system CPU time spent in seconds";
            let at = encoder.encode_descriptor(
                "process_cpu_seconds",
                help,
                None,
                metric.metric_type(),
            )?;
            metric.encode(at)?;
        }
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                s.resident_bytes,
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                s.virtual_bytes,
            ),
            (
                "process_open_fds",
                "Number of open file descriptors",
                s.open_fds,
            ),
            (
                "process_max_fds",
                "Maximum number of open file descriptors",
                s.max_fds,
            ),
            (
                "process_threads",
                "Number of OS threads in the process",
                s.threads,
            ),
        ];
        for (name, help, value) in gauges {
            let Some(value) = value else { continue };
            let metric = ConstGauge::new(value);
            metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)?;
        }
        if let Some(start) = s.start_time_seconds {
            let metric = ConstGauge::new(start);
            let help = "Start time of the process since the Unix epoch in seconds";
            let at = encoder.encode_descriptor(
                "process_start_time_seconds",
                help,
                None,
                metric.metric_type(),
            )?;
            metric.encode(at)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_a_command_name_with_spaces() {
        let stat = "4242 (pii proxy) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 7 0 \
                    12345 104857600 2048 18446744073709551615";
        let mut sample = ProcessSample::default();
        sample.apply_stat(stat, Some(1_700_000_000.0));
        assert_eq!(sample.cpu_seconds, Some(3.0));
        assert_eq!(sample.threads, Some(7));
        assert_eq!(sample.virtual_bytes, Some(104_857_600));
        assert_eq!(sample.start_time_seconds, Some(1_700_000_123.45));
    }

    #[test]
    fn status_and_limits_lines_are_read() {
        assert_eq!(
            resident_bytes("Name:\tx\nVmRSS:\t  2048 kB\n"),
            Some(2048 * 1024)
        );
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max open files            65536                524288               files\n";
        assert_eq!(max_open_files(limits), Some(65536));
        assert_eq!(
            boot_time("cpu 1 2 3\nbtime 1700000000\n"),
            Some(1_700_000_000.0)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_reports_every_metric() {
        let s = ProcessSample::read();
        assert!(s.cpu_seconds.is_some_and(|c| c >= 0.0), "{s:?}");
        assert!(s.resident_bytes.is_some_and(|r| r > 0), "{s:?}");
        assert!(s.open_fds.is_some_and(|n| n >= 3), "{s:?}");
        assert!(s.max_fds.is_some_and(|n| n > 0), "{s:?}");
        assert!(s.threads.is_some_and(|n| n >= 1), "{s:?}");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after the epoch")
            .as_secs_f64();
        assert!(
            s.start_time_seconds
                .is_some_and(|t| t <= now + 1.0 && t > now - 86_400.0 * 365.0),
            "{s:?}"
        );
    }
}
