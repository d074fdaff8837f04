//! Cluster quotas: a partner's request rate and distinct subjects counted
//! once for every replica, in Redis, so N replicas enforce one quota and
//! the anomaly rule sees the partner's whole traffic.
//!
//! One Lua script per check ([`SCRIPT`]) makes the rate (GCRA, as the local
//! limiter) and the distinct-subject set of the current window one atomic
//! step, on Redis's clock (`TIME`), so replicas' clocks never disagree about
//! a window. Subjects are stored as the 64-bit fingerprint of their keyed
//! HMAC, never a value. Keys share the partner's hash tag and expire after
//! three windows.
//!
//! Knows nothing of HTTP. Fails toward the quota, not away from it: when
//! Redis does not answer within `cluster.timeout`, this replica enforces
//! its share (`limit ÷ replicas`) with the local meter, says so in metrics,
//! and tries Redis again after a second.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Monitor, OverQuota};
use crate::config::{AnomalySettings, Quota};

/// How long a replica keeps to its local share after Redis failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// KEYS[1] the partner's rate key, KEYS[2] the prefix of its window sets.
/// ARGV: interval µs (0: no rate limit), tolerance µs, subject fingerprint
/// ('' for none), distinct limit (0: none), window ms. Returns {verdict
/// (0 admitted, 1 over rate, 2 over subjects), subjects in the window,
/// window number, subjects in the previous window}.
pub const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
if interval > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  local start = math.max(tat, now)
  if start - now > tonumber(ARGV[2]) then
    return {1, 0, 0, 0}
  end
  local ttl_ms = math.floor((start + interval - now) / 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%.0f', start + interval), 'PX', ttl_ms)
end
local subject = ARGV[3]
if subject == '' then
  return {0, 0, 0, 0}
end
local window_ms = tonumber(ARGV[5])
local w = math.floor(now / (window_ms * 1000))
local key = KEYS[2] .. ':' .. string.format('%.0f', w)
local previous = redis.call('SCARD', KEYS[2] .. ':' .. string.format('%.0f', w - 1))
local count = redis.call('SCARD', key)
if redis.call('SISMEMBER', key, subject) == 0 then
  local limit = tonumber(ARGV[4])
  if limit > 0 and count >= limit then
    return {2, count, w, previous}
  end
  redis.call('SADD', key, subject)
  redis.call('PEXPIRE', key, window_ms * 3)
  count = count + 1
end
return {0, count, w, previous}
";

/// The cluster's quota counters, and whether this replica is on its own.
pub struct ClusterQuota {
    connection: ConnectionManager,
    script: redis::Script,
    replicas: u32,
    timeout: Duration,
    origin: Instant,
    /// Milliseconds after `origin` before which Redis is not asked.
    retry_at_ms: AtomicU64,
    falling_back: AtomicBool,
    cluster_checks: AtomicU64,
    local_checks: AtomicU64,
}

impl std::fmt::Debug for ClusterQuota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterQuota")
            .field("replicas", &self.replicas)
            .field("falling_back", &self.falling_back())
            .finish_non_exhaustive()
    }
}

impl ClusterQuota {
    /// Connects lazily (in the background, and again after every failure):
    /// a replica starts while Redis is down, on its local share.
    pub fn new(
        client: redis::Client,
        replicas: u32,
        timeout: Duration,
    ) -> Result<ClusterQuota, redis::RedisError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout.max(Duration::from_secs(1))))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(RETRY_AFTER);
        Ok(ClusterQuota {
            connection: ConnectionManager::new_lazy_with_config(client, config)?,
            script: redis::Script::new(SCRIPT),
            replicas: replicas.max(1),
            timeout,
            origin: Instant::now(),
            retry_at_ms: AtomicU64::new(0),
            falling_back: AtomicBool::new(false),
            cluster_checks: AtomicU64::new(0),
            local_checks: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Admits one request of `partner` against the cluster's counters, or
    /// (Redis unreachable) against this replica's share of the quota.
    pub async fn admit(
        &self,
        monitor: &Monitor,
        partner: &str,
        subject: Option<u64>,
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        if self.now_ms() >= self.retry_at_ms.load(Ordering::Relaxed) {
            let asked = tokio::time::timeout(self.timeout, self.ask(partner, subject, quota));
            match asked.await {
                Ok(Ok(answer)) => {
                    if self.falling_back.swap(false, Ordering::Relaxed) {
                        tracing::info!("cluster quotas: Redis answers again; one quota for all");
                    }
                    self.cluster_checks.fetch_add(1, Ordering::Relaxed);
                    return self.decide(monitor, partner, answer, quota, anomaly).await;
                }
                Ok(Err(e)) => self.fall_back(&format!("{:?}", e.kind())),
                Err(_) => self.fall_back("no answer in time"),
            }
        }
        self.local_checks.fetch_add(1, Ordering::Relaxed);
        let share = quota.per_replica(self.replicas);
        monitor.admit(partner, subject, &share, anomaly)
    }

    /// [`ClusterQuota::admit`] for every subject of a batch: the request
    /// counts once against the rate (with the first subject), each further
    /// subject once in the window.
    pub async fn admit_all(
        &self,
        monitor: &Monitor,
        partner: &str,
        subjects: &[u64],
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        self.admit(monitor, partner, subjects.first().copied(), quota, anomaly)
            .await?;
        let subjects_only = Quota {
            requests_per_second: None,
            burst: None,
            ..*quota
        };
        for &subject in subjects.iter().skip(1) {
            self.admit(monitor, partner, Some(subject), &subjects_only, anomaly)
                .await?;
        }
        Ok(())
    }

    fn fall_back(&self, why: &str) {
        self.retry_at_ms.store(
            self.now_ms() + RETRY_AFTER.as_millis() as u64,
            Ordering::Relaxed,
        );
        if !self.falling_back.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                reason = why,
                replicas = self.replicas,
                "cluster quotas: Redis is unreachable; each replica enforces limit / replicas"
            );
        }
    }

    async fn ask(
        &self,
        partner: &str,
        subject: Option<u64>,
        quota: &Quota,
    ) -> redis::RedisResult<[i64; 4]> {
        let (interval, tolerance) = match quota.requests_per_second {
            Some(rps) => {
                let interval = (1_000_000 / u64::from(rps.max(1))).max(1);
                let burst = u64::from(quota.burst.unwrap_or(rps).max(1));
                (interval, interval * (burst - 1))
            }
            None => (0, 0),
        };
        let subject = subject.map(|s| format!("{s:016x}")).unwrap_or_default();
        let window_ms = u64::try_from(quota.window.as_millis()).unwrap_or(u64::MAX);
        let mut connection = self.connection.clone();
        let answer: Vec<i64> = self
            .script
            .key(format!("pii-proxy:{{{partner}}}:rate"))
            .key(format!("pii-proxy:{{{partner}}}:subjects"))
            .arg(interval)
            .arg(tolerance)
            .arg(subject)
            .arg(quota.distinct_subjects.unwrap_or(0))
            .arg(window_ms)
            .invoke_async(&mut connection)
            .await?;
        let mut out = [0i64; 4];
        for (slot, value) in out.iter_mut().zip(answer) {
            *slot = value;
        }
        Ok(out)
    }

    async fn decide(
        &self,
        monitor: &Monitor,
        partner: &str,
        [verdict, count, window, previous]: [i64; 4],
        quota: &Quota,
        anomaly: &AnomalySettings,
    ) -> Result<(), OverQuota> {
        let meter = monitor.meter(partner);
        match verdict {
            1 => return Err(meter.refused(OverQuota::Rate)),
            2 => return Err(meter.refused(OverQuota::DistinctSubjects)),
            _ => {}
        }
        let (Ok(window), Ok(count), Ok(previous)) = (
            u64::try_from(window),
            u64::try_from(count),
            u64::try_from(previous),
        ) else {
            return Ok(());
        };
        if count == 0 {
            return Ok(());
        }
        if let Some(baseline) = meter.cluster_window(window, count, previous, anomaly) {
            // One replica reports a window's anomaly for the whole cluster.
            if self.first_to_report(partner, window, quota).await {
                meter.report_anomaly(count, baseline, quota, anomaly);
            }
        }
        Ok(())
    }

    async fn first_to_report(&self, partner: &str, window: u64, quota: &Quota) -> bool {
        let mut connection = self.connection.clone();
        let ttl = u64::try_from(quota.window.as_millis())
            .unwrap_or(u64::MAX)
            .saturating_mul(3);
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(format!("pii-proxy:{{{partner}}}:alerted:{window}"))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl)
            .query_async(&mut connection)
            .await;
        // Redis gone between the check and this: report it here.
        !matches!(set, Ok(None))
    }

    // Accessors for metrics.

    /// Redis did not answer the last check: quotas are per replica (gauge).
    pub fn falling_back(&self) -> bool {
        self.falling_back.load(Ordering::Relaxed)
    }

    /// Checks Redis decided (counter).
    pub fn cluster_checks(&self) -> u64 {
        self.cluster_checks.load(Ordering::Relaxed)
    }

    /// Checks decided by this replica's share of the quota (counter).
    pub fn local_checks(&self) -> u64 {
        self.local_checks.load(Ordering::Relaxed)
    }
}

impl Quota {
    /// This replica's share of the quota when the cluster's counters are
    /// out of reach: each limit divided by `replicas`, rounded up (never 0).
    pub fn per_replica(&self, replicas: u32) -> Quota {
        let share = |limit: Option<u32>| limit.map(|l| l.div_ceil(replicas.max(1)).max(1));
        Quota {
            requests_per_second: share(self.requests_per_second),
            burst: share(self.burst),
            distinct_subjects: share(self.distinct_subjects),
            ..*self
        }
    }
}
